"""Build the Bolt app: the Web API client, safety middleware, listeners and the error handler."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners import register

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
        ignoring_self_events_enabled=True,
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("slack_bolt.App"),
    )
    app.use(_once_per_event(services))
    register(app, services)
    app.error(_apologise)
    return app


def _once_per_event(services: Services) -> Callable[..., BoltResponse | None]:
    def once_per_event(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        """Answer each Events API event once: a retry, or a copy delivered to another instance, stops here."""
        started = time.monotonic()
        event_id = body.get("event_id")
        is_event = body.get("type") == "event_callback" and isinstance(event_id, str)
        if is_event and not services.store.claim(f"event:{event_id}"):
            request_line((body.get("event") or {}).get("type", "event"), "duplicate", started)
            return BoltResponse(status=200, body="")
        next()
        return None

    return once_per_event


def _apologise(error: Exception, body: dict[str, Any], client: WebClient) -> None:
    """A listener failed: log it with the event id, tell the user briefly, keep serving."""
    log.exception("listener failed (event %s)", body.get("event_id") or body.get("trigger_id"), exc_info=error)
    apology = blocks.apology_message()
    try:
        if isinstance(body.get("response_url"), str):  # slash commands and buttons
            WebhookClient(body["response_url"], timeout=5).send(
                response_type="ephemeral", replace_original=False, **apology
            )
            return
        event = body.get("event") or {}
        channel, user = event.get("channel"), event.get("user")
        asked = event.get("type") == "app_mention" or event.get("channel_type") == "im"
        if isinstance(channel, str) and isinstance(user, str) and asked:  # never apologise for unasked chatter
            thread_ts = event.get("thread_ts") or event.get("ts")
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, **apology)
    except Exception:
        log.exception("could not send the apology either")
