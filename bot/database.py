"""``python -m bot db upgrade`` and ``python -m bot db revision``: the schema's migrations from the command line.

Like ``report``, these need only DATABASE_URL: a URL the store cannot use is one
sentence and exit 2, a database that cannot be reached or upgraded one line and exit 1.
"""

from __future__ import annotations

import sys

from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, database_url
from bot.storage import SqlStore, StoreConfigError
from bot.storage.schema import SchemaError, new_revision, upgrade
from bot.storage.sql import describe_error

UPGRADE_TIMEOUT = 30.0  # seconds to wait for the database, or for another instance's upgrade to finish


def run_upgrade() -> int:
    """Bring the database DATABASE_URL names to the newest revision (creating it if new); say what was done."""
    try:
        store = SqlStore(database_url(), connect_timeout=UPGRADE_TIMEOUT)
    except StoreConfigError as error:
        raise ConfigError(f"DATABASE_URL cannot be used: {error}.") from None
    try:
        problem = store.connection_problem()
        if problem is not None:
            print(f"Error: cannot reach the database named by DATABASE_URL ({problem}).", file=sys.stderr)
            return 1
        upgraded = upgrade(store.engine)
    except SchemaError as error:
        print(f"Error: {error}.", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        print(f"Error: the upgrade failed and was rolled back ({describe_error(error)}).", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"Database schema: {upgraded}.")
    return 0


def run_revision(message: str) -> int:
    """Write a revision for the tables and columns ``bot/storage/sql.py`` has that the newest revision lacks."""
    path = new_revision(message)
    print(f"Wrote {path}: read it, then run `python -m bot db upgrade` and the tests.")
    return 0
