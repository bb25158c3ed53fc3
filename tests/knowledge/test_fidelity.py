"""``faq fidelity``: shared runs of seven words, and headings that must be lines of their document."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.fidelity import check_fidelity, read_sources, shared_runs, words
from bot.knowledge.loader import load_faq
from tests.conftest import entry_yaml, small_faq

DOCUMENT = """\
Canteen notes: where the team eats

Frequently asked questions

The canteen on the second floor serves hot lunches from noon until two o'clock every weekday.
Staff who use reinforcement learning from human feedback (RLHF) eat on the roof terrace daily.

Alibaba’s opening hours
"""
SOURCES = """\
documents:
  - id: corporate-landscape
    title: "Canteen notes. Where the team eats"
    kind: Field Notes
    sections:
      - Frequently asked questions
"""
FIVE = ["lunch place", "food order", "canteen", "menu", "catering"]


def folder_with(tmp_path: Path, answer: str, *, sections: tuple[str, ...] = (), alternate: str = "") -> Path:
    """A FAQ with one entry, cited from the canteen notes, and those notes as the only source file."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    entries = entry_yaml("lunch", "Where do we order lunch?", [*FIVE, *([alternate] if alternate else [])], answer)
    folder = small_faq(tmp_path, entries)
    (folder / "sources.yaml").write_text(SOURCES + "".join(f"      - {s}\n" for s in sections), encoding="utf-8")
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "canteen.txt").write_text(DOCUMENT, encoding="utf-8")
    return folder


def findings(folder: Path) -> list[str]:
    sources = read_sources(folder.parent / "seeds")
    return [str(f) for f in check_fidelity(load_faq(folder), sources, folder / "sources.yaml")]


def test_words_are_case_folded_without_punctuation() -> None:
    """Capitals, commas and apostrophes (straight or curly) do not hide a copied run."""
    assert words("Alibaba’s Cloud, served HOT-lunches!") == ["alibabas", "cloud", "served", "hot", "lunches"]


def test_seven_shared_words_are_a_finding_six_are_not(tmp_path: Path) -> None:
    """Seven consecutive words of the document in an answer: a line with file:line, entry, field and the words."""
    copied = folder_with(tmp_path / "a", "Our canteen: Serves hot lunches from noon until TWO, they say.")
    assert findings(copied) == [  # the fixture's answer_zh repeats the answer, so it is found there too
        f"{copied / 'entries.yaml'}:2: entry 'lunch': {field} shares 7 words with canteen.txt: "
        "“serves hot lunches from noon until two”; say it in the FAQ's own words"
        for field in ("answer", "answer_zh")
    ]
    assert findings(folder_with(tmp_path / "b", "Our canteen serves hot lunches from noon, they say.")) == []


def test_alternates_are_checked_too(tmp_path: Path) -> None:
    """Questions and alternates count as much as answers."""
    found = findings(folder_with(tmp_path, "Noon.", alternate="the place that serves hot lunches from noon until two"))
    assert len(found) == 1
    assert "entry 'lunch': alternate shares 7 words" in found[0]


def test_a_fixed_term_counts_as_one_word(tmp_path: Path) -> None:
    """An allowed term is one word: quoting it with a few words around is not copying."""
    folder = folder_with(tmp_path, "Those who use reinforcement learning from human feedback (RLHF) eat elsewhere.")
    assert findings(folder) == []


def test_shared_runs_are_merged_into_the_longest_stretch() -> None:
    """Overlapping windows make one run; separate stretches stay separate."""
    document = "a b c d e f g h i j".split()
    runs = frozenset(tuple(document[i : i + 7]) for i in range(len(document) - 6))
    asked = [*"x a b c d e f g h y".split(), *"a b c d e f g".split()]
    assert list(shared_runs(asked, runs)) == ["a b c d e f g h".split(), "a b c d e f g".split()]


def test_a_heading_must_be_a_line_of_its_document_exactly(tmp_path: Path) -> None:
    """A heading the document lacks, or with a straight apostrophe for a curly one, is named with its line."""
    folder = folder_with(tmp_path, "Noon.", sections=("Introduction", "Alibaba's opening hours"))
    found = findings(folder)
    assert found == [
        f"{folder / 'sources.yaml'}:7: document 'corporate-landscape': section “Introduction” "
        "is not a heading line of canteen.txt",
        f"{folder / 'sources.yaml'}:8: document 'corporate-landscape': section “Alibaba's opening hours” "
        "is not a heading line of canteen.txt",
    ]
    assert findings(folder_with(tmp_path / "curly", "Noon.", sections=("Alibaba’s opening hours",))) == []


def test_a_document_without_a_source_file_is_named(tmp_path: Path) -> None:
    """Documents are paired with files by title; one with no file is a finding."""
    folder = folder_with(tmp_path, "Noon.")
    (tmp_path / "seeds" / "canteen.txt").write_text("Another title\n\nText.\n", encoding="utf-8")
    assert findings(folder) == [
        f"{folder / 'sources.yaml'}:3: document 'corporate-landscape': no source file has the title "
        "“Canteen notes. Where the team eats”"
    ]


@pytest.mark.parametrize(
    ("answer", "status", "count"), [("Noon.", 0, 0), ("It serves hot lunches from noon until two.", 1, 2)]
)
def test_command_exit_status(tmp_path: Path, answer: str, status: int, count: int) -> None:
    """`faq fidelity` exits 0 when clean, 1 with findings (here in the answer and the answer_zh)."""
    from tests.test_cli import bot

    folder = folder_with(tmp_path, answer)
    result = bot("faq", "fidelity", "--faq", str(folder), "--sources", str(tmp_path / "seeds"))
    assert result.returncode == status, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith(f"{folder}: {count} fidelity problem(s)")


def test_command_without_the_sources_folder_exits_2(tmp_path: Path) -> None:
    """A missing folder is one line on stderr and exit 2."""
    from tests.test_cli import bot

    result = bot("faq", "fidelity", "--sources", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr == f"Error: sources folder '{tmp_path / 'nowhere'}' not found; pass --sources DIR\n"
    assert result.stdout == ""
