"""The curators' report, read from a real (SQLite) store."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.knowledge.matcher import Matcher
from bot.report import build_report, report_json, report_text
from bot.slack.blocks import report_message
from bot.storage import AskedQuestion, SqlStore


def test_report_shows_questions_as_typed_not_as_slack_escaped_them(tmp_path: Path, shipped_matcher: Matcher) -> None:
    """Slack sends `<`, `>` and `&` as entities; curators read the question as it was typed."""
    store = SqlStore(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    try:
        escaped = "does qwen &lt;3 R&amp;D &gt; sales?"
        store.record_question(AskedQuestion(time.time(), "no-match", 3.0, "im", text=escaped))
        report = build_report(store, shipped_matcher, since_days=30)
    finally:
        store.close()
    typed = "does qwen <3 R&D > sales?"
    assert repr(typed) in report_text(report, shipped_matcher)
    assert json.loads(report_json(report))["unanswered"][0]["example"] == typed
    assert "&lt;3 R&amp;D &gt; sales" in json.dumps(report_message(report))  # escaped once again for Slack
