"""Hostile text: 40,000-character messages (Slack's limit) through everything that reads a message.

Each input is built to make a careless regular expression backtrack: an opener
repeated without its closer, or a run of what a pattern repeats. The whole path
a message takes must stay linear, so each input is held to a bound far below
what a quadratic pattern needs on text this long (seconds).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.knowledge.matcher import Matcher
from bot.knowledge.normalize import normalize
from bot.knowledge.question import looks_like_question
from bot.mrkdwn import echo, mentions, plain, without_mentions

SLACK_MAX = 40_000
BOUND_S = 0.1  # on a shared two-core machine; linear code takes a few milliseconds


def repeated(piece: str) -> str:
    return (piece * (SLACK_MAX // len(piece) + 1))[:SLACK_MAX]


HOSTILE = {
    "mention openers": repeated("<@U1|"),
    "bot mention openers": repeated("<@UBOT|"),
    "mention without end": "<@U" + "A" * (SLACK_MAX - 3),
    "lone <": repeated("<"),
    "<@ runs": repeated("<@"),
    "link openers": repeated("<https://"),
    "labelled link openers": repeated("<https://x|"),
    "colons": repeated(":"),
    "emoji openers": repeated(":a"),
    "backticks": repeated("`"),
    "newlines": repeated("\n"),
    "blank lines with spaces": repeated(" \n"),
    "quote markers": repeated("\n&gt;"),
    "quotes": repeated('"'),
    "escaped <": repeated("&lt;"),
    "mark runs": repeated("*_~"),
    "marks and letters": repeated("*a"),
    "question marks": repeated("a? "),
    "sentences": repeated(". "),
    "distinct words": " ".join(f"zq{n}x" for n in range(SLACK_MAX // 7)),
    "token-like": repeated("xoxb-"),
}


def seconds(work: Callable[[], object]) -> float:
    """The best of three runs: a scheduling hiccup is not the code's cost, a quadratic pattern is in all three."""
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def whole_path(matcher: Matcher, text: str) -> None:
    """What a message goes through: Slack-side stripping, the question test, the matcher, the echo."""
    mentions(text, "UBOT")
    question = without_mentions(text)
    looks_like_question(text)
    normalize(text)
    matcher.match(question)
    echo(question, 200)
    plain(text)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_message_is_handled_in_linear_time(name: str, shipped_matcher: Matcher) -> None:
    """The whole path stays well under 100 ms for each hostile message."""
    whole_path(shipped_matcher, "warm up: who trains qwen?")
    took = seconds(lambda: whole_path(shipped_matcher, HOSTILE[name]))
    assert took < BOUND_S, f"{name}: {took * 1000:.0f} ms"


def test_mentions_are_stripped_and_found() -> None:
    """The linear patterns still do their job: both mention forms go, and the bot's own is recognised."""
    assert without_mentions("<@UBOT> who funds <@U2|ann> qwen?") == "who funds   qwen?"
    assert mentions("hi <@UBOT|qwen-bot>", "UBOT")
    assert not mentions("hi <@UBOTX>", "UBOT")
    assert not mentions("&lt;@UBOT&gt; typed", "UBOT")
