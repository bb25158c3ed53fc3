"""``faq check``: everything the loader finds wrong, plus a self-test of the matcher.

The self-test asks every phrasing of every entry and expects a confident answer
with that same entry. A phrasing that retrieves another entry, or only a close
call, is reported with the competitor named, so the curator knows which two
entries to tell apart. A phrasing too weak to stand on its own ("how much is
it" keeps only "how" once function words are gone) is reported too: it would
match anything holding that word. So is an alias variant listed under two
canonical forms: which one wins would depend on file order.

Entries due for review (:mod:`bot.knowledge.freshness`) are warnings: listed,
but the FAQ still passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.config import DEFAULT_REVIEW_DAYS, MatchSettings
from bot.knowledge.faq import Entry, Faq
from bot.knowledge.freshness import StaleEntry, stale_entries
from bot.knowledge.index_store import IndexStore
from bot.knowledge.loader import Problem, read_faq
from bot.knowledge.matcher import Answer, DidYouMean, Matcher
from bot.knowledge.normalize import normalize

QUESTION_WORDS = frozenset({"who", "what", "when", "where", "why", "how", "which"})


@dataclass(frozen=True)
class CheckResult:
    """What ``faq check`` found: the FAQ as loaded, its problems (none means OK) and its stale entries."""

    faq: Faq
    problems: list[Problem]
    matcher: Matcher | None = None
    stale: list[StaleEntry] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_faq(
    directory: str | Path,
    *,
    settings: MatchSettings | None = None,
    review_days: int = DEFAULT_REVIEW_DAYS,
    today: date | None = None,
    store: IndexStore | None = None,
    arrays: bool = False,
) -> CheckResult:
    """Validate the folder and, if it loads, self-test every phrasing and list the entries due for review.

    ``store``: where the loaded FAQ and the matcher's built index are kept per FAQ version (see
    :mod:`bot.knowledge.index_store`); ``arrays``: the matcher's (see :class:`~bot.knowledge.matcher.Matcher`).
    """
    faq, problems = read_faq(directory, store=store)
    if not faq.entries:
        return CheckResult(faq, problems)
    matcher = Matcher(faq, settings=settings, store=store, arrays=arrays)
    problems.extend(alias_collisions(faq))
    problems.extend(weak_phrasings(matcher))
    problems.extend(self_test(matcher))
    stale = stale_entries(faq, today=today or date.today(), review_days=review_days)
    return CheckResult(faq, problems, matcher, stale)


def self_test(matcher: Matcher) -> list[Problem]:
    """A problem for each phrasing that does not retrieve its own entry with confidence."""
    problems = []
    for entry in matcher.faq.entries:
        for phrasing in entry.phrasings:
            message = _retrieval_problem(matcher, entry, phrasing)
            if message:
                problems.append(Problem(entry.file, entry.line, f"entry '{entry.id}': phrasing {phrasing!r} {message}"))
    return problems


def alias_collisions(faq: Faq) -> list[Problem]:
    """A problem for each variant that two canonical forms claim."""
    owner: dict[str, str] = {}
    problems = []
    for canonical, variants in faq.aliases.items():
        for variant in {normalize(v) for v in (canonical, *variants)}:
            other = owner.setdefault(variant, canonical)
            if other != canonical:
                problems.append(
                    Problem("aliases.yaml", 1, f"alias {variant!r} is listed under both '{other}' and '{canonical}'")
                )
    return problems


def weak_phrasings(matcher: Matcher) -> list[Problem]:
    """A problem for each phrasing that names nothing but question words, or weighs under half the evidence floor."""
    problems = []
    floor = matcher.min_evidence / 2
    for entry in matcher.faq.entries:
        for phrasing in entry.phrasings:
            content = set(matcher.analyzer.terms(phrasing, spell=matcher.speller)) - QUESTION_WORDS
            weight = matcher.phrasing_weight(phrasing)
            if not content or weight < floor:
                message = f"is too weak to stand on its own (weight {weight:.1f}): say what it is about"
                problems.append(Problem(entry.file, entry.line, f"entry '{entry.id}': phrasing {phrasing!r} {message}"))
    return problems


def _retrieval_problem(matcher: Matcher, entry: Entry, phrasing: str) -> str | None:
    outcome = matcher.match(phrasing)
    if isinstance(outcome, Answer):
        if outcome.entry.id == entry.id:
            return None
        return f"retrieves '{outcome.entry.id}' instead (score {outcome.score:.0f})"
    if isinstance(outcome, DidYouMean):
        rivals = ", ".join(f"'{s.entry.id}' {s.score:.0f}" for s in outcome.suggestions)
        return f"is a close call between {rivals}"
    return f"gets no answer (score {outcome.score:.0f})"
