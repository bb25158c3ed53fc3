"""Start-up: a bad setting stops `serve` with one sentence and exit 2; SIGTERM finishes in-flight work."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.bot_server import BOT_TOKEN, ROOT, SIGNING_SECRET, BotServer, mention
from tests.support.fake_slack import FakeSlack


def serve(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token-1"}, "SLACK_BOT_TOKEN must start with xoxb-"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": "1.2"}, "OAuth mode"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT must be a whole number"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "QWEN_CHANNELS": "#general"}, "QWEN_CHANNELS"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN must start with xapp-"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "FAQ_DIR": "/nowhere"}, "FAQ_DIR"),
    ],
)
def test_bad_settings_stop_start_up_with_one_sentence(env: dict[str, str], message: str, tmp_path: Path) -> None:
    """Each mistake names its variable and where to get a good value; exit 2; no traceback; no secret echoed."""
    result = serve(env, tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert BOT_TOKEN not in result.stderr


def test_a_token_slack_rejects_stops_start_up(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """auth.test says invalid_auth: one sentence, exit 2, before any worker starts."""
    fake_slack.reset()
    fake_slack.auth_error = "invalid_auth"
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake_slack.api_url}
    result = serve(env, tmp_path)
    fake_slack.reset()
    assert result.returncode == 2
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in result.stderr


def test_sigterm_finishes_the_reply_in_flight(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """SIGTERM while a reply is being posted: the reply still goes out and the process exits 0."""
    fake_slack.reset()
    server = BotServer(fake_slack, f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path / "bot.log").start()
    fake_slack.delays["chat.postMessage"] = 1.5
    server.event(mention("who funds qwen?"))
    fake_slack.wait_for("chat.postMessage")  # the post has started and is slow
    code = server.stop(signal.SIGTERM)
    fake_slack.reset()
    assert code == 0, server.log()
    assert "handled app_mention" in server.log()  # logged only after Slack accepted the reply
    assert "Traceback" not in server.log()


def test_tokens_never_reach_the_log(bot: BotServer) -> None:
    """Neither the bot token nor the signing secret appears in the server's log."""
    log = bot.log()
    assert log
    assert BOT_TOKEN not in log
    assert SIGNING_SECRET not in log


def test_root_is_the_repository() -> None:
    assert (ROOT / "bot" / "__main__.py").exists()
