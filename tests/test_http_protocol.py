"""The HTTP protocol's bounds on a request's head, fed bytes directly (the server-level tests are in
``tests/slack/test_slow_clients.py``): where one read holds the end of one request and the start of the next."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from bot.http_protocol import MAX_HEAD_BYTES, BoundedHeadProtocol


class Transport(asyncio.Transport):
    """What the protocol writes, and whether it closed the connection."""

    def __init__(self) -> None:
        super().__init__()
        self.closed, self.written = False, b""

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 3000)}.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def feed(*reads: bytes) -> Transport:
    """Each of ``reads`` as one read from the socket, then let the app answer (the connection left open)."""

    async def run() -> Transport:
        config = Config(app=ok, http=BoundedHeadProtocol, lifespan="off", access_log=False, log_config=None)
        config.load()
        protocol = BoundedHeadProtocol(config=config, server_state=ServerState(), app_state={})
        transport = Transport()
        protocol.connection_made(transport)
        for data in reads:
            protocol.data_received(data)
        await asyncio.sleep(0.05)
        return transport

    return asyncio.run(run())


def test_a_body_read_with_the_next_head_does_not_count_towards_it() -> None:
    """A read of 64 KiB of body and the next request's first bytes (past the cap together), then the rest of that
    head: both answered."""
    body = b"x" * MAX_HEAD_BYTES
    first = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    transport = feed(first + b"GET / HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * 500, b"a" * 1000 + b"\r\n\r\n")
    assert not transport.closed
    assert transport.written.count(b"HTTP/1.1 200") == 2


def test_a_head_past_the_cap_closes_the_connection_unanswered() -> None:
    transport = feed(b"GET / HTTP/1.1\r\nHost: x\r\n", *[b"X-Pad: " + b"a" * 1000 + b"\r\n"] * 70)
    assert transport.closed
    assert transport.written == b""
