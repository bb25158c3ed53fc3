"""The curation loop's messages and views stay within Slack's limits and echo nothing live."""

from __future__ import annotations

import pytest

from bot.knowledge.matcher import Matcher
from bot.slack import blocks
from bot.slack.curation_blocks import (
    Asked,
    button_value,
    carry_question,
    decided_notice,
    draft_modal,
    expert_post,
    expert_replied,
    parse_value,
    review_blocks,
    where_asked,
    with_ask_expert,
)
from bot.storage import Proposal
from tests.slack.test_blocks import LIMITS, check_message

HOSTILE = "<!channel> <@U0BOSS01> " + "\x01" * 900 + "&lt;script&gt; " + "字" * 900


@pytest.mark.parametrize("question", ["who funds qwen?", HOSTILE])
def test_a_question_rides_in_a_button_value_within_slacks_limit(question: str) -> None:
    value = button_value("funding", Asked(question, "U0ASKER01", "1712345678.000100"))
    assert len(f"not_helpful:{value}") <= LIMITS["button_value"]
    entry_id, asked = parse_value(value)
    assert entry_id == "funding"
    assert asked is not None
    assert (asked.asker, asked.thread_ts) == ("U0ASKER01", "1712345678.000100")
    assert question.startswith(asked.question.rstrip("…"))


@pytest.mark.parametrize(
    "value",
    ['{"id":"x","q":"hi","u":"not-a-user"}', '{"q":', "[1]", '{"id":"x","q":"hi","u":"U0ASKER01","t":"../../"}'],
)
def test_a_tampered_value_carries_no_question_or_a_safe_one(value: str) -> None:
    _, asked = parse_value(value)
    assert asked is None or asked.thread_ts == ""


def texts(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for key, value in node.items() if key != "value" for t in texts(value)]
    return [t for item in node for t in texts(item)] if isinstance(node, list) else []


def test_every_curation_message_fits_and_echoes_nothing_live(shipped_matcher: Matcher) -> None:
    faq = shipped_matcher.faq
    asked = Asked(HOSTILE, "U0ASKER01", "1.000001")
    entry = faq.entries[0]
    answer = carry_question(blocks.answer_message(entry, faq), asked, (blocks.FEEDBACK,))
    no_match = with_ask_expert(blocks.no_match_message(HOSTILE), asked)
    draft = Proposal("entry", 0.0, HOSTILE, answer=HOSTILE, layers=("community",), source=HOSTILE, author="U0EXP001")
    alternate = Proposal("alternate", 0.0, HOSTILE, entry_id="funding", author="helpful vote", id=2)
    waiting = [Proposal(**{**(draft if n % 2 else alternate).__dict__, "id": n}) for n in range(16)]
    review = {"text": "report", "blocks": review_blocks(waiting, accepted=3)}
    messages = [
        answer,
        no_match,
        expert_post(asked, where_asked("C0PUBLIC1", command=True), private_reply=False),
        expert_replied("https://test.slack.com/archives/C1/p1", expert="U0EXP001", reply=HOSTILE),
        review,
        decided_notice(Proposal(**{**alternate.__dict__, "status": "accepted"})),
    ]
    for message in messages:
        check_message(message)
        shown = " ".join(texts(message["blocks"]))  # what Slack renders; button values are data, never shown
        assert "<!channel>" not in shown
        assert "<@U0BOSS01>" not in shown
    [feedback] = [e for b in answer["blocks"] if b["type"] == "context_actions" for e in b["elements"]]
    for vote, button in (("helpful", "positive_button"), ("not_helpful", "negative_button")):
        prefix, _, value = feedback[button]["value"].partition(":")
        assert prefix == vote
        assert parse_value(value)[0] == entry.id


def test_the_draft_modal_fits(shipped_matcher: Matcher) -> None:
    modal = draft_modal(shipped_matcher.faq, question="q" * 5000, answer="a" * 5000)
    assert len(modal["title"]["text"]) <= LIMITS["view_title"]
    for block in modal["blocks"]:
        element = block["element"]
        if element["type"] == "plain_text_input":
            assert len(element.get("initial_value", "")) <= element["max_length"] <= 3000
        else:
            assert [o["value"] for o in element["options"]] == list(shipped_matcher.faq.layers)
            assert all(len(o["text"]["text"]) <= LIMITS["option_text"] for o in element["options"])
    assert [b["block_id"] for b in modal["blocks"] if not b["optional"]] == ["question", "answer", "layer", "source"]
