"""Shared state over real HTTP: two instances on one PostgreSQL, hot reload, and a database that goes away."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import DEFAULT_FAQ_DIR
from tests.slack.test_onboarding import team_join
from tests.support.bot_server import ADMIN, ROOT, BotServer, block_action, mention
from tests.support.fake_slack import FakeSlack
from tests.support.postgres import PostgresServer


@pytest.fixture
def two_instances(
    fake_slack: FakeSlack, postgres: PostgresServer, tmp_path: Path
) -> Iterator[tuple[BotServer, BotServer]]:
    """Two `python -m bot serve` processes sharing one PostgreSQL database."""
    fake_slack.reset()
    url = postgres.create_database(f"two_{int(time.time() * 1000)}")
    first = BotServer(fake_slack, url, tmp_path / "first.log").start()
    second = BotServer(fake_slack, url, tmp_path / "second.log").start()
    yield first, second
    first.stop()
    second.stop()
    fake_slack.reset()


def test_an_event_and_its_retry_on_two_instances_are_answered_once(
    two_instances: tuple[BotServer, BotServer], fake_slack: FakeSlack
) -> None:
    """The event reaches the first instance, Slack's retry the second: one answer."""
    first, second = two_instances
    body = mention("who funds qwen?")
    assert first.event(body).status == 200
    assert second.event(body, retry=1).status == 200
    fake_slack.wait_for("chat.postMessage")
    assert len(fake_slack.quiet(1.0)) == 1


def test_a_burst_of_team_join_for_one_user_yields_one_dm(
    two_instances: tuple[BotServer, BotServer], fake_slack: FakeSlack
) -> None:
    """Several team_join events for one user, spread over both instances: one welcome DM."""
    first, second = two_instances
    for number in range(6):
        (first if number % 2 else second).event(team_join("U0BURST01"))
    fake_slack.wait_for("chat.postMessage")
    assert [c.args["channel"] for c in fake_slack.quiet(1.0)] == ["U0BURST01"]


def test_the_database_going_away_does_not_stop_answers(
    fake_slack: FakeSlack, postgres: PostgresServer, tmp_path: Path
) -> None:
    """PostgreSQL stops: questions are still answered, /healthz says why; it recovers when it is back."""
    fake_slack.reset()
    bot = BotServer(fake_slack, postgres.create_database("down_test"), tmp_path / "bot.log").start()
    try:
        assert bot.get("/healthz").json()["database"] == "ok"
        postgres.pause()
        try:
            bot.event(mention("who funds qwen?"))
            assert "Alibaba Group" in json.dumps(fake_slack.wait_for("chat.postMessage", timeout=15)[0].args)
            assert bot.get("/healthz").json()["database"].startswith("unavailable")
        finally:
            postgres.resume()
        time.sleep(5.5)  # past the pause after a failure
        assert bot.get("/healthz").json()["database"] == "ok"
        assert "database unavailable" in bot.log()
    finally:
        bot.stop()
        fake_slack.reset()


@pytest.fixture
def editable_bot(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[tuple[BotServer, Path]]:
    """A bot serving a copy of the FAQ folder that the test edits."""
    faq = tmp_path / "faq"
    shutil.copytree(DEFAULT_FAQ_DIR, faq)
    fake_slack.reset()
    bot = BotServer(fake_slack, f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path / "bot.log", FAQ_DIR=str(faq))
    bot.start()
    yield bot, faq
    bot.stop()
    fake_slack.reset()


def wait_for_version(bot: BotServer, old: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        version = bot.get("/healthz").json()["faq"]["version"]
        if version != old:
            return str(version)
        time.sleep(0.2)
    raise AssertionError("the FAQ version did not change")


NEW_ENTRY = """
  - id: office-hours
    question: "When are the Qwen evaluation office hours?"
    alternates: ["qwen office hours", "eval office hours?", "when can I drop in about qwen", "qwen drop-in session",
                 "is there a weekly qwen clinic"]
    answer: "Thursdays at 15:00 in the #ml-platform huddle."
    answer_zh: "每周四 15:00，在 #ml-platform 的 huddle 里。"
    layer: tongyi-research
    source: {document: corporate-landscape, section: "Frequently asked questions"}
    tags: [office hours]
"""


def test_an_edit_is_served_without_a_restart(editable_bot: tuple[BotServer, Path], fake_slack: FakeSlack) -> None:
    """A new entry in a FAQ file answers questions a moment later; /healthz shows the new version."""
    bot, faq = editable_bot
    before = bot.get("/healthz").json()["faq"]
    assert "office-hours" not in bot.command("when are the qwen office hours?").text
    with (faq / "models.yaml").open("a", encoding="utf-8") as file:
        file.write(NEW_ENTRY)
    wait_for_version(bot, before["version"])
    assert bot.get("/healthz").json()["faq"]["entries"] == before["entries"] + 1
    assert "Thursdays at 15:00" in bot.command("when are the qwen office hours?").text


def test_a_broken_edit_is_refused_and_the_last_good_faq_stays(
    editable_bot: tuple[BotServer, Path], fake_slack: FakeSlack
) -> None:
    """A YAML error: logged with file and line, the old FAQ keeps answering, /qwen reload says why."""
    bot, faq = editable_bot
    before = bot.get("/healthz").json()["faq"]["version"]
    path = faq / "licensing.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("  - id: licence-stability", "  - id: [broken", 1), encoding="utf-8"
    )
    deadline = time.monotonic() + 10
    while "FAQ edit refused" not in bot.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "FAQ edit refused" in bot.log()
    assert "licensing.yaml:" in bot.log()
    assert bot.get("/healthz").json()["faq"]["version"] == before
    assert "Apache 2.0" in bot.command("what licence is qwen under?").text
    bot.command("reload", user_id=ADMIN, name="reload-refused")
    assert "FAQ edit refused" in json.dumps(fake_slack.wait_for("response_url:reload-refused")[0].args)


def test_report_shows_a_scripted_session(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """Questions and votes through the running bot show up in `python -m bot report`."""
    fake_slack.reset()
    database = f"sqlite:///{tmp_path / 'session.sqlite3'}"
    with BotServer(fake_slack, database, tmp_path / "bot.log") as bot:
        for text in (
            "who funds qwen?",
            "where can we order qwen stickers?",
            "where can I order qwen stickers",
            "where is the holiday calendar",
        ):
            bot.command(text)
        for user in ("U0VOTER01", "U0VOTER02"):
            bot.action(
                block_action("feedback:not_helpful", "licence", response_url=fake_slack.response_url("v"), user=user)
            )
        fake_slack.wait_for("response_url:v", 2)
        time.sleep(0.5)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"DATABASE_URL": database, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    report = json.loads(result.stdout)
    fake_slack.reset()
    assert report["questions"] == 4
    assert report["unanswered"][0]["count"] == 2  # the two sticker questions, grouped
    assert report["unhelpful"][0] == {
        "entry_id": "licence",
        "question": report["unhelpful"][0]["question"],
        "not_helpful": 2,
        "helpful": 0,
    }
    assert report["per_layer"]["alibaba-group"] == 1
