"""The bot's schema, managed by Alembic: bring any database the bot ever made up to the newest revision.

:func:`upgrade` runs at start-up (``serve``), on a store's first use, and from
``python -m bot db upgrade``. Several instances may start at once, so each
upgrade holds a lock for its whole transaction: a PostgreSQL advisory lock, or
SQLite's ``BEGIN EXCLUSIVE``. Whoever comes second finds the work done.

A database made before migrations (tables created by ``create_all``, no
``alembic_version``) is recognised by its tables and stamped at the revision
those tables amount to, then upgraded: never dropped or created again.

Alembic is configured here, in code, so an installed or Heroku deployment needs
no ``alembic.ini``; the scripts are in ``bot/storage/migrations``.
"""

from __future__ import annotations

import importlib.util
import logging
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, create_engine, inspect, text
from sqlalchemy.pool import NullPool

SCRIPTS = Path(__file__).with_name("migrations")
ADVISORY_LOCK = 0x5157454E_0001  # "QWEN", 1: the PostgreSQL lock every instance takes around an upgrade

# The tables the code before migrations created, and the revision each set amounts to.
PRE_MIGRATION_TABLES = {
    "0002": {"claims", "welcomed_users", "votes", "questions", "user_languages"},
    "0001": {"claims", "welcomed_users", "votes", "questions"},
}

# Alembic says "Context impl PostgresqlImpl." at each start: the callers log one line on what an upgrade did instead.
logging.getLogger("alembic").setLevel(logging.WARNING)

# Alembic's ``op`` and ``context`` are module-level proxies: one migration at a time per process.
_in_process = threading.Lock()


class SchemaError(Exception):
    """The database's schema is not one this release can upgrade; the message says why."""


@dataclass(frozen=True)
class Upgraded:
    """What an upgrade found and did."""

    before: str | None  # the revision found; None for a new (or pre-migration) database
    stamped: str | None  # the revision a pre-migration database was recognised as
    after: str

    @property
    def changed(self) -> bool:
        """True if the upgrade wrote anything (a stamp counts: the database now records its revision)."""
        return self.stamped is not None or self.before != self.after

    def __str__(self) -> str:
        if self.stamped:
            return f"recognised a database made before migrations as revision {self.stamped}; now at {self.after}"
        if self.before is None:
            return f"created the tables at revision {self.after}"
        if self.changed:
            return f"upgraded from revision {self.before} to {self.after}"
        return f"up to date at revision {self.after}"


def alembic_config(
    connection: Connection | None = None, *, scripts: Path = SCRIPTS, metadata: MetaData | None = None
) -> Config:
    """Alembic's configuration, without a file: the scripts folder and the connection ``env.py`` runs on."""
    config = Config()
    config.set_main_option("script_location", str(scripts))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    if metadata is not None:
        config.attributes["metadata"] = metadata
    if importlib.util.find_spec("ruff") is not None:  # new revisions come out tidy where ruff is installed
        config.set_section_option("post_write_hooks", "hooks", "lint, format")
        for hook, options in (
            ("lint", "check --fix --quiet REVISION_SCRIPT_FILENAME"),
            ("format", "format --quiet REVISION_SCRIPT_FILENAME"),
        ):
            config.set_section_option("post_write_hooks", f"{hook}.type", "module")
            config.set_section_option("post_write_hooks", f"{hook}.module", "ruff")
            config.set_section_option("post_write_hooks", f"{hook}.options", options)
    return config


def head(scripts: Path = SCRIPTS) -> str:
    """The newest revision."""
    newest = ScriptDirectory.from_config(alembic_config(scripts=scripts)).get_current_head()
    if newest is None:
        raise SchemaError(f"no revisions in {scripts / 'versions'}")
    return newest


def current(connection: Connection) -> str | None:
    """The revision ``alembic_version`` records, or ``None`` if it has none."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, *, scripts: Path = SCRIPTS) -> Upgraded:
    """Bring the database to the newest revision, in one transaction under the upgrade lock.

    Raises :class:`SchemaError` for a database at a revision this release does
    not know (a newer release upgraded it) or with only some of the bot's
    tables; SQLAlchemy's errors (unreachable, locked) pass through.
    """
    with _in_process, engine.connect() as connection:
        hold_upgrade_lock(connection)
        config = alembic_config(connection, scripts=scripts)
        before = current(connection)
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        if before is not None and before not in known:
            raise SchemaError(
                f"the database is at revision {before}, which this release does not know "
                f"(its newest is {head(scripts)}): a newer release upgraded it"
            )
        stamped = _recognise(connection) if before is None else None
        if stamped is not None:
            command.stamp(config, stamped)
        command.upgrade(config, "head")
        after = current(connection) or ""  # never empty after an upgrade to head
        connection.commit()
    return Upgraded(before, stamped, after)


def new_revision(message: str, *, scripts: Path = SCRIPTS, metadata: MetaData | None = None) -> Path:
    """Write a revision for whatever the tables in ``bot/storage/sql.py`` have that the newest revision lacks.

    Alembic's autogenerate compares them with a scratch SQLite database upgraded
    to the newest revision, so no real database is needed. Returns the new file.
    """
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/scratch.sqlite3", poolclass=NullPool)
        try:
            upgrade(engine, scripts=scripts)
            with _in_process, engine.connect() as connection:
                config = alembic_config(connection, scripts=scripts, metadata=metadata)
                written = command.revision(config, message=message, autogenerate=True, rev_id=_next_id(scripts))
        finally:
            engine.dispose()
    if not isinstance(written, Script):
        raise SchemaError("Alembic wrote no revision")
    return Path(written.path)


def _next_id(scripts: Path) -> str:
    """Revisions are numbered 0001, 0002...: the next number after the newest."""
    return f"{int(head(scripts)) + 1:04d}"


def hold_upgrade_lock(connection: Connection) -> None:
    """Begin the connection's transaction holding the upgrade lock, which lasts until it ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    else:  # SQLite: one writer at a time for the whole file, waiting up to the busy timeout
        connection.exec_driver_sql("BEGIN EXCLUSIVE")


def _recognise(connection: Connection) -> str | None:
    """The revision a database made before migrations amounts to; ``None`` for one without the bot's tables."""
    ours = set(inspect(connection).get_table_names()) & set().union(*PRE_MIGRATION_TABLES.values())
    if not ours:
        return None
    for revision, tables in PRE_MIGRATION_TABLES.items():
        if ours == tables:
            return revision
    raise SchemaError(
        f"the database has some of the bot's tables ({', '.join(sorted(ours))}) but no record of migrations; "
        "restore it, or point DATABASE_URL at a new database"
    )
