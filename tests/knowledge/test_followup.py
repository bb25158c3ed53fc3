"""Thread follow-ups read against the entry the thread is about, on the shipped FAQ."""

from __future__ import annotations

import pytest

from bot.knowledge.followup import named_layer, resolve
from bot.knowledge.matcher import Answer, Matcher, NoMatch


@pytest.mark.parametrize(
    ("text", "layer"),
    [
        ("what about Hugging Face?", "hugging-face"),
        ("那阿里云呢？", "alibaba-cloud"),
        ("and for the hosted API?", "alibaba-cloud"),
        ("and the community fine-tunes?", "community"),
        ("and the parent company?", "alibaba-group"),
        ("what about pizza?", None),
    ],
)
def test_the_layer_a_follow_up_names(shipped_matcher: Matcher, text: str, layer: str | None) -> None:
    """By the words of a layer's name, in English or Chinese, else by the entries the words lead to."""
    assert named_layer(shipped_matcher, text) == layer


@pytest.mark.parametrize(
    ("thread", "text", "layer"),
    [
        ("licence", "and for the hosted API?", "alibaba-cloud"),
        ("model-studio-sla", "what about Hugging Face?", "hugging-face"),
        ("who-builds-qwen", "那阿里云呢？", "alibaba-cloud"),
        ("licence", "how about for the open weights?", "hugging-face"),
    ],
)
def test_a_follow_up_naming_a_layer_gets_an_entry_of_that_layer(
    shipped_matcher: Matcher, thread: str, text: str, layer: str
) -> None:
    """The answer is about the layer named, and is not the thread's own entry again when another fits."""
    outcome = resolve(shipped_matcher, shipped_matcher.faq.entry(thread), text)
    assert isinstance(outcome, Answer)
    assert outcome.entry.layer == layer


def test_a_full_question_in_a_thread_gets_its_own_answer(shipped_matcher: Matcher) -> None:
    """A follow-up that is a question of its own is answered as itself, whatever the thread is about."""
    outcome = resolve(shipped_matcher, shipped_matcher.faq.entry("licence"), "who funds qwen?")
    assert isinstance(outcome, Answer)
    assert outcome.entry.id == "funding"


@pytest.mark.parametrize("text", ["what about pizza?", "is it cheaper than gpt?", "anyone free for lunch?"])
def test_an_off_topic_follow_up_gets_no_answer(shipped_matcher: Matcher, text: str) -> None:
    """Less than a confident answer is no answer: the bot speaks unasked only when sure."""
    assert isinstance(resolve(shipped_matcher, shipped_matcher.faq.entry("licence"), text), NoMatch)
