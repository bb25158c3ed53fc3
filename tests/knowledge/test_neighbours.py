"""Neighbouring entries told apart: a question about the hosted version's lag is not a question about the latest Qwen.

Both entries speak of "the newest Qwen"; what separates them is the hosted side. Phrasings written for each, by a
writer shown only the two entries' answers, carry that difference (bench/question_sets/README.md, sixteenth round).
"""

from __future__ import annotations

import pytest

from bot.knowledge.matcher import Answer, Matcher


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("is hosted qwen always on the newest release?", "hosted-version-lag"),
        ("model studio always running the latest qwen?", "hosted-version-lag"),
        ("does our alibaba cloud endpoint run the newest qwen as soon as it is open-sourced?", "hosted-version-lag"),
        ("which qwen generation is newest right now?", "latest-qwen"),
        ("what is the latest qwen release?", "latest-qwen"),
    ],
)
def test_the_hosted_lag_and_the_latest_qwen_are_told_apart(shipped_matcher: Matcher, question: str, entry: str) -> None:
    outcome = shipped_matcher.match(question)
    assert isinstance(outcome, Answer), outcome
    assert outcome.entry.id == entry


def test_no_phrasing_of_the_latest_qwen_asks_about_the_hosted_side(shipped_matcher: Matcher) -> None:
    """A phrasing that asks both questions pulls the lag's questions to the wrong entry."""
    latest = next(entry for entry in shipped_matcher.faq.entries if entry.id == "latest-qwen")
    hosted_words = ("hosted", "model studio", "alibaba cloud", "托管", "阿里云", "api")
    assert not [phrasing for phrasing in latest.phrasings if any(word in phrasing.lower() for word in hosted_words)]
