"""The HTTP front: a small ASGI app that serves ``POST /slack/events`` through Bolt and ``GET /healthz``.

It runs on uvicorn's event loop, so a client that trickles its body costs one
idle coroutine, not a thread: slow or many clients cannot starve the rest. Each
request is read whole (at most ``MAX_BODY_BYTES``, within ``BODY_SECONDS``),
its Slack signature checked (:mod:`bot.slack.verification`: anything not
verified is a 401 and goes no further), and only then parsed and handed to Bolt.
A body must be held whole before its signature can be checked, so anyone can
make the worker hold bodies that stall until their deadline (400 stalled 1 MiB
bodies once held 525 MiB): every byte of the bodies in flight counts against
one ``HELD_BODY_BYTES`` per worker, and a body that would pass it gets a 503 at
once. Memory stays bounded however many connections hold bodies; the price is
that a flood of stalled bodies (64 MiB every ``BODY_SECONDS``, 3 s) makes real
requests wait with 503s too, which Slack retries.

Bolt's own ASGI adapter is not used because of a Bolt 1.30 bug: a form body
that contains the substring ``payload`` anywhere (``/qwen is the request payload
moderated?``) is taken for an interactivity payload, parsed as ``{}`` and
answered 404. Here the body is parsed correctly before Bolt sees it. Malformed
bodies get a 400, wrong content types a 415, oversized bodies a 413, bodies
that take too long to arrive a 408, and a signed body whose fields have types
Slack never sends (``"event": null``, a numeric ``event_id``, a list for a
message's ``thread_ts``) a 400 too: never a 500, and never a listener.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.response import BoltResponse

from bot.slack.verification import SIGNATURE, TIMESTAMP, Verifier, refused

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024
HELD_BODY_BYTES = 64 * 1024 * 1024  # what the bodies in flight in one worker may hold, together
# Slack sends the whole request at once and gives up on the response after 3 s: a body still arriving then could not
# be answered in time (Slack retries the event), and a stalled one holds memory no longer than this
BODY_SECONDS = 3.0
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = dict[str, list[str]]


class RejectedRequestError(Exception):
    """The request cannot be a Slack request; the message becomes the response body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ClientGoneError(Exception):
    """The client disconnected before its request was read."""


class BodyBudget:
    """The bytes the request bodies in flight in this worker hold.

    Used on the event loop only, so a plain counter does.
    """

    def __init__(self, limit: int = HELD_BODY_BYTES) -> None:
        self.limit = limit
        self.held = 0

    def take(self, size: int) -> bool:
        """Hold ``size`` more bytes if the budget has room; False (and nothing held) if not."""
        if self.held + size > self.limit:
            return False
        self.held += size
        return True

    def give_back(self, size: int) -> None:
        self.held -= size


class SlackAsgiApp:
    """ASGI entry point around one Bolt app, which ``start`` builds on the event loop (lifespan start-up)."""

    def __init__(
        self,
        start: Callable[[], Awaitable[AsyncApp]],
        stop: Callable[[], Awaitable[None]],
        health: Callable[[], dict[str, Any]],
        verifier: Verifier,
    ) -> None:
        self.start, self.stop = start, stop
        self.health = health
        self.verifier = verifier
        self.bodies = BodyBudget()
        self.bolt: AsyncApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] == "http":
            status, body, headers = await self.handle(scope, receive)
            await _send(send, status, body, headers)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        """Build the app when the worker starts; let replies finish and release everything when it stops."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.bolt = await self.start()
                except Exception as error:
                    log.exception("could not start")
                    await send({"type": "lifespan.startup.failed", "message": type(error).__name__})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def handle(self, scope: Scope, receive: Receive) -> tuple[int, bytes, Headers]:
        """The status, body and headers of the response to one HTTP request."""
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if path == HEALTH_PATH and method in {"GET", "HEAD"}:
            health = await asyncio.to_thread(self.health)  # asks the database
            return _text(200, json.dumps(health), JSON)
        if path != EVENTS_PATH:
            return _text(404, "Not Found")
        if method != "POST":
            return _text(405, "Method Not Allowed")
        return await self.event(scope, receive)

    async def event(self, scope: Scope, receive: Receive) -> tuple[int, bytes, Headers]:
        """A POST to the events path: read, verify, parse, dispatch."""
        headers = _headers(scope)
        try:
            raw = await read_body(receive, headers, self.bodies)
            refusal = self.verifier.refusal(headers.get(TIMESTAMP, []), headers.get(SIGNATURE, []), raw)
            if refusal is not None:
                refused(refusal, len(raw), _remote(scope))
                return _text(401, "Unauthorized")
            request = bolt_request(raw, headers, scope.get("query_string", b"").decode("latin-1"))
        except RejectedRequestError as error:  # one bounded line, as for an unverified request: our words only
            log.warning(
                "refused a request", extra={"status": error.status, "reason": str(error), "remote": _remote(scope)[:64]}
            )
            return _text(error.status, str(error))
        except ClientGoneError:
            return _text(400, "Bad Request")
        return await self.dispatch(request)

    async def dispatch(self, request: AsyncBoltRequest) -> tuple[int, bytes, Headers]:
        if self.bolt is None:
            return _text(503, "Service Unavailable: starting")
        if request.body.get("type") == "app_rate_limited":  # no Bolt listener can take it; Slack wants a 200
            log.warning("Slack is dropping this app's events for a minute (app_rate_limited)")
            return _text(200, "")
        try:
            response = await self.bolt.async_dispatch(request)
        except Exception:  # Bolt's own code assumes Slack's field types; a body that breaks them is a bad request
            log.warning("could not dispatch a malformed Slack payload", exc_info=True)
            return _text(400, "Bad Request: not a Slack payload")
        return _bolt_response(response)


async def read_body(receive: Receive, headers: Headers, budget: BodyBudget) -> bytes:
    """The whole request body, refused when too large or too slow to arrive, or when ``budget`` is spent."""
    declared = headers.get("content-length", ["0"])[-1]
    if not declared.isdigit():
        raise RejectedRequestError(400, "Bad Request: bad Content-Length")
    if int(declared) > MAX_BODY_BYTES:
        raise RejectedRequestError(413, "Payload Too Large")
    chunks: list[bytes] = []
    size = 0  # the bytes read, and held against the budget
    try:
        async with asyncio.timeout(BODY_SECONDS):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise ClientGoneError
                chunk = message.get("body", b"")
                if size + len(chunk) > MAX_BODY_BYTES:
                    raise RejectedRequestError(413, "Payload Too Large")
                if not budget.take(len(chunk)):
                    raise RejectedRequestError(503, "Service Unavailable: too many request bodies in flight")
                size += len(chunk)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
    except TimeoutError:
        raise RejectedRequestError(408, "Request Timeout") from None
    finally:
        budget.give_back(size)


def bolt_request(raw: bytes, headers: Headers, query: str) -> AsyncBoltRequest:
    """The Bolt request for a verified body, parsed correctly (see the module docstring)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RejectedRequestError(400, "Bad Request: the body is not UTF-8") from None
    content_type = headers.get("content-type", [""])[0].split(";")[0].strip().lower()
    body = parse_body(text, content_type)
    try:
        request = AsyncBoltRequest(body="", headers=dict(headers), query=query)  # parsed here, not again by Bolt
        request.raw_body, request.body = text, body  # Bolt checks the signature over raw_body
        request.context = build_async_context(AsyncBoltContext({}), body)
    except (TypeError, ValueError, AttributeError, KeyError):  # fields of the wrong type for Bolt
        raise RejectedRequestError(400, "Bad Request: not a Slack payload") from None
    return request


def parse_body(raw: str, content_type: str) -> dict[str, Any]:
    """A Slack request body as a dict: JSON (events), a form with ``payload`` (interactivity), or a plain form."""
    try:
        if content_type == JSON:
            body = json.loads(raw)
        elif content_type == FORM:
            fields = dict(parse_qsl(raw, keep_blank_values=True, strict_parsing=bool(raw), max_num_fields=1000))
            body = json.loads(fields["payload"]) if "payload" in fields else fields  # or a slash command's text
        else:
            raise RejectedRequestError(415, "Unsupported Media Type: Slack sends application/json or a form")
    except (ValueError, RecursionError):
        raise RejectedRequestError(400, "Bad Request: the body is not well-formed") from None
    if not isinstance(body, dict) or not _slack_shaped(body):
        raise RejectedRequestError(400, "Bad Request: not a Slack payload")
    return body


def _slack_shaped(body: dict[str, Any]) -> bool:
    """The envelope fields Bolt reads have the types Slack documents (Bolt itself assumes they do)."""
    if not isinstance(body.get("type", ""), str):
        return False
    if any(body.get(key) is not None and not isinstance(body[key], dict) for key in _OBJECTS):
        return False
    if body.get("type") == "event_callback" and not isinstance((body.get("event") or {}).get("type"), str):
        return False
    if ("actions" in body and not body["actions"]) or _lacks_trigger(body):
        return False  # a block_actions payload always names the element clicked
    if not all(
        isinstance(body.get(key, []), list) and all(isinstance(item, dict) for item in body.get(key, []))
        for key in ("authorizations", "actions")
    ):
        return False
    event = body.get("event") or {}
    texts = _EVENT_TEXTS + (_MESSAGE_TEXTS if event.get("type") in {"message", "app_mention"} else ())
    return (
        _texts(body, _TEXTS)
        and _texts(event, texts)
        and all(_texts(action, _ACTION_TEXTS) for action in body.get("actions", []))
    )


def _lacks_trigger(body: dict[str, Any]) -> bool:
    """A command or shortcut without the trigger_id Slack sends with every one (the bot opens its modals with it)."""
    return ("command" in body or body.get("type") in _OPENS_MODALS) and not isinstance(body.get("trigger_id"), str)


def _texts(fields: dict[str, Any], keys: tuple[str, ...]) -> bool:
    """Each of ``keys`` is absent, null or a string in ``fields``."""
    return all(fields.get(key) is None or isinstance(fields[key], str) for key in keys)


_OBJECTS = ("event", "user", "team", "channel", "container", "message", "view", "enterprise")
# Fields the listeners read as text; a number or a list where Slack always sends a string is not Slack's
# (a numeric event_id would escape the claim that answers an event once).
_TEXTS = ("event_id", "response_url", "trigger_id", "callback_id")
_EVENT_TEXTS = ("subtype", "text", "ts", "thread_ts", "event_ts", "channel_type", "bot_id")
_MESSAGE_TEXTS = ("user", "channel")  # in other events (team_join, channel_rename) these are objects
_ACTION_TEXTS = ("action_id", "block_id", "value")
_OPENS_MODALS = frozenset({"shortcut", "message_action"})


def _headers(scope: Scope) -> Headers:
    """Every header's values by lower-case name (repeats kept, to be refused where they matter)."""
    headers: Headers = {}
    for name, value in scope.get("headers", []):
        headers.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
    return headers


def _remote(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _text(status: int, body: str, content_type: str = "text/plain") -> tuple[int, bytes, Headers]:
    return status, body.encode("utf-8"), {"content-type": [f"{content_type}; charset=utf-8"]}


def _bolt_response(response: BoltResponse) -> tuple[int, bytes, Headers]:
    data = response.body.encode("utf-8") if isinstance(response.body, str) else b""
    headers = {name.lower(): list(values) for name, values in response.headers.items()}
    return response.status, data, headers


async def _send(send: Send, status: int, body: bytes, headers: Headers) -> None:
    fields = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, values in headers.items()
        if name != "content-length"
        for value in values
    ]
    fields.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": fields})
    await send({"type": "http.response.body", "body": body})
