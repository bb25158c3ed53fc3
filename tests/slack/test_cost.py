"""What the cheaper request path keeps, over real HTTP: answers built once but each reply its own."""

from __future__ import annotations

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
