"""Logging: one configuration for the server, as text or JSON lines, with secrets scrubbed.

Request outcomes are logged by :func:`request_line` as one line each (event
type, outcome, entry id, score, latency) with no message text at info level.
Slack tokens never reach a log: the SDK's debug output (which prints request
headers) is held at INFO, SQLAlchemy's statement echo (which prints parameters,
question text among them) is off, and every record passes a filter that
redacts anything shaped like a token.

Nothing from a request can forge or flood log lines: every message and field
has its control characters escaped (a newline becomes ``\n``), continuation
lines of a traceback are indented so they never pass for a record, and Bolt's
report of a failed signature check (the whole unverified body, at INFO) is
dropped: the HTTP front logs one bounded line per refused request instead.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Mapping
from typing import Any

from bot.redaction import redact_secrets

_FIELDS = "_escaped_fields"  # where OneLine leaves a record's extra fields, escaped, for the formatter
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message", _FIELDS}  # uvicorn's
_CONTROLS = {code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)]} | {
    0x09: "\\t",
    0x0A: "\\n",
    0x0D: "\\r",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
# Bolt's signature-check middleware logs the whole body of every refused request.
_BODY_LOGGERS = frozenset({"slack_bolt.RequestVerification", "slack_bolt.AsyncRequestVerification"})
# ...and of every request no listener takes (what a user typed included), with sample code to handle it.
_UNHANDLED = "Unhandled request ("
MAX_MESSAGE_CHARS = 2000  # a message longer than this is cut: no record from a request can flood the log

_NEEDS_QUOTES = re.compile(r'[\s="]')
requests_log = logging.getLogger("bot.requests")


class RedactSecrets(logging.Filter):
    """Replace token-shaped strings in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_secrets(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, Mapping):  # logging's "%(name)s" style
            record.args = {k: redact_secrets(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


class OneLine(logging.Filter):
    """Drop Bolt's body dumps; bound the message; escape control characters in it and in every extra field."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in _BODY_LOGGERS:
            return False
        if record.name.startswith("slack_bolt") and str(record.msg).startswith(_UNHANDLED):
            record.msg, record.args = "Bolt has no listener for a verified request (its payload is not logged)", ()
        message = record.getMessage()
        if len(message) > MAX_MESSAGE_CHARS:
            message = f"{message[:MAX_MESSAGE_CHARS]}... ({len(message)} characters)"
        record.msg, record.args = escape_controls(message), ()
        fields = _extras(record)
        for key, value in fields.items():
            if isinstance(value, str) and (escaped := escape_controls(value)) is not value:
                fields[key] = escaped
                setattr(record, key, escaped)
        setattr(record, _FIELDS, fields)  # the formatter's, so that it need not look for them again
        return True


def escape_controls(text: str) -> str:
    """``text`` with newlines and every other control character written as escapes."""
    return text if text.isprintable() else text.translate(_CONTROLS)  # most text has none: a quicker check


class TextFormatter(logging.Formatter):
    """``time level logger message key=value ...``; a traceback follows on indented lines."""

    _second, _stamp = -1, ""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.exc_info:  # an exception's message may quote what it failed on (a response URL, say)
            text = redact_secrets(text)
        extras = " ".join(f"{key}={_quoted(value)}" for key, value in _extras(record).items())
        line, newline, rest = text.partition("\n")  # the message has none (OneLine): only a traceback has
        first = f"{line} {extras}" if extras else line
        return f"{first}\n    | {rest.replace(chr(10), chr(10) + '    | ')}" if newline else first

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """As logging's, with the date and time written once a second, not once per line."""
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        if int(record.created) != self._second:
            self._second = int(record.created)
            self._stamp = time.strftime(self.default_time_format, self.converter(record.created))
        return f"{self._stamp},{int(record.msecs):03d}"  # logging's default_msec_format


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_extras(record),
        }
        if record.exc_info:
            data["exception"] = redact_secrets(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(log_format: str = "text", level: str = "info") -> None:
    """Send all logs to stderr in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(OneLine())
    handler.addFilter(RedactSecrets())
    formatter: logging.Formatter = (
        JsonFormatter() if log_format == "json" else TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for chatty in ("slack_sdk", "slack_bolt", "urllib3"):  # their debug output includes request headers
        logging.getLogger(chatty).setLevel(max(logging.INFO, root.level))
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)  # its INFO echoes SQL parameters: user text
    # What no format here shows, which logging would otherwise look up for every record: the calling
    # frame, thread, process (the logging HOWTO's "Optimization").
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False


def request_line(kind: str, outcome: str, started: float, **fields: Any) -> None:
    """Log one handled request: what it was, how it ended, how long it took."""
    latency_ms = round((time.monotonic() - started) * 1000, 1)
    requests_log.info("handled %s", kind, extra={"kind": kind, "outcome": outcome, "latency_ms": latency_ms, **fields})


def _quoted(value: object) -> str:
    """A field's value as logfmt writes it: quoted (JSON's escapes) when it is empty or holds a space, a quote or
    an equals sign, so that no value from a request (a forwarded address, a user id) can pass for another field."""
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if not text or _NEEDS_QUOTES.search(text) else text


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    """The record's extra fields (``extra=``): as :class:`OneLine` left them, or looked for."""
    fields: dict[str, Any] | None = vars(record).get(_FIELDS)
    return {key: value for key, value in vars(record).items() if key not in _STANDARD} if fields is None else fields
