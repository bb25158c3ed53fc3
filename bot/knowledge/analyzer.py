"""Split text into the terms the matcher compares.

A term is a stemmed English word ("licens", "fund"), a canonical alias
("huggingface"), or a Chinese word: Chinese has no spaces, so a run of Chinese
is split into aliases and the words of wordfreq's Chinese list by the likeliest
split (see :meth:`Analyzer._chinese_words`).

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

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache, lru_cache

import snowballstemmer

from bot.knowledge.background import RARE, listed_words, simplified_table, zipf
from bot.knowledge.lexicon import (
    CHAT_FILLER,
    CHINESE_QUESTION_WORDS,
    CHINESE_STOPWORDS,
    ENGLISH_STOPWORDS,
)
from bot.knowledge.normalize import WORD_RUN, normalize

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
STOPWORDS = ENGLISH_STOPWORDS | CHAT_FILLER
_CJK_RUN = re.compile(f"[{CJK}]+")
_PIECE = re.compile(f"([{CJK}]+)|([^\\W_{CJK}]+)")
_LETTERS_THEN_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)")
# a word, then one letter or a short number glued to it: "qwen-x", "qwen3", "qwen2.5"
_PRODUCT_SUFFIX = re.compile(r"(?<![^\W_])([^\W\d_]{2,})(?:-?(\d{1,2})|-([^\W\d_]))(?![^\W_])")
_DIGIT_OR_HYPHEN = re.compile(r"[\d-]")
_GLUED = re.compile(r"[^\W\d_]{2,}\d{1,2}")
_ASCII_WORD = re.compile(r"[a-z]+")

_stemmer = snowballstemmer.stemmer("english")
_CACHE_LIMIT = 100_000
_LONGEST_WORD = 4
_WORD_COST = 9.0  # per word of a Chinese split: fewer, commoner words win
_UNSEEN = math.nan  # a piece not scored yet (a score is a number or None)
ALIAS_ZIPF = 4.5  # an alias's frequency in a Chinese split, when the word list lacks it


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
        self._runs: dict[str, tuple[str, ...]] = {}  # a run of Chinese -> its words
        self._piece_scores: dict[str, float | None] = {}  # runs are many, the pieces they are split into few
        self._longest_ending: dict[str, int] | None = None  # character -> longest word ending in it, when needed
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
        numbered = _DIGIT_OR_HYPHEN.search(text) is not None
        if not numbered and text.isascii():  # most messages: English words, each a token of letters
            self._latin_words(WORD_RUN.findall(text), {}, pairs)  # _PIECE's Latin tokens
            return pairs
        latin: list[str] = []
        glued = {}  # a product's number or letter needs a digit or a hyphen, which most text lacks
        if numbered:
            glued = {word + (number or letter): word for word, number, letter in _PRODUCT_SUFFIX.findall(text)}
        if glued:
            text = _PRODUCT_SUFFIX.sub(_glue_suffix, text)
        for chinese, word in _PIECE.findall(text):
            if word:
                if word.isalpha() or _GLUED.fullmatch(word):
                    latin.append(word)
                else:
                    latin.extend(_LETTERS_THEN_DIGITS.split(word))
                continue
            if latin:
                self._latin_words(latin, glued, pairs)
                latin = []
            pairs.extend((word, word) for word in self._chinese_run(chinese.translate(simplified_table())))
        if latin:
            self._latin_words(latin, glued, pairs)
        return pairs

    def _latin_words(self, tokens: list[str], glued: dict[str, str], pairs: list[tuple[str, str]]) -> None:
        """Add to ``pairs`` the words of a run of Latin tokens: longest alias phrase first, then single words.

        A product with its letter or number ("qwen3", in ``glued``) is written as the
        bare name ("qwen"): the name is the word, the suffix only tells products apart.
        """
        i = 0
        count = len(tokens)
        words = self._words
        while i < count:
            token = tokens[i]
            if token in self._phrase_starts:
                phrase = self._phrase_at(tokens, i)
                if phrase:
                    length, canonical = phrase
                    pairs.extend((word, word) for word in canonical)
                    i += length
                    continue
            i += 1
            if token in glued:
                pairs.append((glued[token], token))
                continue
            found = words.get(token)
            if found is None:
                if len(words) >= _CACHE_LIMIT:
                    words.clear()
                found = words[token] = self._word(token)
            pairs.extend(found)

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

    def _chinese_run(self, run: str) -> tuple[str, ...]:
        """:meth:`_chinese_words` of ``run``, remembered: FAQ phrasings and questions repeat their Chinese."""
        words = self._runs.get(run)
        if words is None:
            if len(self._runs) >= _CACHE_LIMIT:
                self._runs.clear()
            words = self._runs[run] = tuple(self._chinese_words(run))
        return words

    def _chinese_words(self, run: str) -> Iterator[str]:
        """The words of a Chinese run: aliases, question words and the language's words, by the likeliest split.

        Chinese has no spaces, so the run is split where a unigram model of the
        language would split it: each piece scores its Zipf frequency less a
        fixed cost, so fewer, commoner words win. The pieces may be words of
        wordfreq's Chinese list or entries of the alias table (an alias the list
        lacks counts as a fairly common word), so 机器人 (robot) stays one word
        rather than 机器 (machine, an alias) and a stray 人. Linear: at each
        position only pieces up to the longest alias or four characters are tried.

        An alias yields its canonical form, a function word nothing, a word of
        the list itself. Characters the split leaves alone are kept together
        when several follow each other (a name the list lacks, such as 文心一言),
        and dropped when alone: alone they are mostly noise (用, 做, 来);
        meaningful single characters belong in the aliases.
        """
        n = len(run)
        best = [0.0] + [-math.inf] * n
        start = [0] * (n + 1)
        longest = self._longest_ending or self._longest_endings()
        scores = self._piece_scores
        if len(scores) >= _CACHE_LIMIT:
            scores.clear()
        for end in range(1, n + 1):
            for begin in range(max(0, end - longest.get(run[end - 1], _LONGEST_WORD)), end):
                piece = run[begin:end]
                score = scores.get(piece, _UNSEEN)
                if score is _UNSEEN:
                    score = scores[piece] = self._piece_score(piece)
                if score is not None and best[begin] + score > best[end]:
                    best[end], start[end] = best[begin] + score, begin
        pieces = []
        end = n
        while end > 0:
            pieces.append(run[start[end] : end])
            end = start[end]
        lone = ""  # consecutive lone characters: a name the list lacks (文心一言), or noise if just one
        for piece in reversed(pieces):
            if len(piece) == 1 and piece not in self._chinese:
                lone += piece
                continue
            if len(lone) > 1:
                yield lone
            lone = ""
            canonical = self._chinese.get(piece)
            yield from canonical if canonical is not None else (piece,)
        if len(lone) > 1:
            yield lone

    def _longest_endings(self) -> dict[str, int]:
        """Character -> the longest alias or listed word ending in it, where longer than four characters
        (and at most the longest alias): no longer piece ending there can be a word, so the split never tries one."""
        longest = max(self._longest_chinese, _LONGEST_WORD)
        endings = {char: min(length, longest) for char, length in _long_listed_endings().items()}
        for phrase in self._chinese:
            if len(phrase) > endings.get(phrase[-1], _LONGEST_WORD):
                endings[phrase[-1]] = len(phrase)
        self._longest_ending = endings
        return endings

    def _piece_score(self, piece: str) -> float | None:
        """How likely ``piece`` is as one word of a split (higher is likelier), or ``None`` if it is no word."""
        frequency = zipf(piece, "zh")
        if piece in self._chinese:
            frequency = max(frequency, ALIAS_ZIPF)
        elif frequency <= RARE:
            if len(piece) > 1:
                return None
            frequency = RARE - 1  # a character the list lacks stands alone
        return frequency - _WORD_COST


@cache
def _long_listed_endings() -> dict[str, int]:
    """Character -> the longest word of wordfreq's Chinese list ending in it, where longer than four characters."""
    long_words = sorted((word for word in listed_words("zh") if len(word) > _LONGEST_WORD), key=len)
    return {word[-1]: len(word) for word in long_words}


def _glue_suffix(match: re.Match[str]) -> str:
    """ "qwen-x" -> "qwen qwenx": the product's letter or number survives, glued to its name."""
    word, number, letter = match.groups()
    return f"{word} {word}{number or letter}"
