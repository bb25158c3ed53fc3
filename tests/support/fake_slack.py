"""A stand-in for Slack's Web API and response URLs, on a loopback port.

The bot under test is pointed at it with ``SLACK_API_URL``; payloads carry
response URLs that point at it too. It answers each method the way Slack's
documentation says (``ok``, ``ts``, ``channel``...), records every call, and can
be told to fail a method (an error, a 429 with ``Retry-After``) or to be slow.
Given an SSL context it serves HTTPS with HTTP/1.1 keep-alive, as Slack does,
and counts the connections it accepts; ``keep_alive=True`` keeps plain HTTP
connections alive too (the load benchmark's replies then cost what they cost
against Slack, not a new connection each).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER_ID = "W23456789"  # as in Bolt's own mock auth.test, so the payload samples line up
BOT_ID = "BZYBOTHED"
TEAM_ID = "T111"


@dataclass
class Call:
    """One request the bot made: the API method (or ``response_url:<name>``) and its arguments."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    response: dict[str, Any] = field(default_factory=dict)  # what the stand-in answered, unless scripted to fail


@dataclass
class _Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    delay: float


class _CountingServer(ThreadingHTTPServer):
    request_queue_size = 256  # the default backlog of 5 drops bursts of connections
    daemon_threads = True
    accepted = 0

    def get_request(self) -> tuple[socket.socket, Any]:
        request = super().get_request()
        self.accepted += 1  # only the serving thread accepts
        return request


class FakeSlack:
    """Start with :meth:`start`; read :attr:`calls`; script failures with :meth:`fail`."""

    def __init__(self, tls: ssl.SSLContext | None = None, *, keep_alive: bool | None = None) -> None:
        self.calls: list[Call] = []
        self.auth_error: str | None = None
        self.socket_mode_url = ""  # what apps.connections.open returns
        self.observers: list[Callable[[Call], None]] = []  # told of every call as it arrives
        self.delays: dict[str, float] = {}
        self._scripted: dict[str, list[_Scripted]] = {}
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self.scheme = "https" if tls else "http"
        keep_alive = tls is not None if keep_alive is None else keep_alive
        self._server = _CountingServer(("127.0.0.1", 0), self._handler(keep_alive=keep_alive))
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]

    @property
    def api_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/api/"

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        return self._server.accepted

    def response_url(self, name: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/response/{name}"

    def start(self) -> FakeSlack:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._scripted.clear()
            self.delays.clear()
            self.auth_error = None

    # -- scripting -------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        error: str = "internal_error",
        status: int = 200,
        headers: dict[str, str] | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail as Slack would."""
        scripted = _Scripted(status, {"ok": False, "error": error}, headers or {}, delay)
        with self._lock:
            self._scripted.setdefault(method, []).extend([scripted] * times)

    # -- reading ---------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method == method or call.method.startswith(method + ":")]

    def wait_for(
        self, method: str, count: int = 1, timeout: float = 10.0, where: Callable[[Call], bool] = lambda _: True
    ) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (with ``where`` true); return those calls."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(found := [call for call in self._matching(method) if where(call)]) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    made = [call.method for call in self.calls]
                    raise AssertionError(f"expected {count} call(s) to {method}, got {len(found)}; calls: {made}")
                self._lock.wait(remaining)
            return found

    def quiet(self, seconds: float = 0.6) -> list[Call]:
        """Wait a little, then return every call made except connection set-up: to assert nothing (more) happened."""
        time.sleep(seconds)
        with self._lock:
            return [call for call in self.calls if call.method not in {"auth.test", "apps.connections.open"}]

    def _matching(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method or call.method.startswith(method + ":")]

    # -- serving ---------------------------------------------------------------

    def _record(self, call: Call) -> _Scripted | None:
        for observer in self.observers:
            observer(call)
        with self._lock:
            self.calls.append(call)
            scripted = self._scripted.get(call.method)
            result = scripted.pop(0) if scripted else None
            self._lock.notify_all()
            return result

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """A successful response as Slack documents it for ``method``."""
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        if method == "auth.test" and self.auth_error:
            return {"ok": False, "error": self.auth_error}
        view = args.get("view") if isinstance(args.get("view"), dict) else {}
        answers: dict[str, dict[str, Any]] = {
            "auth.test": {
                "ok": True,
                "url": "https://test-team.slack.com/",
                "team": "Test Team",
                "user": "qwen-sourcing",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            },
            "chat.postMessage": {
                "ok": True,
                "channel": _conversation(args.get("channel")),
                "ts": ts,
                "message": {"ts": ts},
            },
            "chat.postEphemeral": {"ok": True, "message_ts": ts},
            "views.publish": {"ok": True, "view": {"id": "V0123456", **(view or {})}},
            "views.open": {"ok": True, "view": {"id": "V0123457", **(view or {})}},
            "views.update": {"ok": True, "view": {"id": args.get("view_id") or "V0123457", **(view or {})}},
            "assistant.threads.setSuggestedPrompts": {"ok": True},
            "functions.completeSuccess": {"ok": True},
            "functions.completeError": {"ok": True},
            "apps.connections.open": {"ok": True, "url": self.socket_mode_url},
            "chat.getPermalink": {
                "ok": True,
                "channel": args.get("channel"),
                "permalink": f"https://test-team.slack.com/archives/{args.get('channel')}/p"
                + str(args.get("message_ts", "")).replace(".", ""),
            },
        }
        return answers.get(method, {"ok": True})

    def _handler(self, *, keep_alive: bool) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
            disable_nagle_algorithm = True  # a kept-alive reply's body must not wait for the ack of its headers

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                args = _parse(raw, self.headers.get("Content-Type", ""))
                query = self.path.partition("?")[2]  # Slack also takes arguments in the query string
                args = _parse(query, "application/x-www-form-urlencoded") | args if query else args
                if self.path.startswith("/api/"):
                    method = self.path[len("/api/") :].split("?")[0]
                elif self.path.startswith("/response/"):
                    method = "response_url:" + self.path[len("/response/") :]
                else:
                    self.send_error(404)
                    return
                headers = {k.lower(): v for k, v in self.headers.items() if k.lower() != "authorization"}
                headers["authorization-present"] = str("authorization" in {k.lower() for k in self.headers})
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                headers["token-kind"] = token.split("-", 1)[0]  # xoxb, xwfp...: which token, never the token
                answer = {} if method.startswith("response_url:") else fake._answer(method, args)
                scripted = fake._record(Call(method, args, headers, response=answer))
                delay = scripted.delay if scripted else fake.delays.get(method, 0.0)
                if delay:
                    time.sleep(delay)
                if scripted is not None:
                    self._send(scripted.status, scripted.body, scripted.headers)
                elif method.startswith("response_url:"):
                    self._send(200, None, {})
                else:
                    self._send(200, answer, {})

            do_GET = do_POST  # noqa: N815 (the name http.server calls)

            def _send(self, status: int, body: dict[str, Any] | None, headers: dict[str, str]) -> None:
                data = b"ok" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if body is None else "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _conversation(channel: object) -> object:
    """Where a message lands: posting to a user id (U..., W...) lands in the DM with them, D..."""
    if isinstance(channel, str) and channel[:1] in {"U", "W"}:
        return "D" + channel[1:]
    return channel


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        parsed = json.loads(raw)
        return parsed if isinstance(parsed, dict) else {"_": parsed}
    args: dict[str, Any] = dict(parse_qsl(raw, keep_blank_values=True))
    for key in ("blocks", "view", "attachments", "prompts", "outputs"):
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args
