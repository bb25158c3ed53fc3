"""Slow or many clients cannot starve the server: each costs an idle coroutine, not a worker."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.http_protocol import HEAD_SECONDS
from bot.slack.asgi import BODY_SECONDS, HELD_BODY_BYTES, MAX_BODY_BYTES
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


HEAD = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
UNFINISHED = {
    "nothing": b"",
    "half a request line": b"POST /slack/ev",
    "half a head": HEAD,
    "half a body": HEAD + b"Content-Length: 10\r\n\r\n{",
}


def test_requests_that_never_finish_are_cut_off_at_their_deadline(bot: BotServer) -> None:
    """A connection that sends nothing, or stops mid-head, is closed once the head's deadline passes (it holds a
    file descriptor until then, and a thousand of them would stop the worker); one that stops mid-body gets a 408."""
    connections = {}
    for kind, data in UNFINISHED.items():
        connections[kind] = socket.create_connection(("127.0.0.1", bot.port), timeout=HEAD_SECONDS + 5)
        connections[kind].sendall(data)
    started = time.monotonic()
    try:
        replies = {kind: connection.recv(1024) for kind, connection in connections.items()}
    finally:
        for connection in connections.values():
            connection.close()
    assert time.monotonic() - started < HEAD_SECONDS + 5
    assert replies.pop("half a body").startswith(b"HTTP/1.1 408")
    assert replies == dict.fromkeys(replies, b"")  # closed, with no response: there was no request to answer
    log = bot.log()
    assert log.count('closed a connection reason="request head too slow" remote=127.0.0.1:') == 3
    assert 'refused a request status=408 reason="Request Timeout" remote=127.0.0.1' in log


def test_a_body_that_stops_arriving_is_refused_once_slack_would_have_given_up(bot: BotServer) -> None:
    """Slack gives up on a response after 3 s: a body still arriving then gets its 408, and lets go of what it
    held (a stalled body costs memory until then)."""
    connection = socket.create_connection(("127.0.0.1", bot.port), timeout=BODY_SECONDS + 5)
    started = time.monotonic()
    try:
        connection.sendall(HEAD + b"Content-Length: 10\r\n\r\n{")
        reply = connection.recv(1024)
    finally:
        connection.close()
    assert reply.startswith(b"HTTP/1.1 408")
    assert 2.5 < time.monotonic() - started < 4.5  # Slack's 3 s, give or take the loop's timer


def test_blank_lines_between_requests_do_not_hold_a_connection(bot: BotServer) -> None:
    """On a kept-alive connection, a blank line now and then puts off uvicorn's keep-alive timeout and starts no
    request (the parser skips it): the head's deadline still closes the connection."""
    connection = socket.create_connection(("127.0.0.1", bot.port), timeout=0.5)
    started = time.monotonic()
    try:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
        closed = False
        while not closed and time.monotonic() - started < HEAD_SECONDS + 5:
            try:
                connection.sendall(b"\r\n")
                closed = connection.recv(4096) == b""
            except TimeoutError:
                continue
            except OSError:  # reset: closed as well
                closed = True
    finally:
        connection.close()
    assert closed
    assert time.monotonic() - started < HEAD_SECONDS + 5


def test_a_request_pipelined_behind_a_large_body_is_served(bot: BotServer) -> None:
    """A body and the next request's head arriving in one read: the body does not count towards that head's cap."""
    body = b"x" * 70_000
    first = HEAD + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    second = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    connection = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
    received = b""
    try:
        connection.sendall(first + second)
        while chunk := connection.recv(65536):
            received += chunk
    finally:
        connection.close()
    assert received.startswith(b"HTTP/1.1 401")  # the first request, unsigned, is refused...
    assert b"HTTP/1.1 200" in received  # ...and the second answered


def test_a_head_that_never_ends_is_cut_off_early(bot: BotServer) -> None:
    """Headers sent without end are refused once they pass the cap, long before the worker's memory grows."""
    connection = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
    connection.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
    lines = (b"X-Pad: " + b"a" * 1000 + b"\r\n") * 64
    sent, refused = 0, False
    try:
        while sent < 64 * 1024 * 1024 and not refused:
            try:
                connection.sendall(lines)
                sent += len(lines)
            except OSError:  # reset by the server (or a timeout, had it only stopped reading)
                refused = True
    finally:
        connection.close()
    assert refused
    assert sent < 16 * 1024 * 1024  # the cap, and the few MiB loopback's socket buffers took meanwhile
    assert bot.get("/healthz").status == 200


def _worker_rss_mb(bot: BotServer) -> float:
    assert bot.process is not None
    worker = Path(f"/proc/{bot.process.pid}/task/{bot.process.pid}/children").read_text().split()[0]
    status = Path(f"/proc/{worker}/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def test_large_bodies_that_stall_hold_bounded_memory(bot: BotServer, slack: FakeSlack) -> None:
    """A body is held whole until its signature can be checked, so unsigned bodies that stop one byte short
    used to hold a MiB each for their deadline (400 of them, 525 MiB). They now share one budget: the bodies
    beyond it get a 503 at once, /healthz still answers, and once they are gone every request is served again
    (while the budget is spent, a real event may get a 503 too, which Slack retries)."""
    stalled = 150  # about 150 MiB unbounded, more than twice the budget
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    before = _worker_rss_mb(bot)
    connections = []
    try:
        for _ in range(stalled):
            connection = socket.create_connection(("127.0.0.1", bot.port), timeout=5)
            connection.sendall(head + b"Content-Length: %d\r\n\r\n" % MAX_BODY_BYTES + b" " * (MAX_BODY_BYTES - 1))
            connections.append(connection)
        time.sleep(1)  # the server has read what it will
        grown = _worker_rss_mb(bot) - before
        refused = 0
        for connection in connections:
            connection.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                refused += connection.recv(64).startswith(b"HTTP/1.1 503")
        assert bot.get("/healthz").status == 200
    finally:
        for connection in connections:
            connection.close()
    held_at_most = HELD_BODY_BYTES // (MAX_BODY_BYTES - 1) + 1
    assert refused >= stalled - held_at_most - 5
    assert grown < 1.5 * HELD_BODY_BYTES / 2**20
    assert "too many request bodies in flight" in bot.log()
    time.sleep(0.5)  # the closed connections' bodies are given back to the budget...
    body = mention("who trains qwen?")
    assert bot.event(body).status == 200  # ...so a real event is served again
    slack.wait_for("chat.postMessage", where=lambda call: call.args.get("thread_ts") == body["event"]["ts"])
    unsigned = bot.post(b" " * (MAX_BODY_BYTES - 1), "application/json", signed=False)
    assert unsigned.status == 401  # and a large body is read whole again, and refused for its signature
