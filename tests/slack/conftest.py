"""One fake Slack and one running bot for the end-to-end tests, shared across them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.bot_server import BotServer
from tests.support.fake_slack import FakeSlack


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def bot(fake_slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    """`python -m bot serve` on SQLite, watching CWATCHED1, with UADMIN001 as admin."""
    folder = tmp_path_factory.mktemp("bot")
    server = BotServer(fake_slack, f"sqlite:///{folder / 'bot.sqlite3'}", folder / "bot.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def slack(fake_slack: FakeSlack, bot: BotServer) -> Iterator[FakeSlack]:
    """The fake Slack, its recorded calls cleared before the test."""
    fake_slack.reset()
    return fake_slack
