"""Fixtures shared by every test folder."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import DEFAULT_FAQ_DIR
from bot.knowledge.loader import load_faq
from bot.knowledge.matcher import Matcher
from tests.support.postgres import PostgresServer, find_bin_dir

ROOT = Path(__file__).resolve().parent.parent

ENTRY = """\
  - id: {id}
    question: "{question}"
    alternates: [{alternates}]
    answer: "{answer}"
    answer_zh: "中文：{answer}"
    layer: {layer}
    source: {{document: corporate-landscape, section: "Frequently asked questions"}}
    tags: [test]
"""


@pytest.fixture(scope="session")
def shipped_matcher() -> Matcher:
    """The matcher over the FAQ the bot ships with."""
    return Matcher(load_faq(DEFAULT_FAQ_DIR))


@pytest.fixture
def faq_folder(tmp_path: Path) -> Path:
    """A copy of the shipped FAQ folder that a test may edit."""
    folder = tmp_path / "faq"
    shutil.copytree(DEFAULT_FAQ_DIR, folder)
    return folder


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session, started on first use.

    The tests must run against a real PostgreSQL: without its binaries they fail
    (scripts/test installs them), they are not skipped.
    """
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.fail("PostgreSQL server binaries not found: run scripts/test, or set PG_BIN", pytrace=False)
    server = PostgresServer(bin_dir)
    server.start()
    yield server
    server.stop()


_database_numbers = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: once for SQLite, once for PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.create_database(f"test_{os.getpid()}_{next(_database_numbers)}")


def entry_yaml(
    id: str,
    question: str,
    alternates: list[str],
    answer: str = "An answer.",
    layer: str = "tongyi-research",
) -> str:
    """One entry in the FAQ's YAML shape."""
    quoted = ", ".join(f'"{a}"' for a in alternates)
    return ENTRY.format(id=id, question=question, alternates=quoted, answer=answer, layer=layer)


def with_chinese(folder: Path, entry_id: str = "licence") -> Path:
    """``folder`` (a copy of the shipped FAQ) with Chinese layer names and roles, and a Chinese
    answer for ``entry_id``, where it does not have them yet."""
    layers = folder / "layers.yaml"
    text = layers.read_text(encoding="utf-8")
    if "name_zh:" not in text:
        text = re.sub(r"(?m)^(    name: (.+))$", r"\1\n    name_zh: 层级「\2」\n    role_zh: 角色「\2」", text)
        layers.write_text(text, encoding="utf-8")
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        start = text.find(f"  - id: {entry_id}\n")
        end = text.find("\n  - id: ", start + 1)
        if start >= 0 and "answer_zh:" not in text[start : end if end > 0 else None]:
            text = text.replace(
                f"  - id: {entry_id}\n", f"  - id: {entry_id}\n    answer_zh: 这是「{entry_id}」的中文答案。\n"
            )
            path.write_text(text, encoding="utf-8")
    return folder


def small_faq(tmp_path: Path, entries: str, *, aliases: str | None = None) -> Path:
    """A FAQ folder with the shipped layers and sources, and the given entries file."""
    folder = tmp_path / "small_faq"
    folder.mkdir()
    for name in ("layers.yaml", "sources.yaml"):
        shutil.copy(DEFAULT_FAQ_DIR / name, folder / name)
    (folder / "entries.yaml").write_text("entries:\n" + entries, encoding="utf-8")
    if aliases is not None:
        (folder / "aliases.yaml").write_text(aliases, encoding="utf-8")
    return folder
