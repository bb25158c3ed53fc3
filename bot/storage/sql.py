"""The :class:`~bot.storage.base.Store` on SQLAlchemy: SQLite by default, PostgreSQL when asked.

Every write goes through one writer thread per process, which commits whatever
is waiting in one transaction (group commit). Questions and votes are queued and
forgotten, so recording never delays a reply; a claim waits for its result,
since that decides whether to reply. Under load this turns many small commits
contending for the database (and, in SQLite, for its single write lock) into a
few larger ones. Readers in the process flush the queue first.

A transaction, and waking a thread, cost more CPU than the rows written, so:
only a claim (someone waits for it) or a flush wakes the writer, while a
question or vote is queued quietly and goes with the next batch, at most
``LINGER`` seconds later; under load the writer commits at most once every
``COMMIT_INTERVAL``, so that claims arriving meanwhile share the commit; rows
for the same statement go in one ``executemany`` (claims too: one multi-row
``INSERT ... RETURNING`` gives back the keys that were new), answers at a
thread's root included, and a row that a later one replaces (a user's language
or vote, a thread's state) is not written at all; and on the event loop
:meth:`SqlStore.claim_async` waits for the writer's answer directly, with no
thread of the loop's own in between.

The writer thread must outlive any one bad write: a batch that fails for any
reason (a statement the database refuses, or text the driver cannot encode,
such as a lone surrogate) is retried write by write, so only the offending write
is logged and dropped. Should the thread stop all the same, writes are dropped
at once instead of queueing, nobody waits for it, and :meth:`SqlStore.status`
says so. The queue is bounded too (``MAX_PENDING``): while a database that hangs
holds the writer, writes beyond the bound are dropped at once (a claim counts as
won) and a warning every few seconds says how many, so the process cannot grow
without limit.

Claims use an atomic ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` on the key,
so two instances racing for the same Slack event cannot both win. (``RETURNING``
rather than ``rowcount``: psycopg 3 reports -1 for a conflicting insert.) The schema is
brought to the newest migration (:mod:`bot.storage.schema`) on first use, not at
import or start-up, so a database that is down when the bot starts does not stop
it from answering; ``serve`` upgrades it before the workers start when it can.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Insert,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    case,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot.storage.base import AskedQuestion, BotThread, ExpertRequest, Proposal, ProposalStatus, Vote, redact
from bot.storage.schema import SchemaError, upgrade

log = logging.getLogger(__name__)
T = TypeVar("T")

DAY = 24 * 3600
ATTEMPTS = 3
PAUSE_AFTER_FAILURE = 5.0  # seconds during which writes are dropped without trying
MAX_PARTICIPANTS = 50  # people remembered per thread: enough to tell who takes part
MAX_PARTICIPANTS_TEXT = MAX_PARTICIPANTS * 65  # the same bound for a merged list (ids up to 64 characters)
MAX_BATCH = 200  # writes committed in one transaction by the writer thread
WAIT_FOR_WRITE = 2.0  # seconds a claim waits before going on as if it won (Slack's deadline is 3 s)
LINGER = 0.1  # seconds a question or vote may wait for the writer to wake for something else
COMMIT_INTERVAL = 0.025  # under load, one commit per interval carries every write that came meanwhile
# Writes waiting for the writer at most: a database that hangs (rather than fails) holds the writer, and the
# process must not grow without bound meanwhile. Some seconds of heavy traffic; beyond it new writes are dropped.
MAX_PENDING = 20_000
DROPS_REPORTED_EVERY = 10.0  # seconds between two log lines about dropped writes

metadata = MetaData()
claims = Table(
    "claims",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("claimed_at", Float, nullable=False, index=True),
)
welcomed_users = Table(
    "welcomed_users",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("welcomed_at", Float, nullable=False),
)
votes = Table(
    "votes",
    metadata,
    Column("entry_id", String(128), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("helpful", Boolean, nullable=False),
    Column("voted_at", Float, nullable=False, index=True),
)
user_languages = Table(
    "user_languages",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("language", String(8), nullable=False),
    Column("updated_at", Float, nullable=False),
)
bot_threads = Table(
    "bot_threads",
    metadata,
    Column("key", String(255), primary_key=True),  # channel:thread_ts
    Column("entry_id", String(128)),
    Column("participants", Text, nullable=False),  # user ids separated by spaces
    Column("human_replies", Integer, nullable=False),
    Column("last_ts", String(32), nullable=False),
    Column("updated_at", Float, nullable=False, index=True),
)
questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_at", Float, nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("channel_type", String(16), nullable=False),
    Column("entry_id", String(128)),
    Column("layer", String(64)),
    Column("text", Text),
)
expert_requests = Table(
    "expert_requests",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("asked_at", Float, nullable=False, index=True),
    Column("asker", String(64), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("thread_ts", String(32)),
    Column("question", Text, nullable=False),
)
expert_threads = Table(
    "expert_threads",
    metadata,
    Column("channel", String(64), primary_key=True),
    Column("ts", String(32), primary_key=True),
    Column("request_key", String(64), nullable=False),
    Column("posted_at", Float, nullable=False, index=True),
)
proposals = Table(
    "proposals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("proposed_at", Float, nullable=False, index=True),
    Column("status", String(16), nullable=False),
    Column("entry_id", String(128)),
    Column("question", String(500), nullable=False),
    Column("answer", Text, nullable=False),
    Column("answer_zh", Text, nullable=False),
    Column("layers", String(255), nullable=False),
    Column("source", String(500), nullable=False),
    Column("alternates", Text, nullable=False),
    Column("author", String(64), nullable=False),
    UniqueConstraint("kind", "entry_id", "question", name="uq_proposals_alternate"),
)

_QUESTION_COLUMNS = ("asked_at", "outcome", "score", "channel_type", "entry_id", "layer", "text")
_THREAD_COLUMNS = ("key", "entry_id", "participants", "human_replies", "last_ts", "updated_at")
_PROPOSAL_COLUMNS = tuple(column.name for column in proposals.columns if column.name != "id")


class StoreConfigError(ValueError):
    """The database URL cannot be used."""


def engine_url(database_url: str) -> str:
    """A SQLAlchemy URL for ``database_url``, accepting Heroku's ``postgres://`` and using psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    return database_url


def _parse(database_url: str) -> URL:
    """``database_url`` parsed and checked as far as it can be without connecting. Raises StoreConfigError."""
    try:
        parsed = make_url(engine_url(database_url))
    except ArgumentError:
        raise StoreConfigError("it is not a database URL") from None
    except ValueError:  # int() of a port such as "abc"
        raise StoreConfigError("its port must be a whole number from 1 to 65535") from None
    backend = parsed.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise StoreConfigError(f"unsupported database '{backend}'; use sqlite or postgresql")
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise StoreConfigError("its port must be a whole number from 1 to 65535")
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise StoreConfigError("it names no SQLite file (give a path, as in sqlite:///path/to/bot.sqlite3)")
    return parsed


def sqlite_file(database_url: str) -> Path | None:
    """The file a ``sqlite:///`` URL names; ``None`` for PostgreSQL. Raises :class:`StoreConfigError`."""
    parsed = _parse(database_url)
    return Path(str(parsed.database)) if parsed.get_backend_name() == "sqlite" else None


def _create_sqlite_file(path: Path) -> None:
    """Create the file if new, readable by its owner only (it holds DM text and voter ids), in a 0700 folder."""
    if path.is_dir():
        raise StoreConfigError(f"{path} is a folder, not a SQLite file")
    blocker = next((parent for parent in path.parents if parent.exists() and not parent.is_dir()), None)
    if blocker is not None:
        raise StoreConfigError(f"{blocker} is a file, so it cannot hold {path}")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))  # SQLite gives its -wal and -shm files this mode
    except OSError as error:
        raise StoreConfigError(f"cannot open or create {path} ({error.strerror or type(error).__name__})") from None


class SqlStore:
    """A store on any SQLAlchemy URL this project supports (SQLite, PostgreSQL)."""

    def __init__(self, database_url: str, *, connect_timeout: float = 2.0, max_pending: int = MAX_PENDING) -> None:
        parsed = _parse(database_url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            _create_sqlite_file(Path(str(parsed.database)))
        try:
            self.engine = self._create_engine(engine_url(database_url), connect_timeout)
        except (ArgumentError, ImportError, ValueError, TypeError) as error:  # unknown driver, a bad port...
            raise StoreConfigError(str(error).splitlines()[0][:200]) from None
        self._schema_ready = False
        self._paused_until = 0.0
        self._last_error = ""
        self._lock = threading.Lock()
        dialect = postgresql if self.dialect == "postgresql" else sqlite
        claim, self._welcome, vote = _statements(dialect)
        prepare = partial(_Prepared.of, self.engine.dialect)
        self._claim = prepare(claim, ("key", "claimed_at"))
        self._vote = prepare(vote, ("entry_id", "user_id", "helpful", "voted_at"))
        self._question_insert = prepare(questions.insert(), _QUESTION_COLUMNS)
        self._language_upsert = prepare(_language_upsert(dialect), ("user_id", "language", "updated_at"))
        self._thread_upsert = prepare(_thread_upsert(dialect), _THREAD_COLUMNS)
        self._root_upsert = prepare(_root_upsert(dialect), _THREAD_COLUMNS)
        self._reply_count = prepare(_reply_count(self.dialect), ("thread_key", "reply_user", "reply_ts", "counted_at"))
        self._request_insert, self._thread_insert, proposal = _curation_statements(dialect)
        self._proposal_insert = prepare(proposal, _PROPOSAL_COLUMNS)
        self._languages = _Languages()
        self._pending = _WriteQueue()
        self._max_pending = max_pending
        self._drops = threading.Lock()  # taken only on the drop path: writes are enqueued from several threads
        self._dropped, self._drops_reported = 0, 0.0
        self._connection: Connection | None = None  # the writer thread's (see _held)
        self._writer = threading.Thread(target=self._write_loop, name="store-writer", daemon=True)
        self._writer.start()

    def _create_engine(self, url: str, connect_timeout: float) -> Engine:
        if self.dialect == "sqlite":
            engine = create_engine(url, connect_args={"timeout": connect_timeout})
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(
            url,
            connect_args={"connect_timeout": max(1, int(connect_timeout))},
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            pool_timeout=connect_timeout,
        )

    # -- the Store interface ---------------------------------------------------

    def claim(self, key: str) -> bool:
        return bool(_wait(self._submit_claim(key), True))

    async def claim_async(self, key: str) -> bool:
        waiter: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self._submit_claim(key, waiter)
        return bool(await _wait_async(waiter, True))

    def claim_welcome(self, user_id: str) -> bool:
        user_id = user_id[:64]
        parameters = {"user_id": user_id, "at": time.time()}
        return self._first_insert(self._welcome, parameters, lock_order=f"welcome:{user_id}")

    def record_question(self, question: AskedQuestion) -> None:
        row = {
            "asked_at": question.asked_at,
            "outcome": question.outcome,
            "score": round(question.score, 1),
            "channel_type": question.channel_type[:16],
            "entry_id": question.entry_id[:128] if question.entry_id else None,
            "layer": question.layer[:64] if question.layer else None,
            "text": redact(question.text) if question.text is not None else None,
        }
        self._record(self._question_insert, row)

    def record_vote(self, vote: Vote) -> None:
        row = {
            "entry_id": vote.entry_id[:128],
            "user_id": vote.user_id[:64],
            "helpful": vote.helpful,
            "voted_at": vote.voted_at,
        }
        self._record(self._vote, row, lock_order=f"vote:{row['entry_id']}:{row['user_id']}", replaces=True)

    def set_language(self, user_id: str, language: str) -> None:
        user_id, language = user_id[:64], language[:8]
        self._languages.remember(user_id, language)
        row = {"user_id": user_id, "language": language, "updated_at": time.time()}
        self._record(self._language_upsert, row, lock_order=f"language:{user_id}", replaces=True)

    def language(self, user_id: str) -> str | None:
        user_id = user_id[:64]
        if (known := self._languages.get(user_id)) is not _UNKNOWN:
            return known
        self.flush()  # a write of this user's language may be queued still (the cache was full and started again)
        query = select(user_languages.c.language).where(user_languages.c.user_id == user_id)
        failed: str | _Unknown | None = _UNKNOWN
        found = self._safely("read a language", lambda c: c.execute(query).scalar(), default=failed)
        if isinstance(found, _Unknown):
            return None  # the database failed: English this time, and no memory of it
        return self._languages.read(user_id, found)

    async def language_async(self, user_id: str) -> str | None:
        known = self._languages.get(user_id[:64])
        return await asyncio.to_thread(self.language, user_id) if known is _UNKNOWN else known

    def thread(self, channel: str, thread_ts: str) -> BotThread | None:
        self.flush()
        query = select(bot_threads).where(bot_threads.c.key == _thread_key(channel, thread_ts))

        def read(connection: Connection) -> BotThread | None:
            row = connection.execute(query).first()
            if row is None:
                return None
            participants = frozenset(row.participants.split())
            return BotThread(
                channel, thread_ts, row.entry_id, participants, row.human_replies, row.last_ts, row.updated_at
            )

        return self._safely("read a thread", read, default=None)

    def save_thread(self, thread: BotThread) -> None:
        key = _thread_key(thread.channel, thread.thread_ts)
        self._record(self._thread_upsert, _thread_row(key, thread), lock_order=f"thread:{key}", replaces=True)

    def answered_at_root(self, thread: BotThread) -> None:
        key = _thread_key(thread.channel, thread.thread_ts)
        self._record(self._root_upsert, _thread_row(key, thread), lock_order=f"thread:{key}")

    def count_reply(self, channel: str, thread_ts: str, user: str, ts: str) -> None:
        key = _thread_key(channel, thread_ts)
        row = {"thread_key": key, "reply_user": user[:64], "reply_ts": ts[:32], "counted_at": time.time()}
        self._record(self._reply_count, row, lock_order=f"thread:{key}")

    def questions_since(self, since: float) -> list[AskedQuestion]:
        self.flush()
        query = select(questions).where(questions.c.asked_at >= since).order_by(questions.c.asked_at, questions.c.id)

        def read(connection: Connection) -> list[AskedQuestion]:
            return [
                AskedQuestion(
                    asked_at=row.asked_at,
                    outcome=row.outcome,
                    score=row.score,
                    channel_type=row.channel_type,
                    entry_id=row.entry_id,
                    layer=row.layer,
                    text=row.text,
                )
                for row in connection.execute(query)
            ]

        return self._safely("read questions", read, default=[])

    def votes_since(self, since: float) -> list[Vote]:
        self.flush()
        query = select(votes).where(votes.c.voted_at >= since)

        def read(connection: Connection) -> list[Vote]:
            return [Vote(row.entry_id, row.user_id, row.helpful, row.voted_at) for row in connection.execute(query)]

        return self._safely("read votes", read, default=[])

    def open_expert_request(self, request: ExpertRequest) -> bool:
        row = {
            "key": request.key[:64],
            "asked_at": request.asked_at,
            "asker": request.asker[:64],
            "channel": request.channel[:64],
            "thread_ts": request.thread_ts[:32] if request.thread_ts else None,
            "question": redact(request.question),
        }
        return self._first_insert(self._request_insert, row, lock_order=f"expert:{row['key']}")

    def add_expert_thread(self, channel: str, ts: str, request_key: str) -> None:
        row = {"channel": channel[:64], "ts": ts[:32], "request_key": request_key[:64], "posted_at": time.time()}
        statement = self._thread_insert
        self._write(lambda c: c.execute(statement, row), default=None, wait=True, lock_order=f"thread:{channel}:{ts}")

    def expert_request(self, channel: str, thread_ts: str) -> ExpertRequest | None:
        self.flush()
        query = (
            select(expert_requests)
            .join(expert_threads, expert_threads.c.request_key == expert_requests.c.key)
            .where(expert_threads.c.channel == channel[:64], expert_threads.c.ts == thread_ts[:32])
        )

        def read(connection: Connection) -> ExpertRequest | None:
            row = connection.execute(query).first()
            if row is None:
                return None
            return ExpertRequest(row.key, row.asked_at, row.asker, row.channel, row.thread_ts, row.question)

        return self._safely("read an expert request", read, default=None)

    def propose(self, proposal: Proposal) -> None:
        row = {
            "kind": proposal.kind,
            "proposed_at": proposal.proposed_at,
            "status": proposal.status,
            "entry_id": proposal.entry_id[:128] if proposal.entry_id else None,
            "question": redact(proposal.question),
            "answer": redact(proposal.answer[:4000]) if proposal.answer else "",
            "answer_zh": redact(proposal.answer_zh) if proposal.answer_zh else "",
            "layers": ",".join(proposal.layers)[:255],
            "source": redact(proposal.source),
            "alternates": "\n".join(redact(text) for text in proposal.alternates[:20]),
            "author": proposal.author[:64],
        }
        self._record(self._proposal_insert, row, lock_order=f"proposal:{row['entry_id']}:{row['question']}")

    def proposals(self, statuses: tuple[ProposalStatus, ...]) -> list[Proposal]:
        self.flush()
        query = (
            select(proposals).where(proposals.c.status.in_(statuses)).order_by(proposals.c.proposed_at, proposals.c.id)
        )
        return self._safely("read proposals", lambda c: [_proposal(row) for row in c.execute(query)], default=[])

    def decide(self, proposal_id: int, status: ProposalStatus) -> Proposal | None:
        self.flush()
        change = update(proposals).where(proposals.c.id == proposal_id).values(status=status)
        query = select(proposals).where(proposals.c.id == proposal_id)

        def apply(connection: Connection) -> Proposal | None:
            connection.execute(change)
            row = connection.execute(query).first()
            return _proposal(row) if row is not None else None

        return self._safely("decide a proposal", apply, default=None)

    def purge(self, *, now: float, retention_days: int) -> None:
        self.flush()
        self._languages.forget()  # some may be older than retention_days: read again what is kept
        keep_from = now - retention_days * DAY

        def forget(connection: Connection) -> None:
            connection.execute(delete(claims).where(claims.c.claimed_at < now - DAY))
            connection.execute(delete(questions).where(questions.c.asked_at < keep_from))
            connection.execute(delete(votes).where(votes.c.voted_at < keep_from))
            connection.execute(delete(user_languages).where(user_languages.c.updated_at < keep_from))
            connection.execute(delete(expert_threads).where(expert_threads.c.posted_at < keep_from))
            connection.execute(delete(expert_requests).where(expert_requests.c.asked_at < keep_from))
            connection.execute(delete(proposals).where(proposals.c.proposed_at < keep_from))
            connection.execute(delete(bot_threads).where(bot_threads.c.updated_at < keep_from))

        self._safely("purge", forget, default=None)

    def status(self) -> str:
        """``"ok"``, ``"writer stopped"`` or ``"unavailable"``; the reason goes to the log, not to whoever asks."""
        if not self._writer.is_alive():
            return "writer stopped"
        if time.monotonic() < self._paused_until:
            return "unavailable"
        problem = self.connection_problem()
        if problem is not None:
            log.warning("database unavailable (%s)", problem)
            return "unavailable"
        return "ok"

    def connection_problem(self) -> str | None:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as error:
            return _describe(error)
        return None

    def flush(self) -> None:
        """Wait until every recorded question and vote has been written (or dropped), while the writer runs."""
        pending = self._pending
        pending.wake()
        with pending.all_tasks_done:
            while pending.unfinished_tasks and self._writer.is_alive():
                pending.all_tasks_done.wait(timeout=0.5)

    def close(self) -> None:
        self._pending.put(None)
        self._writer.join()
        self.engine.dispose()

    # -- plumbing --------------------------------------------------------------

    def _first_insert(self, statement: Any, parameters: dict[str, object], *, lock_order: str) -> bool:
        """True if the row is new: ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` gave it back. Waits."""
        inserted = self._write(
            lambda c: c.execute(statement, parameters).first() is not None,
            default=True,
            wait=True,
            lock_order=lock_order,
        )
        return bool(inserted)

    def _submit_claim(self, key: str, waiter: asyncio.Future[object] | None = None) -> Future[object]:
        """The claim's result to come: :meth:`_first_insert` without the wait, True if the database cannot say.

        ``waiter``: an event loop's future that gets the result too (see :func:`_settle_all`).
        """
        key = key[:255]
        parameters = {"key": key, "claimed_at": time.time()}
        result: Future[object] = Future()
        insert = self._claim
        operation = partial(_inserted, insert, parameters)
        self._enqueue(_Write(operation, result, True, f"claim:{key}", insert, parameters, returns="key", waiter=waiter))
        return result

    def _write(
        self, operation: Callable[[Connection], object], *, default: object, wait: bool, lock_order: str = ""
    ) -> object:
        """Hand a write to the writer thread; with ``wait``, return its result (``default`` if it failed)."""
        result: Future[object] | None = Future() if wait else None
        self._enqueue(_Write(operation, result, default, lock_order))
        return None if result is None else _wait(result, default)

    def _record(
        self, statement: _Prepared, row: Mapping[str, Any], *, lock_order: str = "", replaces: bool = False
    ) -> None:
        """Hand the writer a row nobody waits for; it is written with the batch's other rows for ``statement``.

        ``replaces``: the statement overwrites whatever the row's ``lock_order`` key holds, so of a batch's
        rows for one key only the last need be written.
        """
        operation = partial(statement.run, rows=row)
        self._enqueue(_Write(operation, None, None, lock_order, statement, row, replaces=replaces))

    def _enqueue(self, write: _Write) -> None:
        """Queue ``write``, waking the writer only if someone waits for it; settled at once if the writer stopped."""
        if not self._writer.is_alive():
            log.error("store writer stopped: a write dropped")
            _settle_all([write], None)
        elif len(self._pending.queue) >= self._max_pending:  # a deque's length: no lock needed to read it
            self._drop(write)
        elif write.result is None:
            self._pending.put_quietly(write)
        else:
            self._pending.put(write)

    def _drop(self, write: _Write) -> None:
        """Drop ``write`` (its caller gets the default: a claim is won); say so at once, then every few seconds."""
        _settle_all([write], None)
        with self._drops:
            self._dropped += 1
            if (now := time.monotonic()) - self._drops_reported < DROPS_REPORTED_EVERY:
                return
            dropped, self._dropped, self._drops_reported = self._dropped, 0, now
        log.warning("store writer behind: %d write(s) waiting, %d more dropped", len(self._pending.queue), dropped)

    def _caught_up(self) -> None:
        """After a batch: if writes were dropped since the last warning and the queue has room again, say how many."""
        if self._dropped and len(self._pending.queue) < self._max_pending:
            with self._drops:
                dropped, self._dropped = self._dropped, 0
            if dropped:
                log.warning("store writer caught up: %d more write(s) had been dropped", dropped)

    def _write_loop(self) -> None:
        try:
            self._write_batches()
        finally:  # however the thread ends, its connection goes with it
            self._release()

    def _write_batches(self) -> None:
        last_commit = 0.0
        while True:
            try:
                batch = [self._pending.get(timeout=LINGER)]  # a question or vote wakes nobody: look for them
            except queue.Empty:
                continue
            if (pause := last_commit + COMMIT_INTERVAL - time.monotonic()) > 0:
                time.sleep(pause)  # a commit costs more than its writes: let the next ones join it
            last_commit = time.monotonic()
            batch += self._pending.take(MAX_BATCH - 1)
            writes = [write for write in batch if write is not None]
            try:
                self._commit(writes)
            except Exception:  # a bug, not bad data: log it, and keep the thread for the next batch
                log.exception("store writer: %d write(s) dropped", len(writes))
                _settle_all(writes, None)
            finally:
                self._pending.done(len(batch))
            self._caught_up()
            if None in batch:
                return

    def _commit(self, writes: list[_Write]) -> None:
        """Commit the writes in one transaction; if that fails, each on its own, dropping only those at fault."""
        if not writes:
            return
        try:
            results = self._run(f"{len(writes)} write(s)", partial(_apply_all, writes), default=None, held=True)
        except Exception:  # one write is at fault, not the database: the others go through alone
            results = [self._alone(write) for write in writes]
        _settle_all(writes, results)

    def _alone(self, write: _Write) -> object:
        return self._safely("a write", write.operation, default=write.default)

    def _safely(self, what: str, operation: Callable[[Connection], T], *, default: T) -> T:
        """:meth:`_run`, with a refused statement, or any other failure of this one operation, logged and dropped."""
        try:
            return self._run(what, operation, default=default)
        except _RefusedError as error:
            log.warning("database refused %s (%s); dropped", what, error)
        except Exception as error:  # e.g. UnicodeEncodeError: text the driver cannot encode
            log.warning("%s failed (%s); dropped", what, _describe(error))
        return default

    def _run(self, what: str, operation: Callable[[Connection], T], *, default: T, held: bool = False) -> T:
        """Run ``operation`` in a transaction; retry briefly; on failure log, drop and return ``default``.

        Only an unreachable or locked database is retried and pauses writes; a
        statement the database refuses (bad data) raises :class:`_RefusedError`.
        ``held``: on the writer thread's own connection (:meth:`_held`).
        """
        if time.monotonic() < self._paused_until:
            log.warning("database unavailable: %s dropped", what)
            return default
        for attempt in range(1, ATTEMPTS + 1):
            try:
                self._ensure_schema()
                if held:
                    with (connection := self._held()).begin():
                        return operation(connection)
                with self.engine.begin() as connection:
                    return operation(connection)
            except (OperationalError, InterfaceError, PoolTimeoutError) as error:
                self._last_error = _describe(error)
                if held:
                    self._release()  # it may be the connection that broke: the next attempt opens another
                if attempt < ATTEMPTS:
                    time.sleep(0.05 * attempt)
            except SQLAlchemyError as error:
                raise _RefusedError(_describe(error)) from None
        self._paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
        log.warning("database unavailable (%s): %s dropped after %d attempts", self._last_error, what, ATTEMPTS)
        return default

    def _held(self) -> Connection:
        """The writer thread's connection, kept between batches.

        Checking one out of the pool for every batch costs the writer more than a
        small batch's rows (and on PostgreSQL a round trip for the pre-ping). A
        connection that broke meanwhile fails the batch's first statement, which
        :meth:`_run` retries on a new one, as it would a pre-ping's failure.
        """
        if self._connection is None:
            self._connection = self.engine.connect()
        return self._connection

    def _release(self) -> None:
        """Close the writer's connection (it broke, or the writer is stopping)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except SQLAlchemyError as error:
                log.warning("closing the writer's connection failed (%s)", _describe(error))

    def _ensure_schema(self) -> None:
        if not self._schema_ready:
            with self._lock:
                if not self._schema_ready:
                    try:
                        upgraded = upgrade(self.engine)
                    except SchemaError as error:  # the tables may serve all the same: let each statement tell
                        log.error("database schema left as it is: %s", error)
                    else:
                        if upgraded.changed:
                            log.info("database schema %s", upgraded)
                    self._schema_ready = True


def _statements(dialect: Any) -> tuple[Any, Any, Any]:
    """The claim, welcome and vote statements, built once with bound parameters (cheaper per call)."""
    claim = dialect.insert(claims).on_conflict_do_nothing(index_elements=["key"]).returning(claims.c.key)
    welcome = dialect.insert(welcomed_users).values(user_id=bindparam("user_id"), welcomed_at=bindparam("at"))
    welcome = welcome.on_conflict_do_nothing(index_elements=["user_id"]).returning(welcomed_users.c.user_id)
    vote = dialect.insert(votes)
    vote = vote.on_conflict_do_update(
        index_elements=["entry_id", "user_id"],
        set_={"helpful": vote.excluded.helpful, "voted_at": vote.excluded.voted_at},
    )
    return claim, welcome, vote


def _language_upsert(dialect: Any) -> Any:
    """Insert a user's language, or replace the one stored."""
    upsert = dialect.insert(user_languages)
    return upsert.on_conflict_do_update(
        index_elements=["user_id"],
        set_={"language": upsert.excluded.language, "updated_at": upsert.excluded.updated_at},
    )


def _curation_statements(dialect: Any) -> tuple[Any, Any, Any]:
    """Insert an expert request (first time only), an experts' post, and a proposal (an alternate once)."""
    request = dialect.insert(expert_requests).on_conflict_do_nothing(index_elements=["key"])
    thread = dialect.insert(expert_threads).on_conflict_do_nothing(index_elements=["channel", "ts"])
    proposal = dialect.insert(proposals).on_conflict_do_nothing(index_elements=["kind", "entry_id", "question"])
    return request.returning(expert_requests.c.key), thread, proposal


def _proposal(row: Any) -> Proposal:
    return Proposal(
        kind=row.kind,
        proposed_at=row.proposed_at,
        question=row.question,
        entry_id=row.entry_id,
        answer=row.answer,
        answer_zh=row.answer_zh,
        layers=tuple(filter(None, row.layers.split(","))),
        source=row.source,
        alternates=tuple(filter(None, row.alternates.split("\n"))),
        author=row.author,
        status=row.status,
        id=row.id,
    )


def _thread_upsert(dialect: Any) -> Any:
    """Insert a thread's state, or replace the one stored."""
    upsert = dialect.insert(bot_threads)
    columns = ("entry_id", "participants", "human_replies", "last_ts", "updated_at")
    return upsert.on_conflict_do_update(
        index_elements=["key"], set_={column: upsert.excluded[column] for column in columns}
    )


def _root_upsert(dialect: Any) -> Any:
    """Insert a thread the bot answered at its root, or merge that answer into the thread stored.

    The people are added to those stored (a repeat is harmless: they are read
    back as a set; the text stays bounded), the stored newest message is kept
    (the root is older than any reply), the entry is replaced unless the answer
    had none, and the count of human replies restarts.
    """
    upsert = dialect.insert(bot_threads)
    merged = upsert.excluded.participants + " " + bot_threads.c.participants
    return upsert.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "entry_id": func.coalesce(upsert.excluded.entry_id, bot_threads.c.entry_id),
            "participants": func.substr(merged, 1, MAX_PARTICIPANTS_TEXT),
            "human_replies": 0,
            "updated_at": upsert.excluded.updated_at,
        },
    )


def _reply_count(dialect_name: str) -> Any:
    """Count a reply in a known thread, if newer than the newest counted; add its author once (bounded)."""
    user = bindparam("reply_user", type_=String)
    padded, person = " " + bot_threads.c.participants + " ", " " + user + " "
    found = func.strpos(padded, person) if dialect_name == "postgresql" else func.instr(padded, person)
    added = func.substr(user + " " + bot_threads.c.participants, 1, MAX_PARTICIPANTS_TEXT)
    return (
        update(bot_threads)
        .where(bot_threads.c.key == bindparam("thread_key"), bot_threads.c.last_ts < bindparam("reply_ts"))
        .values(
            human_replies=bot_threads.c.human_replies + 1,
            participants=case((found > 0, bot_threads.c.participants), else_=added),
            last_ts=bindparam("reply_ts"),
            updated_at=bindparam("counted_at"),
        )
    )


def _thread_row(key: str, thread: BotThread) -> dict[str, object]:
    return {
        "key": key,
        "entry_id": thread.entry_id[:128] if thread.entry_id else None,
        "participants": " ".join(sorted(thread.participants)[:MAX_PARTICIPANTS]),
        "human_replies": thread.human_replies,
        "last_ts": thread.last_ts[:32],
        "updated_at": thread.updated_at,
    }


def _thread_key(channel: str, thread_ts: str) -> str:
    return f"{channel[:64]}:{thread_ts[:32]}"


class _Unknown(enum.Enum):
    """Not in the cache (``None`` there means: the database has no language for the user)."""

    UNKNOWN = enum.auto()


_UNKNOWN = _Unknown.UNKNOWN


class _Languages:
    """Users' languages as this process last wrote or read them, so that a click or an App Home opened
    reads no database and forces no commit.

    Written through: :meth:`SqlStore.set_language` updates it before queuing the
    write, so this process always sees its own latest write. Another instance's
    write is not seen here until this process handles one of the user's questions
    itself or the cache starts again (when full, or on purge): a user who switches
    to Chinese on one instance may get a click answered in English on another,
    once or for as long as their questions go elsewhere. That is acceptable for a
    preference that only picks the language of a reply; nothing else reads it.
    Bounded: when full, it starts again. Dict operations are atomic, so the event
    loop and the threads that read may share it without a lock.
    """

    MAX_USERS = 10_000

    def __init__(self) -> None:
        self._by_user: dict[str, str | None] = {}

    def get(self, user_id: str) -> str | Literal[_Unknown.UNKNOWN] | None:
        """The language known for ``user_id`` (``None``: none stored), or ``_UNKNOWN``."""
        return self._by_user.get(user_id, _UNKNOWN)

    def remember(self, user_id: str, language: str | None) -> None:
        if len(self._by_user) >= self.MAX_USERS:
            self._by_user.clear()
        self._by_user[user_id] = language

    def read(self, user_id: str, language: str | None) -> str | None:
        """Keep what was read for ``user_id``, unless this process wrote a language meanwhile; the one known."""
        if len(self._by_user) >= self.MAX_USERS:
            self._by_user.clear()
        return self._by_user.setdefault(user_id, language)

    def forget(self) -> None:
        self._by_user.clear()


class _RefusedError(Exception):
    """The database is up but refused a statement (bad data): retrying it will not help."""


class _WriteQueue(queue.Queue["_Write | None"]):
    """The writer's queue, where a write nobody waits for can be put without waking the writer."""

    def put_quietly(self, write: _Write) -> None:
        with self.mutex:
            self._put(write)
            self.unfinished_tasks += 1

    def wake(self) -> None:
        """Wake the writer for what was put quietly (a reader is about to wait for it)."""
        with self.not_empty:
            self.not_empty.notify()

    def take(self, limit: int) -> list[_Write | None]:
        """Up to ``limit`` of the writes waiting, taken under one lock (``get_nowait`` takes it for each)."""
        with self.mutex:
            return [self._get() for _ in range(min(limit, self._qsize()))]

    def done(self, count: int) -> None:
        """``task_done`` for ``count`` writes, under one lock."""
        with self.all_tasks_done:
            self.unfinished_tasks -= count
            if self.unfinished_tasks <= 0:
                self.unfinished_tasks = 0
                self.all_tasks_done.notify_all()


def _wait(result: Future[object], default: object) -> object:
    """The write's result, or ``default`` if the database takes too long to give it."""
    try:
        return result.result(timeout=WAIT_FOR_WRITE)
    except FutureTimeout:
        log.warning("database too slow: went on without waiting for a write")
        return default


async def _wait_async(waiter: asyncio.Future[object], default: object) -> object:
    """:func:`_wait` on the event loop: the writer thread settles ``waiter`` and wakes the loop itself."""
    try:
        async with asyncio.timeout(WAIT_FOR_WRITE):
            return await waiter
    except TimeoutError:
        log.warning("database too slow: went on without waiting for a write")
        return default


@dataclass(frozen=True)
class _Write:
    operation: Callable[[Connection], object]
    result: Future[object] | None  # None: nobody waits for it
    default: object  # the result if the database cannot be reached
    lock_order: str = ""  # the key whose row it may lock
    statement: _Prepared | None = None  # with ``row``: the statement it shares with the batch's other rows
    row: Mapping[str, Any] | None = None
    replaces: bool = False  # the row overwrites its key's: a later row for the same key makes it moot
    returns: str = ""  # the column of ``row`` the statement returns when it inserts the row (claims)
    waiter: asyncio.Future[object] | None = None  # an event loop's future waiting for the result too


def _apply_all(writes: list[_Write], connection: Connection) -> list[object]:
    """Apply the writes in one transaction, in the order of the rows they lock; results in the given order.

    Two instances committing batches that claim the same keys in different
    orders would deadlock (PostgreSQL notices after a second); one order for
    everyone makes that impossible. Consecutive rows for one statement go in one
    multi-row statement (in that order still, see :class:`_Prepared`): each
    statement costs the writer a round of the interpreter lock against the event
    loop, whatever its rows.
    """
    results: list[object] = [None] * len(writes)
    in_order = sorted(range(len(writes)), key=lambda n: writes[n].lock_order)
    for statement, run in itertools.groupby(in_order, key=lambda n: writes[n].statement):
        numbers, repeats = _claimed_once(_latest(list(run), writes), writes)
        for number in repeats:  # the batch claims its key already: whoever claims it second is not first
            results[number] = False
        keys = [writes[n].lock_order for n in numbers if writes[n].lock_order]
        if statement is None or len(numbers) == 1 or len(set(keys)) < len(keys):  # one row twice: one at a time
            for number in numbers:
                results[number] = writes[number].operation(connection)
            continue
        rows = [row for n in numbers if (row := writes[n].row) is not None]
        returned = statement.run(connection, rows)
        if column := writes[numbers[0]].returns:  # claims: a row is new if the database gave its key back
            new = set(returned.scalars())
            for number, row in zip(numbers, rows, strict=True):
                results[number] = row[column] in new
    return results


def _claimed_once(numbers: list[int], writes: list[_Write]) -> tuple[list[int], list[int]]:
    """``numbers`` (writes of one statement, in lock order) split into each key's first claim and its repeats.

    Slack's retry of an event often lands in the batch of the event itself;
    the repeat can only find the key taken, and left in, it would send the
    whole batch's claims one at a time. Writes that claim nothing are all firsts.
    """
    if not writes[numbers[0]].returns:
        return numbers, []
    firsts: list[int] = []
    repeats: list[int] = []
    previous = None
    for number in numbers:
        key = writes[number].lock_order
        (repeats if key == previous else firsts).append(number)
        previous = key
    return firsts, repeats


def _latest(numbers: list[int], writes: list[_Write]) -> list[int]:
    """``numbers`` (writes of one statement, in lock order) without the rows a later row of theirs replaces."""
    return [
        number
        for number, after in itertools.zip_longest(numbers, numbers[1:])
        if after is None or not writes[number].replaces or writes[number].lock_order != writes[after].lock_order
    ]


@dataclass(frozen=True)
class _Prepared:
    """A statement compiled once to the driver's SQL, and run with ``exec_driver_sql``.

    The hot writes (claims, questions, votes, languages, thread states) skip what Core does
    for every call and every row: about 10 µs a statement and 2 µs a row in the
    writer thread, measured on SQLite. The rows go to the driver as they are:
    what Core would have done to them first (on SQLite, ``float()`` of a float and
    ``int()`` of a bool, which sqlite3 stores the same way) changes nothing.
    Errors are SQLAlchemy's still, so retries and refusals work as before.

    Several rows of an ``INSERT`` go in one multi-row ``INSERT ... VALUES (...), (...)``
    rather than an ``executemany``: the drivers let go of the interpreter lock for
    every row they execute, and under load each time costs the writer a round
    against the event loop. (The batch never holds one key twice for one statement:
    :func:`_apply_all` writes such rows one at a time.)
    """

    statement: Any
    dialect: Any
    columns: tuple[str, ...]
    sql: str
    constants: Mapping[str, Any]  # the literals Core made parameters of (a ``+ 1``, a ``' '``), given with each row
    _many: dict[int, tuple[str, Mapping[str, Any]]] = field(default_factory=dict, compare=False)  # by row count

    @classmethod
    def of(cls, dialect: Any, statement: Any, columns: tuple[str, ...]) -> _Prepared:
        if dialect.positional:  # sqlite3 takes named parameters too, which rows are
            dialect = type(dialect)(paramstyle="named")
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        constants = {key: value for key, value in compiled.params.items() if key not in columns}
        return cls(statement, dialect, columns, str(compiled), constants)

    def run(self, connection: Connection, rows: Mapping[str, Any] | list[Mapping[str, Any]]) -> Any:
        """Execute for one row, or for a list of them."""
        if isinstance(rows, Mapping):
            return connection.exec_driver_sql(self.sql, {**self.constants, **rows} if self.constants else rows)
        if len(rows) > 1 and isinstance(self.statement, Insert):
            sql, constants = self._rows(len(rows))
            flat = {f"r{n}_{column}": row[column] for n, row in enumerate(rows) for column in self.columns}
            return connection.exec_driver_sql(sql, {**constants, **flat})
        return connection.exec_driver_sql(self.sql, [{**self.constants, **row} for row in rows])

    def _rows(self, count: int) -> tuple[str, Mapping[str, Any]]:
        """The statement for ``count`` rows (parameters ``r0_column``, ``r1_column``...) and its constants,
        compiled once per count."""
        if (found := self._many.get(count)) is None:
            names = [{column: f"r{n}_{column}" for column in self.columns} for n in range(count)]
            values: list[dict[str, Any]] = [{column: bindparam(name) for column, name in row.items()} for row in names]
            compiled = self.statement.values(values).compile(dialect=self.dialect)
            given = {name for row in names for name in row.values()}
            constants = {key: value for key, value in compiled.params.items() if key not in given}
            found = self._many[count] = (str(compiled), constants)
        return found


def _inserted(statement: _Prepared, row: Mapping[str, Any], connection: Connection) -> bool:
    """Run ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: was the row new?"""
    return statement.run(connection, row).first() is not None


def _settle_all(writes: list[_Write], results: list[object] | None) -> None:
    """Give each waiting caller its result (``results`` None: each write's default).

    An event loop's claims are settled by one call on the loop for the whole
    batch: each ``call_soon_threadsafe`` (as ``asyncio.wrap_future`` makes for
    every future) writes to the loop's wake-up socket, a system call in the
    writer thread and a wake-up of the loop.
    """
    waiting: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[object], object]]] = {}
    for number, write in enumerate(writes):
        result = write.default if results is None else results[number]
        if write.result is not None and not write.result.done():  # a caller that gave up no longer minds
            write.result.set_result(result)
        if write.waiter is not None:
            waiting.setdefault(write.waiter.get_loop(), []).append((write.waiter, result))
    for loop, settled in waiting.items():
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits on it any more
            loop.call_soon_threadsafe(_wake, settled)


def _wake(settled: list[tuple[asyncio.Future[object], object]]) -> None:
    """On the event loop: each waiter its result, unless it gave up waiting (a timeout cancels it)."""
    for waiter, result in settled:
        if not waiter.done():
            waiter.set_result(result)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """WAL lets readers and a writer work at once, which several instances on one file need.

    WAL is a property of the file: once set, later connections find it. Switching
    does not wait for a lock the way other statements do, so while another
    instance holds the file (creating or upgrading it) the switch is left to a
    later connection rather than failing this one.
    """
    cursor = connection.cursor()
    try:
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _describe(error: Exception) -> str:
    """The error's class and first line, without SQL or parameters (which may hold user text)."""
    original = getattr(error, "orig", None) or error
    first_line = str(original).strip().splitlines()[0] if str(original).strip() else ""
    return f"{type(original).__name__}: {first_line[:120]}" if first_line else type(original).__name__


describe_error = _describe  # for the commands that report a database error in one line
