"""Spelling correction onto the FAQ's vocabulary."""

from __future__ import annotations

import pytest

from bot.knowledge.spelling import Speller

speller = Speller(
    [
        *("license", "hugging", "commercial", "models", "research", "fees", "lags", "qwen", "moderated", "tickers"),
        *("hosted", "studio", "group"),
    ]
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("licnese", "license"),  # a swap
        ("comercial", "commercial"),  # a missing letter in a long word
        ("huging", "hugging"),
        ("modles", "models"),
        ("reserch", "research"),
        ("qwne", "qwen"),  # a short word: only a swap of two letters
        ("moderatd", "moderated"),
        ("hostd", "hosted"),  # a short word with a letter left out
        ("studo", "studio"),
    ],
)
def test_typos_are_corrected(typed: str, meant: str) -> None:
    """Realistic typos find the word that was meant."""
    assert speller.correct(typed) == meant


@pytest.mark.parametrize(
    "word",
    [
        *("feels", "langs", "prod", "sla", "licenses", "pizza", "stickers"),
        "osted",  # a first letter left out: people rarely mistype it
        "groq",  # a name one letter off a known word, not one left out of it
    ],
)
def test_real_words_are_not_corrected(word: str) -> None:
    """A short real word one letter off an FAQ word stays itself ('feels' is not 'fees')."""
    assert speller.correct(word) == word


def test_text_is_corrected_word_by_word() -> None:
    """The speller corrects running text and leaves other scripts alone."""
    assert speller("the licnese of 千问 qwne") == "the license of 千问 qwen"


@pytest.mark.parametrize(("word", "extends"), [("researchers", True), ("commercialise", True), ("qwenlm", False)])
def test_a_word_that_begins_with_a_known_word_of_five_letters_extends_it(word: str, extends: bool) -> None:
    """'researchers' is the FAQ's 'research' with an ending, not a name; 'qwen' is too short to say so of 'qwenlm'."""
    assert speller.extends_known(word) is extends
