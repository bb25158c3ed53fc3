"""Loading an FAQ folder: every problem is reported with its file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.knowledge.loader import MAX_ANSWER_ZH_CHARS, MAX_FILE_BYTES, FaqError, load_faq, read_faq
from tests.conftest import entry_yaml, small_faq

FIVE = ["one way", "two way", "three way", "four way", "five way"]


def messages(folder: Path) -> list[str]:
    return [str(problem) for problem in read_faq(folder)[1]]


def test_shipped_faq_loads_without_problems(faq_folder: Path) -> None:
    """The FAQ the bot ships with has no loader problems and at least 40 entries."""
    faq, problems = read_faq(faq_folder)
    assert problems == []
    assert len(faq.entries) >= 40
    assert list(faq.layers) == ["alibaba-group", "tongyi-research", "alibaba-cloud", "hugging-face", "community"]


def test_yaml_syntax_error_names_file_and_line(faq_folder: Path) -> None:
    """A YAML error is reported as file:line, not a traceback."""
    path = faq_folder / "licensing.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4] + ' "unclosed'
    path.write_text("\n".join(lines), encoding="utf-8")
    found = messages(faq_folder)
    assert found == [f"{path}:5: YAML error: {found[0].split('YAML error: ')[1]}"]


def test_duplicate_key_is_refused(tmp_path: Path) -> None:
    """PyYAML keeps the last of two equal keys silently; the loader refuses them."""
    folder = small_faq(
        tmp_path, entry_yaml("a", "Who?", FIVE).replace("    tags: [test]\n", "    tags: [test]\n    tags: [x]\n")
    )
    found = messages(folder)
    assert any("duplicate key 'tags'" in m and "entries.yaml:" in m for m in found)


def test_missing_fields_and_wrong_types_are_named(tmp_path: Path) -> None:
    """Each missing or mistyped field is its own problem naming the entry."""
    entries = "  - id: broken\n    question: 42\n    alternates: [only one]\n    layer: tongyi-research\n"
    found = messages(small_faq(tmp_path, entries))
    assert "entries.yaml:2: entry: 'question' must be non-empty text" in " ".join(found)
    assert any("missing field 'answer'" in m for m in found)
    assert any("'alternates' needs at least 5 item(s), has 1" in m for m in found)
    assert any("missing field 'source'" in m or "'source' must be" in m for m in found)


def test_unknown_layer_duplicate_id_and_see_also(tmp_path: Path) -> None:
    """Unknown layer ids, ids used twice and see_also to nowhere are each reported."""
    entries = (
        entry_yaml("a", "First?", FIVE, layer="alibaba-moon")
        + entry_yaml("a", "Second?", [f"other {w}" for w in FIVE])
        + entry_yaml("b", "Third?", [f"third {w}" for w in FIVE]).replace(
            "tags: [test]", "tags: [test]\n    see_also: [nowhere]"
        )
    )
    found = " | ".join(messages(small_faq(tmp_path, entries)))
    assert "unknown layer 'alibaba-moon'" in found
    assert "entry id 'a' also used at line 2" in found
    assert "see_also names unknown entry 'nowhere'" in found


def test_same_phrasing_in_two_entries(tmp_path: Path) -> None:
    """A phrasing owned by two entries is a problem naming the first owner."""
    entries = entry_yaml("a", "Who pays?", FIVE) + entry_yaml("b", "Who pays!", [f"b {w}" for w in FIVE])
    found = messages(small_faq(tmp_path, entries))
    assert any("entry 'b': phrasing 'Who pays!' also belongs to 'a'" in m for m in found)


def test_over_long_answer(tmp_path: Path) -> None:
    """Answers are capped at 600 characters so a Slack reply stays readable."""
    found = messages(small_faq(tmp_path, entry_yaml("a", "Who?", FIVE, answer="x" * 601)))
    assert any("answer is 601 characters; the limit is 600" in m for m in found)


def test_unknown_field_is_reported(tmp_path: Path) -> None:
    """A misspelt field name is not silently ignored."""
    found = messages(small_faq(tmp_path, entry_yaml("a", "Who?", FIVE).replace("tags:", "tagz:")))
    assert any("unknown field 'tagz'" in m for m in found)


def test_unknown_source_section(tmp_path: Path) -> None:
    """A source must name a section the document really has."""
    entries = entry_yaml("a", "Who?", FIVE).replace("Frequently asked questions", "Appendix Z")
    found = messages(small_faq(tmp_path, entries))
    assert any("'corporate-landscape' has no section 'Appendix Z'" in m for m in found)


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A file over the size limit is one problem, not a memory spike."""
    folder = small_faq(tmp_path, entry_yaml("a", "Who?", FIVE))
    (folder / "huge.yaml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert any("huge.yaml: file is" in m for m in messages(folder))


def test_not_utf8_and_not_a_mapping(tmp_path: Path) -> None:
    """Binary junk and a list at the top level are both named problems."""
    folder = small_faq(tmp_path, entry_yaml("a", "Who?", FIVE))
    (folder / "junk.yaml").write_bytes(b"\xff\xfe\x00entries")
    (folder / "list.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    found = " | ".join(messages(folder))
    assert "junk.yaml: not UTF-8 text" in found
    assert "list.yaml:1: expected a top-level `entries:`" in found


def test_missing_folder_and_load_faq_raises(tmp_path: Path) -> None:
    """load_faq raises one FaqError whose message is the first problem."""
    with pytest.raises(FaqError, match="FAQ folder not found"):
        load_faq(tmp_path / "nowhere")


def test_version_changes_with_content(faq_folder: Path) -> None:
    """The FAQ version is a digest of the files, so any edit changes it."""
    before = read_faq(faq_folder)[0].version
    path = faq_folder / "models.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert read_faq(faq_folder)[0].version != before


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) | st.dates(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.text(max_size=500) | yaml_values.map(lambda v: yaml.safe_dump({"entries": v})))
def test_any_file_content_is_a_problem_not_a_crash(tmp_path: Path, content: str) -> None:
    """Any text, or any YAML structure under `entries:`, yields problems with file names, never an exception."""
    folder = tmp_path / "small_faq"
    if not folder.exists():
        small_faq(tmp_path, entry_yaml("a", "Who?", FIVE))
    (folder / "fuzzed.yaml").write_text(content, encoding="utf-8")
    faq, problems = read_faq(folder)
    assert all(str(problem).startswith(str(folder)) for problem in problems)
    if problems:
        with pytest.raises(FaqError):
            load_faq(folder)
    else:
        assert faq.entry("a") is not None


def test_chinese_fields_and_review_date_are_read(tmp_path: Path) -> None:
    """question_zh, answer_zh and reviewed are read; question_zh is one of the entry's phrasings."""
    extra = '    question_zh: "谁付钱？"\n    reviewed: 2026-11-27\n'
    folder = small_faq(tmp_path, entry_yaml("a", "Who pays?", FIVE, answer="One answer.") + extra)
    faq, problems = read_faq(folder)
    assert problems == []
    entry = faq.entries[0]
    assert (entry.question_zh, entry.answer_zh, entry.reviewed) == ("谁付钱？", "中文：One answer.", date(2026, 11, 27))
    assert entry.phrasings[:2] == ("Who pays?", "谁付钱？")


def test_chinese_fields_are_optional(tmp_path: Path) -> None:
    """Until they are required, an entry without the Chinese fields or a review date still loads."""
    entries = entry_yaml("a", "Who pays?", FIVE).replace('    answer_zh: "中文：An answer."\n', "")
    faq, problems = read_faq(small_faq(tmp_path, entries), require_chinese=False)
    assert problems == []
    assert (faq.entries[0].answer_zh, faq.entries[0].reviewed) == ("", None)
    assert faq.entries[0].phrasings == ("Who pays?", *FIVE)


@pytest.mark.parametrize("written", ["27/11/2026", "'2026-02-30'", "[2026]", "2026-11-27T10:00:00"])
def test_bad_review_date_is_named(tmp_path: Path, written: str) -> None:
    """A review date that is not a real YYYY-MM-DD date is one problem naming the entry."""
    folder = small_faq(tmp_path, entry_yaml("a", "Who pays?", FIVE) + f"    reviewed: {written}\n")
    assert messages(folder) == [f"{folder / 'entries.yaml'}:2: entry 'a': 'reviewed' must be a date written YYYY-MM-DD"]


def test_layer_and_onboarding_chinese_fields_are_read(tmp_path: Path) -> None:
    """Layers take name_zh/role_zh/summary_zh and onboarding takes welcome_zh."""
    folder = small_faq(tmp_path, entry_yaml("a", "Who pays?", FIVE))
    (folder / "layers.yaml").write_text(
        "layers:\n  - {id: tongyi-research, name: T, role: R, visibility: V, summary: S,"
        " name_zh: 通义, role_zh: 研究, summary_zh: 摘要}\n",
        encoding="utf-8",
    )
    (folder / "onboarding.yaml").write_text(
        "onboarding:\n  welcome: Hi.\n  welcome_zh: 欢迎。\n  starters: [a]\n", encoding="utf-8"
    )
    faq, problems = read_faq(folder)
    assert problems == []
    layer = faq.layers["tongyi-research"]
    assert (layer.name_zh, layer.role_zh, layer.summary_zh) == ("通义", "研究", "摘要")
    assert faq.onboarding.welcome_zh == "欢迎。"


def test_impossible_unquoted_date_is_a_yaml_error_with_its_line(tmp_path: Path) -> None:
    """PyYAML raises a bare ValueError for 2026-02-30; the loader reports it at its line."""
    folder = small_faq(tmp_path, entry_yaml("a", "Who pays?", FIVE) + "    reviewed: 2026-02-30\n")
    line = (folder / "entries.yaml").read_text(encoding="utf-8").splitlines().index("    reviewed: 2026-02-30") + 1
    found = messages(folder)
    assert len(found) == 1
    assert found[0].startswith(f"{folder / 'entries.yaml'}:{line}: YAML error: not a real date")


def test_required_chinese_fields_are_named_one_line_each(tmp_path: Path) -> None:
    """Once required, a missing answer_zh and a layer without name_zh/role_zh are one problem each."""
    entries = entry_yaml("a", "Who pays?", FIVE).replace('    answer_zh: "中文：An answer."\n', "")
    folder = small_faq(tmp_path, entries)
    layers = folder / "layers.yaml"
    layers.write_text(
        "layers:\n  - {id: tongyi-research, name: T, role: R, visibility: V, summary: S, name_zh: 通义}\n"
        "  - {id: community, name: C, role: R, visibility: V, summary: S}\n",
        encoding="utf-8",
    )
    found = [str(p) for p in read_faq(folder, require_chinese=True)[1]]
    assert found == [
        f"{layers}:2: layer 'tongyi-research': missing field 'role_zh'",
        f"{layers}:3: layer 'community': missing field 'name_zh' and 'role_zh'",
        f"{folder / 'entries.yaml'}:2: entry 'a': missing field 'answer_zh' (the answer in Chinese)",
    ]
    assert read_faq(folder, require_chinese=False)[1] == []


def test_over_long_answer_zh_is_refused_even_when_optional(tmp_path: Path) -> None:
    """answer_zh has its own limit: Chinese says as much in fewer characters."""
    long = "长" * (MAX_ANSWER_ZH_CHARS + 1)
    entries = entry_yaml("a", "Who pays?", FIVE).replace("中文：An answer.", long)
    folder = small_faq(tmp_path, entries)
    assert messages(folder) == [
        f"{folder / 'entries.yaml'}:2: entry 'a': answer_zh is {MAX_ANSWER_ZH_CHARS + 1} characters; "
        f"the limit is {MAX_ANSWER_ZH_CHARS}"
    ]
    assert read_faq(folder, require_chinese=False)[1] != []
