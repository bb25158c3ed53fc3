"""Run ``python -m bot serve`` in a subprocess on a loopback port, and talk to it as Slack does.

Every request is signed the way Slack signs them: ``X-Slack-Signature`` is
``v0=`` and the hex HMAC-SHA256 of ``v0:{timestamp}:{body}`` under the signing
secret, over the exact bytes sent.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from tests.support.fake_slack import BOT_USER_ID, FakeSlack
from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
PAYLOADS = ROOT / "tests" / "payloads"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"  # the fake secret Slack's docs use
BOT_TOKEN = "xoxb-test-0000-token"
WATCHED = "CWATCHED1"
ADMIN = "UADMIN001"


def payload(name: str) -> dict[str, Any]:
    """A fresh copy of a Slack payload sample from tests/payloads."""
    return copy.deepcopy(json.loads((PAYLOADS / name).read_text(encoding="utf-8")))


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class Response:
    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status, self.body, self.headers = status, body, headers

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


class BotServer:
    """One ``python -m bot serve`` process. Use as a context manager, or start()/stop()."""

    def __init__(
        self,
        fake: FakeSlack,
        database_url: str,
        log_path: Path,
        *,
        args: tuple[str, ...] = (),
        program: tuple[str, ...] = ("-m", "bot", "serve"),
        **env: str,
    ) -> None:
        self.fake = fake
        self.args = args
        self.program = program  # what runs under this Python: the bot, or another app with the same settings
        self.port = free_port()
        self.log_path = log_path
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QWEN_", "DATABASE_URL", "FAQ_"))},
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": database_url,
            "QWEN_CHANNELS": WATCHED,
            "SLACK_ADMIN_USER_IDS": ADMIN,
            "FAQ_RELOAD_SECONDS": "1",
            "QWEN_INDEX_DIR": str(log_path.parent / "index"),  # the stored matcher index, per test
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> BotServer:
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, *self.program, *self.args],
                cwd=self.log_path.parent,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bot exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.get("/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"bot did not become healthy:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> BotServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- HTTP ------------------------------------------------------------------

    def get(self, path: str) -> Response:
        return self._request("GET", path, b"", {})

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        signed: bool = True,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        path: str = "/slack/events",
    ) -> Response:
        stamp = int(time.time()) if timestamp is None else timestamp
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if signed:
            all_headers |= {"X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": sign(body, stamp, secret)}
        return self._request("POST", path, body, all_headers)

    def _request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Response:
        request = urllib.request.Request(self.url + path, data=body if method == "POST" else None, method=method)
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=15) as reply:
                return Response(reply.status, reply.read(), dict(reply.headers))
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read(), dict(error.headers))

    # -- Slack requests ----------------------------------------------------------

    def event(self, body: dict[str, Any], *, retry: int | None = None, **options: Any) -> Response:
        """Send an Events API body (an event_callback envelope) as Slack does."""
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return self.post(json.dumps(body).encode(), "application/json", headers=headers, **options)

    def command(
        self,
        text: str,
        *,
        user_id: str = "W222",
        channel_id: str = "C111",
        name: str = "cmd",
        fields: dict[str, str | None] | None = None,
    ) -> Response:
        """Send `/qwen TEXT` as a form body shaped like Slack's, its response URL at the fake; ``fields`` replace
        Slack's (``None`` leaves one out)."""
        form = dict(_form(PAYLOADS / "slash_command.txt"))
        form |= {
            "command": "/qwen",
            "text": text,
            "user_id": user_id,
            "channel_id": channel_id,
            "response_url": self.fake.response_url(name),
        }
        form |= fields or {}
        sent = {key: value for key, value in form.items() if value is not None}
        return self.post(urlencode(sent).encode(), "application/x-www-form-urlencoded")

    def action(self, body: dict[str, Any]) -> Response:
        """Send a block_actions payload as Slack does: a form with one `payload` field."""
        raw = "payload=" + quote(json.dumps(body))
        return self.post(raw.encode(), "application/x-www-form-urlencoded")


def _form(path: Path) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(path.read_text(encoding="utf-8").strip(), keep_blank_values=True)


# -- payload builders ----------------------------------------------------------


def new_id(prefix: str = "Ev") -> str:
    return prefix + uuid.uuid4().hex[:12].upper()


def new_ts() -> str:
    return f"{time.time():.6f}"


def mention(text: str, *, channel: str = "C111", user: str = "W222", thread_ts: str | None = None) -> dict[str, Any]:
    """An app_mention event_callback, the bot mentioned first as Slack writes it."""
    body = payload("app_mention.json")
    ts = new_ts()
    body["event_id"] = new_id()
    body["event"] |= {"text": f"<@{BOT_USER_ID}> {text}", "channel": channel, "user": user, "ts": ts, "event_ts": ts}
    if thread_ts:
        body["event"]["thread_ts"] = thread_ts
    return body


def channel_message(text: str, *, channel: str = WATCHED, user: str = "W222", **extra: Any) -> dict[str, Any]:
    body = payload("message_channels.json")
    ts = new_ts()
    body["event_id"] = new_id()
    body["event"] |= {"text": text, "channel": channel, "user": user, "ts": ts, "event_ts": ts, **extra}
    body["event"]["blocks"][0]["elements"][0]["elements"][0]["text"] = text
    return body


def direct_message(text: str, *, user: str = "W222", channel: str = "D111", **extra: Any) -> dict[str, Any]:
    body = payload("message_im.json")
    ts = new_ts()
    body["event_id"] = new_id()
    body["event"] |= {"text": text, "user": user, "channel": channel, "ts": ts, "event_ts": ts, **extra}
    return body


def block_action(
    action_id: str,
    value: str,
    *,
    response_url: str,
    container: dict[str, Any] | None = None,
    user: str = "W222",
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body = payload("block_actions.json")
    body["user"]["id"] = user
    body["response_url"] = response_url
    body["container"] = container or {
        "type": "message",
        "message_ts": "111.222",
        "channel_id": "C111",
        "is_ephemeral": True,
    }
    body["actions"][0] |= {"action_id": action_id, "value": value}
    if message is not None:
        body["message"] = message
    return body


def home_opened(tab: str, *, user: str = "W222", channel: str = "D111") -> dict[str, Any]:
    """``app_home_opened`` for the Home tab or, with ``tab="messages"``, the Messages tab."""
    body = payload("app_home_opened.json")
    body["event_id"] = new_id()
    body["event"] |= {"tab": tab, "user": user, "channel": channel, "event_ts": new_ts()}
    return body


def message_action(text: str, *, response_url: str, user: str = "W222", thread_ts: str | None = None) -> dict[str, Any]:
    """The message shortcut clicked on a message of C111 saying ``text`` (in a thread if ``thread_ts``)."""
    body = payload("message_action.json")
    body["callback_id"] = "ask_qwen_bot"
    body["user"]["id"] = user
    body["response_url"] = response_url
    ts = new_ts()
    body["message_ts"] = ts
    body["message"] |= {"text": text, "ts": ts, "user": "W999"}
    body["message"]["blocks"][0]["elements"][0]["elements"] = [{"type": "text", "text": text}]
    if thread_ts:
        body["message"]["thread_ts"] = thread_ts
    return body


def block_suggestion(value: str, *, view: dict[str, Any] | None = None) -> dict[str, Any]:
    """The search menu asking for options for ``value``, from the ``/qwen`` modal or (``view``) elsewhere."""
    body = payload("block_suggestion.json")
    body |= {"action_id": "search", "block_id": "search", "value": value}
    if view is not None:
        body["view"] = view
    return body


def function_executed(callback_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """A Workflow Builder step of this app run with ``inputs``."""
    body = payload("function_executed.json")
    body["event_id"] = new_id()
    body["event"]["function"]["callback_id"] = callback_id
    body["event"] |= {"inputs": inputs, "function_execution_id": new_id("Fx"), "event_ts": new_ts()}
    return body
