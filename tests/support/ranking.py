"""Rankings compared as the rank tests need: the same entries in the same order, each score equal to 1e-9.

Sums taken in another order (the arrays against the plain Python path, a stored index against a built one) differ
near 1e-14; compared after rounding, a score that sits on a rounding boundary would differ in its last place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from bot.knowledge.matcher import Answer, Match, Suggestion

Scored = list[tuple[str, float]]


def scored(suggestions: Iterable[Suggestion]) -> Scored:
    """Each suggestion's entry id and score."""
    return [(suggestion.entry.id, suggestion.score) for suggestion in suggestions]


def close(a: float, b: float) -> bool:
    """Equal to 1e-9 (scores run from 0 to 100)."""
    return math.isclose(a, b, rel_tol=0.0, abs_tol=1e-9)


def same(a: Sequence[tuple[str, float]], b: Sequence[tuple[str, float]]) -> bool:
    """The same entries in the same order, with scores equal to 1e-9."""
    if [id_ for id_, _ in a] != [id_ for id_, _ in b]:
        return False
    return all(close(x, y) for (_, x), (_, y) in zip(a, b, strict=True))


def offered(match: Match) -> list[str]:
    """The ids of the entries an outcome offers: the answer's, or the suggestions'."""
    entries = [match.entry] if isinstance(match, Answer) else [s.entry for s in getattr(match, "suggestions", ())]
    return [entry.id for entry in entries]


def outcome(match: Match) -> tuple[str, float, list[str]]:
    """An outcome's kind, score and the entries it offers."""
    return type(match).__name__, match.score, offered(match)


def same_outcome(a: Match, b: Match) -> bool:
    """The same kind of outcome, with the same entries and a score equal to 1e-9."""
    (kind_a, score_a, ids_a), (kind_b, score_b, ids_b) = outcome(a), outcome(b)
    return kind_a == kind_b and ids_a == ids_b and close(score_a, score_b)
