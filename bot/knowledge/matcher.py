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
* The ``rerank_depth`` best entries (five) are then rescored: ``ngram_share`` of the
  score is their character n-gram similarity to the message
  (:mod:`bot.knowledge.ngrams`), which meets typos, inflections and Chinese
  split another way where whole terms do not.

:meth:`Matcher.rank` is the fast path (an inverted index, and bounds that stop
scoring candidates that can no longer reach the top; on an FAQ of
``ARRAY_MIN_ENTRIES`` or more, and in the server (``arrays=True``), numpy arrays
that score every entry at once);
:meth:`Matcher.rank_all` is the plain reference that scores every entry. Tests
hold them to agree.
"""

from __future__ import annotations

import gc
import heapq
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from operator import truediv
from typing import TYPE_CHECKING, Any

from bot.config import MatchSettings
from bot.knowledge.analyzer import CJK, STOPWORDS, Analyzer
from bot.knowledge.background import RARE, near_listed, zipf
from bot.knowledge.detail import Detail, asked_detail, asked_language, figure_sentences, holds
from bot.knowledge.faq import Entry, Faq
from bot.knowledge.index_store import IndexStore, state_key
from bot.knowledge.negation import avoided_spans, may_avoid, without_avoided
from bot.knowledge.ngrams import NgramIndex
from bot.knowledge.normalize import normalize
from bot.knowledge.question import looks_like_thanks, reads_as_statement, speaks_of_it, thanks_words
from bot.knowledge.spelling import Speller

if TYPE_CHECKING:
    from bot.knowledge.arrays import ArrayIndex

log = logging.getLogger(__name__)
_CHINESE = re.compile(f"[{CJK}]")
_ASCII_WORDS = re.compile(r"[a-z]+")
# a capitalised word not opening a sentence ("DingTalk", "Hangzhou"), or an acronym ("GDPR", "MMLU")
_NAME = re.compile(r"(?<![.?!\n]\s)(?<=[\w,/]\s)[A-Z][a-z]*[A-Z]?[a-z]+\b|\b[A-Z]{3,}\b")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|(?<=[。？！])|\n+")
SPECIFIC_NAME_ENTRIES = 2  # a name the FAQ uses in at most this many entries (or 2% of them) is a specific one
COMMON_POSTINGS = 500  # a term in more entries than this (or 5% of them) is "common" to the fast path...
COMMON_REACH = 0.3  # ...and left unwalked while the common terms weigh at most this share of the question
ARRAY_MIN_ENTRIES = 1000  # an FAQ this large is ranked with numpy arrays (bot.knowledge.arrays)
_CACHE_LIMIT = 100_000  # words whose rarity is remembered before the memory is cleared
_RECENT_TEXTS = 64  # texts whose analysis is remembered (see Matcher._pairs)
ARRAY_MARGIN = 1e-9  # scores within this share of the last place are recomputed in plain Python before ranking
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


@dataclass(frozen=True)
class NotCovered:
    """A question about Qwen or Alibaba that no entry answers: say so, and offer the nearest entries."""

    suggestions: tuple[Suggestion, ...]

    @property
    def score(self) -> float:
        return self.suggestions[0].score if self.suggestions else 0.0


Match = Answer | DidYouMean | NotCovered | NoMatch


@dataclass(frozen=True)
class _Asked:
    """What a question asks that an entry must state to answer it (see :meth:`Matcher._asked`)."""

    language: str | None  # a language other than English and Chinese it asks Qwen's ability in
    details: frozenset[Detail]  # the details its sentences ask, when every one asks one
    terms: frozenset[str]  # what it is about, less the FAQ's subject


@dataclass(frozen=True)
class _Phrasings:
    """An entry's phrasings, indexed for scoring: which phrasings hold each term, and what each weighs."""

    holding: dict[str, tuple[int, ...]]  # term -> positions of the phrasings that hold it
    norms: tuple[float, ...]  # each phrasing's weight, at least the evidence floor


class Matcher:
    """Matches questions against one loaded :class:`Faq`. Build once, query many times."""

    def __init__(
        self, faq: Faq, *, settings: MatchSettings | None = None, store: IndexStore | None = None, arrays: bool = False
    ) -> None:
        """``store``: where the built state of each FAQ version is kept, to load it rather than build it again.

        ``arrays``: match with numpy (:mod:`bot.knowledge.arrays`) whatever the FAQ's size, as a large FAQ always
        is. It costs the import of numpy, which would double a one-question cold start (``python -m bot ask``),
        and pays from a few dozen questions on: a server passes True.
        """
        self.faq = faq
        self.settings = settings or MatchSettings()
        self.analyzer = Analyzer(faq.aliases, max_chars=self.settings.max_question_chars)
        self._topic = frozenset(term for word in faq.topic for term in self.analyzer.terms(word))
        self._alias_words = frozenset(self.analyzer.alias_words)
        large = len(faq.entries) >= ARRAY_MIN_ENTRIES
        self._with_arrays = large or arrays
        gc.disable()  # building allocates many small objects that live on: collecting meanwhile is wasted work
        try:
            if store is None:
                self._build()
                return
            key = state_key(faq, self.settings)
            stored = store.load(key, arrays=large)
            if stored is None or not self._restore(*stored):
                state, saved_arrays = self._build()
                store.save(key, state, saved_arrays)
        finally:
            gc.enable()

    # -- building ------------------------------------------------------------

    def _build(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Analyse the FAQ; what is returned is what a store keeps of it (:meth:`_restore` takes it back):
        the state, and on a large FAQ its numpy arrays."""
        entry_credits: list[dict[str, float]] = []
        entry_phrasings: list[list[frozenset[str]]] = []
        vocabulary = set(STOPWORDS) | self.analyzer.alias_words

        normalized_phrasings = [
            [normalize(text, max_chars=len(text)) for text in e.phrasings] for e in self.faq.entries
        ]
        normalized_rest = [
            tuple(normalize(text, max_chars=len(text)) for text in (entry.answer, " ".join(entry.tags)))
            for entry in self.faq.entries
        ]
        # what misspellings may be corrected to (one scan: a space ends a word as the end of a text does)
        vocabulary.update(
            _ASCII_WORDS.findall(" ".join(chain.from_iterable((*normalized_phrasings, *normalized_rest))))
        )
        known = self._without_typos(vocabulary)
        self.speller = Speller(known)
        typos = vocabulary - known

        def corrected(text: str) -> str:
            return self.speller(text) if typos and not typos.isdisjoint(_ASCII_WORDS.findall(text)) else text

        # the phrasings as scored, kept to index an entry's phrasings when it is first scored:
        # a phrasing written misspelt on purpose ("downlod") teaches the speller, not a term of its own
        self._normalized = [[corrected(text) for text in texts] for texts in normalized_phrasings]
        for texts, (answer, tags) in zip(self._normalized, normalized_rest, strict=True):
            phrasings = [frozenset(self.analyzer.normalized_terms(text)) for text in texts]
            credits = dict.fromkeys(self.analyzer.normalized_terms(answer), self.settings.answer_text_credit)
            for terms in (*phrasings, self.analyzer.normalized_terms(tags)):
                credits.update(dict.fromkeys(terms, 1.0))
            entry_credits.append(credits)
            entry_phrasings.append(phrasings)
        # an FAQ with an entry for thanks (a shop's chatbot) may answer them; this one has none
        self._answers_thanks = any(
            looks_like_thanks(text)
            for entry, normalized in zip(self.faq.entries, normalized_phrasings, strict=True)
            for text, cleaned in zip(entry.phrasings, normalized, strict=True)
            if len(text) > 1000 or thanks_words(cleaned)
        )
        self._ngrams = NgramIndex(
            normalized_phrasings,
            max_chars=self.settings.max_question_chars,
            arrays=self._with_arrays,
        )

        count = len(self.faq.entries)
        document_frequency = Counter(chain.from_iterable(entry_credits))
        self.weights = {term: self._idf(df, count) for term, df in document_frequency.items()}
        # one rare word's worth: capped by what a word in one entry can weigh, which a small FAQ keeps low
        self.min_evidence = min(self.settings.min_evidence, self._idf(1, count) / 2)
        self._credits = entry_credits
        self._norms = [self._phrasing_norms(phrasings) for phrasings in entry_phrasings]
        state = {
            "speller": self.speller.vocabulary,
            "normalized": self._normalized,
            "ngram_texts": normalized_phrasings,
            "ngram_idf": self._ngrams.idf,
            "answers_thanks": self._answers_thanks,
            "weights": self.weights,
            "min_evidence": self.min_evidence,
            "credits": entry_credits,
            "norms": self._norms,
            "phrasings": entry_phrasings,
        }
        self._index(entry_phrasings)
        if self._arrays is None or count < ARRAY_MIN_ENTRIES:  # a small FAQ's arrays are made from its phrasings
            return state, None
        state["array_terms"], arrays = self._arrays.saved()
        state["phrasings"] = None  # the arrays hold them
        return state, arrays

    def _restore(self, state: dict[str, Any], arrays: dict[str, Any]) -> bool:
        """Take the built state from a store (see :mod:`bot.knowledge.index_store`); False if it does not fit.

        The file is trusted no further than its types: each part is checked
        for its kind and its length against the FAQ, and anything that fails
        while indexing it means the matcher is built instead.
        """
        count = len(self.faq.entries)
        try:
            known, stems = state["speller"]
            normalized, texts = state["normalized"], state["ngram_texts"]
            credits, norms, phrasings = state["credits"], state["norms"], state["phrasings"]
            weights, idf, min_evidence = state["weights"], state["ngram_idf"], state["min_evidence"]
            fits = (
                all(isinstance(part, list) and len(part) == count for part in (normalized, texts, credits, norms))
                and all(isinstance(part, dict) for part in (weights, idf, *credits))
                and isinstance(min_evidence, float)
                and isinstance(state["answers_thanks"], bool)
                and (isinstance(phrasings, list) and len(phrasings) == count) != (count >= ARRAY_MIN_ENTRIES)
            )
            if not fits:
                return False
            restored = None
            if phrasings is None:
                from bot.knowledge.arrays import ArrayIndex

                restored = ArrayIndex.restored(state["array_terms"], arrays, count)
            self.speller = Speller(known, stems=stems)
            self._normalized, self._answers_thanks = normalized, state["answers_thanks"]
            self._ngrams = NgramIndex(
                texts, max_chars=self.settings.max_question_chars, arrays=self._with_arrays, idf=idf
            )
            self.weights, self.min_evidence, self._credits, self._norms = weights, min_evidence, credits, norms
            self._index(phrasings, restored)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
            log.debug("stored matcher index does not fit this FAQ (%s): building", type(error).__name__)
            return False
        return True

    def _index(self, phrasings: list[list[frozenset[str]]] | None, arrays: ArrayIndex | None = None) -> None:
        """The lookup structures over the built weights and each entry's phrasings' terms: postings, or numpy arrays
        (``arrays`` when restored; on a large FAQ the phrasings' terms are not kept: see :meth:`_phrasings_of`)."""
        self._position = {entry.id: index for index, entry in enumerate(self.faq.entries)}
        self._vouched: dict[int, list[tuple[str, frozenset[str]]]] = {}  # see _vouching_phrasings
        self._stated: dict[int, tuple[frozenset[str], frozenset[str]]] = {}  # see _answer_terms, _figure_terms
        self._analysed: dict[str, tuple[tuple[str, str], ...]] = {}  # see _pairs
        self._spelled: dict[str, str] = {}  # see _pairs
        self._rarities: dict[str, float] = {}  # see _rarity
        self._phrasings: dict[int, _Phrasings] = {}  # built on first use: see _phrasings_of
        self._arrays: ArrayIndex | None = arrays
        self._lightest: list[float] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._terms: list[list[frozenset[str]]] | None = None
        if len(self._credits) < ARRAY_MIN_ENTRIES:
            if phrasings is None:
                raise ValueError("a small FAQ's index needs its phrasings' terms")
            self._terms = phrasings
        if self._with_arrays:
            if arrays is None:
                from bot.knowledge.arrays import ArrayIndex  # numpy: a cold start on a small FAQ does not import it

                self._arrays = ArrayIndex(self._credits, phrasings or [], [n for norms in self._norms for n in norms])
            return
        self._lightest = [min(norms, default=math.inf) for norms in self._norms]  # bounds phrasing coverage
        for index, credits in enumerate(self._credits):
            for term, credit in credits.items():
                if self.weights[term]:
                    self._postings[term].append((index, credit))

    def _without_typos(self, vocabulary: set[str]) -> set[str]:
        """The FAQ's words less its misspellings: a word of no word list that the speller would correct.

        Curators write misspelt phrasings ("where do i downlod the weigths") so
        that people's typos find their entry; as terms of their own they would
        be rare, heavy words of that one entry, and the speller would leave
        people's "downlod" alone rather than correct it to "download".
        """
        real = {word for word in vocabulary if zipf(word) > RARE} | set(STOPWORDS) | self.analyzer.alias_words
        checker = Speller(real)
        return {word for word in vocabulary if word in real or checker.correct(word) == word}

    def _phrasing_norms(self, phrasings: list[frozenset[str]]) -> tuple[float, ...]:
        weight = self.weights.__getitem__
        return tuple(max(sum(map(weight, terms)), self.min_evidence) for terms in phrasings)

    def _phrasings_of(self, index: int) -> _Phrasings:
        """Entry ``index``'s phrasings indexed for scoring, built the first time it is scored.

        Most entries of a large FAQ never are, so their phrasings are analysed
        again here rather than kept from the build; a small FAQ keeps them.
        """
        found = self._phrasings.get(index)
        if found is None:
            holding: dict[str, list[int]] = defaultdict(list)
            if self._terms is not None:
                terms = self._terms[index]
            else:
                terms = [frozenset(self.analyzer.normalized_terms(text)) for text in self._normalized[index]]
            for position, phrasing in enumerate(terms):
                for term in phrasing:
                    holding[term].append(position)
            found = _Phrasings({term: tuple(positions) for term, positions in holding.items()}, self._norms[index])
            self._phrasings[index] = found
        return found

    def _idf(self, df: int, count: int) -> float:
        weight = math.log(1 + (count - df + 0.5) / (df + 0.5))
        return weight if weight >= self.settings.min_term_weight else 0.0

    # -- querying ------------------------------------------------------------

    def match(self, question: str) -> Match:
        """Answer, suggest, say the sources do not cover it, or abstain, by :class:`MatchSettings`.

        Thanks get no entry, whatever topic words they carry (unless the FAQ
        has an entry whose phrasings are thanks). A question that
        names the FAQ's subject ("qwen", "alibaba") and gets no answer is *not
        covered*, not ignored: when nothing comes close, or when it holds a rare
        word the FAQ never uses ("who is alibaba's ceo?"), the bot says its
        sources do not cover it rather than offer a near miss as a close call.
        One that speaks of its subject only as "it" or "they" is asked of the
        FAQ's subject too, and takes the same bar for an answer.
        """
        if self._asks_nothing(question):
            return NoMatch()
        ranked, terms, on_topic = self._rank(question, max(2, self.settings.max_suggestions), self._ranker())
        outcome = self.decide(ranked, on_topic=on_topic or self._speaks_of_the_topic(question, terms))
        if not on_topic or not self._topic:
            return self._asked_of_another(question, terms, ranked, outcome)
        if not self._offers_detail(question, outcome):
            return NotCovered(tuple(ranked[: self.settings.max_suggestions]))
        best = self._position[ranked[0].entry.id] if ranked else None
        if isinstance(outcome, Answer) and self._is_sure(question, terms, outcome.score, best):
            return outcome
        if isinstance(outcome, NoMatch) or self._has_unexplained_word(question, terms, entry=best):
            return NotCovered(tuple(ranked[: self.settings.max_suggestions]))
        return outcome

    def _asked_of_another(
        self, question: str, terms: dict[str, float], ranked: list[Suggestion], outcome: Match
    ) -> Match:
        """In an FAQ with topic words, a message that names none of them gets no answer if it names something
        the FAQ never does: "does mistral use a moe architecture?" asks about Mistral, however near the
        architecture entry its other words come. It may still get the nearest entries as a close call."""
        if not self._topic or not isinstance(outcome, Answer):
            return outcome
        if not self._has_unexplained_word(question, terms, names_only=True):
            return outcome
        s = self.settings
        return DidYouMean(tuple(r for r in ranked[: s.max_suggestions] if r.score >= s.suggest_threshold))

    def _speaks_of_the_topic(self, question: str, terms: dict[str, float]) -> bool:
        """Does a message that names no topic word speak of the topic as "it" or "they", naming nothing else?

        Asked of the bot, "do they bill per token?" is asked of Qwen and its makers; "does mistral have rate
        limits for their api?" is not (a name the FAQ never uses says whose).
        """
        return speaks_of_it(self._normalized_within(question)) and not self._has_unexplained_word(
            question, terms, names_only=True
        )

    def _is_sure(self, question: str, terms: dict[str, float], score: float, entry: int | None = None) -> bool:
        """Is an answer this sure, whatever words the FAQ lacks? A name it never uses needs more than other words."""
        s = self.settings
        if score >= s.named_sure_threshold:
            return True
        return score >= s.sure_threshold and not self._has_unexplained_word(
            question, terms, names_only=True, entry=entry
        )

    def _asks_nothing(self, question: str) -> bool:
        """Thanks, and news about the topic, ask nothing.

        An FAQ with an entry for thanks (a shop's chatbot) may answer them; one
        with no topic words takes requests worded as statements ("i want to
        return my order"), so only an FAQ with topic words reads statements as news.
        """
        if looks_like_thanks(question) and not self._answers_thanks:
            return True
        return bool(self._topic) and reads_as_statement(question[: self.settings.max_question_chars])

    def _offers_detail(self, question: str, outcome: Match) -> bool:
        """Does the answer, or some entry of a close call, state the detail the question asks for and speak of the
        language it names, if it asks either?

        A close call between entries none of which does ("what's the vocab size of the qwen tokenizer?", "is the
        qwen tokenizer efficient for japanese text?") is as uncovered as an answer that does not. What is asked is
        read once, whatever the number of entries.
        """
        if isinstance(outcome, Answer):
            entries: tuple[Entry, ...] = (outcome.entry,)
        elif isinstance(outcome, DidYouMean):
            entries = tuple(suggestion.entry for suggestion in outcome.suggestions)
        else:
            return True
        asked = self._asked(question)
        return asked is None or any(self._holds_detail(asked, entry) for entry in entries)

    def _asked(self, question: str) -> _Asked | None:
        """What an entry must state to answer the question: a language it names, the details it asks; or None.

        "Who is Alibaba's CEO?" is near the entry on who builds Qwen, which
        names no CEO: see :mod:`bot.knowledge.detail`. A message that asks
        several things, one of them a detail ("is it MoE? how many parameters
        at most?"), is answered by an entry that answers another of them; when
        every sentence asks one, the entry must state each ("is there a free
        trial? how many tokens?": the rate limits give figures, no promotion).
        """
        text = question[: self.settings.max_question_chars]
        normalized = self._normalized_within(text)
        language = asked_language(normalized)
        details: frozenset[Detail] = frozenset()
        if (whole := asked_detail(normalized)) is not None:
            asking = _parts(text)[1:]
            parts = [asked_detail(self._normalized_within(part)) for part in asking] if asking else [whole]
            if None not in parts:  # a sentence that asks no detail may be answered on its own
                details = frozenset(part for part in parts if part is not None)
        if not details:
            return _Asked(language, details, frozenset()) if language else None
        terms = frozenset(  # what the question is about, less the subject and its products ("qwen3")
            term
            for _, term in self._pairs(self._normalize(question))
            if self.weights.get(term) and not any(term.startswith(word) for word in self._topic)
        )
        return _Asked(language, details, terms)

    def _holds_detail(self, asked: _Asked, entry: Entry) -> bool:
        """Does the entry speak of the language asked about, and state each detail asked?"""
        if asked.language and not self._speaks_of(asked.language, entry):
            return False
        index = self._position[entry.id]
        return all(self._states(detail, entry, index, asked.terms) for detail in asked.details)

    def _speaks_of(self, language: str, entry: Entry) -> bool:
        """Does the entry name this language (in its answer or phrasings), or ask about languages at large?

        The entry on languages may answer for any one ("how does qwen do in dutch?"): its answer says what its
        sources hold, and do not, about languages; the benchmarks entry, whose scores are of no one language, may not.
        """
        credits = self._credits[self._position[entry.id]]
        if all(term in credits for term in self.analyzer.terms(language)):
            return True
        return all(credits.get(term) == 1.0 for term in self.analyzer.terms("languages"))

    def _states(self, detail: Detail, entry: Entry, index: int, terms: frozenset[str]) -> bool:
        """Does the entry state this detail about what the question asks (``terms``, its terms)?"""
        stated = self._answer_terms(index) if detail.kind == "person" else set()
        names = lambda word: any(term in stated for term in self.analyzer.terms(word))  # noqa: E731
        vouched = any(
            kind == detail.kind and not terms.isdisjoint(vouching) for kind, vouching in self._vouching_phrasings(index)
        )
        if detail.kind == "number" and not vouched and terms.isdisjoint(self._figure_terms(index)):
            return False  # the entry's figures count something else ("how many researchers?" of a budget)
        return holds(detail, entry, names, vouched=vouched)

    def _answer_terms(self, index: int) -> frozenset[str]:
        """The terms of the entry's answers (English and Chinese): a role it names there is a person it states.

        Not its phrasings: "data protection officer asking: ..." says who asks, not who holds the post.
        Worked out on first need (only a question asking for a detail, about to be answered, needs them).
        """
        return self._stated_terms(index)[0]

    def _figure_terms(self, index: int) -> frozenset[str]:
        """The terms of the entry's answer sentences that state a figure: what its figures count."""
        return self._stated_terms(index)[1]

    def _stated_terms(self, index: int) -> tuple[frozenset[str], frozenset[str]]:
        """:meth:`_answer_terms` and :meth:`_figure_terms` of an entry, worked out on first need and remembered."""
        found = self._stated.get(index)
        if found is None:
            entry = self.faq.entries[index]
            answers = frozenset(self.analyzer.terms(f"{entry.answer}\n{entry.answer_zh}"))
            figures = frozenset(term for text in figure_sentences(entry) for term in self.analyzer.terms(text))
            found = self._stated[index] = (answers, figures)
        return found

    def _vouching_phrasings(self, index: int) -> list[tuple[str, frozenset[str]]]:
        """The entry's phrasings that ask for a detail, as (kind, the phrasing's terms); worked out on first need."""
        vouching = self._vouched.get(index)
        if vouching is None:
            vouching = self._vouched[index] = [
                (detail.kind, frozenset(self.analyzer.terms(phrasing, spell=self.speller)))
                for phrasing in self.faq.entries[index].phrasings
                if (detail := asked_detail(normalize(phrasing, max_chars=len(phrasing))))
            ]
        return vouching

    def _has_unexplained_word(
        self, question: str, terms: dict[str, float], *, names_only: bool = False, entry: int | None = None
    ) -> bool:
        """Do real words the FAQ never uses weigh as much as a topic word in the question ("ceo", "context window")?

        Only words of the language's word list count, and names: a misspelling
        ("ourselfs") is rare too, but says nothing about the topic, while a
        capitalised word or an acronym the FAQ never uses ("DingTalk", "GDPR"),
        or a word in lower case that is no typo or compound of a listed one nor
        an inflection of the FAQ's ("ollama"; not "finetuners"), does. In a
        message of several sentences, only the words of those that ask count:
        the context ("we're a bank", "last week legal said ...") says where the
        asker stands, not what they ask. A word's weight also falls with how
        common it is and with how many unknown words share the message.
        ``names_only``: only names count; a name is evidence of another product
        or company even against a fairly sure match. ``entry``: the best entry,
        against which a name the FAQ uses elsewhere counts too (:meth:`_names_elsewhere`).
        """
        least = self.settings.unexplained_weight
        text = question[: self.settings.max_question_chars]
        asked = " ".join(_parts(text)[1:]) or text  # the sentences that ask, in a message of several
        pairs = self._pairs(self._normalize(asked), spell=True)
        names = {word.lower() for word in _NAME.findall(asked)}  # "DingTalk", "GDPR": a name is no misspelling
        unknown = {
            term
            for word, term in pairs
            if term not in self.weights
            and (word in names or self._is_name(word) or (not names_only and zipf(word, _language(word)) > RARE))
        }
        if entry is not None:
            unknown.update(self._names_elsewhere(pairs, names, entry))
        return sum(terms.get(term, 0.0) for term in unknown) >= least

    def _names_elsewhere(self, pairs: Sequence[tuple[str, str]], names: set[str], entry: int) -> set[str]:
        """The names in ``pairs`` that the FAQ uses but ``entry`` does not ("vllm", against the MoE entry).

        A name says what a question is about as surely when another entry uses it as when none does: the entry
        that lacks it speaks of something else. A name here is spelt as the FAQ spells it (not an alias's variant),
        is no plural of another of the FAQ's words ("llms"), and is specific: used by a few entries at most.
        One that many entries use ("LLM", "SLA") is the domain's own vocabulary, and says little about which.
        """
        credits = self._credits[entry]
        entries = len(self._credits)
        specific = self._idf(max(SPECIFIC_NAME_ENTRIES, entries // 50), entries)  # the weight of a term that few use
        return {
            term
            for word, term in pairs
            if word == term
            and term in self.weights
            and term not in credits
            and self.weights[term] >= specific
            and word not in self._alias_words
            and not (word.endswith("s") and word[:-1] in self.weights)
            and (word in names or self._is_name(word))
        }

    def _is_name(self, word: str) -> bool:
        """An unlisted Latin word of three letters or more that is no typo or compound of listed words, nor
        a word of the FAQ's with an ending ("finetuners"): a name in lower case ("ollama")."""
        if len(word) < 3 or not word.isascii() or not word.isalpha() or zipf(word) > RARE:
            return False
        return not self.speller.extends_known(word) and not near_listed(word)

    def decide(self, ranked: list[Suggestion], *, on_topic: bool = True) -> Match:
        """Turn a ranking (best first) into an outcome.

        A message that names the FAQ's subject ("qwen", "阿里") is asked where
        the FAQ is the likely answer, so it needs less evidence
        (``answer_threshold``) than one that names none of it
        (``answer_threshold_off_topic``): "what's the rate limit on our
        internal search API?" shares words with an entry but is about something else.
        An FAQ with no topic words cannot tell the two apart: its bar is
        ``answer_threshold_no_topic``, between the two.

        The best must also lead the runner-up clearly, unless it scores at least
        ``tie_threshold``: two entries that sure of a question are kin (the
        licence and the licence against the API terms) and both speak to it
        (the figures behind the bar are in ``bench/question_sets/README.md``).
        """
        s = self.settings
        if not self._topic:
            threshold = s.answer_threshold_no_topic
        else:
            threshold = s.answer_threshold if on_topic else s.answer_threshold_off_topic
        if not ranked or ranked[0].score < s.suggest_threshold:
            return NoMatch(ranked[0].score if ranked else 0.0)
        best = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        clear = best.score >= s.tie_threshold or (
            best.score - runner_up >= s.answer_margin
            and (best.score >= s.sure_threshold or runner_up <= s.runner_up_ratio * best.score)
        )
        if best.score >= threshold and clear:
            return Answer(best.entry, best.score)
        close = tuple(r for r in ranked[: s.max_suggestions] if r.score >= s.suggest_threshold)
        return DidYouMean(close)

    def rank(self, question: str, *, limit: int = 3) -> list[Suggestion]:
        """The best ``limit`` entries, best first, using the index."""
        return self._rank(question, limit, self._ranker())[0]

    def rank_all(self, question: str, *, limit: int = 3) -> list[Suggestion]:
        """The reference ranking: every entry scored from scratch, no index, no bound."""
        return self._rank(question, limit, self._rank_every_entry)[0]

    def _ranker(self) -> _Ranker:
        return self._rank_indexed if self._arrays is None else self._rank_arrays

    def _rank(self, question: str, limit: int, ranker: _Ranker) -> tuple[list[Suggestion], dict[str, float], bool]:
        """Rank the whole message and, in a message of several sentences, each question in it.

        A long message often holds its question in one sentence after some
        context; scoring that sentence alone keeps the context from diluting it.
        Each entry keeps its best score over the parts. Only the first
        ``max_question_chars`` characters are read: the rest of a pasted essay is ignored.
        Also returned: the whole message's :meth:`query_terms`, which :meth:`match` reads too.
        """
        on_topic: bool | None = None
        whole: dict[str, float] | None = None
        best: dict[int, float] = {}
        depth = max(limit, self.settings.rerank_depth)
        text = question[: self.settings.max_question_chars]
        normalized = self._normalize(text)
        avoided = self._avoidance(text, normalized)
        for part in _parts(text):  # the whole message first, already normalised
            part_normalized = normalized if whole is None else self._normalize(part)
            part_avoided = avoided if whole is None else self._avoidance(part, part_normalized)
            terms, part_on_topic = self._query_terms(part_normalized, part_avoided, on_topic)
            on_topic = part_on_topic if on_topic is None else on_topic  # the whole message decides
            whole = terms if whole is None else whole
            for score, index in ranker(terms, depth):
                best[index] = max(score, best.get(index, 0.0))
        fused = self._fuse(self._asked_text(normalized, avoided), best, self._ngram_trust(whole or {}, bool(on_topic)))
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:limit]
        suggestions = [Suggestion(self.faq.entries[index], score) for index, score in ranked if score > 0]
        return suggestions, whole or {}, bool(on_topic)

    def _ngram_trust(self, terms: dict[str, float], on_topic: bool) -> float:
        """How far the n-grams may speak for a message: in full, unless it names none of the topic words.

        Then only as far as the FAQ knows its words (the square root of their
        share of its weight): the n-grams of "anthropic" in "does anthropic have
        rate limit tiers?" hardly dilute its likeness to the rate limits entry,
        though the word says the message is about another vendor. (The share
        itself would also silence close calls worth offering.)
        """
        if on_topic or not self._topic:
            return 1.0
        total = sum(terms.values())
        return (sum(weight for term, weight in terms.items() if term in self.weights) / total) ** 0.5 if total else 0.0

    def _fuse(self, normalized: str, lexical: dict[int, float], trust: float = 1.0) -> dict[int, float]:
        """The term score blended with character n-gram similarity (``ngram_share`` of the 0-100 scale).

        The term score decides which entries are candidates; the n-grams
        reorder them where words were misspelt, inflected or split differently,
        weighed by ``trust`` (:meth:`_ngram_trust`).
        """
        share = self.settings.ngram_share
        if not lexical or not share:
            return lexical
        candidates = [index for index, score in lexical.items() if score > 0]
        similarities = self._ngrams.similarities(normalized, candidates)
        return {
            index: (1 - share) * lexical[index] + share * 100 * trust * similarity
            for index, similarity in zip(candidates, similarities, strict=True)
        }

    def query_terms(self, text: str, *, on_topic: bool | None = None) -> tuple[dict[str, float], bool]:
        """The distinct terms of ``text`` with their weights, and whether it is on topic.

        A term the FAQ never uses weighs ``unknown_word_weight``, or the heavier
        ``unknown_word_weight_off_topic`` when the text names none of the FAQ's
        topic words: "who broke the build?" is not about Qwen, "who builds qwen?" is.
        Several unknown terms share that weight, damped (``unknown_words_damping``).
        On topic, an unknown word weighs less the commoner it is in the language
        (:meth:`_rarity`); a known word weighs its spread across entries, times
        its rarity but at least ``common_word_share`` of it, unless it is the
        FAQ's own vocabulary (an alias).
        """
        normalized = self._normalize(text)
        return self._query_terms(normalized, self._avoidance(text, normalized), on_topic)

    def _query_terms(self, normalized: str, avoided: list[str], on_topic: bool | None) -> tuple[dict[str, float], bool]:
        """:meth:`query_terms` of a text, given it normalised and its :meth:`_avoidance`."""
        pairs = self._pairs(normalized, spell=True)
        found = [term for _, term in pairs]
        avoided_terms = self._avoided_terms(normalized, avoided)
        if on_topic is None:
            on_topic = not self._topic or not self._topic.isdisjoint(found)
        s = self.settings
        unknown = s.unknown_word_weight if on_topic else s.unknown_word_weight_off_topic
        off_topic_floor = s.unknown_common_share_off_topic
        weights, rarity = self.weights, self._rarity
        strangers = set(found).difference(weights)
        if strangers:  # one unknown word in a short question says a lot; ten in a long one are mostly context
            unknown /= len(strangers) ** s.unknown_words_damping
        terms: dict[str, float] = {}
        for word, term in pairs:
            if term in terms:
                continue
            known = weights.get(term)
            if known is None and term != word and term.startswith(word):
                continue  # a product's number or letter the FAQ never names ("qwen2"): its name carries it
            if known is None:
                # on topic, an everyday word is just how people talk; in a message that names
                # none of the topic words ("who funds mistral?"), any word the FAQ lacks says "elsewhere",
                # an everyday one ("indicators", "ceiling") a little less surely than a rare one
                weight = unknown * (rarity(word) if on_topic else max(rarity(word), off_topic_floor))
            elif word in self._alias_words:
                weight = known  # the FAQ's own vocabulary: its weight is its spread across entries
            else:
                weight = known * max(rarity(word), s.common_word_share)
            if term in avoided_terms:
                weight *= s.avoided_weight
            if weight:
                terms[term] = weight
        return terms, on_topic

    def _normalize(self, text: str) -> str:
        """``text`` normalised as the analyzer and the n-grams read a question."""
        return normalize(text, max_chars=self.settings.max_question_chars)

    def _normalized_within(self, text: str) -> str:
        """``text`` (at most ``max_question_chars`` long) normalised to at most its own length: the text as matched
        (:meth:`_normalize`, remembered), unless normalising made it longer."""
        normalized = self._normalize(text)
        return normalized if len(normalized) <= len(text) else normalize(text, max_chars=len(text))

    def _pairs(self, normalized: str, *, spell: bool = False) -> tuple[tuple[str, str], ...]:
        """The analyzer's (word, term) pairs of normalised text, spell-corrected first if ``spell``.

        The last few texts' are remembered: ranking, the detail check and the
        unexplained-word check of one message each read the same text's pairs.
        """
        if spell:
            spelled = self._spelled.get(normalized)
            if spelled is None:
                if len(self._spelled) >= _RECENT_TEXTS:
                    self._spelled.clear()
                spelled = self._spelled[normalized] = self.speller(normalized)
            normalized = spelled
        found = self._analysed.get(normalized)
        if found is None:
            if len(self._analysed) >= _RECENT_TEXTS:
                self._analysed.clear()
            found = self._analysed[normalized] = tuple(self.analyzer.normalized_pairs(normalized))
        return found

    def _avoidance(self, text: str, normalized: str) -> list[str]:
        """The spans where the message says what it wants to avoid (none, mostly: the raw text is looked at first)."""
        return avoided_spans(normalized) if may_avoid(text) else []

    def _asked_text(self, normalized: str, avoided: list[str]) -> str:
        """The normalised message less what it says it wants to avoid, for the n-grams: "our own gpus" is not
        what it asks about."""
        return self._normalize(without_avoided(normalized)) if avoided else normalized

    def _avoided_terms(self, normalized: str, spans: list[str]) -> frozenset[str]:
        """Terms found only in the ``spans`` where the message says what it wants to avoid ("if we don't want to run
        our own GPUs")."""
        if not spans:
            return frozenset()
        kept = set(self.analyzer.terms(without_avoided(normalized), spell=self.speller))
        return frozenset(term for span in spans for term in self.analyzer.terms(span, spell=self.speller)) - kept

    def phrasing_weight(self, phrasing: str) -> float:
        """The total weight of a phrasing's terms the FAQ knows: how much it says on its own."""
        return sum(self.weights.get(term, 0.0) for term in set(self.analyzer.terms(phrasing, spell=self.speller)))

    def _rarity(self, word: str) -> float:
        """1 for a word rarer than ``rare_word_zipf`` in the language at large, falling to 0 for the commonest
        (remembered: most words of a question were in others)."""
        found = self._rarities.get(word)
        if found is None:
            if len(self._rarities) >= _CACHE_LIMIT:
                self._rarities.clear()
            s = self.settings
            frequency = zipf(word, _language(word))
            found = min(1.0, max(0.0, (s.common_word_zipf - frequency) / (s.common_word_zipf - s.rare_word_zipf)))
            self._rarities[word] = found
        return found

    def _rank_indexed(self, terms: dict[str, float], limit: int) -> list[tuple[float, int]]:
        """Rank from the posting lists of the question's rarer terms, then prove nothing was missed.

        Walking the posting list of a term found in half the FAQ costs more than
        everything else together, and such a term weighs little. So candidates
        come from the rarer terms only; the common terms' share is looked up
        only for the candidates scored (see :meth:`_best`). An entry holding
        none of the rarer terms could at best be covered by the common terms'
        weight; if even that cannot reach the ranking, the ranking is exact.
        Otherwise, every posting list is walked.
        """
        total = sum(terms.values())
        if not total:
            return []
        rare, common = self._split(terms, total)
        if rare and common:
            best = self._best(self._accumulate(rare), terms, total, limit, common)
            reach = 100 * (sum(common.values()) / total) ** self.settings.coverage_exponent
            if len(best) == limit and reach < best[-1][0]:
                return best
        return self._best(self._accumulate(terms), terms, total, limit, {})

    def _split(self, terms: dict[str, float], total: float) -> tuple[dict[str, float], dict[str, float]]:
        """The terms to walk (rarer first) and those only looked up per candidate.

        Terms in few entries are always walked. On a large FAQ whose words are
        all widespread, the rarest are walked too, until the rest weigh at most
        ``COMMON_REACH`` of the question: the proof in :meth:`_rank_indexed` then
        usually holds, and the longest posting lists are never read.
        """
        common_size = max(COMMON_POSTINGS, len(self._credits) // 20)
        by_length = sorted(terms, key=lambda t: len(self._postings.get(t, ())))
        rare: dict[str, float] = {}
        walked = 0.0
        for term in by_length:
            if len(self._postings.get(term, ())) > common_size and walked >= (1 - COMMON_REACH) * total:
                break
            rare[term] = terms[term]
            walked += terms[term]
        return rare, {t: w for t, w in terms.items() if t not in rare}

    def _accumulate(self, walked: dict[str, float]) -> dict[int, float]:
        """Covered weight per entry of the ``walked`` terms, through their postings."""
        matched: dict[int, float] = defaultdict(float)
        for term, weight in walked.items():
            for index, credit in self._postings.get(term, ()):
                matched[index] += weight * credit
        return matched

    def _best(
        self, matched: dict[int, float], terms: dict[str, float], total: float, limit: int, looked_up: dict[str, float]
    ) -> list[tuple[float, int]]:
        """The top ``limit`` (score, index) pairs, scoring candidates in order of a bound until none can enter.

        ``matched`` holds each candidate's covered weight of the walked terms; the
        ``looked_up`` terms could add at most their total, so that sum bounds a
        candidate's covered weight, and their actual share is looked up only when
        a candidate is scored. The covered weight also bounds what any of its
        phrasings is touched by (a phrasing's terms count in full), hence its
        phrasing coverage, against its lightest phrasing: so each candidate's
        score has a bound, and candidates are scored best bound first.
        """
        exponent, phrasing_exponent = self.settings.coverage_exponent, self.settings.phrasing_exponent
        reach = sum(looked_up.values())
        lightest = self._lightest
        best: list[tuple[float, int]] = []
        candidates = [
            (-100 * ((w + reach) / total) ** exponent * min(1.0, (w + reach) / lightest[i]) ** phrasing_exponent, i)
            for i, w in matched.items()
        ]
        heapq.heapify(candidates)  # best bound first, popped only as far as needed (no full sort)
        while candidates:
            negative_bound, index = heapq.heappop(candidates)
            if len(best) >= limit and -negative_bound < best[-1][0]:
                break  # no later entry can enter the top
            credits = self._credits[index]
            covered = matched[index] + sum(weight * credits.get(term, 0.0) for term, weight in looked_up.items())
            best.append((self._score(index, terms, covered / total), index))
            best.sort(key=lambda item: (-item[0], item[1]))
            del best[limit:]
        return best

    def _rank_arrays(self, terms: dict[str, float], limit: int) -> list[tuple[float, int]]:
        """Every entry scored at once with numpy; those near the top scored again in plain Python.

        The coverages come from :class:`~bot.knowledge.arrays.ArrayIndex` exact to
        the last bit, but numpy's powers may differ from Python's in it; so the
        entries within ``ARRAY_MARGIN`` (a share) of the last place are scored again
        with :meth:`_combine`, and the ranking is exactly :meth:`rank_all`'s.
        numpy ranks by ``covered ** a * phrasing_coverage ** b * min(covered, min_evidence)``:
        the score over a factor the question's total sets, in a few calls.
        """
        total = sum(terms.values())
        if not total or self._arrays is None:
            return []
        s = self.settings
        covered, phrasing_coverage = self._arrays.coverages(terms)
        import numpy as np  # already imported with the array index

        scaled = phrasing_coverage**s.phrasing_exponent
        scaled *= covered if s.coverage_exponent == 1 else covered**s.coverage_exponent  # x ** 1 is x: one call less
        scaled *= np.minimum(covered, self.min_evidence)  # as _combine, divided by 100 / total ** a / min_evidence
        if limit < len(scaled):
            top = scaled.copy()
            top.partition(-limit)  # in place: np.partition copies too, through a wrapper
            last = float(top[-limit])
        else:
            last = float(scaled.min())
        near = (scaled >= last * (1 - ARRAY_MARGIN) if last > 0 else scaled > 0).nonzero()[0].tolist()
        exact = [(self._combine(covered.item(i) / total, phrasing_coverage.item(i), total), i) for i in near]
        exact.sort(key=lambda item: (-item[0], item[1]))
        return exact[:limit]

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
        """Question coverage times phrasing coverage, each against at least ``min_evidence`` of weight.

        One weak word is not enough on either side: a phrasing that shrinks to
        "how" cannot be covered in full, and a question whose only match is
        "how" cannot score high.
        """
        phrasings = self._phrasings_of(index)
        touched = [0.0] * len(phrasings.norms)
        for term, weight in terms.items():
            for position in phrasings.holding.get(term, ()):
                touched[position] += weight
        phrasing_coverage = max(map(truediv, touched, phrasings.norms), default=0.0)
        return self._combine(coverage, phrasing_coverage, sum(terms.values()))

    def _combine(self, coverage: float, phrasing_coverage: float, total: float) -> float:
        """The score of an entry from its question coverage and its best phrasing's coverage (see :meth:`_score`)."""
        s = self.settings
        evidence = min(1.0, coverage * total / self.min_evidence)
        return float(100 * coverage**s.coverage_exponent * phrasing_coverage**s.phrasing_exponent * evidence)


def _language(word: str) -> str:
    return "zh" if _CHINESE.match(word) else "en"


@lru_cache(maxsize=32)
def _parts(question: str) -> tuple[str, ...]:
    """The whole question, then each of its sentences that asks something, if it has several.

    The last few questions' are remembered: ranking, the detail check and the unexplained-word check each ask.
    """
    sentences = [part for part in _SENTENCE_END.split(question) if part.strip()]
    if len(sentences) < 2:
        return (question,)
    asking = [part for part in sentences if "?" in part or "？" in part] or sentences[-1:]
    return (question, *asking)
