"""Hostile messages over real HTTP: text the database driver cannot encode, and 40,000 characters of markup."""

from __future__ import annotations

import time

from tests.support.bot_server import BotServer, direct_message, mention
from tests.support.fake_slack import FakeSlack


def test_a_lone_surrogate_costs_one_stored_question_not_the_store(bot: BotServer, slack: FakeSlack) -> None:
    """The question cannot be stored (UnicodeEncodeError); it is still answered, its retry is not,
    later events are answered once each, and /healthz still reports a working database."""
    body = direct_message("where can I buy \ud800 qwen stickers?")
    assert bot.event(body).status == 200
    slack.wait_for("chat.postMessage")
    time.sleep(0.3)  # the unanswered question's text reaches the writer
    later = mention("who trains qwen?")
    for event in (body, later, later):
        assert bot.event(event, retry=1).status == 200
    slack.wait_for("chat.postMessage", 2)
    assert len(slack.quiet(1.0)) == 2
    assert bot.get("/healthz").json()["database"] == "ok"


def test_forty_thousand_characters_of_mention_markup_are_answered_quickly(bot: BotServer, slack: FakeSlack) -> None:
    """The message that used to hold the interpreter for seconds: answered in well under a second."""
    started = time.monotonic()
    assert bot.event(mention("<@U1|" * 8_000)).status == 200
    slack.wait_for("chat.postMessage", timeout=5)
    assert time.monotonic() - started < 1.0
