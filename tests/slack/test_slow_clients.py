"""Slow or many clients cannot starve the server: each costs an idle coroutine, not a worker."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.support.bot_server import BotServer, mention
from tests.support.fake_slack import FakeSlack

CLIENTS = 50


@pytest.fixture
def tricklers(bot: BotServer) -> Iterator[list[socket.socket]]:
    """50 connections, each sending a request's headers and then its body one byte at a time."""
    sockets = []
    stop = threading.Event()
    for _ in range(CLIENTS):
        connection = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
        connection.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n{"
        )
        sockets.append(connection)

    def trickle() -> None:
        for _ in range(100):  # at most 20 s, though the test stops it much sooner
            for connection in sockets:
                with contextlib.suppress(OSError):
                    connection.sendall(b" ")
            if stop.wait(0.2):
                return

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield sockets
    finally:
        stop.set()
        thread.join(5)
        for connection in sockets:
            connection.close()


def test_health_and_a_mention_are_served_while_50_clients_trickle(
    bot: BotServer, slack: FakeSlack, tricklers: list[socket.socket]
) -> None:
    time.sleep(0.5)  # every trickler is connected and mid-body
    started = time.monotonic()
    assert bot.get("/healthz").status == 200
    assert time.monotonic() - started < 1.0
    body = mention("who trains qwen?")
    started = time.monotonic()
    assert bot.event(body).status == 200
    slack.wait_for("chat.postMessage", where=lambda call: call.args.get("thread_ts") == body["event"]["ts"], timeout=3)
    assert time.monotonic() - started < 3.0


def test_a_body_that_never_finishes_gets_408(bot: BotServer) -> None:
    """A client that stops sending mid-body is cut off once the body deadline passes, with a 408."""
    connection = socket.create_connection(("127.0.0.1", bot.port), timeout=20)
    try:
        connection.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{"
        )
        reply = connection.recv(1024)
    finally:
        connection.close()
    assert reply.startswith(b"HTTP/1.1 408")
