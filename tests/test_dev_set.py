"""The matcher against the dev set: questions written the way people type them.

The dev set was written without sight of the FAQ's own phrasings, but an earlier
matcher was tuned on it until it was learned, so it is a regression check, not
evidence of generality (``python bench/score.py tests/dev_set.yaml`` prints the
figures). The bars sit just under what the current matcher gets: 99.4% in scope,
98.4% off topic, 80.0% near domain (tool names missing from the language's word
list and written in lower case, such as "ollama" or "gguf", are not taken as
signs of another topic, since misspellings are missing from it too).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.knowledge.matcher import Answer, Matcher

DEV = yaml.safe_load((Path(__file__).parent / "dev_set.yaml").read_text(encoding="utf-8"))


def test_dev_set_is_big_enough_and_names_real_entries(shipped_matcher: Matcher) -> None:
    """At least 120 in-scope questions naming existing entries, and 40 off-topic messages."""
    assert len(DEV["in_scope"]) >= 120
    assert len(DEV["off_topic"]) >= 40
    unknown = {item["id"] for item in DEV["in_scope"]} - {entry.id for entry in shipped_matcher.faq.entries}
    assert unknown == set()
    chinese = [item for item in DEV["in_scope"] if any("\u4e00" <= c <= "\u9fff" for c in item["q"])]
    assert len(chinese) >= 10


def test_in_scope_questions_get_the_right_answer(shipped_matcher: Matcher) -> None:
    """At least 96% of in-scope questions are answered with the expected entry."""
    wrong = []
    for item in DEV["in_scope"]:
        outcome = shipped_matcher.match(item["q"])
        if not (isinstance(outcome, Answer) and outcome.entry.id == item["id"]):
            wrong.append((item["id"], item["q"]))
    accuracy = 1 - len(wrong) / len(DEV["in_scope"])
    assert accuracy >= 0.96, f"{accuracy:.1%} right; wrong: {wrong}"


def test_off_topic_messages_get_no_answer(shipped_matcher: Matcher) -> None:
    """At least 95% of off-topic messages are not answered."""
    answered = [q for q in DEV["off_topic"] if isinstance(shipped_matcher.match(q), Answer)]
    abstained = 1 - len(answered) / len(DEV["off_topic"])
    assert abstained >= 0.95, f"{abstained:.1%} abstained; answered: {answered}"


def test_most_uncovered_qwen_questions_get_no_answer(shipped_matcher: Matcher) -> None:
    """Qwen questions the FAQ cannot answer: at least 79% get no answer rather than the nearest entry.

    The bar is lower than for the other two halves on purpose: some of these do
    have a nearest entry worth reading (video input and the modalities entry),
    and the rest show where the FAQ could grow.
    """
    answered = [q for q in DEV["near_domain"] if isinstance(shipped_matcher.match(q), Answer)]
    quiet = 1 - len(answered) / len(DEV["near_domain"])
    assert quiet >= 0.79, f"{quiet:.1%} got no answer; answered: {answered}"
