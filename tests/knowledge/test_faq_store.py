"""The loaded FAQ kept in the index folder: read back, it is exactly what parsing the files gives; a damaged or
stale file, a changed file (even one of the same size and modification time) or other settings mean reading
or building afresh, never serving what no longer fits."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.config import MatchSettings
from bot.knowledge import loader
from bot.knowledge.check import check_faq
from bot.knowledge.index_store import IndexStore
from bot.knowledge.loader import FaqError, load_faq, read_faq
from bot.knowledge.matcher import Answer, Matcher
from tests.knowledge.test_index_store import dev_questions, same_ranking
from tests.support.damage import damaged


def stored_faq(store: IndexStore) -> Path:
    (path,) = store.folder.glob("*.faq")
    return path


def from_store_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing the files from here on fails the test: what is read must come from the store."""

    def no_parsing(self: object) -> None:
        raise AssertionError("parsed, not read from the store")

    monkeypatch.setattr(loader._Reader, "read", no_parsing)


def test_a_stored_faq_is_the_faq_the_files_give(
    faq_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries, layers, documents, aliases, onboarding, version and dates all come back equal, without parsing."""
    store = IndexStore(tmp_path / "index")
    parsed = load_faq(faq_folder, store=store)
    assert stored_faq(store).stat().st_mode & 0o777 == 0o600
    from_store_only(monkeypatch)
    again = load_faq(faq_folder, store=store)
    assert again == parsed
    assert (again.version, again.files_digest) == (parsed.version, parsed.files_digest)
    assert again.entries == parsed.entries
    assert again.entries[0].reviewed == parsed.entries[0].reviewed
    assert again.entries[0].reviewed is not None
    assert [entry.file for entry in again.entries] == [entry.file for entry in parsed.entries]


def test_a_matcher_over_a_stored_faq_answers_as_over_the_files(
    shipped_matcher: Matcher, faq_folder: Path, tmp_path: Path
) -> None:
    store = IndexStore(tmp_path / "index")
    load_faq(faq_folder, store=store)
    matcher = Matcher(load_faq(faq_folder, store=store), store=store)
    for question in dev_questions():
        assert same_ranking(question, matcher, shipped_matcher), question


@damaged
def test_a_damaged_stored_faq_means_parsing_again(faq_folder: Path, tmp_path: Path, damage: object) -> None:
    store = IndexStore(tmp_path / "index")
    parsed = load_faq(faq_folder, store=store)
    path = stored_faq(store)
    whole = path.read_bytes()
    path.write_bytes(damage(whole))  # type: ignore[operator]
    again = load_faq(faq_folder, store=store)
    assert again == parsed
    assert again.version == parsed.version
    assert path.read_bytes() == whole  # written again, whole


@pytest.mark.parametrize(
    "values",
    [
        {"faq": "not an faq", "problems": []},
        {"problems": []},
        {"faq": {"layers": [], "documents": [], "entries": [(1, 2)]}, "problems": []},
    ],
    ids=["not-values", "no-faq", "wrong-entries"],
)
def test_a_stored_faq_of_the_wrong_shape_means_parsing_again(
    faq_folder: Path, tmp_path: Path, values: dict[str, object]
) -> None:
    """The right key, but values that are not a loaded FAQ: the files are parsed again, and the FAQ is right."""
    store = IndexStore(tmp_path / "index")
    parsed = load_faq(faq_folder, store=store)
    key = stored_faq(store).stem
    assert store.save_faq(key, values)
    assert load_faq(faq_folder, store=store) == parsed


def test_a_changed_file_of_the_same_size_and_time_is_read_again(faq_folder: Path, tmp_path: Path) -> None:
    """The key is the files' content, not their size and modification time: an edit that keeps both is seen."""
    store = IndexStore(tmp_path / "index")
    before = load_faq(faq_folder, store=store)
    entry = before.entry("licence")
    assert entry is not None
    path = faq_folder / Path(entry.file).name
    status = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace(entry.question, entry.question.swapcase(), 1)
    assert edited != text
    assert len(edited.encode()) == status.st_size
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size
    assert path.stat().st_mtime_ns == status.st_mtime_ns
    after = load_faq(faq_folder, store=store)
    changed = after.entry("licence")
    assert changed is not None
    assert changed.question == entry.question.swapcase()
    assert after.version != before.version
    assert after.files_digest != before.files_digest
    assert len(list(store.folder.glob("*.faq"))) == 2  # the old version stays until pruned


def test_a_broken_faq_reports_the_same_problems_from_the_store(faq_folder: Path, tmp_path: Path) -> None:
    """`faq check` and a refused reload read the same problems, file and line, whether parsed or stored."""
    store = IndexStore(tmp_path / "index")
    path = faq_folder / "layers.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name_zh:", "nom_zh:", 1), encoding="utf-8")
    (faq_folder / "extra.yml").write_text("entries: []\n", encoding="utf-8")
    parsed, problems = read_faq(faq_folder, store=store)
    stored, stored_problems = read_faq(faq_folder, store=store)
    assert problems
    assert stored_problems == problems
    assert any("extra.yml" in str(problem) for problem in problems)
    assert stored == parsed
    with pytest.raises(FaqError) as raised:
        load_faq(faq_folder, store=store)
    assert str(raised.value) == str(FaqError(problems))
    result = check_faq(faq_folder, store=store)
    assert not result.ok
    assert result.problems[: len(problems)] == problems


def test_what_is_required_is_part_of_the_key(faq_folder: Path, tmp_path: Path) -> None:
    """Read without Chinese required, a layer lacking its Chinese name passes; required, it does not."""
    store = IndexStore(tmp_path / "index")
    path = faq_folder / "layers.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name_zh:", "nom_zh:", 1), encoding="utf-8")
    lenient = [str(p) for p in read_faq(faq_folder, require_chinese=False, store=store)[1]]
    strict = [str(p) for p in read_faq(faq_folder, require_chinese=True, store=store)[1]]
    assert not any("missing field 'name_zh'" in p for p in lenient)
    assert any("missing field 'name_zh'" in p for p in strict)


def test_paths_are_shown_from_the_working_folder_of_each_run(
    faq_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore(tmp_path / "index")
    monkeypatch.chdir(tmp_path)
    inside = load_faq(faq_folder, store=store)
    assert inside.entries[0].file.startswith("faq/")
    monkeypatch.chdir(faq_folder)
    here = load_faq(faq_folder, store=store)
    assert [entry.file for entry in here.entries] == [Path(entry.file).name for entry in inside.entries]
    assert here.version == inside.version


def test_other_settings_build_the_index_again_and_match_by_them(
    faq_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored FAQ serves any settings; the index is built again for new settings, and matches by them."""
    store = IndexStore(tmp_path / "index")
    Matcher(load_faq(faq_folder, store=store), store=store)
    other = MatchSettings(answer_text_credit=0.0)
    built = []
    original = Matcher._build

    def counted(self: Matcher) -> object:
        built.append(self.settings)
        return original(self)

    monkeypatch.setattr(Matcher, "_build", counted)
    from_store_only(monkeypatch)
    faq = load_faq(faq_folder, store=store)
    again = Matcher(faq, store=store)
    rebuilt = Matcher(faq, settings=other, store=store)
    assert built == [other]  # the first came from the store, the second was built
    fresh = Matcher(faq, settings=other)
    questions = dev_questions()[:80]
    assert all(same_ranking(q, rebuilt, fresh) for q in questions)
    assert not all(same_ranking(q, rebuilt, again) for q in questions)
    assert isinstance(again.match("is there an SLA if we use qwen through alibaba cloud?"), Answer)


def test_the_loader_code_digest_covers_every_module_the_loader_reads() -> None:
    """A stored FAQ survives a change to the matcher's code, so its key must name every module its reading uses."""
    folder = Path(loader.__file__).parent
    imported = {
        f"{module}.py"
        for name in loader.LOADER_CODE
        for module in re.findall(r"^from bot\.knowledge\.(\w+) import", (folder / name).read_text(), re.MULTILINE)
    }
    assert imported <= set(loader.LOADER_CODE)
    assert "matcher.py" not in loader.LOADER_CODE
