"""Build the Bolt app: the Web API client, the listeners and the error handler."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners import register
from bot.slack.listeners.common import Background, apologise
from bot.slack.responses import RespondOnKeptAliveSession

log = logging.getLogger(__name__)

# Connections kept open to Slack per process and host (the Web API's, the reply URLs'): a burst of replies
# queues for these instead of opening (and TLS-handshaking) one connection per reply.
MAX_CONNECTIONS = 8
# Seconds a call to Slack may take in all. The SDK's own timeouts apply only to sessions it opens itself:
# on a shared session, the session's applies (aiohttp's default is five minutes).
SLACK_SECONDS = 10.0


def web_session(timeout: float = SLACK_SECONDS) -> aiohttp.ClientSession:
    """The one HTTP session a process uses for Slack's Web API and reply URLs, so that replies reuse connections.

    Call on the event loop that will use it; close it on shutdown.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit_per_host=MAX_CONNECTIONS),
        timeout=aiohttp.ClientTimeout(total=timeout),
    )


def web_client(settings: Settings, session: aiohttp.ClientSession) -> AsyncWebClient:
    """The Web API client on ``session``: every call reuses its kept-alive connections."""
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.api_url, session=session)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_app(services: Services, background: Background, client: AsyncWebClient) -> AsyncApp:
    """The Bolt app for one process; ``background`` holds the work started after each acknowledgement."""
    settings = services.settings
    app = AsyncApp(
        client=client,
        signing_secret=settings.signing_secret or None,
        process_before_response=True,  # ack functions answer inline; the slow parts run in the background
        ignoring_self_events_enabled=True,
        # Bolt's assistant helpers (say, set_status...) attached to every event: the listeners use none of them.
        attaching_conversation_kwargs_enabled=False,
        # The HTTP front (bot.slack.asgi) verifies every request before Bolt sees it, failing closed; Socket
        # Mode needs no signature. Bolt's own check would only verify, again, what the front let through.
        request_verification_enabled=False,
        logger=logging.getLogger("slack_bolt.AsyncApp"),
    )
    app.use(RespondOnKeptAliveSession())  # respond() on the kept-alive session, not a new connection per reply
    register(app, services, background)
    app.error(_on_error)
    return app


async def _on_error(error: Exception, body: dict[str, Any], client: AsyncWebClient) -> BoltResponse:
    """An ack function failed (background work has its own guard): log, apologise, and still answer 200.

    Only verified requests reach Bolt (the HTTP front refuses the rest), so this never acts on a forged body.
    """
    log.error("listener failed (event %s)", body.get("event_id") or body.get("trigger_id"), exc_info=error)
    if body.get("command"):  # the apology is the acknowledgement itself
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", **blocks.apology_message()}),
            headers={"content-type": "application/json"},
        )
    await apologise(body, client)
    return BoltResponse(status=200, body="")
