"""A second view of similarity: character n-grams, robust to paraphrase, typos and unsegmented Chinese.

The term matcher compares whole words, so "finetuners" and "fine-tunes",
"affilated" and "affiliated", or a Chinese phrase split differently from the
FAQ's own, meet only if stemming, the speller or the segmenter bring them
together. Character n-grams (2 to 4 characters within each word, its edges
marked) meet anyway: most of a word's n-grams survive a typo, an inflection or
a different split.

Each entry is the centroid of its phrasings' TF-IDF vectors (sublinear term
frequency, inverse document frequency across entries, each phrasing
L2-normalised), so no single phrasing decides; a question scores the cosine of
its own vector with that centroid. Phrasings with Chinese in them have a
centroid of their own: among twenty English phrasings, five Chinese ones would
leave a Chinese question little to meet. Pure Python on dictionaries: built once per
FAQ version, and used only on the few candidates the term matcher ranks first
(with ``arrays``, a large FAQ's or the server's, centroids are built and compared
with numpy, see :class:`NgramIndex`; a small FAQ's all at once, as one dense matrix).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain, repeat
from operator import mul
from typing import TYPE_CHECKING

from bot.knowledge.background import simplified
from bot.knowledge.normalize import WORD_RUN, normalize

if TYPE_CHECKING:
    from bot.knowledge.arrays import CentroidMatrix, Centroids, NgramArrays

SIZES = (2, 3, 4)
DENSE_CELLS = 2_000_000  # n-grams times centroids up to which all the centroids are kept as one dense matrix
_CACHE_LIMIT = 100_000
CHINESE_SIZES = (1, 2)
_CHINESE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PIECE = re.compile("([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|[\\W_]+")
_CHINESE_PAIR = re.compile("(?=([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2}))")  # overlapping: every pair in a run
Vector = dict[str, float]


def grams(text: str, *, max_chars: int) -> Counter[str]:
    """The character n-grams of each word of ``text`` (traditional Chinese folded onto simplified)."""
    return Counter(gram for word in words(text, max_chars=max_chars) for gram in word_grams(word))


def words(text: str, *, max_chars: int) -> list[str]:
    """The words of ``text`` as n-grams see them: Latin words, and runs of Chinese."""
    return normalized_words(normalize(text, max_chars=max_chars))


def normalized_words(normalized: str) -> list[str]:
    """:func:`words` of text that :func:`~bot.knowledge.normalize.normalize` has already been through."""
    if normalized.isascii():  # most messages: the words between the separators, found in one scan
        return WORD_RUN.findall(normalized)  # what _PIECE leaves between its separators
    return [piece for piece in _PIECE.split(simplified(normalized)) if piece]


def document_frequencies(entries: Sequence[Sequence[str]]) -> Counter[str]:
    """How many entries use each n-gram that :func:`word_grams` cuts from the words of their (normalised) texts.

    Counted without cutting every word of every entry: runs of Chinese, mostly
    unique, give their characters and pairs in two scans of an entry's runs;
    Latin words, few and shared by many entries, are cut once each, and an
    n-gram's entries are the union of its words' entries (bit sets).
    """
    frequencies: Counter[str] = Counter()
    entries_of: dict[str, list[int]] = defaultdict(list)  # Latin word -> the entries using it
    for index, texts in enumerate(entries):
        text = simplified(" ".join(texts))  # a space splits words as the ends of the texts do
        pieces = _PIECE.split(text)  # words between the separators, and the runs of Chinese it captures
        runs = " ".join(run for run in pieces[1::2] if run)
        chinese = set(runs)
        chinese.discard(" ")
        chinese.update(_CHINESE_PAIR.findall(runs))
        frequencies.update(chinese)
        for word in set(pieces[::2]):
            if word:
                entries_of[word].append(index)
    holders: dict[str, int] = {}  # Latin n-gram -> its entries, as bits
    for word, indices in entries_of.items():
        bits = _bit_set(indices)
        for gram in word_grams(word):
            holders[gram] = holders.get(gram, 0) | bits
    frequencies.update({gram: bits.bit_count() for gram, bits in holders.items()})
    return frequencies


def _bit_set(indices: list[int]) -> int:
    bits = bytearray(max(indices) // 8 + 1)
    for index in indices:
        bits[index >> 3] |= 1 << (index & 7)
    return int.from_bytes(bits, "little")


@lru_cache(maxsize=65536)
def word_grams(word: str) -> tuple[str, ...]:
    """The n-grams of one word, its edges marked; of a run of Chinese, its characters and pairs.

    A run of Chinese counts as one word; pairs are the length of most Chinese
    words, and longer n-grams would mostly straddle two words.
    """
    chinese = _has_chinese(word)
    marked = word if chinese else f" {word} "
    sizes = CHINESE_SIZES if chinese else SIZES
    return tuple([marked[i : i + size] for size in sizes for i in range(len(marked) - size + 1)])


class NgramIndex:
    """Per-entry centroids of character n-gram TF-IDF vectors; :meth:`similarity` of a question to an entry.

    Only the inverse document frequencies are computed up front, from each
    entry's distinct words; an entry's centroids are built the first time it is
    a candidate, so a cold start pays for the few entries one question reaches.
    """

    def __init__(
        self,
        entries: Sequence[Sequence[str]],
        *,
        max_chars: int,
        arrays: bool = False,
        idf: dict[str, float] | None = None,
    ) -> None:
        """``entries``: each entry's phrasings, already through :func:`~bot.knowledge.normalize.normalize`.

        ``arrays``: build centroids and compare questions with them with numpy
        (:class:`~bot.knowledge.arrays.NgramArrays`): for a large FAQ, whose questions keep reaching entries not
        built yet, and for a server, which asks enough questions to repay numpy's import. A small FAQ's
        centroids (``DENSE_CELLS``) are then all built on the first question, as one dense matrix.
        ``idf``: the n-grams' inverse document frequencies, when known already (a stored index).
        """
        self.max_chars = max_chars
        self._entries = entries
        if idf is None:
            count = len(entries)
            idf = {gram: math.log((1 + count) / (1 + df)) + 1 for gram, df in document_frequencies(entries).items()}
        self.idf = idf
        self._centroids: dict[int, list[tuple[Vector, float]]] = {}
        self._centroid_arrays: dict[int, Centroids] = {}
        self._known: dict[str, tuple[str, ...]] = {}  # a question's word -> its n-grams the FAQ uses
        self._arrays: NgramArrays | None = None
        self._matrix: CentroidMatrix | None = None  # see _dense_centroids
        self._dense = 2 * len(entries) * len(idf) <= DENSE_CELLS
        if arrays:
            from bot.knowledge.arrays import NgramArrays  # numpy: only for a large FAQ or a server

            self._arrays = NgramArrays(self.idf, word_grams)

    def _entry_centroids(self, index: int) -> list[tuple[Vector, float]]:
        """An entry's centroids (English phrasings', Chinese ones'), each with its phrasings' mean cosine to it."""
        found = self._centroids.get(index)
        if found is not None:
            return found
        centroids = []
        by_script: tuple[list[Vector], list[Vector]] = ([], [])  # English phrasings', Chinese ones'
        for text in self._entries[index]:
            counts = Counter(chain.from_iterable(map(word_grams, normalized_words(text))))
            by_script[_has_chinese(text)].append(self._vector(counts))
        for vectors in by_script:
            centroid = _centroid(vectors)
            if centroid:
                typical = sum(_cosine(vector, centroid) for vector in vectors) / len(vectors)
                centroids.append((centroid, typical))
        self._centroids[index] = centroids
        return centroids

    def _array_centroids(self, index: int, arrays: NgramArrays) -> Centroids:
        """:meth:`_numpy_centroids`, remembered."""
        found = self._centroid_arrays.get(index)
        if found is None:
            found = self._centroid_arrays[index] = self._numpy_centroids(index, arrays)
        return found

    def _numpy_centroids(self, index: int, arrays: NgramArrays) -> Centroids:
        """:meth:`_entry_centroids` computed with numpy (equal but for the last bits of the sums), as arrays."""
        texts = self._entries[index]
        return arrays.centroids(
            [arrays.grams_of(normalized_words(text)) for text in texts], [_has_chinese(text) for text in texts]
        )

    def _vector(self, counts: Counter[str]) -> Vector:
        """Sublinear TF times IDF, L2-normalised; n-grams the FAQ never uses are left out."""
        idf = self.idf
        # most n-grams occur once, and 1 + log(1) is 1: the logarithm is skipped for them
        vector = {
            gram: (1 + math.log(n)) * idf[gram] if n > 1 else idf[gram] for gram, n in counts.items() if gram in idf
        }
        return _unit(vector)

    def vector(self, question: str) -> Vector:
        """The question's vector, to compare with several entries."""
        return self.normalized_vector(normalize(question, max_chars=self.max_chars))

    def normalized_vector(self, normalized: str) -> Vector:
        """:meth:`vector` of a question that :func:`~bot.knowledge.normalize.normalize` has already been through."""
        counts = Counter(chain.from_iterable(map(self._known_grams, normalized_words(normalized))))
        idf = self.idf
        return _unit({gram: (1 + math.log(n)) * idf[gram] if n > 1 else idf[gram] for gram, n in counts.items()})

    def _known_grams(self, word: str) -> tuple[str, ...]:
        """The n-grams of a word of a question that the FAQ uses (the others weigh nothing), remembered."""
        found = self._known.get(word)
        if found is None:
            if len(self._known) >= _CACHE_LIMIT:
                self._known.clear()
            found = self._known[word] = tuple(gram for gram in word_grams(word) if gram in self.idf)
        return found

    def similarities(self, normalized: str, indices: Sequence[int]) -> list[float]:
        """:meth:`similarity` to each of the entries ``indices`` of a question already through
        :func:`~bot.knowledge.normalize.normalize`; with numpy on a large FAQ (or when built with ``arrays``)."""
        arrays = self._arrays
        if arrays is None:
            vector = self.normalized_vector(normalized)
            return [self.similarity(vector, index) for index in indices]
        if self._dense:
            return arrays.every_similarity(normalized_words(normalized), self._dense_centroids(arrays), indices)
        question = arrays.question(normalized_words(normalized))
        return arrays.similarities(question, [self._array_centroids(index, arrays) for index in indices])

    def _dense_centroids(self, arrays: NgramArrays) -> CentroidMatrix:
        """Every entry's centroids in one dense matrix, built on first use: only for a small FAQ (``DENSE_CELLS``)."""
        if self._matrix is None:
            self._matrix = arrays.matrix([self._numpy_centroids(index, arrays) for index in range(len(self._entries))])
        return self._matrix

    def similarity(self, vector: Vector, index: int) -> float:
        """How close a question's :meth:`vector` is to entry ``index``, 0-1.

        The cosine with the entry's closer centroid, against what its own
        phrasings typically reach: an entry asked in many different ways has
        a loose centroid, and a question as close as its own phrasings scores in full.
        """
        return max(
            (min(1.0, _cosine(vector, centroid) / typical) for centroid, typical in self._entry_centroids(index)),
            default=0.0,
        )


def _cosine(vector: Vector, unit: Vector) -> float:
    """The dot product, over the question's n-grams in their order (the lookups and products are done in C)."""
    dot: float = sum(map(mul, map(unit.get, vector, repeat(0.0)), vector.values()))
    return dot


def _has_chinese(text: str) -> bool:
    return _CHINESE.search(text) is not None


def _centroid(vectors: list[Vector]) -> Vector:
    total: Vector = {}
    for vector in vectors:
        for gram, weight in vector.items():
            total[gram] = weight + total.get(gram, 0.0)
    return _unit(total)


def _unit(vector: Vector) -> Vector:
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {gram: weight / norm for gram, weight in vector.items()} if norm else {}
