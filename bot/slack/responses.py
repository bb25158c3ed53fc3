"""``respond()`` over the process's kept-alive session to Slack.

Bolt's own ``respond()`` opens a new HTTP session for every call: each reply to
a click or a slash command through its ``response_url`` would pay a new TCP and
TLS handshake with Slack. :class:`RespondOnKeptAliveSession` gives every request a
``respond()`` that posts on the session the Web API client already keeps open
(whose timeout then applies: see :func:`bot.slack.app.web_session`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from slack_bolt.async_app import AsyncBoltRequest, AsyncRespond
from slack_bolt.context.respond.internals import _build_message  # what Bolt's respond() posts, built the same way
from slack_bolt.middleware.async_middleware import AsyncMiddleware
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient

SLACK_HOOKS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})  # where Slack's response URLs point (GovSlack's)

log = logging.getLogger(__name__)


class KeptAliveRespond(AsyncRespond):
    """Bolt's ``respond()``, posting on ``session`` rather than on a session of its own."""

    response_url: str  # Bolt's may be None; this one always has somewhere to post

    def __init__(
        self, response_url: str, session: aiohttp.ClientSession, *, proxy: str | None = None, ssl: Any = None
    ) -> None:
        super().__init__(response_url=response_url, proxy=proxy, ssl=ssl)
        self.session = session

    async def __call__(  # noqa: PLR0917 (Bolt's signature, so that listeners cannot tell the two apart)
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[Any] | None = None,
        attachments: Sequence[Any] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if isinstance(text, dict):
            message = _build_message(**text)
        else:
            message = _build_message(
                text=text,
                blocks=blocks,
                attachments=attachments,
                response_type=response_type,
                replace_original=replace_original,
                delete_original=delete_original,
                unfurl_links=unfurl_links,
                unfurl_media=unfurl_media,
                thread_ts=thread_ts,
                metadata=metadata,
            )
        webhook = AsyncWebhookClient(self.response_url, session=self.session, proxy=self.proxy, ssl=self.ssl)
        return await webhook.send_dict(message)


def respond_for(response_url: str, client: AsyncWebClient) -> AsyncRespond:
    """``respond()`` to ``response_url`` on ``client``'s kept-alive session; Bolt's own while it has none yet."""
    if client.session is None:
        return AsyncRespond(response_url=response_url, proxy=client.proxy, ssl=client.ssl)
    return KeptAliveRespond(response_url, client.session, proxy=client.proxy, ssl=client.ssl)


def is_slacks(response_url: str, api_url: str) -> bool:
    """Is ``response_url`` one Slack hands out (``https://hooks.slack.com/...``), or on the Web API's own host
    (a stand-in for Slack, an enterprise proxy)?"""
    try:
        url, api = urlsplit(response_url), urlsplit(api_url)
        on_slack = url.scheme == "https" and url.hostname in SLACK_HOOKS and url.port is None
        return on_slack or (url.scheme, url.hostname, url.port) == (api.scheme, api.hostname, api.port)
    except ValueError:  # not a URL at all ("http://[::1/x"), or a port out of range
        return False


class RespondOnKeptAliveSession(AsyncMiddleware):
    """Give each request that carries a ``response_url`` its :func:`respond_for` on the request's client.

    A ``response_url`` anywhere but Slack's is refused (400) before any listener: only someone holding the
    signing secret can send one, and it would have the bot post wherever they chose, internal addresses included.
    """

    async def async_process(
        self, *, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        context = req.context
        if isinstance(context.response_url, str) and context.client is not None:
            if not is_slacks(context.response_url, context.client.base_url):
                log.warning("refused a request whose response_url is not Slack's")
                return BoltResponse(status=400, body="Bad Request: response_url is not Slack's")
            context["respond"] = respond_for(context.response_url, context.client)
        return await next()
