"""Every entry's two coverages at once, in numpy: how the matcher ranks a large FAQ.

On a large FAQ whose entries share their words, a question's terms reach
thousands of entries, and scoring those one at a time in Python (each walking
its phrasings) costs tens of milliseconds. Here the postings are arrays: one
``bincount`` per question gives each entry's covered weight, another each
phrasing's touched weight, and ``maximum.reduceat`` each entry's best
phrasing. The sums run in the order of the question's terms, as the plain
Python loops do, so the figures are the same to the last bit; only the final
combination into a score is left to the matcher.

numpy is imported only by a matcher whose FAQ is large (see
:data:`bot.knowledge.matcher.ARRAY_MIN_ENTRIES`): a cold start on the shipped
FAQ does not pay for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


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

    def coverages(self, terms: Mapping[str, float]) -> tuple[Floats, Floats]:
        """Per entry: the question weight it covers (each term's weight times its credit), and its best
        phrasing's touched share (the question weight a phrasing holds over the phrasing's norm)."""
        entry_ids, entry_weights, phrasing_ids, phrasing_weights = [], [], [], []
        for term, weight in terms.items():
            found = self._entry_postings.get(term)
            if found is not None:
                entry_ids.append(found[0])
                entry_weights.append(found[1] * weight)
            positions = self._phrasing_postings.get(term)
            if positions is not None:
                phrasing_ids.append(positions)
                phrasing_weights.append(np.full(len(positions), weight))
        if not entry_ids:
            return np.zeros(self.entries), np.zeros(self.entries)
        covered = _sums(entry_ids, entry_weights, self.entries)
        touched = _sums(phrasing_ids, phrasing_weights, self.phrasings)
        best_phrasing: Floats = np.maximum.reduceat(touched / self._norms, self._starts)
        return covered, best_phrasing


def _sums(ids: list[npt.NDArray[np.int32]], weights: list[Floats], size: int) -> Floats:
    """The weights added up by id (in the order given), for ids 0 to ``size - 1``."""
    if not ids:
        return np.zeros(size)
    return np.bincount(np.concatenate(ids), np.concatenate(weights), size).astype(np.float64, copy=False)


class NgramArrays:
    """The character n-grams' inverse document frequencies as an array, to build an entry's centroid in a few
    numpy calls rather than dictionary by dictionary (see :class:`~bot.knowledge.ngrams.NgramIndex`)."""

    def __init__(self, idf: Mapping[str, float]) -> None:
        self._grams = list(idf)
        self._ids = {gram: number for number, gram in enumerate(self._grams)}
        self._idf = np.array(list(idf.values()))

    def centroid(self, texts: Sequence[Sequence[str]]) -> tuple[dict[str, float], float] | None:
        """The unit centroid of the texts' vectors, and the texts' mean cosine to it; ``None`` if they hold no n-gram.

        ``texts``: each text's n-grams, every one of them among those the
        index was built with. A text's vector: sublinear term frequency times
        inverse document frequency, L2-normalised.
        """
        lengths = [len(grams) for grams in texts]
        if not sum(lengths):
            return None
        size = len(self._grams)
        ids = np.fromiter(map(self._ids.__getitem__, chain.from_iterable(texts)), dtype=np.int64, count=sum(lengths))
        rows = np.repeat(np.arange(len(texts)), lengths)
        pairs, counts = np.unique(rows * size + ids, return_counts=True)  # each text's distinct n-grams
        row, gram = np.divmod(pairs, size)
        weight = (1.0 + np.log(counts)) * self._idf[gram]
        unit = weight / np.sqrt(np.bincount(row, weight * weight, len(texts)))[row]
        grams, local = np.unique(gram, return_inverse=True)
        total = np.bincount(local, unit)
        centroid = total / np.sqrt(total @ total)
        typical = float(np.bincount(row, unit * centroid[local], len(texts)).sum() / len(texts))
        return dict(zip(map(self._grams.__getitem__, grams.tolist()), centroid.tolist(), strict=True)), typical
