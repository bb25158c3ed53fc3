"""uvicorn's HTTP protocol, with a deadline and a size cap on every request's head.

uvicorn closes a kept-alive connection that stays idle between requests, and
the app bounds a body in size and time (:mod:`bot.slack.asgi`), but nothing
bounds the head (request line and headers): a client that connects and sends
nothing, or trickles its head a byte at a time, holds a connection and its file
descriptor for as long as it likes, and one that sends headers without end grows
the worker's memory without bound. A thousand such connections, from anyone who
can reach the port and without a signature, stop the worker answering at all.
Slack sends a request's head at once, and a small one.
"""

from __future__ import annotations

import asyncio
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_SECONDS = 10.0  # longer than a body may take (asgi.BODY_SECONDS): a kept-alive connection may idle a while
MAX_HEAD_BYTES = 64 * 1024  # Slack's heads are about a kilobyte; most servers allow 8 to 64 KiB

log = logging.getLogger(__name__)


class BoundedHeadProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request head has not arrived within
    ``HEAD_SECONDS`` of the connection (or of the response before it, on a kept-alive connection), or grows past
    ``MAX_HEAD_BYTES``.

    Between requests, uvicorn's keep-alive timer gives way to any byte at all, and the parser skips blank lines
    without starting a request: without this deadline, a blank line now and then would hold a connection open.
    """

    _head_timer: asyncio.TimerHandle | None = None
    _head_bytes = 0
    _head_began = False  # in the read being parsed: its bytes before that belong to the request before

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._end_head()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes, self._head_began = 0, True
        if self._head_timer is None:  # a request pipelined behind another
            self._start_head()

    def on_headers_complete(self) -> None:
        self._end_head()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        idle = not self.pipeline  # uvicorn starts a pipelined request, or its keep-alive timer
        super().on_response_complete()
        if idle and self._head_timer is None and not self.transport.is_closing():
            self._start_head()

    def data_received(self, data: bytes) -> None:
        self._head_began = False
        super().data_received(data)  # the parser calls on_message_begin, on_headers_complete... for ``data``
        if self._head_timer is None or self._head_began:  # a head that began here counts from the next read
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._close("request head too large")

    def _start_head(self) -> None:
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(HEAD_SECONDS, self._close, "request head too slow")

    def _end_head(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _close(self, reason: str) -> None:
        """Close the connection with no response: its request never got as far as being one."""
        self._end_head()
        if not self.transport.is_closing():
            remote = f"{self.client[0]}:{self.client[1]}" if self.client else "unknown"
            log.info("closed a connection", extra={"reason": reason, "remote": remote[:64]})
            self.transport.close()
