"""The matcher's index stored per FAQ version: loaded, it matches exactly like a fresh build; anything wrong
with the file or the folder means building as if there were no store."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

import bot.knowledge.matcher as matcher_module
from bot.config import MatchSettings, index_dir
from bot.knowledge import index_store
from bot.knowledge.index_store import IndexStore, state_key
from bot.knowledge.loader import load_faq
from bot.knowledge.matcher import Matcher
from tests.conftest import ROOT
from tests.support.damage import damaged
from tests.support.ranking import same, same_outcome, scored
from tests.test_cli import bot


def dev_questions() -> list[str]:
    dev = yaml.safe_load((ROOT / "tests" / "dev_set.yaml").read_text(encoding="utf-8"))
    return [str(item["q"]) for item in dev["in_scope"]] + [str(q) for q in (*dev["off_topic"], *dev["near_domain"])]


def same_ranking(question: str, *matchers: Matcher) -> bool:
    """Do the matchers give the question the same outcome and the same ranking (scores to 1e-9)?"""
    first, *others = matchers
    return all(
        same_outcome(other.match(question), first.match(question))
        and same(scored(other.rank(question, limit=6)), scored(first.rank(question, limit=6)))
        for other in others
    )


def loaded(matcher: Matcher, store: IndexStore, patch: pytest.MonkeyPatch) -> Matcher:
    """A second matcher over the same FAQ and settings that must come from the store: building it fails the test."""

    def no_build(self: Matcher) -> None:
        raise AssertionError("built, not loaded from the store")

    with patch.context() as inside:
        inside.setattr(Matcher, "_build", no_build)
        return Matcher(matcher.faq, settings=matcher.settings, store=store)


def stored_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_loaded_matcher_matches_like_a_fresh_one(
    shipped_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every dev-set message gets the same outcome and ranking from the stored index as from a fresh build."""
    store = IndexStore(tmp_path / "index")
    first = Matcher(shipped_matcher.faq, store=store)
    assert [name.endswith(".marshal") for name in stored_files(store.folder)] == [True]
    again = loaded(first, store, monkeypatch)
    for question in dev_questions():
        assert same_ranking(question, again, shipped_matcher), question
    assert again.speller.vocabulary == shipped_matcher.speller.vocabulary


def test_a_large_faq_on_arrays_loads_its_arrays(
    shipped_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forced onto numpy arrays, the index is stored with its arrays (.npz) and ranks exactly as built."""
    monkeypatch.setattr(matcher_module, "ARRAY_MIN_ENTRIES", 1)
    store = IndexStore(tmp_path / "index")
    built = Matcher(shipped_matcher.faq, store=store)
    assert built._arrays is not None
    assert [name.endswith(".npz") for name in stored_files(store.folder)] == [True]
    again = loaded(built, store, monkeypatch)
    assert again._arrays is not None
    for question in dev_questions():
        assert same_ranking(question, again, built, shipped_matcher), question


def test_a_new_phrasing_setting_or_code_makes_a_new_key(shipped_matcher: Matcher, faq_folder: Path) -> None:
    faq, settings = shipped_matcher.faq, MatchSettings()
    key = state_key(faq, settings)
    assert state_key(load_faq(faq_folder), settings) == key  # the same files in another folder: same key
    in_code = replace(faq)  # an FAQ made in code is keyed by its content, not by files it was not read from
    assert not in_code.files_digest
    assert state_key(in_code, settings) == state_key(replace(faq), settings) != key
    first = faq.entries[0]
    changed = replace(first, alternates=(*first.alternates[:-1], "who pays"))
    rephrased = replace(faq, entries=(changed, *faq.entries[1:]))
    assert state_key(rephrased, settings) not in (key, state_key(in_code, settings))
    path = faq_folder / Path(first.file).name
    path.write_text(path.read_text(encoding="utf-8").replace(first.alternates[-1], "who pays"), encoding="utf-8")
    assert state_key(load_faq(faq_folder), settings) != key
    assert state_key(faq, replace(settings, answer_text_credit=0.5)) != key
    assert state_key(faq, settings, code=b"other code") != key


def test_the_code_digest_changes_with_any_source_file(tmp_path: Path) -> None:
    source = Path(index_store.__file__).parent
    for name in ("matcher.py", "arrays.py"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    before = index_store.code_digest(tmp_path)
    assert before == index_store.code_digest(tmp_path.parent / tmp_path.name)  # same files, same digest
    (tmp_path / "arrays.py").write_text((source / "arrays.py").read_text() + "\n# one more line\n")
    index_store.code_digest.cache_clear()
    assert index_store.code_digest(tmp_path) != before


@damaged
@pytest.mark.parametrize("arrays", [False, True], ids=["marshal", "npz"])
def test_a_damaged_file_means_building(
    shipped_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: object, arrays: bool
) -> None:
    if arrays:
        monkeypatch.setattr(matcher_module, "ARRAY_MIN_ENTRIES", 1)
    store = IndexStore(tmp_path / "index")
    Matcher(shipped_matcher.faq, store=store)
    (path,) = store.folder.iterdir()
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert store.load(state_key(shipped_matcher.faq, MatchSettings()), arrays=arrays) is None
    rebuilt = Matcher(shipped_matcher.faq, store=store)
    assert same_ranking("who funds qwen?", rebuilt, shipped_matcher)
    assert loaded(rebuilt, store, monkeypatch)  # and the file was written again, whole


@pytest.mark.parametrize(
    "state",
    [
        ["not", "a", "dict"],
        {"key": "another version"},
        {"weights": {}},  # the right key is set below; the rest missing
        {"speller": (frozenset(), frozenset()), "normalized": [], "ngram_texts": [], "credits": [], "norms": []},
    ],
    ids=["list", "other-key", "missing-parts", "wrong-lengths"],
)
def test_a_file_of_the_wrong_shape_means_building(
    shipped_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: object
) -> None:
    """A readable file that is not this FAQ's state is not trusted: the matcher is built and still right."""
    import marshal

    store = IndexStore(tmp_path / "index")
    key = state_key(shipped_matcher.faq, MatchSettings())
    if isinstance(state, dict) and "key" not in state:
        state = {**state, "key": key}
    store.folder.mkdir()
    store.path(key).write_bytes(marshal.dumps(state))
    built = Matcher(shipped_matcher.faq, store=store)
    assert same_ranking("is there an sla for the hosted api?", built, shipped_matcher)
    assert loaded(built, store, monkeypatch)  # replaced by a good one


def test_a_state_that_does_not_index_means_building(shipped_matcher: Matcher, tmp_path: Path) -> None:
    """Right types, but a posting for a term that has no weight: indexing it fails, so the matcher builds."""
    store = IndexStore(tmp_path / "index")
    key = state_key(shipped_matcher.faq, MatchSettings())
    Matcher(shipped_matcher.faq, store=store)
    found = store.load(key)
    assert found is not None
    state = found[0]
    state["credits"][0]["no such term"] = 1.0
    assert store.save(key, state)
    built = Matcher(shipped_matcher.faq, store=store)
    assert "no such term" not in built._credits[0]


def test_an_unwritable_folder_means_building(shipped_matcher: Matcher, tmp_path: Path) -> None:
    """A folder that cannot be made (here a file is in the way) is no error: the matcher is built each time."""
    blocked = tmp_path / "index"
    blocked.write_text("a file, not a folder")
    matcher = Matcher(shipped_matcher.faq, store=IndexStore(blocked))
    assert same_ranking("who funds qwen?", matcher, shipped_matcher)
    assert blocked.read_text() == "a file, not a folder"


def test_a_failed_write_leaves_no_partial_file(
    shipped_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore(tmp_path / "index")

    def refuse(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(index_store.os, "replace", refuse)
    Matcher(shipped_matcher.faq, store=store)
    assert stored_files(store.folder) == []


def test_the_folder_and_files_are_private_and_old_versions_pruned(shipped_matcher: Matcher, tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "var" / "index")
    for credit in (0.5, 0.55, 0.6, 0.65, 0.7, 0.75):
        Matcher(shipped_matcher.faq, settings=MatchSettings(answer_text_credit=credit), store=store)
    assert store.folder.stat().st_mode & 0o777 == 0o700
    names = stored_files(store.folder)
    assert len(names) == index_store.KEEP
    assert all(os.stat(store.folder / name).st_mode & 0o777 == 0o600 for name in names)
    newest = state_key(shipped_matcher.faq, MatchSettings(answer_text_credit=0.75))
    assert f"{newest}.marshal" in names


def test_a_partial_file_left_by_a_dead_writer_is_pruned_in_time(shipped_matcher: Matcher, tmp_path: Path) -> None:
    store = IndexStore(tmp_path / "index")
    store.folder.mkdir()
    old, fresh = store.folder / ".partial-old.marshal", store.folder / ".partial-fresh.marshal"
    old.write_bytes(b"half")
    fresh.write_bytes(b"half")  # perhaps another process writing right now: left alone
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    Matcher(shipped_matcher.faq, store=store)
    assert not old.exists()
    assert fresh.exists()


def test_the_setting_names_the_folder_or_turns_it_off() -> None:
    assert index_dir({}) == ROOT / "var" / "index"
    assert index_dir({"QWEN_INDEX_DIR": "/srv/qwen-index"}) == Path("/srv/qwen-index")
    assert index_dir({"QWEN_INDEX_DIR": ""}) is None
    assert index_dir({"QWEN_INDEX_DIR": " OFF "}) is None


def test_ask_works_with_the_store_on_and_off(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    off = bot("ask", "--json", "who funds qwen?", env={"QWEN_INDEX_DIR": "off"})
    cold = bot("ask", "--json", "who funds qwen?", env={"QWEN_INDEX_DIR": str(folder)})
    assert [Path(name).suffix for name in stored_files(folder)] in ([".faq", ".marshal"], [".marshal", ".faq"])
    warm = bot("ask", "--json", "who funds qwen?", env={"QWEN_INDEX_DIR": str(folder)})
    assert off.returncode == cold.returncode == warm.returncode == 0, off.stderr + cold.stderr + warm.stderr
    assert '"answered": true' in off.stdout
    assert off.stdout == cold.stdout == warm.stdout
    assert (off.stderr, cold.stderr, warm.stderr) == ("", "", "")
