"""Every entry's two coverages at once, and an entry's n-gram centroids, in numpy: how a large FAQ is matched.

On a large FAQ whose entries share their words, a question's terms reach
thousands of entries, and scoring those one at a time in Python (each walking
its phrasings) costs tens of milliseconds. Here the postings are arrays: one
``bincount`` per question gives each entry's covered weight and each
phrasing's touched weight, and ``maximum.reduceat`` each entry's best
phrasing. The sums run in the order of the question's terms, as the plain
Python loops do, so the figures are the same to the last bit; only the final
combination into a score is left to the matcher. :class:`NgramArrays` builds
an entry's character n-gram centroids the same way, in a few calls; a small
FAQ's are kept as one dense matrix (:class:`CentroidMatrix`), which a question
meets in a gather and a product. On a small FAQ numpy's cost per call, not per
element, is what a question pays: fewer calls is what makes it cheaper.

numpy is imported only by a matcher whose FAQ is large (see
:data:`bot.knowledge.matcher.ARRAY_MIN_ENTRIES`) or that is built to answer many
questions (``Matcher(arrays=True)``: the server's): a one-off ``ask`` on the
shipped FAQ does not pay for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice, pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Numbers = npt.NDArray[np.int64]
_CACHE_LIMIT = 100_000


class ArrayIndex:
    """Entry and phrasing postings as arrays, for :meth:`coverages` over the whole FAQ."""

    def __init__(
        self,
        credits: Sequence[Mapping[str, float]],
        phrasings: Sequence[Sequence[frozenset[str]]],
        norms: Sequence[float],
    ) -> None:
        """``credits``: each entry's terms and their credit; ``phrasings``: each entry's phrasings' terms;
        ``norms``: every phrasing's weight, entry by entry, in the same order."""
        self.entries = len(credits)
        self.phrasings = len(norms)
        entry_lists: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for index, entry_credits in enumerate(credits):
            for term, credit in entry_credits.items():
                indices, values = entry_lists[term]
                indices.append(index)
                values.append(credit)
        self._entry_postings = {
            term: (np.array(found, dtype=np.int32), np.array(values)) for term, (found, values) in entry_lists.items()
        }
        phrasing_lists: dict[str, list[int]] = defaultdict(list)
        starts = []
        position = 0
        for entry_phrasings in phrasings:
            starts.append(position)
            for terms in entry_phrasings:
                for term in terms:
                    phrasing_lists[term].append(position)
                position += 1
        if position != self.phrasings or any(not p for p in phrasings):
            raise ValueError("every entry needs at least one phrasing, and one norm per phrasing")
        self._phrasing_postings = {term: np.array(found, dtype=np.int32) for term, found in phrasing_lists.items()}
        self._starts = np.array(starts, dtype=np.intp)
        self._norms = np.array(norms)
        self._joined: dict[str, tuple[npt.NDArray[np.int32], Floats]] = {}  # see _postings

    def saved(self) -> tuple[tuple[list[str], list[str]], dict[str, npt.NDArray[np.generic]]]:
        """The postings' terms (entry postings', phrasing postings') and the arrays they index, concatenated:
        what :meth:`restored` takes back (:mod:`bot.knowledge.index_store` keeps them)."""
        entry_terms, phrasing_terms = list(self._entry_postings), list(self._phrasing_postings)
        entries = self._entry_postings.values()
        arrays = {
            "entry_ids": _joined([ids for ids, _ in entries], np.int32),
            "entry_credits": _joined([credits for _, credits in entries], np.float64),
            "entry_bounds": _bounds([len(ids) for ids, _ in entries]),
            "phrasing_ids": _joined(list(self._phrasing_postings.values()), np.int32),
            "phrasing_bounds": _bounds([len(ids) for ids in self._phrasing_postings.values()]),
            "starts": self._starts,
            "norms": self._norms,
        }
        return (entry_terms, phrasing_terms), arrays

    @classmethod
    def restored(
        cls, terms: tuple[list[str], list[str]], arrays: Mapping[str, npt.NDArray[np.generic]], entries: int
    ) -> ArrayIndex:
        """An index from what :meth:`saved` gave; ValueError if the parts do not fit together."""
        entry_terms, phrasing_terms = terms
        index = cls.__new__(cls)
        index.entries = entries
        index._starts = _typed(arrays["starts"], np.intp)
        index._norms = _typed(arrays["norms"], np.float64)
        index.phrasings = len(index._norms)
        entry_ids = _split(_typed(arrays["entry_ids"], np.int32), arrays["entry_bounds"], len(entry_terms))
        credits = _split(_typed(arrays["entry_credits"], np.float64), arrays["entry_bounds"], len(entry_terms))
        phrasing_ids = _split(_typed(arrays["phrasing_ids"], np.int32), arrays["phrasing_bounds"], len(phrasing_terms))
        if len(index._starts) != entries:
            raise ValueError("the arrays do not fit the FAQ")
        if len(arrays["entry_ids"]) and int(arrays["entry_ids"].max()) >= entries:
            raise ValueError("an entry posting points past the FAQ")
        if len(arrays["phrasing_ids"]) and int(arrays["phrasing_ids"].max()) >= index.phrasings:
            raise ValueError("a phrasing posting points past the phrasings")
        index._entry_postings = dict(zip(entry_terms, zip(entry_ids, credits, strict=True), strict=True))
        index._phrasing_postings = dict(zip(phrasing_terms, phrasing_ids, strict=True))
        index._joined = {}
        return index

    def coverages(self, terms: Mapping[str, float]) -> tuple[Floats, Floats]:
        """Per entry: the question weight it covers (each term's weight times its credit), and its best
        phrasing's touched share (the question weight a phrasing holds over the phrasing's norm).

        Entries and phrasings are added up in one ``bincount``: on a small FAQ,
        numpy's cost per call is most of the cost.
        """
        ids, values, weights, lengths = [], [], [], []
        joined = self._joined
        for term, weight in terms.items():
            found = joined.get(term) or self._postings(term)  # most terms were joined by an earlier question
            if found is not None:
                ids.append(found[0])
                values.append(found[1])
                weights.append(weight)
                lengths.append(len(found[0]))
        if not ids:
            return np.zeros(self.entries), np.zeros(self.entries)
        products = np.concatenate(values) * np.array(weights).repeat(lengths)  # the method: np.repeat wraps a list
        sums = np.bincount(np.concatenate(ids), products, self.entries + self.phrasings).astype(np.float64, copy=False)
        best_phrasing: Floats = np.maximum.reduceat(sums[self.entries :] / self._norms, self._starts)
        return sums[: self.entries], best_phrasing

    def _postings(self, term: str) -> tuple[npt.NDArray[np.int32], Floats] | None:
        """The entries and phrasings holding ``term``, numbered one after the other (phrasings after the entries),
        and its credit in each (1 in a phrasing); joined on first use and kept (the FAQ's terms are finite)."""
        found = self._joined.get(term)
        if found is None:
            entries = self._entry_postings.get(term)
            phrasings = self._phrasing_postings.get(term)
            if entries is None and phrasings is None:
                return None
            entry_ids, credits = entries if entries is not None else (np.zeros(0, np.int32), np.zeros(0))
            phrasing_ids = phrasings if phrasings is not None else np.zeros(0, np.int32)
            found = self._joined[term] = (
                np.concatenate((entry_ids, phrasing_ids + np.int32(self.entries))),
                np.concatenate((credits, np.ones(len(phrasing_ids)))),
            )
        return found


def _joined(parts: list[npt.NDArray[np.generic]], dtype: type[np.generic]) -> npt.NDArray[np.generic]:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)


def _bounds(lengths: list[int]) -> npt.NDArray[np.int64]:
    return np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))


def _typed(array: npt.NDArray[np.generic], dtype: type[np.generic]) -> npt.NDArray[Any]:
    if array.dtype != dtype or array.ndim != 1:
        raise ValueError(f"expected a flat array of {np.dtype(dtype).name}, not {array.dtype.name}")
    return array


def _split(array: npt.NDArray[Any], bounds: npt.NDArray[np.generic], count: int) -> list[npt.NDArray[Any]]:
    """``array`` cut at ``bounds`` (count + 1 offsets, from 0 to its length) into ``count`` views."""
    bounds = _typed(bounds, np.int64)
    if len(bounds) != count + 1 or bounds[0] != 0 or bounds[-1] != len(array) or np.any(np.diff(bounds) < 0):
        raise ValueError("the bounds do not fit the array")
    return [array[start:end] for start, end in pairwise(bounds.tolist())]  # views: np.split is slower by far


@dataclass(frozen=True)
class Centroids:
    """An entry's n-gram centroids one after another: their n-grams (as numbers, ascending within each) and unit
    weights, each one's length, and each one's texts' mean cosine to it."""

    grams: Numbers
    weights: Floats
    lengths: list[int]
    typical: list[float]


@dataclass(frozen=True)
class CentroidMatrix:
    """Every entry's centroids as the columns of one dense matrix, a row per n-gram: on a small FAQ, comparing a
    question with all of them at once costs less than picking out a few candidates' sparse ones.

    An entry has ``width`` columns in a row (its English phrasings' centroid, its
    Chinese ones'); a column it lacks is zeros, and its typical cosine 1.
    """

    columns: npt.NDArray[np.float64]  # n-grams x (entries * width)
    typical: list[float]  # Python floats: a question's few candidates are divided by them one at a time
    width: int


class NgramArrays:
    """The character n-grams' inverse document frequencies as an array, to build an entry's centroids and compare
    a question with them in a few numpy calls rather than dictionary by dictionary
    (see :class:`~bot.knowledge.ngrams.NgramIndex`)."""

    def __init__(self, idf: Mapping[str, float], word_grams: Callable[[str], Sequence[str]]) -> None:
        self._grams = list(idf)
        self._ids = {gram: number for number, gram in enumerate(self._grams)}
        self._idf = np.array(list(idf.values()))
        self._word_grams = word_grams
        self._words: dict[str, npt.NDArray[np.int64]] = {}  # a word's n-grams, as numbers

    def grams_of(self, words: Sequence[str]) -> Numbers:
        """The n-grams of a text's ``words`` that the index was built with (a question's others weigh nothing), as
        numbers."""
        found = []
        ids = self._ids
        for word in words:
            numbers = self._words.get(word)
            if numbers is None:
                if len(self._words) >= _CACHE_LIMIT:
                    self._words.clear()
                known = [number for number in map(ids.get, self._word_grams(word)) if number is not None]
                numbers = self._words[word] = np.array(known, np.int64)
            found.append(numbers)
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def question(self, words: Sequence[str]) -> Floats:
        """A question's vector, as :meth:`centroids` weighs a text (sublinear term frequency times inverse
        document frequency, L2-normalised), over every n-gram: a dense array is the cheapest to look up."""
        grams, weight = self._weighed(words)
        norm = np.sqrt(np.dot(weight, weight))
        vector = np.zeros(len(self._idf))
        vector[grams] = weight / norm if norm else weight
        return vector

    def _weighed(self, words: Sequence[str]) -> tuple[Numbers, Floats]:
        """A question's distinct n-grams and their weights (sublinear term frequency times inverse document
        frequency), not yet normalised."""
        grams, counts = np.unique(self.grams_of(words), return_counts=True)
        return grams, (1.0 + np.log(counts)) * self._idf[grams]

    def similarities(self, question: Floats, entries: Sequence[Centroids]) -> list[float]:
        """For each entry, the cosine of the question with its closer centroid against what its texts typically
        reach, at most 1 (see :meth:`~bot.knowledge.ngrams.NgramIndex.similarity`); 0 for an entry with none.

        All the entries' centroids in one pass, each centroid's products added up in its n-grams' order.
        """
        lengths = [length for entry in entries for length in entry.lengths]
        if not lengths:
            return [0.0] * len(entries)
        products = question[np.concatenate([e.grams for e in entries])] * np.concatenate([e.weights for e in entries])
        starts = np.concatenate(([0], np.cumsum(lengths[:-1], dtype=np.intp)))
        typical = np.array([value for entry in entries for value in entry.typical])
        ratios = iter(np.minimum(1.0, np.add.reduceat(products, starts) / typical).tolist())
        return [max(islice(ratios, len(entry.lengths)), default=0.0) for entry in entries]

    def matrix(self, entries: Sequence[Centroids]) -> CentroidMatrix:
        """Every entry's centroids as the columns of one dense matrix (see :class:`CentroidMatrix`)."""
        width = max((len(entry.lengths) for entry in entries), default=0) or 1
        columns = np.zeros((len(self._grams), width * len(entries)))
        typical = np.ones(width * len(entries))
        for number, entry in enumerate(entries):
            ends = np.cumsum(entry.lengths).tolist()
            for place, (start, end) in enumerate(pairwise([0, *ends])):
                column = number * width + place
                columns[entry.grams[start:end], column] = entry.weights[start:end]
                typical[column] = entry.typical[place]
        return CentroidMatrix(columns, typical.tolist(), width)

    def every_similarity(self, words: Sequence[str], matrix: CentroidMatrix, indices: Sequence[int]) -> list[float]:
        """:meth:`similarities` of a question's ``words`` to the entries ``indices`` of ``matrix``, from the rows of
        the question's n-grams: a gather and a product for every entry (the sums in another order: equal but for the
        last bits), then each candidate's ratios in plain Python, the same divisions numpy would make.

        The rows are those of each occurrence of an n-gram, its weight shared among its occurrences: counting
        them (``bincount``) costs less than finding the distinct ones (``unique``).
        """
        grams = self.grams_of(words)
        counts = np.bincount(grams, minlength=len(self._idf))[grams]
        weight = (1.0 + np.log(counts)) * self._idf[grams]
        share = weight / counts
        norm = float(np.sqrt(np.dot(share, weight)))
        if not norm:
            return [0.0] * len(indices)
        products: list[float] = np.dot(share, matrix.columns.take(grams, axis=0)).tolist()  # take: a faster gather
        typical, width = matrix.typical, matrix.width
        ratios = [0.0] * width
        best = []
        for index in indices:
            for place, column in enumerate(range(index * width, (index + 1) * width)):
                ratios[place] = min(1.0, products[column] / norm / typical[column])
            best.append(max(ratios))
        return best

    def centroids(self, texts: Sequence[Numbers], groups: Sequence[int]) -> Centroids:
        """For each group of texts, in the order of their numbers: the unit centroid of their vectors, and their mean
        cosine to it. A group whose texts hold no n-gram has none.

        ``texts``: each text's n-grams (:meth:`grams_of`); ``groups``: each
        text's group, numbered from 0. A text's vector: sublinear term frequency
        times inverse document frequency, L2-normalised.
        """
        lengths = [len(grams) for grams in texts]
        if not sum(lengths):
            return Centroids(np.zeros(0, np.int64), np.zeros(0), [], [])
        size = len(self._grams)
        group_of = np.array(groups, dtype=np.intp)
        rows = np.repeat(np.arange(len(texts)), lengths)
        pairs, counts = np.unique(rows * size + np.concatenate(texts), return_counts=True)  # each text's n-grams
        row, gram = np.divmod(pairs, size)
        weight = (1.0 + np.log(counts)) * self._idf[gram]
        unit = weight / np.sqrt(np.bincount(row, weight * weight, len(texts)))[row]
        keys, local = np.unique(group_of[row] * size + gram, return_inverse=True)  # each group's n-grams, in order
        group, grams = np.divmod(keys, size)
        total = np.bincount(local, unit)
        centroid = total / np.sqrt(np.bincount(group, total * total))[group]
        cosines = np.bincount(group_of[row], unit * centroid[local]).tolist()
        texts_in = np.bincount(group_of).tolist()
        bounds = np.searchsorted(group, np.arange(len(texts_in) + 1)).tolist()
        held = [(number, end - start) for number, (start, end) in enumerate(pairwise(bounds)) if end > start]
        typical = [cosines[number] / texts_in[number] for number, _ in held]
        return Centroids(grams.astype(np.int64), centroid, [length for _, length in held], typical)
