"""The HTTP front: a small WSGI app that serves ``POST /slack/events`` through Bolt and ``GET /healthz``.

Bolt's own WSGI adapter is not used because of a Bolt 1.30 bug: a form body
that contains the substring ``payload`` anywhere (``/qwen is the request payload
moderated?``) is taken for an interactivity payload, parsed as ``{}`` and
answered 404. Here the body is parsed correctly before Bolt sees it. Malformed
bodies get a 400, wrong content types a 415, oversized bodies a 413, and a
signed body whose fields have types Bolt does not expect (``"event": null``)
a 400 too: never a 500.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.context.context import BoltContext
from slack_bolt.request.internals import build_context

from bot.slack.verification import SIGNATURE, TIMESTAMP, Verifier, refused

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1024 * 1024
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class RejectedRequestError(Exception):
    """The request cannot be a Slack request; the message becomes the response body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SlackWsgiApp:
    """WSGI entry point around one Bolt app."""

    def __init__(self, bolt: App, health: Callable[[], dict[str, Any]], verifier: Verifier) -> None:
        self.bolt = bolt
        self.health = health
        self.verifier = verifier

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in {"GET", "HEAD"}:
            return _reply(start_response, 200, json.dumps(self.health()), JSON)
        if path != EVENTS_PATH:
            return _reply(start_response, 404, "Not Found")
        if method != "POST":
            return _reply(start_response, 405, "Method Not Allowed")
        try:
            raw = _read_body(environ)
            refusal = self.verifier.refusal(_header(environ, TIMESTAMP), _header(environ, SIGNATURE), raw)
            if refusal is not None:
                refused(refusal, len(raw), str(environ.get("REMOTE_ADDR")))
                raise RejectedRequestError(401, "Unauthorized")
            request = self.bolt_request(environ, _text(raw))
        except RejectedRequestError as error:
            return _reply(start_response, error.status, str(error))
        try:
            response = self.bolt.dispatch(request)
        except Exception:  # Bolt's own code assumes Slack's field types; a body that breaks them is a bad request
            log.warning("could not dispatch a malformed Slack payload", exc_info=True)
            return _reply(start_response, 400, "Bad Request: not a Slack payload")
        return _bolt_reply(start_response, response)

    def bolt_request(self, environ: dict[str, Any], raw: str) -> BoltRequest:
        """The Bolt request for this HTTP request, with the body parsed correctly."""
        content_type = (environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
        body = parse_body(raw, content_type)
        headers = {
            key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        try:
            request = BoltRequest(body=raw, headers=headers, query=str(environ.get("QUERY_STRING", "")))
            request.body = body  # replaces Bolt's parse (see the module docstring); the signature covers raw_body
            request.context = build_context(BoltContext({}), body)
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
            if "payload" not in fields:
                return fields  # a slash command: every value is text
            body = json.loads(fields["payload"])
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
    if "actions" in body and not body["actions"]:
        return False  # a block_actions payload always names the element clicked
    return all(
        isinstance(body.get(key, []), list) and all(isinstance(item, dict) for item in body.get(key, []))
        for key in ("authorizations", "actions")
    )


_OBJECTS = ("event", "user", "team", "channel", "container", "message", "view", "enterprise")


def _header(environ: dict[str, Any], name: str) -> list[str]:
    """Every value of one request header (the server joins repeated headers with commas)."""
    value = environ.get("HTTP_" + name.upper().replace("-", "_"))
    return [] if value is None else [str(value)]


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise RejectedRequestError(400, "Bad Request: bad Content-Length") from None
    if length > MAX_BODY_BYTES:
        raise RejectedRequestError(413, "Payload Too Large")
    return bytes(environ["wsgi.input"].read(length)) if length > 0 else b""


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RejectedRequestError(400, "Bad Request: the body is not UTF-8") from None


def _reply(start_response: StartResponse, status: int, body: str, content_type: str = "text/plain") -> list[bytes]:
    data = body.encode("utf-8")
    start_response(
        _status_line(status),
        [("Content-Type", f"{content_type}; charset=utf-8"), ("Content-Length", str(len(data)))],
    )
    return [data]


def _bolt_reply(start_response: StartResponse, response: BoltResponse) -> list[bytes]:
    data = response.body.encode("utf-8") if isinstance(response.body, str) else b""
    headers = [
        (name, value)
        for name, values in response.headers.items()
        for value in values
        if name.lower() != "content-length"
    ]
    headers.append(("Content-Length", str(len(data))))
    start_response(_status_line(response.status), headers)
    return [data]


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)
