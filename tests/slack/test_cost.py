"""What the cheaper request path keeps, over real HTTP: answers built once but each reply its own."""

from __future__ import annotations

import time

from bot.storage import SqlStore
from tests.slack.test_curation_loop import feedback_value
from tests.support.bot_server import BotServer, mention
from tests.support.fake_slack import FakeSlack


def test_replies_built_from_one_shared_answer_each_carry_only_their_own_question(
    slack: FakeSlack, bot: BotServer
) -> None:
    """The answer's blocks are built once per entry and shared; the feedback buttons of each reply carry that
    reply's asker and question, never an earlier one's, and stay the same size however often it is asked."""
    askers = [f"U0ASKS{n:03d}" for n in range(30)]
    for n, asker in enumerate(askers):
        assert bot.event(mention(f"who actually trains qwen? ({n})", user=asker)).status == 200
    replies = [call.args for call in slack.wait_for("chat.postMessage", count=len(askers))]
    by_asker = {}
    for reply in replies:
        value = feedback_value(reply["blocks"], "helpful")
        [asker] = [asker for asker in askers if asker in value]
        by_asker[asker] = value
    assert sorted(by_asker) == askers
    for n, asker in enumerate(askers):
        assert f"({n})" in by_asker[asker]
        assert "who actually trains qwen?" in by_asker[asker]
    assert max(map(len, by_asker.values())) - min(map(len, by_asker.values())) <= 1  # "(9)" against "(10)"


def test_a_question_asked_again_is_answered_alike_and_recorded_each_time(slack: FakeSlack, bot: BotServer) -> None:
    """A repeated question may be matched from the recent results: each asking still gets the same full
    answer, and the store records every one (the report counts them)."""
    question = "is there an SLA if we use qwen through alibaba cloud? (asked again)"
    store = SqlStore(bot.env["DATABASE_URL"])
    try:
        since = time.time()
        acks = [bot.command(question, name=f"again{n}").json() for n in range(3)]
        assert acks[0] == acks[1] == acks[2]
        assert "blocks" in acks[0]
        deadline = time.monotonic() + 5
        while len(recorded := [q for q in store.questions_since(since) if q.channel_type == "command"]) < 3:
            assert time.monotonic() < deadline, f"{len(recorded)} of 3 questions recorded"
            time.sleep(0.1)
    finally:
        store.close()
    assert len(recorded) == 3
    assert len({(q.outcome, q.entry_id, q.score) for q in recorded}) == 1
