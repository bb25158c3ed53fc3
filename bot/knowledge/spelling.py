"""Correct misspelt English words onto a known vocabulary, with rapidfuzz.

Correction runs on normalised text *before* aliases are applied, so a typo
inside an alias phrase ("data procesing agreement") still finds the alias.
Only words of four or more letters are corrected. Without a dictionary of all
English, a real word the FAQ happens not to use ("feels", "prod") is easily
"corrected" into one it does ("fees", "pros"), so the rules are strict: a word
of four or five letters may only have two letters swapped ("qwne") or one
letter left out ("hostd"), and only if it is no word of English at all; six or
seven letters allow one edit ("modles", "reserch"); eight or more allow two
("comercial", "hugginface"). The first letter must match: people rarely mistype
it, and a real word that differs there ("stickers", "tickers") is a different
word. Distances are optimal string alignment, where a swap of neighbours counts
as one edit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from bot.knowledge.analyzer import stem
from bot.knowledge.background import RARE, zipf

_WORD = re.compile(r"(?<![^\W\d_])[a-z]{4,}(?![^\W\d_])")
_CACHE_LIMIT = 100_000


class Speller:
    """Knows a vocabulary; maps a word outside it to the closest word inside, if close."""

    def __init__(self, vocabulary: Iterable[str], *, stems: Iterable[str] | None = None) -> None:
        """``stems``: the vocabulary's stems, when known already (a stored index): stemming is most of the cost."""
        self._known = {word for word in vocabulary if word.isascii() and word.isalpha()}
        self._known_stems = {stem(word) for word in self._known} if stems is None else set(stems)
        self._choices: dict[str, list[str]] = defaultdict(list)  # by first letter: only those can be the correction
        for word in sorted(self._known):
            self._choices[word[0]].append(word)
        self._cache: dict[str, str] = {}

    @property
    def vocabulary(self) -> tuple[frozenset[str], frozenset[str]]:
        """The known words and their stems: what :meth:`__init__` needs to make this speller again."""
        return frozenset(self._known), frozenset(self._known_stems)

    def __call__(self, text: str) -> str:
        """``text`` with each unknown word replaced by its correction, if it has one."""
        unknown = set(_WORD.findall(text)) - self._known  # a known word is its own correction: most are
        corrections = {word: fixed for word in unknown if (fixed := self.correct(word)) != word}
        if not corrections:
            return text  # most messages: nothing to replace, and no replacement called for each word
        return _WORD.sub(lambda match: corrections.get(match.group(0), match.group(0)), text)

    def correct(self, word: str) -> str:
        """The known word closest to ``word``, or ``word`` itself."""
        if word in self._known or stem(word) in self._known_stems:
            return word
        corrected = self._cache.get(word)
        if corrected is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()  # listeners share this cache: read back nothing after this point
            corrected = self._cache[word] = self._closest(word)
        return corrected

    def extends_known(self, word: str) -> bool:
        """Does ``word`` begin with a known word of five letters or more ("finetuners": "finetune")?"""
        return any(word[:end] in self._known for end in range(5, len(word)))

    def _closest(self, word: str) -> str:
        if zipf(word) > RARE:
            return word  # a real English word the FAQ does not use ("feels", "prod") is not a typo
        from rapidfuzz import process  # only once a word needs correcting: a cold start on a clean question skips it
        from rapidfuzz.distance import OSA

        allowed = 2 if len(word) >= 8 else 1
        # people rarely mistype the first letter; "stickers" is not "tickers"
        found = process.extractOne(word, self._choices.get(word[0], ()), scorer=OSA.distance, score_cutoff=allowed)
        if found is None:
            return word
        candidate: str = found[0]
        # short words: only a swap of two letters, or a letter left out ("hostd", "studo"): one edit that adds a letter
        if len(word) < 6 and sorted(candidate) != sorted(word) and len(candidate) != len(word) + 1:
            return word
        return candidate
