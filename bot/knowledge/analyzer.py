"""Split text into the terms the matcher compares.

A term is a stemmed English word ("licens", "fund"), a canonical alias
("huggingface"), or a pair of adjacent Chinese characters for Chinese text that
no alias covers (Chinese has no spaces, so character bigrams stand in for words).

The steps, in order: normalise (:mod:`bot.knowledge.normalize`); optionally
correct spelling (the caller passes a speller, since only the matcher knows the
FAQ's vocabulary); fold traditional Chinese onto simplified; replace alias
phrases ("hugging face", "通义千问") by their canonical form; drop stopwords;
stem what is not an alias's canonical form (a canonical form is already the
term: stemming it would fold "filings" onto "file").

A single letter or a short number glued to a word ("Qwen-X", "Qwen3") is kept
as a term of its own: it is what tells two products apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache

import snowballstemmer

from bot.knowledge.background import simplified_table
from bot.knowledge.lexicon import (
    CHAT_FILLER,
    CHINESE_QUESTION_WORDS,
    CHINESE_STOPWORDS,
    ENGLISH_STOPWORDS,
)
from bot.knowledge.normalize import normalize

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
STOPWORDS = ENGLISH_STOPWORDS | CHAT_FILLER
_CJK_RUN = re.compile(f"[{CJK}]+")
_PIECE = re.compile(f"([{CJK}]+)|([^\\W_{CJK}]+)")
_LETTERS_THEN_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)")
# a word, then one letter or a short number glued to it: "qwen-x", "qwen3", "qwen2.5"
_PRODUCT_SUFFIX = re.compile(r"(?<![^\W_])([^\W\d_]{2,})(?:-?(\d{1,2})|-([^\W\d_]))(?![^\W_])")
_GLUED = re.compile(r"[^\W\d_]{2,}\d{1,2}")
_ASCII_WORD = re.compile(r"[a-z]+")

_stemmer = snowballstemmer.stemmer("english")
_CACHE_LIMIT = 100_000


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Stem an English word; leave anything else (numbers, other scripts) as it is."""
    if _ASCII_WORD.fullmatch(word):
        return str(_stemmer.stemWord(word))
    return word


class Analyzer:
    """Turns text into terms, using a table of aliases (canonical form -> variants).

    Alias phrases are found by greedy longest match over the text's words (and,
    in Chinese, its characters) with plain dictionary lookups: a regular
    expression alternating hundreds of phrases would scan every position with
    every phrase.
    """

    def __init__(self, aliases: Mapping[str, Sequence[str]] | None = None, *, max_chars: int = 1000) -> None:
        self.max_chars = max_chars
        self._latin: dict[tuple[str, ...], tuple[str, ...]] = {}  # word sequence -> canonical words
        self._chinese: dict[str, tuple[str, ...]] = {phrase: (word,) for phrase, word in CHINESE_QUESTION_WORDS.items()}
        self._chinese.update(dict.fromkeys(CHINESE_STOPWORDS, ()))
        for canonical, variants in (aliases or {}).items():
            for variant in (canonical, *variants):
                self._add_alias(normalize(variant), tuple(canonical.split()))
        self._longest_latin = max((len(key) for key in self._latin), default=1)
        self._words: dict[str, tuple[tuple[str, str], ...]] = {}  # token -> its pairs, when no phrase starts there
        self._phrase_starts = frozenset(key[0] for key in self._latin if len(key) > 1)  # skip lookups that cannot match
        self._longest_chinese = max((len(key) for key in self._chinese), default=1)

    def _add_alias(self, variant: str, canonical: tuple[str, ...]) -> None:
        if _CJK_RUN.fullmatch(variant):
            self._chinese[variant] = canonical
        else:
            words = tuple(word for chinese, word in _PIECE.findall(variant) if word)
            if words and not _CJK_RUN.search(variant):
                self._latin[words] = canonical

    @property
    def alias_words(self) -> set[str]:
        """Every English word used in an alias, variant or canonical: spelling targets."""
        words = {word for key, value in self._latin.items() for word in (*key, *value)}
        return words | {word for value in self._chinese.values() for word in value}

    def terms(self, text: str, *, spell: Callable[[str], str] | None = None) -> list[str]:
        """All terms of ``text``, in order. ``spell`` corrects the normalised text first."""
        return [term for _, term in self.pairs(text, spell=spell)]

    def pairs(self, text: str, *, spell: Callable[[str], str] | None = None) -> list[tuple[str, str]]:
        """(word as written, term) for each term of ``text``; see :meth:`normalized_pairs`."""
        text = normalize(text, max_chars=self.max_chars)
        return self.normalized_pairs(spell(text) if spell is not None else text)

    def normalized_terms(self, text: str) -> list[str]:
        """All terms of text that :func:`~bot.knowledge.normalize.normalize` has already been through."""
        return [term for _, term in self.normalized_pairs(text)]

    def normalized_pairs(self, text: str) -> list[tuple[str, str]]:
        """(word as written, term) for each term of normalised text; an alias's word is its canonical form."""
        pairs: list[tuple[str, str]] = []
        latin: list[str] = []
        glued = {word + (number or letter): word for word, number, letter in _PRODUCT_SUFFIX.findall(text)}
        if glued:
            text = _PRODUCT_SUFFIX.sub(_glue_suffix, text)
        for chinese, word in _PIECE.findall(text):
            if word:
                latin.extend((word,) if word.isalpha() or _GLUED.fullmatch(word) else _LETTERS_THEN_DIGITS.split(word))
                continue
            pairs.extend(self._latin_words(latin, glued))
            latin = []
            pairs.extend((word, word) for word in self._chinese_words(chinese.translate(simplified_table())))
        pairs.extend(self._latin_words(latin, glued))
        return pairs

    def _latin_words(self, tokens: list[str], glued: dict[str, str]) -> Iterator[tuple[str, str]]:
        """Words of a run of Latin tokens: longest alias phrase first, then single words.

        A product with its letter or number ("qwen3", in ``glued``) is written as the
        bare name ("qwen"): the name is the word, the suffix only tells products apart.
        """
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in self._phrase_starts:
                phrase = self._phrase_at(tokens, i)
                if phrase:
                    length, canonical = phrase
                    yield from ((word, word) for word in canonical)
                    i += length
                    continue
            i += 1
            if token in glued:
                yield glued[token], token
                continue
            pairs = self._words.get(token)
            if pairs is None:
                if len(self._words) >= _CACHE_LIMIT:
                    self._words.clear()
                pairs = self._words[token] = self._word(token)
            yield from pairs

    def _phrase_at(self, tokens: list[str], i: int) -> tuple[int, tuple[str, ...]] | None:
        """The longest alias phrase of two or more words starting at ``tokens[i]``, and its length."""
        for length in range(min(self._longest_latin, len(tokens) - i), 1, -1):
            canonical = self._latin.get(tuple(tokens[i : i + length]))
            if canonical is not None:
                return length, canonical
        return None

    def _word(self, token: str) -> tuple[tuple[str, str], ...]:
        """The (word, term) pairs of one token on its own: an alias, a number, or a stemmed word."""
        canonical = self._latin.get((token,))
        if canonical is not None:
            return tuple((word, word) for word in canonical)
        if token.isdigit():
            return ((token, token),) if len(token) >= 3 else ()  # "600" (million downloads) yes; a lone "3" no
        if len(token) > 1 and token not in STOPWORDS:
            return ((token, stem(token)),)
        return ()

    def _chinese_words(self, run: str) -> Iterator[str]:
        """Aliases and question words of a Chinese run, then bigrams of what is left.

        Function words split what is left into pieces. A lone character left
        between them is dropped: alone it is mostly noise (用, 做, 来);
        meaningful single characters belong in the aliases.
        """
        leftover: list[str] = []
        i = 0
        while i < len(run):
            for length in range(min(self._longest_chinese, len(run) - i), 0, -1):
                canonical = self._chinese.get(run[i : i + length])
                if canonical is not None:
                    yield from _bigrams("".join(leftover))
                    leftover = []
                    yield from canonical
                    i += length
                    break
            else:
                leftover.append(run[i])
                i += 1
        yield from _bigrams("".join(leftover))


def _glue_suffix(match: re.Match[str]) -> str:
    """ "qwen-x" -> "qwen qwenx": the product's letter or number survives, glued to its name."""
    word, number, letter = match.groups()
    return f"{word} {word}{number or letter}"


def _bigrams(piece: str) -> Iterator[str]:
    for i in range(len(piece) - 1):
        yield piece[i : i + 2]
