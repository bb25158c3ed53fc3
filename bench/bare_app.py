"""A bare Bolt AsyncApp, the floor `bench/load.py` measures the bot against.

It answers what the load sends with a fixed reply and does nothing else: a
mention or DM gets one ``chat.postMessage``, ``/qwen`` an ephemeral
acknowledgement, a click a response-URL post. It runs on the same server as the
bot (uvicorn workers under gunicorn, :class:`bot.server.Worker`, kept to one CPU
each with ``PIN_WORKERS=on`` as the bot's are), through Bolt's
own ASGI adapter, with a Web API client on one kept-alive session like the bot's,
and ``respond()`` on that session too (:mod:`bot.slack.responses`), so the difference in CPU per request is the
bot's own work.

    SLACK_SIGNING_SECRET=... SLACK_BOT_TOKEN=... SLACK_API_URL=... PORT=3000 python bench/bare_app.py
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gunicorn.app.base import BaseApplication
from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltRequest, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.server import Worker, pin_worker
from bot.slack.app import web_session
from bot.slack.responses import RespondOnKeptAliveSession

REPLY = "A fixed reply."


def build() -> AsyncApp:
    client = AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])
    app.use(RespondOnKeptAliveSession())  # as the bot: respond() on the kept-alive session

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], client: AsyncWebClient, request: AsyncBoltRequest) -> None:
        if not request.headers.get("x-slack-retry-num"):  # one process: a retry was answered already
            await client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], text=REPLY)

    @app.event("message")
    async def on_message(event: dict[str, Any], client: AsyncWebClient, request: AsyncBoltRequest) -> None:
        if not request.headers.get("x-slack-retry-num"):
            await client.chat_postMessage(channel=event["channel"], text=REPLY)

    @app.command("/qwen")
    async def on_command(ack: AsyncAck) -> None:
        await ack(response_type="ephemeral", text=REPLY)

    @app.action(re.compile(".*"))
    async def on_click(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(response_type="ephemeral", replace_original=False, text=REPLY)

    return app


class BareServer(BaseApplication):  # type: ignore[misc]
    def load_config(self) -> None:
        self.cfg.set("bind", f"127.0.0.1:{os.environ['PORT']}")
        self.cfg.set("workers", int(os.environ.get("WEB_CONCURRENCY", "1")))
        self.cfg.set("worker_class", Worker)
        if os.environ.get("PIN_WORKERS") == "on":  # as the bot's server does
            self.cfg.set("post_fork", pin_worker)

    def load(self) -> Any:
        bolt_app = build()
        bolt = AsyncSlackRequestHandler(bolt_app)

        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if bolt_app.client.session is None:  # on the event loop, before any request's client copies it
                bolt_app.client.session = web_session()
            if scope["type"] == "http" and scope["path"] == "/healthz":  # what the load waits for before starting
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": b"ok"})
            else:
                await bolt(scope, receive, send)

        return app


if __name__ == "__main__":
    BareServer().run()
