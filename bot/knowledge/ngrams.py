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
FAQ version, and used only on the few candidates the term matcher ranks first.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from bot.knowledge.background import simplified_table
from bot.knowledge.normalize import normalize

SIZES = (2, 3, 4)
CHINESE_SIZES = (1, 2)
_CHINESE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PIECE = re.compile("([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|[\\W_]+")
Vector = dict[str, float]


def grams(text: str, *, max_chars: int) -> Counter[str]:
    """The character n-grams of each word of ``text`` (traditional Chinese folded onto simplified).

    A run of Chinese counts as one word; its n-grams are single characters and
    pairs, the length of most Chinese words: longer ones would mostly straddle two words.
    """
    normalized = normalize(text, max_chars=max_chars).translate(simplified_table())
    counts: Counter[str] = Counter()
    for piece in _PIECE.split(normalized):
        if not piece:
            continue
        chinese = _has_chinese(piece)
        marked = piece if chinese else f" {piece} "
        for size in CHINESE_SIZES if chinese else SIZES:
            counts.update(marked[i : i + size] for i in range(len(marked) - size + 1))
    return counts


class NgramIndex:
    """Per-entry centroids of character n-gram TF-IDF vectors; :meth:`similarity` of a question to an entry."""

    def __init__(self, entries: Sequence[Sequence[str]], *, max_chars: int) -> None:
        self.max_chars = max_chars
        phrasings = [[grams(text, max_chars=len(text)) for text in texts] for texts in entries]
        document_frequency: Counter[str] = Counter()
        for counts in phrasings:
            document_frequency.update({gram for each in counts for gram in each})
        count = len(phrasings)
        self._idf = {gram: math.log((1 + count) / (1 + df)) + 1 for gram, df in document_frequency.items()}
        self._centroids = [
            self._entry_centroids(texts, counts) for texts, counts in zip(entries, phrasings, strict=True)
        ]

    def _entry_centroids(self, texts: Sequence[str], counts: list[Counter[str]]) -> list[tuple[Vector, float]]:
        """An entry's centroids (English phrasings', Chinese ones'), each with its phrasings' mean cosine to it."""
        centroids = []
        for chinese in (False, True):
            vectors = [self._vector(c) for text, c in zip(texts, counts, strict=True) if _has_chinese(text) == chinese]
            centroid = _centroid(vectors)
            if centroid:
                typical = sum(_cosine(vector, centroid) for vector in vectors) / len(vectors)
                centroids.append((centroid, typical))
        return centroids

    def _vector(self, counts: Counter[str]) -> Vector:
        """Sublinear TF times IDF, L2-normalised; n-grams the FAQ never uses are left out."""
        idf = self._idf
        vector = {gram: (1 + math.log(n)) * idf[gram] for gram, n in counts.items() if gram in idf}
        return _unit(vector)

    def vector(self, question: str) -> Vector:
        """The question's vector, to compare with several entries."""
        return self._vector(grams(question, max_chars=self.max_chars))

    def similarity(self, vector: Vector, index: int) -> float:
        """How close a question's :meth:`vector` is to entry ``index``, 0-1.

        The cosine with the entry's closer centroid, against what its own
        phrasings typically reach: an entry asked in many different ways has
        a loose centroid, and a question as close as its own phrasings scores in full.
        """
        return max(
            (min(1.0, _cosine(vector, centroid) / typical) for centroid, typical in self._centroids[index]),
            default=0.0,
        )


def _cosine(vector: Vector, unit: Vector) -> float:
    return sum(weight * unit.get(gram, 0.0) for gram, weight in vector.items())


def _has_chinese(text: str) -> bool:
    return _CHINESE.search(text) is not None


def _centroid(vectors: list[Vector]) -> Vector:
    total: Counter[str] = Counter()
    for vector in vectors:
        total.update(vector)
    return _unit(dict(total))


def _unit(vector: Vector) -> Vector:
    norm = math.sqrt(sum(weight * weight for weight in vector.values()))
    return {gram: weight / norm for gram, weight in vector.items()} if norm else {}
