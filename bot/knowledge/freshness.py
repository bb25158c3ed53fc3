"""Which entries are due for review: never reviewed, or reviewed longer ago than FAQ_REVIEW_DAYS.

The research group ships fast and the hosted service lags behind it, so an
answer checked against the sources a year ago may no longer hold. ``faq check``
warns about stale entries (it does not fail on them) and the curators' report
lists them first, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.knowledge.faq import Faq


@dataclass(frozen=True)
class StaleEntry:
    """An entry due for review. ``reviewed`` and ``age_days`` are ``None`` when it never was."""

    entry_id: str
    question: str
    reviewed: date | None
    age_days: int | None
    file: str
    line: int

    def __str__(self) -> str:
        """A ``faq check`` warning line."""
        if self.reviewed is None or self.age_days is None:
            why = "has no `reviewed:` date"
        else:
            why = f"was last reviewed {self.reviewed.isoformat()}, {self.age_days} days ago"
        return f"{self.file}:{self.line}: warning: entry '{self.entry_id}' {why}; check it against its sources"


def stale_entries(faq: Faq, *, today: date, review_days: int) -> list[StaleEntry]:
    """Entries never reviewed or reviewed more than ``review_days`` days before ``today``, oldest first."""
    stale = []
    for entry in faq.entries:
        age = (today - entry.reviewed).days if entry.reviewed else None
        if age is None or age > review_days:
            stale.append(StaleEntry(entry.id, entry.question, entry.reviewed, age, entry.file, entry.line))
    return sorted(stale, key=lambda s: (s.age_days is not None, -(s.age_days or 0), s.entry_id))
