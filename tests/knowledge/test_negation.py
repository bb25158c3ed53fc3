"""What a message says it wants to avoid weighs little: it is not what the message asks about."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import MatchSettings
from bot.knowledge import negation
from bot.knowledge.matcher import Matcher
from bot.knowledge.negation import avoided_spans, may_avoid, without_avoided
from bot.knowledge.normalize import normalize


@pytest.mark.parametrize(
    ("message", "span"),
    [
        ("if we don't want to manage servers, what's hosted?", "manage servers"),
        ("we’d rather not host it ourselves — options?", "host it ourselves "),
        ("could we use the api instead of our own cluster?", "our own cluster"),
        ("不想自己部署的话，有托管的吗？", "自己部署"),
        ("we don't want to run our own gpus - what's hosted?", "run our own gpus"),  # a dash typed as " - "
        ("id rather not self-host it, options?", "self-host it"),
    ],
)
def test_the_span_to_avoid_runs_to_the_end_of_its_clause(message: str, span: str) -> None:
    assert avoided_spans(normalize(message)) == [span]


def test_a_plain_negation_is_not_something_to_avoid() -> None:
    """ "Customers who don't write in English" still asks about English."""
    text = normalize("will it work for customers who don't write in english?")
    assert avoided_spans(text) == []
    assert without_avoided(text) == text


def test_what_is_avoided_does_not_pull_the_ranking_its_way(shipped_matcher: Matcher) -> None:
    question = "if we do not want to self-host, which alibaba product serves qwen?"
    literal = Matcher(shipped_matcher.faq, settings=MatchSettings(avoided_weight=1.0))
    assert "self-hosting" in [s.entry.id for s in literal.rank(question, limit=2)]
    assert "self-hosting" not in [s.entry.id for s in shipped_matcher.rank(question, limit=2)]


_FRAGMENTS = ["DON'T", "don't", "dont", "do not", "n't", "not", " ", "WANT", "want", "wish", "plan", "intend", "like"]
_FRAGMENTS += ["rather", "Rather", "instead", "of", "than", " to", "x", "?", "’", "不想", "而不是"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=8).map("".join) | st.text())
def test_the_first_look_for_cues_misses_none(text: str) -> None:
    """Skipping ASCII text that holds none of the cue words skips only text the cues do not match."""
    assert may_avoid(text) == (negation._CUE.search(text) is not None)
