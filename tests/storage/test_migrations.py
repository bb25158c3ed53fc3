"""Upgrades lose nothing: the schema comes from Alembic's revisions, on SQLite and on a real PostgreSQL.

A database made by the release before migrations is recognised, stamped and
upgraded with every row kept; upgrades racing each other both succeed; an
up-to-date database is left as it is.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, Engine, MetaData, String, Table, create_engine, inspect, select, text
from sqlalchemy.pool import NullPool

from bot.storage import AskedQuestion, SqlStore
from bot.storage.schema import SCRIPTS, alembic_config, head, hold_upgrade_lock, new_revision, upgrade
from bot.storage.sql import engine_url, metadata
from tests.storage import pre_migration_schema as old
from tests.storage.test_database_url import bad_urls
from tests.support.cli import ROOT, assert_one_sentence, run_bot
from tests.support.postgres import free_port

NOW = 1_790_000_000.0
OLD_ROWS: dict[str, list[dict[str, Any]]] = {
    "claims": [{"key": "Ev1", "claimed_at": NOW}, {"key": "msg:C1:1.2", "claimed_at": NOW + 1}],
    "welcomed_users": [{"user_id": "U1", "welcomed_at": NOW}, {"user_id": "U2", "welcomed_at": NOW + 2}],
    "votes": [
        {"entry_id": "licence", "user_id": "U1", "helpful": True, "voted_at": NOW},
        {"entry_id": "licence", "user_id": "U2", "helpful": False, "voted_at": NOW + 3},
        {"entry_id": "who-builds", "user_id": "U1", "helpful": False, "voted_at": NOW + 4},
    ],
    "questions": [
        {"id": 1, "asked_at": NOW, "outcome": "answered", "score": 91.0, "channel_type": "im",
         "entry_id": "licence", "layer": "hugging-face", "text": None},
        {"id": 2, "asked_at": NOW + 5, "outcome": "no-match", "score": 12.5, "channel_type": "channel",
         "entry_id": None, "layer": None, "text": "who pays for the GPUs?"},
        {"id": 3, "asked_at": NOW + 6, "outcome": "did-you-mean", "score": 70.0, "channel_type": "command",
         "entry_id": None, "layer": None, "text": "通义千问是谁做的"},
    ],
}  # fmt: skip


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A plain engine on the test database, for looking at it from outside the bot."""
    engine = create_engine(engine_url(database_url), poolclass=NullPool)
    yield engine
    engine.dispose()


def make_pre_migration_database(engine: Engine) -> None:
    """The database as the release before migrations left it: its tables, filled, and no alembic_version."""
    with engine.begin() as connection:
        make_pre_migration_database_on(connection)


def make_pre_migration_database_on(connection: Connection) -> None:
    old.metadata.create_all(connection)
    for table in old.metadata.sorted_tables:
        connection.execute(table.insert(), OLD_ROWS[table.name])
    if connection.dialect.name == "postgresql":  # as the old code left it: the next id follows the rows
        connection.execute(text("SELECT setval('questions_id_seq', 3)"))


def old_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row of the old tables, in a fixed order."""
    with engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table).order_by(*table.primary_key))]
            for table in old.metadata.sorted_tables
        }


def schema_differences(engine: Engine) -> list[Any]:
    """What the database lacks or has beyond the tables in bot/storage/sql.py (empty when they agree)."""
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))


def recorded_revisions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]


def test_revisions_build_exactly_the_tables_the_store_uses(engine: Engine) -> None:
    """On a new database the revisions create today's tables, indexes and all, and record the newest revision."""
    upgraded = upgrade(engine)
    assert (upgraded.before, upgraded.stamped, upgraded.after) == (None, None, head())
    assert schema_differences(engine) == []
    assert recorded_revisions(engine) == [head()]


def test_a_database_made_before_migrations_keeps_every_row(database_url: str, engine: Engine) -> None:
    """Old tables, filled: recognised at the baseline, upgraded in place, and every row still there and in use."""
    make_pre_migration_database(engine)
    before = old_rows(engine)
    assert before == OLD_ROWS  # 10 rows

    upgraded = upgrade(engine)

    assert (upgraded.stamped, upgraded.after) == ("0001", head())
    assert old_rows(engine) == before
    assert schema_differences(engine) == []
    store = SqlStore(database_url)
    try:
        assert store.claim("Ev1") is False  # claimed before the upgrade: still answered once
        assert store.claim_welcome("U2") is False  # welcomed before: not welcomed again
        assert [(q.outcome, q.text) for q in store.questions_since(0)] == [
            ("answered", None),
            ("no-match", "who pays for the GPUs?"),
            ("did-you-mean", "通义千问是谁做的"),
        ]
        assert sorted((v.entry_id, v.user_id, v.helpful) for v in store.votes_since(0)) == [
            ("licence", "U1", True),
            ("licence", "U2", False),
            ("who-builds", "U1", False),
        ]
        store.set_language("U1", "zh")  # the table the upgrade added
        assert store.language("U1") == "zh"
        store.record_question(AskedQuestion(NOW + 7, "no-match", 3.0, "im", text="a new one"))
        assert [q.text for q in store.questions_since(NOW + 7)] == ["a new one"]
    finally:
        store.close()


def test_a_database_made_by_create_all_with_user_languages_is_recognised_as_0002(engine: Engine) -> None:
    """The code just before migrations also made user_languages: that database is stamped 0002, then upgraded."""
    tables_then = ("claims", "welcomed_users", "votes", "questions", "user_languages")
    metadata.create_all(engine, tables=[metadata.tables[name] for name in tables_then])
    upgraded = upgrade(engine)
    assert (upgraded.stamped, upgraded.after, upgraded.changed) == ("0002", head(), True)
    assert schema_differences(engine) == []


def test_the_store_upgrades_an_old_database_on_first_use(database_url: str, engine: Engine) -> None:
    """No command needed: the store brings an old database up to date the first time it is used."""
    make_pre_migration_database(engine)
    store = SqlStore(database_url)
    try:
        assert store.language("U1") is None
    finally:
        store.close()
    assert recorded_revisions(engine) == [head()]
    assert old_rows(engine) == OLD_ROWS


def db_upgrade(database_url: str, cwd: Path) -> subprocess.Popen[str]:
    """``python -m bot db upgrade`` started in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_upgrades_racing_both_succeed_and_leave_one_schema(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    """Two instances upgrading an old database at the same moment: both exit 0, one of them did the work."""
    make_pre_migration_database(engine)
    racers = [db_upgrade(database_url, tmp_path) for _ in range(2)]
    outputs = [racer.communicate(timeout=60) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], outputs
    said = sorted(stdout for stdout, _ in outputs)
    assert said == [
        f"Database schema: recognised a database made before migrations as revision 0001; now at {head()}.\n",
        f"Database schema: up to date at revision {head()}.\n",
    ]
    assert recorded_revisions(engine) == [head()]
    assert schema_differences(engine) == []
    assert old_rows(engine) == OLD_ROWS


def test_an_upgrade_waits_for_one_under_way(database_url: str, engine: Engine, tmp_path: Path) -> None:
    """While another instance holds the upgrade lock, `db upgrade` waits; then it finds the work done."""
    with engine.connect() as connection:
        hold_upgrade_lock(connection)  # as an instance halfway through its upgrade holds it
        make_pre_migration_database_on(connection)
        waiting = db_upgrade(database_url, tmp_path)
        time.sleep(2.0)
        assert waiting.poll() is None, waiting.communicate()
        command.stamp(alembic_config(connection), "0001")
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    stdout, stderr = waiting.communicate(timeout=60)
    assert (waiting.returncode, stdout, stderr) == (0, f"Database schema: up to date at revision {head()}.\n", "")
    assert old_rows(engine) == OLD_ROWS


def test_stores_racing_on_a_new_database_create_it_once(database_url: str, engine: Engine) -> None:
    """Four stores (instances) whose first use is at the same moment: every claim goes through, one schema."""
    stores = [SqlStore(database_url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            won = list(pool.map(lambda store: store.claim("Ev1"), stores))
        assert sorted(won) == [False, False, False, True]
    finally:
        for store in stores:
            store.close()
    assert recorded_revisions(engine) == [head()]
    assert schema_differences(engine) == []


def test_db_upgrade_on_an_up_to_date_database_changes_nothing(database_url: str, tmp_path: Path) -> None:
    """The second `db upgrade` says it is up to date and leaves the schema and the rows as they were."""
    first = run_bot("db", "upgrade", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"Database schema: created the tables at revision {head()}.\n"
    store = SqlStore(database_url)
    try:
        store.claim("Ev1")
    finally:
        store.close()
    engine = create_engine(engine_url(database_url), poolclass=NullPool)
    try:
        schema_before = inspect(engine).get_table_names()
        second = run_bot("db", "upgrade", env={"DATABASE_URL": database_url}, cwd=tmp_path)
        assert (second.returncode, second.stdout, second.stderr) == (
            0,
            f"Database schema: up to date at revision {head()}.\n",
            "",
        )
        assert inspect(engine).get_table_names() == schema_before
        assert recorded_revisions(engine) == [head()]
        with engine.connect() as connection:
            assert connection.execute(text("SELECT key FROM claims")).scalars().all() == ["Ev1"]
    finally:
        engine.dispose()


def test_db_upgrade_from_the_baseline_revision_says_so(database_url: str, engine: Engine, tmp_path: Path) -> None:
    """A database migrated to 0001 only: `db upgrade` runs the revisions after it and names both ends."""
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.commit()
    result = run_bot("db", "upgrade", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"Database schema: upgraded from revision 0001 to {head()}.\n")
    assert schema_differences(engine) == []


def test_db_upgrade_stops_on_each_bad_url_with_one_sentence(tmp_path: Path) -> None:
    """Like `report`: a URL the store cannot use is one line naming DATABASE_URL, exit 2."""
    for url, words in bad_urls(tmp_path).items():
        result = run_bot("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
        assert_one_sentence(result, code=2, words=words)
        assert "DATABASE_URL" in result.stderr


def test_db_upgrade_on_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://bot@127.0.0.1:{free_port()}/bot"
    result = run_bot("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert_one_sentence(result, code=1, words="cannot reach the database named by DATABASE_URL")


def test_a_database_from_a_newer_release_is_left_alone(database_url: str, engine: Engine, tmp_path: Path) -> None:
    """After a rollback the database may be at a revision this release lacks: `db upgrade` says so and
    changes nothing, and the store keeps using the tables it knows."""
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    result = run_bot("db", "upgrade", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert_one_sentence(result, code=1, words="at revision 0099, which this release does not know")
    assert recorded_revisions(engine) == ["0099"]
    store = SqlStore(database_url)
    try:
        assert store.claim("Ev1") is True
        assert store.claim("Ev1") is False
    finally:
        store.close()


def test_a_database_with_only_some_of_the_old_tables_is_not_touched(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    """Neither new nor a whole old schema: refused in one line rather than guessed at."""
    old.claims.create(engine)
    result = run_bot("db", "upgrade", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert_one_sentence(result, code=1, words="some of the bot's tables (claims) but no record of migrations")
    assert inspect(engine).get_table_names() == ["claims"]


def test_a_new_table_in_sql_py_becomes_a_revision(tmp_path: Path) -> None:
    """What `db revision -m` does for the next table: a numbered revision that creates it, and applies cleanly."""
    scripts = tmp_path / "migrations"
    shutil.copytree(SCRIPTS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    extended = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(extended)
    Table("thread_followups", extended, Column("thread_ts", String(32), primary_key=True))

    written = new_revision("thread follow-ups", scripts=scripts, metadata=extended)

    assert written.name == f"{int(head()) + 1:04d}_thread_follow_ups.py"
    assert "op.create_table(" in written.read_text()
    assert '"thread_followups"' in written.read_text()
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--quiet", str(written)], capture_output=True, text=True, check=False
    )
    assert lint.returncode == 0, lint.stdout
    engine = create_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}", poolclass=NullPool)
    try:
        assert upgrade(engine, scripts=scripts).after == f"{int(head()) + 1:04d}"
        with engine.connect() as connection:
            assert list(compare_metadata(MigrationContext.configure(connection), extended)) == []
    finally:
        engine.dispose()


def test_db_revision_with_nothing_changed_writes_an_empty_revision(tmp_path: Path) -> None:
    """The shipped revisions match sql.py: autogenerate finds nothing to add."""
    scripts = tmp_path / "migrations"
    shutil.copytree(SCRIPTS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    written = new_revision("nothing", scripts=scripts)
    body = written.read_text()
    assert "op." not in body.split("def upgrade", 1)[1], body
