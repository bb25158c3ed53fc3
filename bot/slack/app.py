"""Build the Bolt app: the Web API client, the listeners and the error handler."""

from __future__ import annotations

import json
import logging
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners import register
from bot.slack.listeners.common import apologise

log = logging.getLogger(__name__)


def build_app(services: Services, executor: Executor) -> App:
    """The Bolt app for one process.

    ``executor`` runs the listeners. Bolt's default pool has 5 threads: with five
    slow replies under way, the next slash command could not even be acknowledged.
    The caller sizes it (LISTENER_THREADS) and owns it, to drain it on shutdown.
    """
    settings = services.settings
    client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    app = App(
        client=client,
        signing_secret=settings.signing_secret or None,
        listener_executor=executor,
        process_before_response=True,  # ack functions answer inline; the slow parts run lazily
        ignoring_self_events_enabled=True,
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("slack_bolt.App"),
    )
    register(app, services, executor)
    app.error(_on_error)
    return app


def _on_error(error: Exception, body: dict[str, Any], client: WebClient) -> BoltResponse:
    """An ack function failed (lazy work has its own guard): log, apologise, and still answer 200."""
    log.exception("listener failed (event %s)", body.get("event_id") or body.get("trigger_id"), exc_info=error)
    if body.get("command"):  # the apology is the acknowledgement itself
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", **blocks.apology_message()}),
            headers={"content-type": "application/json"},
        )
    apologise(body, client)
    return BoltResponse(status=200, body="")
