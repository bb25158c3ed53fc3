"""Writing accepted proposals into a FAQ folder: the FAQ's own format, checked by faq check, idempotent."""

from __future__ import annotations

import difflib
from pathlib import Path

from bot.config import DEFAULT_FAQ_DIR
from bot.curation import NEW_ENTRIES_FILE, resolve_source, worth_suggesting, write_accepted
from bot.knowledge.check import check_faq
from bot.knowledge.faq import Source
from bot.knowledge.loader import load_faq
from bot.knowledge.matcher import Answer, Matcher
from bot.storage import Proposal
from tests.support.cli import assert_one_sentence, run_bot

STICKERS = Proposal(
    kind="entry",
    proposed_at=0.0,
    id=7,
    question="Where can we order Qwen stickers?",
    answer="Nobody sells them: ask in #qwen-fans, where the community prints its own.",
    answer_zh="没有人出售：请到 #qwen-fans 询问，社区自己印制。",
    layers=("community", "tongyi-research"),
    source="corporate-landscape: Frequently asked questions",
    alternates=(
        "qwen stickers?",
        "can I get a qwen sticker for my laptop",
        "who sells qwen stickers",
        "qwen laptop stickers",
        "are there qwen stickers we can buy",
    ),
    author="UEXPERT01",
)
FUNDING_ALTERNATE = Proposal("alternate", 0.0, "who bankrolls the qwen team?", entry_id="funding", id=8, author="vote")


def test_an_accepted_draft_and_alternate_pass_faq_check_and_are_answered(faq_folder: Path) -> None:
    before = {path.name: path.read_text(encoding="utf-8") for path in faq_folder.glob("*.yaml")}
    written = write_accepted([STICKERS, FUNDING_ALTERNATE], faq_folder, DEFAULT_FAQ_DIR)
    assert written.entries == ["where-order-qwen-stickers"]
    assert [entry for entry, _ in written.alternates] == ["funding"]
    result = check_faq(faq_folder)
    assert result.ok, result.problems
    matcher = Matcher(load_faq(faq_folder))
    answer = matcher.match("where can we order qwen stickers?")
    assert isinstance(answer, Answer)
    assert answer.entry.id == "where-order-qwen-stickers"
    assert answer.entry.layers == ("community", "tongyi-research")
    assert answer.entry.sources == (Source("corporate-landscape", "Frequently asked questions"),)
    funding_file = written.alternates[0][1]
    diff = [
        line
        for line in difflib.unified_diff(
            before[funding_file].splitlines(), (faq_folder / funding_file).read_text(encoding="utf-8").splitlines()
        )
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert diff == ['+      - "who bankrolls the qwen team?"']  # merged in place: a one-line diff


def test_writing_twice_changes_nothing(faq_folder: Path) -> None:
    write_accepted([STICKERS, FUNDING_ALTERNATE], faq_folder, DEFAULT_FAQ_DIR)
    after_first = {path.name: path.read_text(encoding="utf-8") for path in faq_folder.glob("*.yaml")}
    again = write_accepted([STICKERS, FUNDING_ALTERNATE], faq_folder, DEFAULT_FAQ_DIR)
    assert (again.entries, again.alternates, len(again.skipped)) == ([], [], 2)
    assert {path.name: path.read_text(encoding="utf-8") for path in faq_folder.glob("*.yaml")} == after_first


def test_an_empty_folder_gets_a_copy_of_the_faq_first(tmp_path: Path) -> None:
    target = tmp_path / "review"
    write_accepted([STICKERS], target, DEFAULT_FAQ_DIR)
    assert (target / "layers.yaml").exists()
    assert (target / NEW_ENTRIES_FILE).exists()
    assert check_faq(target).ok


def test_a_source_that_names_no_document_is_left_for_the_curator(faq_folder: Path) -> None:
    """An expert's own word is not a source document: faq check refuses it until a curator names one."""
    draft = Proposal(**{**STICKERS.__dict__, "source": "expert: Mei"})
    write_accepted([draft], faq_folder, DEFAULT_FAQ_DIR)
    text = (faq_folder / NEW_ENTRIES_FILE).read_text(encoding="utf-8")
    assert "# source as the expert gave it: 'expert: Mei'" in text
    result = check_faq(faq_folder)
    assert not result.ok
    assert any("unknown document '?'" in str(problem) for problem in result.problems)


def test_hostile_text_stays_data(faq_folder: Path) -> None:
    """Quotes, a YAML-looking answer and Slack's escaping come out as the text they are."""
    draft = Proposal(
        **{
            **STICKERS.__dict__,
            "question": 'Where are the "official" Qwen stickers &amp; mugs?',
            "answer": "key: value\n- not a list\n  indented: &anchor",
        }
    )
    write_accepted([draft], faq_folder, DEFAULT_FAQ_DIR)
    entry = next(e for e in load_faq(faq_folder).entries if e.id.startswith("where-official"))
    assert entry.question == 'Where are the "official" Qwen stickers & mugs?'
    assert entry.answer == "key: value\n- not a list\n  indented: &anchor"


def test_resolve_source() -> None:
    faq = load_faq(DEFAULT_FAQ_DIR)
    assert resolve_source("corporate-landscape > frequently asked questions", faq) == Source(
        "corporate-landscape", "Frequently asked questions"
    )
    assert resolve_source("https://qwen.ai/stickers", faq) is None
    assert resolve_source("corporate-landscape", faq) is None  # a section is needed


def test_a_question_found_confidently_is_not_suggested(shipped_matcher: Matcher) -> None:
    assert not worth_suggesting(shipped_matcher, "who funds qwen?", "funding")
    assert worth_suggesting(shipped_matcher, "who pays for qwen development", "funding")
    assert worth_suggesting(shipped_matcher, "where can we order qwen stickers?", "funding")


def test_suggestions_without_a_database_or_with_a_file_for_folder_is_one_sentence(tmp_path: Path) -> None:
    missing = {"DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}"}
    assert_one_sentence(run_bot("faq", "suggestions", env=missing, cwd=tmp_path), code=2, words="no database at")
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    result = run_bot("faq", "suggestions", "--write", str(tmp_path / "file.txt"), env=missing, cwd=tmp_path)
    assert_one_sentence(result, code=2, words="is a file; give a FAQ folder")
