"""Socket Mode: with SLACK_APP_TOKEN set, the same app answers over a WebSocket instead of HTTP."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.bot_server import BOT_TOKEN, ROOT, payload
from tests.support.fake_slack import FakeSlack
from tests.support.fake_socket_mode import FakeSocketMode


@pytest.fixture
def socket_bot(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[FakeSocketMode]:
    fake_slack.reset()
    socket = FakeSocketMode()
    fake_slack.socket_mode_url = socket.url
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": "xapp-1-A111-test-token",
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
    }
    with (tmp_path / "bot.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        assert socket.connected.wait(20), (tmp_path / "bot.log").read_text()
        yield socket
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0, (tmp_path / "bot.log").read_text()
        socket.stop()
        fake_slack.reset()


def test_slash_command_is_answered_in_the_ack(socket_bot: FakeSocketMode, fake_slack: FakeSlack) -> None:
    """A slash command envelope: the acknowledgement carries the ephemeral answer."""
    envelope = json.loads((ROOT / "tests" / "payloads" / "socket_mode_envelope_slash_command.json").read_text())
    envelope["payload"] |= {"command": "/qwen", "text": "who funds qwen research?"}
    socket_bot.send(envelope)
    ack = socket_bot.ack_for(envelope["envelope_id"])
    assert ack["payload"]["response_type"] == "ephemeral"
    assert "Alibaba Group" in json.dumps(ack["payload"])


def test_event_and_its_retry_are_answered_once(socket_bot: FakeSocketMode, fake_slack: FakeSlack) -> None:
    """An events_api envelope and Slack's retry of it: one reply through the Web API."""
    envelope = json.loads((ROOT / "tests" / "payloads" / "socket_mode_envelope_events_api_retry.json").read_text())
    event = payload("message_im.json")
    event["event"]["text"] = "is there an SLA on the hosted qwen api?"
    envelope["payload"] = event
    first = envelope | {"envelope_id": "env-1", "retry_attempt": 0}
    retry = envelope | {"envelope_id": "env-2", "retry_attempt": 1}
    socket_bot.send(first)
    socket_bot.send(retry)
    socket_bot.ack_for("env-1")
    socket_bot.ack_for("env-2")
    [call] = fake_slack.wait_for("chat.postMessage")
    assert call.args["channel"] == "D111"
    assert len(fake_slack.quiet(1.0)) == 1
