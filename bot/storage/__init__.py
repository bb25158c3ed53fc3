"""What the bot remembers: the :class:`Store` interface and its SQL implementation."""

from bot.storage.base import (
    AskedQuestion,
    BotThread,
    ExpertRequest,
    Outcome,
    Proposal,
    ProposalStatus,
    Store,
    Vote,
    redact,
)
from bot.storage.sql import SqlStore, StoreConfigError, sqlite_file

__all__ = [
    "AskedQuestion",
    "BotThread",
    "ExpertRequest",
    "Outcome",
    "Proposal",
    "ProposalStatus",
    "SqlStore",
    "Store",
    "StoreConfigError",
    "Vote",
    "open_store",
    "redact",
    "sqlite_file",
]


def open_store(database_url: str) -> Store:
    """The store for ``database_url`` (``sqlite:///...``, ``postgresql://...`` or Heroku's ``postgres://...``).

    Raises :class:`StoreConfigError`, with one sentence, for any URL it cannot use.
    """
    return SqlStore(database_url)
