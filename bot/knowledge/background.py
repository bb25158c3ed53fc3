"""How common a word is in the language at large, from the word lists ``wordfreq`` ships.

The matcher weighs a word by how much it tells entries apart *and* by how much
it says at all: "actual", "name" or "bill" are everyday English whether or not
the FAQ uses them, while "discord" or "stickers" are rare enough that a
question holding them is probably about something the FAQ does not cover.

Frequencies are read straight from wordfreq's compact lists (msgpack, bucketed
by centibels) rather than through ``wordfreq`` itself, whose import and lookup
machinery costs more than the whole cold start of ``python -m bot ask``. The
"small" lists hold every word down to a Zipf frequency of 3 (once per million
words); anything not in them is rarer than that.

wordfreq's Chinese list also gives the mapping that folds traditional
characters onto simplified ones, which the analyzer applies to Chinese text.
"""

from __future__ import annotations

import gzip
import importlib.util
from collections.abc import Iterable
from functools import cache, lru_cache
from itertools import chain
from pathlib import Path
from typing import cast

import msgpack

LONGEST_WORD = 30  # letters: no word of the lists is longer, so a longer one is no typo of one
RARE = 2.5  # the Zipf frequency assumed for a word missing from the lists (they stop at 3)


def _data_dir() -> Path:
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or spec.origin is None:
        raise RuntimeError("the wordfreq package is missing: pip install -r requirements.txt")
    return Path(spec.origin).parent / "data"


def _read(name: str) -> object:
    with gzip.open(_data_dir() / name, "rb") as file:
        return msgpack.load(file, raw=False, strict_map_key=False)


@cache
def _zipf_table(language: str) -> dict[str, float]:
    """Word -> Zipf frequency (log10 of uses per billion words) for "en" or "zh"."""
    buckets = cast(list[list[str]], _read(f"small_{language}.msgpack.gz"))
    table: dict[str, float] = {}
    for index, bucket in enumerate(buckets):
        if index:
            table.update(dict.fromkeys(bucket, 9.0 - index / 100))  # a bucket at a time: part of every cold start
    return table


def zipf(word: str, language: str = "en") -> float:
    """How common ``word`` is: about 7 for "the", 5 for "bill", 3 for "invoice"; :data:`RARE` if unlisted."""
    return _zipf_table(language).get(word, RARE)


def near_listed(word: str) -> bool:
    """Is ``word`` a typo of a listed English word, or two common words run together?

    A typo is one edit away: a letter dropped, added or changed, or two
    swapped. An unlisted word that is neither is no typo or compound of everyday
    English ("mothership"): it is a name ("ollama", "taobao"), however it is cased.
    """
    if len(word) > LONGEST_WORD:
        return False  # longer than any listed word, and its edits would cost the square of its length
    table = _zipf_table("en")
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    if any(min(table.get(a, 0), table.get(b, 0)) >= 4 for a, b in splits if len(a) >= 3 and len(b) >= 3):
        return True
    edits = chain(
        (a + b[1:] for a, b in splits if b),
        (a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1),
        (a + c + b[1:] for a, b in splits if b for c in letters),
        (a + c + b for a, b in splits for c in letters),
    )
    return any(edit in table for edit in edits if edit != word)


def listed_words(language: str) -> Iterable[str]:
    """Every word of the list for "en" or "zh"."""
    return _zipf_table(language).keys()


def simplified(text: str) -> str:
    """``text`` with traditional Chinese characters folded onto simplified ones (:func:`simplified_table`).

    ASCII text, most messages, holds none of them and is returned as it is: the check costs nothing, a
    translation through a table of thousands of characters does.
    """
    return text if text.isascii() else _translated(text)


@lru_cache(maxsize=32)
def _translated(text: str) -> str:
    """:func:`simplified` of text that is not ASCII, remembered for the last few: the checks of one message
    (thanks, statement, the detail asked) each fold it."""
    return text.translate(simplified_table())


@cache
def simplified_table() -> dict[int, str]:
    """A :meth:`str.translate` table from traditional Chinese characters to simplified ones."""
    return cast(dict[int, str], _read("_chinese_mapping.msgpack.gz"))
