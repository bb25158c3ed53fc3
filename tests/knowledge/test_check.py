"""``faq check``'s self-test: every phrasing must retrieve its own entry."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge.check import check_faq
from tests.conftest import entry_yaml, small_faq


def test_shipped_faq_passes(faq_folder: Path) -> None:
    """The FAQ the bot ships with passes every check and the self-test."""
    result = check_faq(faq_folder)
    assert [str(p) for p in result.problems] == []


def test_collision_names_the_competing_entry(tmp_path: Path) -> None:
    """Two entries sharing a phrasing's words: the report names the other entry.

    The words tie; the character n-grams break the tie one way or the other, so
    at least the losing side is reported, naming the entry that wins.
    """
    entries = entry_yaml(
        "sla",
        "Is there an SLA?",
        ["uptime guarantee", "service level", "what if it goes down", "sla terms", "outage cover"],
    ) + entry_yaml(
        "rate-limits",
        "What are the rate limits?",
        ["throttling", "quota tiers", "requests per minute", "terms sla", "burst"],
    )
    problems = [str(p) for p in check_faq(small_faq(tmp_path, entries)).problems]
    named = [("'sla terms'" in p and "'rate-limits'" in p) or ("'terms sla'" in p and "'sla'" in p) for p in problems]
    assert any(named), problems


def test_loader_problems_come_first(tmp_path: Path) -> None:
    """Structural problems are reported even when the self-test also runs."""
    entries = entry_yaml("a", "Who?", ["one", "two", "three", "four", "five"], layer="nowhere")
    problems = [str(p) for p in check_faq(small_faq(tmp_path, entries)).problems]
    assert "unknown layer 'nowhere'" in problems[0]
