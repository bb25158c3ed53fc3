"""The HTTP front: signatures, timestamps, health, and requests that are not Slack's."""

from __future__ import annotations

import json
import socket
import time

from tests.support.bot_server import BotServer, mention, payload
from tests.support.fake_slack import FakeSlack


def test_bad_signature_is_rejected_and_nothing_is_posted(bot: BotServer, slack: FakeSlack) -> None:
    """A request signed with another secret: 401, no reply."""
    assert bot.event(mention("who builds qwen?"), secret="not-the-secret").status == 401
    assert bot.event(mention("who builds qwen?"), signed=False).status == 401
    assert slack.quiet() == []


def test_stale_timestamp_is_rejected(bot: BotServer, slack: FakeSlack) -> None:
    """A correctly signed request from ten minutes ago is a replay: 401."""
    assert bot.event(mention("who builds qwen?"), timestamp=int(time.time()) - 600).status == 401
    assert slack.quiet() == []


def test_url_verification_challenge(bot: BotServer, slack: FakeSlack) -> None:
    """Slack's request URL check gets its challenge back."""
    body = payload("url_verification.json")
    response = bot.event(body)
    assert response.status == 200
    assert body["challenge"] in response.text


def test_app_rate_limited_notice_gets_200(bot: BotServer, slack: FakeSlack) -> None:
    """Slack counts deliveries that get no 200 towards turning the app's events off, this notice too."""
    response = bot.event(payload("app_rate_limited.json"))
    assert response.status == 200
    assert "app_rate_limited" in bot.log()
    assert slack.quiet() == []


def test_healthz_reports_faq_and_database(bot: BotServer) -> None:
    """GET /healthz: 200 with the FAQ size and version and the database state."""
    response = bot.get("/healthz")
    health = response.json()
    assert response.status == 200
    assert health["faq"]["entries"] >= 40
    assert health["database"] == "ok"
    assert health["mode"] == "http"


def test_requests_that_are_not_slack_get_4xx(bot: BotServer, slack: FakeSlack) -> None:
    """Malformed JSON 400, a form with broken payload 400, wrong type 415, no route 404, GET 405."""
    assert bot.post(b'{"type": "event_callback", ', "application/json").status == 400
    assert bot.post(b"payload=%7Bnot-json", "application/x-www-form-urlencoded").status == 400
    assert bot.post(b"[1, 2, 3]", "application/json").status == 400
    assert bot.post(b"<xml/>", "text/xml").status == 415
    assert bot.post(json.dumps(mention("x")).encode(), "application/json", path="/other").status == 404
    assert bot.get("/slack/events").status == 405
    assert slack.quiet() == []


def test_oversized_body_is_refused_before_it_is_read(bot: BotServer, slack: FakeSlack) -> None:
    """A declared 2 MiB body: 413 at once, without waiting for (or reading) the body."""
    with socket.create_connection(("127.0.0.1", bot.port), timeout=5) as connection:
        connection.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {2 * 1024 * 1024}\r\n\r\n".encode()
            + b"x" * 1000
        )
        assert connection.recv(1024).startswith(b"HTTP/1.1 413")
    assert slack.quiet() == []
