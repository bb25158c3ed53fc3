"""Hostile messages over real HTTP: text no database driver can encode, and 40,000 characters of markup."""

from __future__ import annotations

import time

from bot.storage.sql import SqlStore
from tests.support.bot_server import BotServer, direct_message, mention
from tests.support.fake_slack import FakeSlack


def test_a_lone_surrogate_is_answered_once_and_kept_for_the_curators(bot: BotServer, slack: FakeSlack) -> None:
    """Text no database driver can encode: the question is answered, stored with a replacement character (the
    report shows it), its retry is not answered, later events are answered once each, and /healthz still reports
    a working database."""
    since = time.time()
    body = direct_message("where can I buy \ud800 qwen stickers?")
    assert bot.event(body).status == 200
    slack.wait_for("chat.postMessage")
    later = mention("who trains qwen?")
    for event in (body, later, later):
        assert bot.event(event, retry=1).status == 200
    slack.wait_for("chat.postMessage", 2)
    assert len(slack.quiet(1.0)) == 2
    assert bot.get("/healthz").json()["database"] == "ok"
    store = SqlStore(bot.env["DATABASE_URL"])
    try:
        texts = [question.text for question in store.questions_since(since)]
    finally:
        store.close()
    assert "where can I buy \ufffd qwen stickers?" in texts


def test_forty_thousand_characters_of_mention_markup_are_answered_quickly(bot: BotServer, slack: FakeSlack) -> None:
    """The message that used to hold the interpreter for seconds: answered in well under a second."""
    started = time.monotonic()
    assert bot.event(mention("<@U1|" * 8_000)).status == 200
    slack.wait_for("chat.postMessage", timeout=5)
    assert time.monotonic() - started < 1.0
