"""Logs hold no message text and cannot be flooded or forged from outside."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.support.bot_server import BotServer, block_action, block_suggestion, mention
from tests.support.fake_slack import FakeSlack

SECRET_WORDS = "confidential-merger-plans"


def test_unsigned_megabyte_bodies_add_three_short_lines(bot: BotServer, slack: FakeSlack) -> None:
    """Three unsigned ~1 MB bodies (under the size limit): 401 each, one short line each, none of the text."""
    body = mention(SECRET_WORDS + "\n2026-01-01 00:00:00,000 INFO bot.requests: handled forged " + "x" * 1_000_000)
    data = json.dumps(body).encode()
    assert 1_000_000 < len(data) < 1024 * 1024
    before = len(bot.log().encode())
    for _ in range(3):
        assert bot.post(data, "application/json", signed=False).status == 401
    time.sleep(0.5)
    added = bot.log().encode()[before:].decode()
    assert len(added) < 2000, added[:2000]
    assert SECRET_WORDS not in added
    assert "handled forged" not in added
    refusals = [line for line in added.splitlines() if "refused an unverified request" in line]
    assert len(refusals) == 3
    assert all(f"bytes={len(data)}" in line and 'reason="missing signature headers"' in line for line in refusals)
    assert slack.quiet() == []


def test_badly_signed_body_is_not_logged(bot: BotServer, slack: FakeSlack) -> None:
    """Signed with the wrong secret (as during a secret rotation): the text stays out of the log."""
    before = len(bot.log().encode())
    assert bot.event(mention(SECRET_WORDS), secret="an-old-secret").status == 401
    time.sleep(0.3)
    added = bot.log().encode()[before:].decode()
    assert SECRET_WORDS not in added
    assert 'reason="bad signature"' in added


def test_a_forwarded_address_cannot_forge_fields(bot: BotServer, slack: FakeSlack) -> None:
    """The remote address a proxy on loopback forwards is the client's to choose: it is logged quoted."""
    forged = "203.0.113.9 reason=ok bytes=0 verified=yes"
    before = len(bot.log().encode())
    data = json.dumps(mention("who trains qwen?")).encode()
    assert bot.post(data, "application/json", signed=False, headers={"X-Forwarded-For": forged}).status == 401
    time.sleep(0.3)
    refusal = next(
        line for line in bot.log().encode()[before:].decode().splitlines() if "refused an unverified" in line
    )
    assert refusal.endswith(f'remote="{forged}"')
    assert slack.quiet() == []


def test_an_unreachable_response_url_is_not_logged_whole(tmp_path: Path) -> None:
    """A response URL lets whoever holds it post as the app: when posting to one fails (the SDK logs each retry at
    INFO, with the URL), its secret part stays out of the log. Slack is unreachable here: its stand-in is stopped
    once the bot has started."""
    fake = FakeSlack().start()
    url = fake.response_url("SECRETCAPABILITY").replace("/response/", "/actions/T111/111/")
    with BotServer(fake, f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path / "bot.log") as bot:
        fake.stop()
        assert bot.action(block_action("share_answer", "licence", response_url=url)).status == 200
        time.sleep(1.5)
        log = bot.log()
    assert "/actions/[redacted]" in log  # the failure is logged
    assert "SECRETCAPABILITY" not in log


def test_a_request_no_listener_takes_is_logged_without_its_payload(bot: BotServer, slack: FakeSlack) -> None:
    """Bolt logs the whole payload of a request nothing handles (a menu's typed text, 16 KB ids): one short line."""
    body = block_suggestion(SECRET_WORDS) | {"action_id": "x" * 8000, "block_id": "elsewhere"}
    before = len(bot.log().encode())
    bot.action(body)
    time.sleep(0.3)
    added = bot.log().encode()[before:].decode()
    assert "no listener" in added
    assert SECRET_WORDS not in added
    assert max(len(line) for line in added.splitlines()) < 1000
