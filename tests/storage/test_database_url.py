"""DATABASE_URL: every URL the store cannot use is one sentence and exit 2, for `serve` and `report`;
the SQLite file is private and found wherever the command runs."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from bot.config import database_url
from bot.storage import AskedQuestion, SqlStore, StoreConfigError, sqlite_file
from tests.conftest import ROOT
from tests.support.bot_server import BOT_TOKEN
from tests.support.cli import assert_one_sentence, run_bot
from tests.support.postgres import free_port


def bad_urls(tmp_path: Path) -> dict[str, str]:
    """URLs that name no usable database, and a word the error must contain."""
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    return {
        f"sqlite:///{a_file}/bot.sqlite3": "is a file",
        f"sqlite:///{tmp_path}": "is a folder",
        "sqlite://": "names no SQLite file",
        "postgresql://bot@localhost:abc/bot": "port",
        "postgresql://bot@localhost:99999/bot": "port",
        "mysql://bot@localhost/bot": "mysql",
    }


def test_the_store_refuses_each_bad_url_with_a_named_error(tmp_path: Path) -> None:
    """Opening the store on a URL it cannot use raises StoreConfigError, never an OSError or ValueError."""
    for url, words in bad_urls(tmp_path).items():
        with pytest.raises(StoreConfigError, match=words):
            SqlStore(url)


def test_serve_stops_on_each_bad_url_with_one_sentence(tmp_path: Path) -> None:
    """`serve` checks DATABASE_URL before it serves: one line naming DATABASE_URL, exit 2."""
    slack = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "secret"}
    for url, words in bad_urls(tmp_path).items():
        result = run_bot("serve", env=slack | {"DATABASE_URL": url}, cwd=tmp_path)
        assert_one_sentence(result, code=2, words=words)
        assert "DATABASE_URL" in result.stderr


def test_report_stops_on_each_bad_url_with_one_sentence(tmp_path: Path) -> None:
    """`report` too: one line naming DATABASE_URL, exit 2 (a file under a file is simply not there)."""
    for url, words in bad_urls(tmp_path).items():
        result = run_bot("report", env={"DATABASE_URL": url}, cwd=tmp_path)
        assert_one_sentence(result, code=2, words="no database at" if words == "is a file" else words)
        assert "DATABASE_URL" in result.stderr


def test_report_on_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    """Nothing listens on the port: one line with the reason, exit 1."""
    url = f"postgresql://bot@127.0.0.1:{free_port()}/bot"
    result = run_bot("report", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert_one_sentence(result, code=1, words="cannot reach the database named by DATABASE_URL")


def test_report_says_when_there_is_no_database_and_creates_none(tmp_path: Path) -> None:
    """A SQLite file that does not exist is named, not silently created and reported as empty."""
    missing = tmp_path / "elsewhere" / "bot.sqlite3"
    result = run_bot("report", env={"DATABASE_URL": f"sqlite:///{missing}"}, cwd=tmp_path)
    assert_one_sentence(result, code=2, words=f"no database at {missing}")
    assert not missing.parent.exists()


def test_the_default_database_does_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    """Without DATABASE_URL, serve and report use var/qwen-bot.sqlite3 in the project folder."""
    default = sqlite_file(database_url({}))
    assert default == ROOT / "var" / "qwen-bot.sqlite3"
    os.chdir(tmp_path)
    try:
        assert sqlite_file(database_url({})) == default
    finally:
        os.chdir(ROOT)


def test_sqlite_file_and_folder_are_private(tmp_path: Path) -> None:
    """Question text and voter ids are for the bot's user only: the file (and its -wal, -shm) 0600, folder 0700."""
    path = tmp_path / "new-folder" / "bot.sqlite3"
    store = SqlStore(f"sqlite:///{path}")
    try:
        store.record_question(AskedQuestion(time.time(), "no-match", 1.0, "im", text="a private question"))
        store.flush()
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        assert [stat.S_IMODE(file.stat().st_mode) for file in files] == [0o600, 0o600, 0o600]
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        store.close()
