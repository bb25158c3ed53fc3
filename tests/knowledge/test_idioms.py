"""Everyday and idiomatic names for the FAQ's concepts (faq/aliases.yaml) meet the entries that use the plain word."""

from __future__ import annotations

import pytest

from bot.knowledge.analyzer import Analyzer
from bot.knowledge.matcher import Answer, Matcher


@pytest.mark.parametrize(
    ("idioms", "term"),
    [
        (["handing out", "give away", "gratis", "at no cost", "白送", "免费"], "free"),
        (["beefiest", "heaviest", "顶配"], "largest"),
        (["tiniest", "littlest"], "smallest"),
        (["uptake", "catching on", "火不火", "受欢迎"], "popular"),
        (["writes the checks", "financial backers", "出资", "掏钱"], "fund"),
    ],
)
def test_idioms_meet_on_the_canonical_form(shipped_matcher: Matcher, idioms: list[str], term: str) -> None:
    """Each idiom, multi-word or Chinese, is one term: the canonical form the FAQ's phrasings also reduce to."""
    analyzer = Analyzer(shipped_matcher.faq.aliases)
    assert {idiom: analyzer.terms(idiom) for idiom in idioms} == {idiom: [term] for idiom in idioms}


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("what's the beefiest qwen you can get", "largest-model"),
        ("what's the tiniest qwen they make", "parameter-range"),
        ("is qwen gratis", "open-models"),
        ("how much uptake does qwen have among developers?", "adoption"),
        ("qwen 在国内受欢迎吗？", "adoption"),
        ("does alibaba write the checks for tongyi?", "funding"),
        ("does qwen do tts?", "modalities"),
        ("is the qwen api uncensored", "content-moderation"),
        ("千问接口会被和谐吗", "content-moderation"),
        ("how many nines does model studio promise for qwen", "model-studio-sla"),
    ],
)
def test_a_question_in_everyday_words_is_answered(shipped_matcher: Matcher, question: str, entry_id: str) -> None:
    """The question shares no plain word with its entry's phrasings; its idiom is what finds the entry."""
    outcome = shipped_matcher.match(question)
    assert isinstance(outcome, Answer)
    assert outcome.entry.id == entry_id


@pytest.mark.parametrize(
    "chatter",
    [
        "which is the beefiest laptop we have?",
        "who writes the checks for the offsite?",
        "can you hand out the badges at the door?",
        "is the coffee machine free for everyone?",
        "that meme is really catching on, right?",
        "what's the tiniest room we can book?",
    ],
)
def test_the_same_idioms_in_chatter_get_no_answer(shipped_matcher: Matcher, chatter: str) -> None:
    """An idiom alone, in a message about something else, does not make it a question about Qwen."""
    assert not isinstance(shipped_matcher.match(chatter), Answer)
