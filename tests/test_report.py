"""The curators' report lists entries due for review first."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from bot.knowledge.loader import load_faq
from bot.knowledge.matcher import Matcher
from bot.report import build_report, report_json, report_text
from bot.slack import blocks
from bot.storage import SqlStore
from tests.conftest import entry_yaml, small_faq

FIVE = ["menu", "opening hours", "prices", "location", "booking"]


def test_stale_entries_come_first_in_every_form(tmp_path: Path) -> None:
    """Text, JSON and the Slack message all start with the stale entries, oldest first."""
    entries = (
        entry_yaml("fresh", "Where is the canteen?", [f"canteen {w}" for w in FIVE])
        + "    reviewed: 2026-11-01\n"
        + entry_yaml("old", "Where is the library?", [f"library {w}" for w in FIVE])
        + "    reviewed: 2025-01-02\n"
        + entry_yaml("never", "Where is the parking?", [f"parking {w}" for w in FIVE])
    )
    matcher = Matcher(load_faq(small_faq(tmp_path, entries)))
    store = SqlStore(f"sqlite:///{tmp_path / 'report.sqlite3'}")
    try:
        now = datetime(2026, 11, 27, 12).timestamp()
        report = build_report(store, matcher, since_days=30, now=now, review_days=180)
    finally:
        store.close()
    assert [(s.entry_id, s.reviewed) for s in report.stale] == [("never", None), ("old", date(2025, 1, 2))]
    text = report_text(report, matcher).splitlines()
    assert text[2:5] == [
        "Entries due for review (not reviewed in 180 days), oldest first:",
        f"  {'never reviewed':<24}  never",
        f"  {'2025-01-02 (694 days)':<24}  old",
    ]
    assert json.loads(report_json(report))["stale"][1]["reviewed"] == "2025-01-02"
    message = blocks.report_message(report)
    first = message["blocks"][1]["text"]["text"]
    assert first.startswith("*Due for review*")
    assert "`old`: 2025-01-02 (694 days)" in first
