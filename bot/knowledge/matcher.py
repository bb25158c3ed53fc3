"""Find the FAQ entry a question asks about, or decide that none does.

How a question is scored against an entry (0-100):

* Both are turned into terms by the :class:`~bot.knowledge.analyzer.Analyzer`,
  the question after its misspelt words have been corrected onto the FAQ's
  vocabulary with rapidfuzz (:class:`~bot.knowledge.spelling.Speller`).
* Each term weighs its inverse document frequency across entries, so "qwen" and
  "alibaba", which every entry mentions, weigh nothing, while "sla" or
  "moderation" decide. A word the FAQ never uses is evidence the question is
  about something else: it weighs ``unknown_word_weight``, much more when the
  message names none of the FAQ's topic words ("who makes claude?").
* *Question coverage*: the share of the question's weight that the entry
  explains (its phrasings and tags fully, its answer text partly).
* *Phrasing coverage*: the share of the best phrasing's weight that the question
  touches. This is what stops one shared word from making a match: "sla" alone
  covers little of "What rate limits and SLA does Model Studio have?".
* The score is ``100 * question_coverage ** a * phrasing_coverage ** b``
  (``coverage_exponent``, ``phrasing_exponent``: 1 and 0.5 as calibrated).
* A message of several sentences is also scored sentence by sentence for each
  sentence that asks something, and each entry keeps its best score.

:meth:`Matcher.rank` is the fast path (an inverted index, and bounds that stop
scoring candidates that can no longer reach the top); :meth:`Matcher.rank_all`
is the plain reference that scores every entry. Tests hold them to agree.
"""

from __future__ import annotations

import gc
import heapq
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import MatchSettings
from bot.knowledge.analyzer import CJK, STOPWORDS, Analyzer
from bot.knowledge.faq import Entry, Faq
from bot.knowledge.normalize import normalize
from bot.knowledge.spelling import Speller

_CHINESE = re.compile(f"[{CJK}]")
_ASCII_WORDS = re.compile(r"[a-z]+")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|(?<=[。？！])|\n+")
COMMON_POSTINGS = 500  # a term in more entries than this (or 5% of them) is "common" to the fast path
_Ranker = Callable[[dict[str, float], int], list[tuple[float, int]]]


@dataclass(frozen=True)
class Suggestion:
    """An entry and how well it matched, 0-100."""

    entry: Entry
    score: float


@dataclass(frozen=True)
class Answer:
    """A confident match."""

    entry: Entry
    score: float


@dataclass(frozen=True)
class DidYouMean:
    """A close call: the best few entries, none clearly right."""

    suggestions: tuple[Suggestion, ...]

    @property
    def score(self) -> float:
        return self.suggestions[0].score


@dataclass(frozen=True)
class NoMatch:
    """Nothing in the FAQ fits: chit-chat, thanks, or another topic."""

    score: float = 0.0


Match = Answer | DidYouMean | NoMatch


@dataclass(frozen=True)
class _Phrasing:
    terms: frozenset[str]
    weight: float  # total weight of its terms


class Matcher:
    """Matches questions against one loaded :class:`Faq`. Build once, query many times."""

    def __init__(self, faq: Faq, *, settings: MatchSettings | None = None) -> None:
        self.faq = faq
        self.settings = settings or MatchSettings()
        self.analyzer = Analyzer(faq.aliases, max_chars=self.settings.max_question_chars)
        self._topic = frozenset(term for word in faq.topic for term in self.analyzer.terms(word))
        gc.disable()  # building allocates many small objects that live on: collecting meanwhile is wasted work
        try:
            self._build()
        finally:
            gc.enable()

    # -- building ------------------------------------------------------------

    def _build(self) -> None:
        entry_credits: list[dict[str, float]] = []
        entry_phrasings: list[list[frozenset[str]]] = []
        vocabulary = set(STOPWORDS) | self.analyzer.alias_words

        def terms_of(text: str) -> list[str]:
            normalized = normalize(text, max_chars=len(text))
            vocabulary.update(_ASCII_WORDS.findall(normalized))  # what misspellings may be corrected to
            return self.analyzer.normalized_terms(normalized)

        for entry in self.faq.entries:
            phrasings = [frozenset(terms_of(text)) for text in entry.phrasings]
            credits = dict.fromkeys(terms_of(entry.answer), self.settings.answer_text_credit)
            for terms in (*phrasings, terms_of(" ".join(entry.tags))):
                credits.update(dict.fromkeys(terms, 1.0))
            entry_credits.append(credits)
            entry_phrasings.append(phrasings)
        self.speller = Speller(vocabulary)

        count = len(self.faq.entries)
        document_frequency: dict[str, int] = defaultdict(int)
        for credits in entry_credits:
            for term in credits:
                document_frequency[term] += 1
        self.weights = {term: self._idf(df, count) for term, df in document_frequency.items()}
        self._credits = entry_credits
        self._phrasings = [
            [_Phrasing(terms, sum(self.weights[t] for t in terms)) for terms in phrasings]
            for phrasings in entry_phrasings
        ]
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, credits in enumerate(entry_credits):
            for term, credit in credits.items():
                if self.weights[term]:
                    self._postings[term].append((index, credit))

    def _idf(self, df: int, count: int) -> float:
        weight = math.log(1 + (count - df + 0.5) / (df + 0.5))
        return weight if weight >= self.settings.min_term_weight else 0.0

    # -- querying ------------------------------------------------------------

    def match(self, question: str) -> Match:
        """Answer, suggest or abstain, by the thresholds in :class:`MatchSettings`."""
        ranked = self.rank(question, limit=max(2, self.settings.max_suggestions))
        return self.decide(ranked)

    def decide(self, ranked: list[Suggestion]) -> Match:
        """Turn a ranking (best first) into an outcome."""
        s = self.settings
        if not ranked or ranked[0].score < s.suggest_threshold:
            return NoMatch(ranked[0].score if ranked else 0.0)
        best = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        if best.score >= s.answer_threshold and best.score - runner_up >= s.answer_margin:
            return Answer(best.entry, best.score)
        close = tuple(r for r in ranked[: s.max_suggestions] if r.score >= s.suggest_threshold)
        return DidYouMean(close)

    def rank(self, question: str, *, limit: int = 3) -> list[Suggestion]:
        """The best ``limit`` entries, best first, using the index."""
        return self._rank(question, limit, self._rank_indexed)

    def rank_all(self, question: str, *, limit: int = 3) -> list[Suggestion]:
        """The reference ranking: every entry scored from scratch, no index, no bound."""
        return self._rank(question, limit, self._rank_every_entry)

    def _rank(self, question: str, limit: int, ranker: _Ranker) -> list[Suggestion]:
        """Rank the whole message and, in a message of several sentences, each question in it.

        A long message often holds its question in one sentence after some
        context; scoring that sentence alone keeps the context from diluting it.
        Each entry keeps its best score over the parts. Only the first
        ``max_question_chars`` characters are read: the rest of a pasted essay is ignored.
        """
        on_topic: bool | None = None
        best: dict[int, float] = {}
        for part in _parts(question[: self.settings.max_question_chars]):
            terms, part_on_topic = self.query_terms(part, on_topic=on_topic)
            on_topic = part_on_topic if on_topic is None else on_topic  # the whole message decides
            for score, index in ranker(terms, limit):
                best[index] = max(score, best.get(index, 0.0))
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
        return [Suggestion(self.faq.entries[index], score) for index, score in ranked if score > 0]

    def query_terms(self, text: str, *, on_topic: bool | None = None) -> tuple[dict[str, float], bool]:
        """The distinct terms of ``text`` with their weights, and whether it is on topic.

        A term the FAQ never uses weighs ``unknown_word_weight``, or the heavier
        ``unknown_word_weight_off_topic`` when the text names none of the FAQ's
        topic words: "who broke the build?" is not about Qwen, "who builds qwen?" is.
        Several unknown terms share that weight, damped (``unknown_words_damping``).
        An unknown Chinese bigram weighs only ``chinese_bigram_share`` of that: a run of
        n characters yields n-1 overlapping bigrams, most of them not words.
        """
        found = self.analyzer.terms(text, spell=self.speller)
        if on_topic is None:
            on_topic = not self._topic or not self._topic.isdisjoint(found)
        s = self.settings
        unknown = s.unknown_word_weight if on_topic else s.unknown_word_weight_off_topic
        strangers = {term for term in found if term not in self.weights}
        if strangers:  # one unknown word in a short question says a lot; ten in a long one are mostly context
            unknown /= len(strangers) ** s.unknown_words_damping
        terms: dict[str, float] = {}
        for term in found:
            weight = self.weights.get(term, unknown * s.chinese_bigram_share if _CHINESE.match(term) else unknown)
            if weight:
                terms[term] = weight
        return terms, on_topic

    def _rank_indexed(self, terms: dict[str, float], limit: int) -> list[tuple[float, int]]:
        """Rank from the posting lists of the question's rarer terms, then prove nothing was missed.

        Walking the posting list of a term found in half the FAQ costs more than
        everything else together, and such a term weighs little. So candidates
        come from the rarer terms only; the common terms' share is added per
        candidate. An entry holding none of the rarer terms could at best be
        covered by the common terms' weight; if even that cannot reach the
        ranking, the ranking is exact. Otherwise, every posting list is walked.
        """
        total = sum(terms.values())
        if not total:
            return []
        common_size = max(COMMON_POSTINGS, len(self._credits) // 20)
        rare = {t: w for t, w in terms.items() if len(self._postings.get(t, ())) <= common_size}
        common = {t: w for t, w in terms.items() if t not in rare}
        if rare and common:
            best = self._best(self._accumulate(rare, common), terms, total, limit)
            reach = 100 * (sum(common.values()) / total) ** self.settings.coverage_exponent
            if len(best) == limit and reach < best[-1][0]:
                return best
        return self._best(self._accumulate(terms, {}), terms, total, limit)

    def _accumulate(self, walked: dict[str, float], looked_up: dict[str, float]) -> dict[int, float]:
        """Covered weight per entry: ``walked`` terms through their postings, ``looked_up`` per candidate."""
        matched: dict[int, float] = defaultdict(float)
        for term, weight in walked.items():
            for index, credit in self._postings.get(term, ()):
                matched[index] += weight * credit
        for index in matched:
            credits = self._credits[index]
            matched[index] += sum(weight * credits.get(term, 0.0) for term, weight in looked_up.items())
        return matched

    def _best(
        self, matched: dict[int, float], terms: dict[str, float], total: float, limit: int
    ) -> list[tuple[float, int]]:
        """The top ``limit`` (score, index) pairs, scoring candidates in order of coverage until none can enter."""
        exponent = self.settings.coverage_exponent
        best: list[tuple[float, int]] = []
        candidates = [(-weight, index) for index, weight in matched.items()]
        heapq.heapify(candidates)  # best coverage first, popped only as far as needed (no full sort)
        while candidates:
            negative_weight, index = heapq.heappop(candidates)
            coverage = -negative_weight / total
            if len(best) >= limit and 100 * coverage**exponent <= best[-1][0]:
                break  # the phrasing coverage is at most 1: no later entry can enter the top
            best.append((self._score(index, terms, coverage), index))
            best.sort(key=lambda item: (-item[0], item[1]))
            del best[limit:]
        return best

    def _rank_every_entry(self, terms: dict[str, float], limit: int) -> list[tuple[float, int]]:
        total = sum(terms.values())
        if not total:
            return []
        scored = []
        for index, credits in enumerate(self._credits):
            coverage = sum(weight * credits.get(term, 0.0) for term, weight in terms.items()) / total
            scored.append((self._score(index, terms, coverage), index))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return scored[:limit]

    def _score(self, index: int, terms: dict[str, float], coverage: float) -> float:
        asked, weight_of = terms.keys(), terms.__getitem__
        phrasing_coverage = 0.0  # the best share of a phrasing's weight the question touches (the hot loop)
        for p in self._phrasings[index]:
            if p.weight and (shared := p.terms & asked):
                phrasing_coverage = max(phrasing_coverage, sum(map(weight_of, shared)) / p.weight)
        s = self.settings
        return float(100 * coverage**s.coverage_exponent * phrasing_coverage**s.phrasing_exponent)


def _parts(question: str) -> list[str]:
    """The whole question, then each of its sentences that asks something, if it has several."""
    sentences = [part for part in _SENTENCE_END.split(question) if part.strip()]
    if len(sentences) < 2:
        return [question]
    asking = [part for part in sentences if "?" in part or "？" in part] or sentences[-1:]
    return [question, *asking]
