"""Each normalisation step on its own, then the whole pipeline."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge import normalize as n


@pytest.mark.parametrize(
    ("step", "raw", "expected"),
    [
        (n.slack_links, "see <https://huggingface.co/Qwen|the HF org> now", "see  the HF org  now"),
        (n.slack_links, "<#C024BE7LR|ml-platform> folks", " ml-platform  folks"),
        (n.slack_links, "<https://qwenlm.github.io>", " https://qwenlm.github.io "),
        (n.slack_mentions, "<@U024BE7LH> who builds it <!here> <!subteam^S1|@ml>", "  who builds it    "),
        (n.html_entities, "R&amp;D &lt;3 &gt; x", "R&D <3 > x"),
        (n.quote_markers, "> quoted line\nreal question", " quoted line\nreal question"),
        (n.emoji_codes, "thanks :pray: :+1::skin-tone-2: ok", "thanks      ok"),
        (n.formatting_marks, "*bold* _it_ ~no~ `Qwen2.5-7B`", " bold   it   no   Qwen2.5-7B "),
        (n.url_noise, "https://www.alibabacloud.com/x", "  alibabacloud.com/x"),
        (n.unicode_form, "ＱＷＥＮ？ Straße", "qwen? strasse"),
        (n.whitespace, "  a \n\t b  ", "a b"),
    ],
)
def test_step(step: n.Step, raw: str, expected: str) -> None:
    """One step does exactly its one thing."""
    assert step(raw) == expected


def test_markup_is_removed_before_entities_are_decoded() -> None:
    """A user typing a literal '<@U1>' (sent as &lt;@U1&gt;) keeps those words; real markup goes."""
    assert n.normalize("<@U1> &lt;b&gt; sla") == "<b> sla"


def test_quoted_line_as_slack_sends_it() -> None:
    """Slack escapes the quote marker as &gt;; it is removed after decoding."""
    assert n.normalize("&gt; all data must stay in-region\nwhere does it live?") == (
        "all data must stay in-region where does it live?"
    )


def test_input_is_bounded() -> None:
    """A 40,000-character message is cut to max_chars."""
    assert len(n.normalize("sla " * 10_000, max_chars=1000)) <= 1000


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ 1\n\t<>&:*_~`|@#!/.wWhtps;é＃千\u00a0")), max_size=40) | st.text())
def test_skipping_the_markup_steps_changes_nothing(text: str) -> None:
    """Text with nothing for the markup steps to act on takes a shortcut that gives the same result."""
    full = text
    for step in n.STEPS:
        full = step(full)
    assert n.normalize(text, max_chars=10_000) == full


_SPACES = list(" \t\n\r\x0b\x0c\x1c\x1f\x85\u00a0\u2028\u3000\u200bax")  # ASCII, Unicode, and look-alikes


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(_SPACES), max_size=20) | st.text())
def test_white_space_is_what_a_regular_expression_calls_so(text: str) -> None:
    """Collapsing white space by splitting and joining is collapsing every run of ``\\s``."""
    assert n.whitespace(text) == re.sub(r"\s+", " ", text).strip()
