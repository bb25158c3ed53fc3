"""Entries due for review: never reviewed, or longer ago than FAQ_REVIEW_DAYS."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.knowledge.check import check_faq
from bot.knowledge.freshness import stale_entries
from bot.knowledge.loader import load_faq
from tests.conftest import entry_yaml, small_faq

TODAY = date(2026, 11, 27)


def dated_faq(tmp_path: Path) -> Path:
    """Four entries: reviewed today, 180 days ago, 181 days ago, and never."""
    five = ["menu", "opening hours", "prices", "location", "booking"]
    entries = "".join(
        entry_yaml(entry_id, f"Where is the {topic}?", [f"{topic} {w}" for w in five])
        + (f"    reviewed: {reviewed}\n" if reviewed else "")
        for entry_id, topic, reviewed in (
            ("fresh", "canteen", "2026-11-27"),
            ("edge", "gym", "2026-05-31"),
            ("old", "library", "2026-05-30"),
            ("never", "parking", None),
        )
    )
    return small_faq(tmp_path, entries)


def test_never_reviewed_first_then_oldest(tmp_path: Path) -> None:
    """More than review_days old is stale (exactly review_days is not); never reviewed comes first."""
    stale = stale_entries(load_faq(dated_faq(tmp_path)), today=TODAY, review_days=180)
    assert [(s.entry_id, s.reviewed, s.age_days) for s in stale] == [
        ("never", None, None),
        ("old", date(2026, 5, 30), 181),
    ]


def test_check_warns_but_passes(tmp_path: Path) -> None:
    """Stale entries are warnings with file:line; the FAQ still passes."""
    folder = dated_faq(tmp_path)
    result = check_faq(folder, review_days=180, today=TODAY)
    assert result.ok
    lines = [str(s) for s in result.stale]
    assert lines[0].endswith("warning: entry 'never' has no `reviewed:` date; check it against its sources")
    assert lines[1].startswith(f"{folder / 'entries.yaml'}:")
    assert "entry 'old' was last reviewed 2026-05-30, 181 days ago" in lines[1]
    assert [s.entry_id for s in check_faq(folder, review_days=1000, today=TODAY).stale] == ["never"]
