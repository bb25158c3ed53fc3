"""Verification fails closed: a request whose signature headers are missing, repeated or malformed gets 401
and nothing else happens (no listener, no apology, no call to Slack or to a response URL)."""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlencode

import pytest

from tests.support.bot_server import BotServer, direct_message, sign
from tests.support.fake_slack import FakeSlack


def forged_bodies(slack: FakeSlack) -> list[tuple[bytes, str]]:
    """Bodies an attacker would send: an event naming a channel, a command and a click naming a response URL."""
    event = direct_message("who trains qwen?", channel="C0VICTIM1", user="U0VICTIM1")
    event["event"] |= {"channel_type": "im", "thread_ts": "1.000001"}
    command = urlencode(
        {
            "command": "/qwen",
            "text": "who funds qwen",
            "user_id": "U1",
            "channel_id": "C0VICTIM1",
            "trigger_id": "1.2.3",
        }
    )
    command += "&response_url=" + slack.response_url("forged")
    click = json.dumps(
        {
            "type": "block_actions",
            "user": {"id": "U1"},
            "response_url": slack.response_url("forged-click"),
            "actions": [{"action_id": "feedback:helpful", "value": "licence"}],
        }
    )
    return [
        (json.dumps(event).encode(), "application/json"),
        (command.encode(), "application/x-www-form-urlencoded"),
        (urlencode({"payload": click}).encode(), "application/x-www-form-urlencoded"),
    ]


def raw_post(bot: BotServer, body: bytes, content_type: str, headers: list[tuple[str, bytes]]) -> int:
    """POST with exactly these headers, repeats and non-ASCII bytes included (urllib cannot repeat one)."""
    connection = http.client.HTTPConnection("127.0.0.1", bot.port, timeout=15)
    try:
        connection.putrequest("POST", "/slack/events")
        connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(len(body)))
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def malformed(body: bytes) -> dict[str, list[tuple[str, bytes]]]:
    now = int(time.time())
    good = sign(body, now).encode()
    return {
        "timestamp x": [("X-Slack-Request-Timestamp", b"x"), ("X-Slack-Signature", good)],
        "timestamp nan": [("X-Slack-Request-Timestamp", b"nan"), ("X-Slack-Signature", good)],
        "timestamp 1,2": [("X-Slack-Request-Timestamp", b"1,2"), ("X-Slack-Signature", good)],
        "two timestamps": [
            ("X-Slack-Request-Timestamp", str(now).encode()),
            ("X-Slack-Request-Timestamp", b"2"),
            ("X-Slack-Signature", good),
        ],
        "two signatures": [
            ("X-Slack-Request-Timestamp", str(now).encode()),
            ("X-Slack-Signature", good),
            ("X-Slack-Signature", b"v0=00"),
        ],
        "non-ASCII signature": [("X-Slack-Request-Timestamp", str(now).encode()), ("X-Slack-Signature", b"v0=\xe9")],
        "non-ASCII timestamp": [("X-Slack-Request-Timestamp", b"\xe9"), ("X-Slack-Signature", good)],
        "no timestamp": [("X-Slack-Signature", good)],
        "no signature": [("X-Slack-Request-Timestamp", str(now).encode())],
        "no headers": [],
        "stale": [
            ("X-Slack-Request-Timestamp", str(now - 600).encode()),
            ("X-Slack-Signature", sign(body, now - 600).encode()),
        ],
        "bad signature": [("X-Slack-Request-Timestamp", str(now).encode()), ("X-Slack-Signature", b"v0=" + b"0" * 64)],
    }


@pytest.mark.parametrize(
    "case",
    [
        "timestamp x",
        "timestamp nan",
        "timestamp 1,2",
        "two timestamps",
        "two signatures",
        "non-ASCII signature",
        "non-ASCII timestamp",
        "no timestamp",
        "no signature",
        "no headers",
        "stale",
        "bad signature",
    ],
)
def test_unverified_request_gets_401_and_slack_hears_nothing(bot: BotServer, slack: FakeSlack, case: str) -> None:
    """Each forged body (a channel, a thread, a response URL at the stand-in) with these headers: 401, silence."""
    for body, content_type in forged_bodies(slack):
        assert raw_post(bot, body, content_type, malformed(body)[case]) == 401, case
    assert slack.quiet() == []


def test_the_same_bodies_signed_are_answered(bot: BotServer, slack: FakeSlack) -> None:
    """The forged bodies are real requests once signed: the refusals above are the signature's doing."""
    [event, command, _click] = forged_bodies(slack)
    now = str(int(time.time())).encode()
    headers = [("X-Slack-Request-Timestamp", now), ("X-Slack-Signature", sign(event[0], int(now)).encode())]
    assert raw_post(bot, *event, headers) == 200
    slack.wait_for("chat.postMessage", where=lambda call: call.args.get("channel") == "C0VICTIM1")
    headers = [("X-Slack-Request-Timestamp", now), ("X-Slack-Signature", sign(command[0], int(now)).encode())]
    assert raw_post(bot, *command, headers) == 200
