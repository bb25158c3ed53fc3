"""The store, against both SQLite and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from bot.storage import AskedQuestion, BotThread, ExpertRequest, Proposal, SqlStore, StoreConfigError, Vote
from bot.storage.sql import DAY, engine_url
from tests.support.postgres import PostgresServer, free_port


@pytest.fixture
def opened() -> Iterator[list[SqlStore]]:
    """Stores a test opens, closed afterwards (open connections would warn)."""
    stores: list[SqlStore] = []
    yield stores
    for store in stores:
        store.close()


@pytest.fixture
def connect(opened: list[SqlStore]) -> Callable[..., SqlStore]:
    """Open a store on a URL, to be closed when the test ends."""

    def connect(url: str, **options: float) -> SqlStore:
        store = SqlStore(url, **options)
        opened.append(store)
        return store

    return connect


def test_claim_is_true_once(database_url: str, connect: Callable[..., SqlStore]) -> None:
    """The first claim of a key wins; every later one loses."""
    store = connect(database_url)
    assert store.claim("Ev1") is True
    assert store.claim("Ev1") is False
    assert store.claim("Ev2") is True


def test_concurrent_claims_from_two_instances_have_one_winner(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """Two stores (two instances) racing for the same keys: exactly one wins each key."""
    first, second = connect(database_url), connect(database_url)
    first.claim("warm-up")  # create the tables before the race
    keys = [f"Ev{n}" for n in range(40)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda pair: pair[0].claim(pair[1]), [(s, k) for k in keys for s in (first, second)]))
    wins = [results[i] + results[i + 1] for i in range(0, len(results), 2)]
    assert wins == [1] * len(keys)


def test_welcome_once(database_url: str, connect: Callable[..., SqlStore]) -> None:
    """A user is welcomed once, across stores (instances)."""
    store, other = connect(database_url), connect(database_url)
    assert store.claim_welcome("U1") is True
    assert store.claim_welcome("U1") is False
    assert other.claim_welcome("U1") is False
    assert other.claim_welcome("U2") is True


def test_questions_keep_text_only_when_unanswered_and_redact_tokens(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """Answered questions are stored without text; secrets in unanswered text are redacted."""
    store = connect(database_url)
    now = time.time()
    store.record_question(AskedQuestion(now, "answered", 88.0, "im", "licence", "hugging-face"))
    store.record_question(AskedQuestion(now, "no-match", 3.0, "channel", text="my token xoxb-123-456-abc is broken"))
    asked = store.questions_since(now - 1)
    assert [(q.outcome, q.entry_id, q.layer, q.text) for q in asked] == [
        ("answered", "licence", "hugging-face", None),
        ("no-match", None, None, "my token [redacted] is broken"),
    ]


def test_one_vote_per_user_per_entry_changeable(database_url: str, connect: Callable[..., SqlStore]) -> None:
    """A second vote by the same user on the same entry replaces the first."""
    store = connect(database_url)
    now = time.time()
    store.record_vote(Vote("licence", "U1", helpful=True, voted_at=now))
    store.record_vote(Vote("licence", "U1", helpful=False, voted_at=now + 1))
    store.record_vote(Vote("licence", "U2", helpful=True, voted_at=now))
    votes = sorted(store.votes_since(now - 1), key=lambda v: v.user_id)
    assert [(v.user_id, v.helpful) for v in votes] == [("U1", False), ("U2", True)]


def test_purge_forgets_old_claims_questions_and_votes(database_url: str, connect: Callable[..., SqlStore]) -> None:
    """Claims expire after a day; questions and votes after the retention period."""
    store = connect(database_url)
    now = time.time()
    store.claim("old-event")
    store.record_question(AskedQuestion(now - 40 * DAY, "no-match", 1.0, "im", text="old"))
    store.record_question(AskedQuestion(now - 1 * DAY, "no-match", 1.0, "im", text="recent"))
    store.record_vote(Vote("licence", "U1", helpful=False, voted_at=now - 40 * DAY))
    store.purge(now=now + 2 * DAY, retention_days=30)
    assert store.claim("old-event") is True
    assert [q.text for q in store.questions_since(0)] == ["recent"]
    assert store.votes_since(0) == []


def test_status_ok(database_url: str, connect: Callable[..., SqlStore]) -> None:
    """A reachable database reports ok."""
    assert connect(database_url).status() == "ok"


def test_postgres_down_never_raises(connect: Callable[..., SqlStore]) -> None:
    """Nothing listening: writes are dropped, claims say 'first time', status says why."""
    store = connect(f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere", connect_timeout=1)
    started = time.monotonic()
    assert store.claim("Ev1") is True
    store.record_question(AskedQuestion(time.time(), "no-match", 0.0, "im", text="hello"))
    assert store.questions_since(0) == []
    assert store.status() == "unavailable"
    assert time.monotonic() - started < 10


def test_sqlite_locked_never_raises(tmp_path: Path, connect: Callable[..., SqlStore]) -> None:
    """Another process holding the write lock: the write is dropped, not raised."""
    path = tmp_path / "locked.sqlite3"
    store = connect(f"sqlite:///{path}", connect_timeout=0.2)
    store.claim("create-tables")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        assert store.claim("Ev-locked") is True  # the default when the database cannot say
        store.record_vote(Vote("licence", "U1", helpful=True, voted_at=time.time()))
        assert store.status() == "unavailable"
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@host:5432/db", "postgresql+psycopg://u:p@host:5432/db"),
        ("postgresql://u@host/db", "postgresql+psycopg://u@host/db"),
        ("sqlite:///bot.sqlite3", "sqlite:///bot.sqlite3"),
    ],
)
def test_heroku_and_plain_postgres_urls(given: str, expected: str) -> None:
    """Heroku's postgres:// is accepted, and PostgreSQL uses the psycopg 3 driver."""
    assert engine_url(given) == expected


@pytest.mark.parametrize("url", ["mysql://x/y", "not a url"])
def test_unsupported_urls_are_refused(url: str) -> None:
    """Only SQLite and PostgreSQL are supported; anything else is a named error."""
    with pytest.raises(StoreConfigError):
        SqlStore(url)


def test_nul_characters_are_stripped(database_url: str, connect: Callable[..., SqlStore]) -> None:
    """PostgreSQL refuses NUL in text; a question containing one is stored without it."""
    store = connect(database_url)
    now = time.time()
    store.record_question(AskedQuestion(now, "no-match", 1.0, "im", text="nul \x00 inside"))
    assert [q.text for q in store.questions_since(now - 1)] == ["nul  inside"]


def test_a_refused_statement_does_not_pause_the_store(
    postgres: PostgresServer, connect: Callable[..., SqlStore]
) -> None:
    """A statement the database refuses (bad data) is dropped on its own: the store stays available,
    and the next claim is a real one (a pause would answer "first time" to every claim)."""
    store = connect(postgres.create_database(f"refused_{int(time.time() * 1000)}"))
    assert store.claim("Ev1") is True
    refused = store._write(lambda c: c.execute(text("SELECT 1 / 0")), default="dropped", wait=True)
    assert refused == "dropped"
    assert store.status() == "ok"
    assert store.claim("Ev1") is False


def test_a_users_last_question_language_is_remembered(database_url: str, connect: Callable[..., SqlStore]) -> None:
    """The last language set for a user wins, across stores; unknown users have none; purge forgets it."""
    store, other = connect(database_url), connect(database_url)
    assert store.language("U1") is None
    store.set_language("U1", "zh")
    store.set_language("U2", "en")
    store.set_language("U1", "en")
    store.set_language("U1", "zh")
    store.flush()
    assert (other.language("U1"), other.language("U2"), other.language("U3")) == ("zh", "en", None)
    store.purge(now=time.time() + 31 * DAY, retention_days=30)
    assert store.language("U1") is None


def test_a_question_with_a_lone_surrogate_is_kept_with_a_replacement_character(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """No driver can encode a lone surrogate (Slack's JSON can carry one): the question is kept for the curators,
    the surrogate replaced, and the batch around it is stored too."""
    store = connect(database_url)
    now = time.time()
    for text_ in ("before", "lone \ud800 surrogate \udfff", "after"):
        store.record_question(AskedQuestion(now, "no-match", 1.0, "im", text=text_))
    assert [q.text for q in store.questions_since(now - 1)] == ["before", "lone \ufffd surrogate \ufffd", "after"]


def test_a_write_that_raises_anything_is_dropped_alone_and_the_writer_lives_on(
    database_url: str, connect: Callable[..., SqlStore], caplog: pytest.LogCaptureFixture
) -> None:
    """A write whose driver raises something other than a database error (UnicodeEncodeError, as on text it
    cannot encode): only that write is dropped and logged; the writes batched with it are stored; claims still
    tell first from repeat."""

    def cannot_encode(_: object) -> None:
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    store = connect(database_url)
    now = time.time()
    store.claim("create-tables")
    store._write(lambda _: time.sleep(0.3), default=None, wait=False)  # hold the writer: the next three form one batch
    store.record_question(AskedQuestion(now, "no-match", 1.0, "im", text="before"))
    store._write(cannot_encode, default=None, wait=False)
    store.record_question(AskedQuestion(now, "no-match", 1.0, "im", text="after"))
    assert [q.text for q in store.questions_since(now - 1)] == ["before", "after"]
    assert store.claim("Ev-after") is True
    assert store.claim("Ev-after") is False
    assert store.status() == "ok"
    assert "UnicodeEncodeError" in caplog.text
    started = time.monotonic()
    store.close()
    assert time.monotonic() - started < 1


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the thread stops on purpose
def test_a_stopped_writer_is_reported_and_nobody_waits_for_it(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """Should the writer thread stop all the same, status() says so and writes are dropped at once."""

    def stop_the_thread(_: object) -> None:
        raise SystemExit  # not an Exception: nothing in the loop may swallow it

    store = connect(database_url)
    store._write(stop_the_thread, default=None, wait=False)
    store._writer.join(timeout=5)
    assert store.status() == "writer stopped"
    started = time.monotonic()
    assert store.claim("Ev1") is True  # the default, without waiting WAIT_FOR_WRITE
    store.record_question(AskedQuestion(time.time(), "no-match", 1.0, "im", text="dropped"))
    store.flush()
    assert time.monotonic() - started < 0.5


def test_an_expert_request_is_opened_once_and_found_by_its_posts(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    store = connect(database_url)
    request = ExpertRequest("k1", time.time(), "U1", "C111", "1.000100", "stickers? token xoxb-1234-5678-abcdefgh")
    assert store.open_expert_request(request) is True
    assert store.open_expert_request(request) is False  # once per question, across instances
    store.add_expert_thread("CEXPERTS1", "2.000200", "k1")
    store.add_expert_thread("D0EXPERT1", "3.000300", "k1")
    found = store.expert_request("D0EXPERT1", "3.000300")
    assert found is not None
    assert (found.asker, found.channel, found.thread_ts) == ("U1", "C111", "1.000100")
    assert "xoxb-1234" not in found.question  # redacted like every stored text
    assert store.expert_request("CEXPERTS1", "9.9") is None


def test_proposals_alternates_once_and_decisions(database_url: str, connect: Callable[..., SqlStore]) -> None:
    store = connect(database_url)
    now = time.time()
    draft = Proposal("entry", now, "Q?", answer="A.", layers=("community", "tongyi-research"), alternates=("a", "b"))
    store.propose(draft)
    store.propose(draft)  # a draft may be saved twice (two experts): both kept
    alternate = Proposal("alternate", now, "who pays for qwen", entry_id="funding", author="helpful vote")
    store.propose(alternate)
    store.propose(alternate)  # the same alternate again: one
    pending = store.proposals(("pending",))
    assert [p.kind for p in pending] == ["entry", "entry", "alternate"]
    assert (pending[0].layers, pending[0].alternates) == (("community", "tongyi-research"), ("a", "b"))
    decided = store.decide(pending[2].id or 0, "accepted")
    assert decided is not None
    assert (decided.status, decided.entry_id) == ("accepted", "funding")
    assert [p.question for p in store.proposals(("accepted",))] == ["who pays for qwen"]
    assert store.decide(10_000, "rejected") is None


def test_retention_applies_to_the_curation_tables(database_url: str, connect: Callable[..., SqlStore]) -> None:
    store = connect(database_url)
    now = time.time()
    store.open_expert_request(ExpertRequest("old", now - 40 * DAY, "U1", "C1", None, "old question"))
    store.add_expert_thread("CEXPERTS1", "1.1", "old")
    store.propose(Proposal("alternate", now - 40 * DAY, "old one", entry_id="funding"))
    store.propose(Proposal("alternate", now - 1 * DAY, "recent one", entry_id="funding"))
    store.purge(now=now, retention_days=30)
    assert [p.question for p in store.proposals(("pending",))] == ["recent one"]
    assert store.open_expert_request(ExpertRequest("old", now, "U1", "C1", None, "old question")) is True
    store.add_expert_thread("CEXPERTS1", "2.2", "old")  # posted now: kept for the retention, then forgotten
    store.purge(now=now + 31 * DAY, retention_days=30)
    assert store.expert_request("CEXPERTS1", "2.2") is None
    assert store.proposals(("pending",)) == []


def test_a_thread_the_bot_answered_in_is_remembered_and_replaced(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """A thread's state reads back as saved, from another store; a save replaces it; purge forgets it."""
    store, other = connect(database_url), connect(database_url)
    assert store.thread("C1", "1.000100") is None
    first = BotThread("C1", "1.000100", "licence", frozenset({"U1", "U2"}), 0, "1.000200", time.time())
    store.save_thread(first)
    store.save_thread(BotThread("C2", "1.000100", None, frozenset(), 2, "1.000300", time.time()))
    store.flush()
    assert other.thread("C1", "1.000100") == first
    later = BotThread("C1", "1.000100", "funding", frozenset({"U1", "U2", "U3"}), 3, "1.000900", time.time())
    store.save_thread(later)
    store.flush()
    assert other.thread("C1", "1.000100") == later
    assert other.thread("C2", "1.000100") is not None
    store.purge(now=time.time() + 31 * DAY, retention_days=30)
    assert store.thread("C1", "1.000100") is None


def test_rows_batched_together_are_all_written_and_the_last_vote_wins(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """Questions, votes and languages queued together go to the database in one statement per kind:
    every row arrives, and a user's later vote or language replaces the earlier one, as written one by one."""
    store, other = connect(database_url), connect(database_url)
    store.claim("create-tables")
    now = time.time()
    store._write(lambda _: time.sleep(0.3), default=None, wait=False)  # hold the writer: what follows is one batch
    for number in range(30):
        store.record_question(AskedQuestion(now, "no-match", float(number), "im", text=f"question {number}"))
        store.set_language(f"U{number % 10}", "zh" if number < 20 else "en")
        store.record_vote(Vote("licence", f"U{number % 10}", number < 20, now + number))
    store.flush()
    assert [q.text for q in other.questions_since(now - 1)] == [f"question {number}" for number in range(30)]
    assert {v.user_id: v.helpful for v in other.votes_since(now - 1)} == {f"U{n}": False for n in range(10)}
    assert {other.language(f"U{n}") for n in range(10)} == {"en"}


def test_an_event_loop_claim_waits_for_the_writer_and_a_quiet_question_is_written_soon(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """claim_async answers like claim; a question wakes nobody, yet reaches the database without a flush."""
    store, other = connect(database_url), connect(database_url)

    async def claim_twice() -> list[bool]:
        return [await store.claim_async("Ev1"), await store.claim_async("Ev1")]

    assert asyncio.run(claim_twice()) == [True, False]
    assert store.claim("Ev1") is False
    now = time.time()
    store.record_question(AskedQuestion(now, "no-match", 1.0, "im", text="unflushed"))
    deadline = time.monotonic() + 2
    while not other.questions_since(now - 1) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [q.text for q in other.questions_since(now - 1)] == ["unflushed"]


def test_claims_batched_together_are_each_answered_and_a_key_twice_is_won_once(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """Claims waiting together go in one statement: each learns whether it was first, an event and its
    retry in the same batch are won once between them (and still in that one statement), and a key
    claimed before is lost."""
    store = connect(database_url)
    store.claim("Ev-before")
    claim_statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "claims" in statement:
            claim_statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    holding = threading.Event()

    def hold(_connection: object) -> None:
        holding.set()
        time.sleep(0.3)

    store._write(hold, default=None, wait=False)  # hold the writer: the claims form one batch
    assert holding.wait(timeout=5)
    keys = ["Ev1", "Ev2", "Ev1", "Ev-before", "Ev3", "Ev2"]
    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        results = list(pool.map(store.claim, keys))
    event.remove(store.engine, "before_cursor_execute", count)
    assert len(claim_statements) == 1, claim_statements
    assert sum(results[n] for n, key in enumerate(keys) if key == "Ev1") == 1
    assert sum(results[n] for n, key in enumerate(keys) if key == "Ev2") == 1
    assert results[keys.index("Ev-before")] is False
    assert results[keys.index("Ev3")] is True
    assert [store.claim(key) for key in ("Ev1", "Ev2", "Ev3")] == [False, False, False]


def test_a_batch_writes_each_table_in_one_statement_and_a_replaced_row_not_at_all(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """Claims of different events, answers at different threads' roots and one user's languages queued
    together cost one statement per table: each claim still learns whether it was first, a known thread
    is still merged, and of the user's languages only the last is written (it replaces the others)."""
    store, other = connect(database_url), connect(database_url)
    store.claim("Ev-before")
    known = BotThread("C1", "1.000100", "licence", frozenset({"U1"}), 0, "1.000100", time.time())
    store.answered_at_root(known)
    store.flush()
    statements: list[tuple[str, int]] = []

    def count(_conn: object, _cursor: object, statement: str, parameters: object, *_: object) -> None:
        rows = len(parameters) if isinstance(parameters, list) else 1
        statements.append((statement.split("(", maxsplit=1)[0].rsplit(maxsplit=1)[-1].strip('"'), rows))

    event.listen(store.engine, "before_cursor_execute", count)
    holding = threading.Event()

    def hold(_connection: object) -> None:
        holding.set()
        time.sleep(0.3)

    store._write(hold, default=None, wait=False)  # hold the writer: what is queued meanwhile is one batch
    assert holding.wait(timeout=5)
    for number, language in enumerate(["zh", "en", "zh"]):
        store.set_language("U9", language)
        store.answered_at_root(BotThread(f"C{number}", "1.000100", "funding", frozenset({"U2"}), 0, "1.000100", 1.0))
    keys = ["Ev1", "Ev-before", "Ev2", "Ev3"]
    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        results = list(pool.map(store.claim, keys))
    store.flush()
    event.remove(store.engine, "before_cursor_execute", count)
    assert results == [True, False, True, True]
    written = [(table, rows) for table, rows in statements if table in {"claims", "user_languages", "bot_threads"}]
    assert sorted(table for table, _ in written) == ["bot_threads", "claims", "user_languages"]
    assert dict(written)["user_languages"] == 1  # the two replaced languages never reach the database
    assert other.language("U9") == "zh"
    merged = other.thread("C1", "1.000100")
    assert merged is not None
    assert (merged.entry_id, merged.participants) == ("funding", frozenset({"U1", "U2"}))
    assert other.thread("C2", "1.000100") is not None


def test_an_answer_at_a_threads_root_is_saved_unread_and_merged_into_a_known_thread(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """A new thread reads back as given; in a known one the people are added, the newest counted message is
    kept, the count restarts, and the entry is replaced unless the answer had none."""
    store, other = connect(database_url), connect(database_url)
    root = BotThread("C1", "1.000100", "licence", frozenset({"U1"}), 0, "1.000100", time.time())
    store.answered_at_root(root)
    store.flush()
    assert other.thread("C1", "1.000100") == root
    store.save_thread(BotThread("C1", "1.000100", "licence", frozenset({"U1", "U2"}), 2, "1.000900", time.time()))
    again = BotThread("C1", "1.000100", "funding", frozenset({"U3"}), 0, "1.000100", time.time())
    store.answered_at_root(again)
    store.flush()
    merged = other.thread("C1", "1.000100")
    people = frozenset({"U1", "U2", "U3"})
    assert merged == BotThread("C1", "1.000100", "funding", people, 0, "1.000900", again.updated_at)
    store.answered_at_root(BotThread("C1", "1.000100", None, frozenset({"U3"}), 0, "1.000100", time.time()))
    store.flush()
    kept = other.thread("C1", "1.000100")
    assert kept is not None
    assert (kept.entry_id, kept.participants) == ("funding", people)
    for n in range(200):  # people repeated by many shares: the stored list stays bounded
        person = frozenset({f"U{n:063d}"})
        store.answered_at_root(BotThread("C1", "1.000100", None, person, 0, "1.000100", time.time()))
    store.flush()
    bounded = other.thread("C1", "1.000100")
    assert bounded is not None
    assert 40 <= len(bounded.participants) <= 51


def test_a_language_this_process_wrote_or_read_is_known_without_the_database(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """A store answers a language it wrote or read at once, while its writer is busy (no flush, no read);
    another store reads what was committed, once, then keeps it (a preference: stale by one across
    instances); purge starts again from the database."""
    store, other = connect(database_url), connect(database_url)
    store.set_language("U1", "zh")
    store.flush()
    assert other.language("U1") == "zh"
    store._write(lambda _: time.sleep(1.0), default=None, wait=False)  # the writer is busy for a second
    started = time.monotonic()
    store.set_language("U1", "en")
    assert store.language("U1") == "en"
    assert asyncio.run(store.language_async("U1")) == "en"
    assert other.language("U1") == "zh"  # kept from its read, as the docstring says
    assert time.monotonic() - started < 0.5
    store.flush()
    other.purge(now=time.time(), retention_days=30)
    assert other.language("U1") == "en"


def test_a_reply_is_counted_unread_once_and_only_in_a_known_thread(
    database_url: str, connect: Callable[..., SqlStore]
) -> None:
    """count_reply: one more reply, its author once, the newest message; nothing for a second delivery, an
    older message or a thread the bot never answered in."""
    store = connect(database_url)
    root = BotThread("C1", "1712345678.000100", "licence", frozenset({"U1"}), 0, "1712345678.000100", time.time())
    store.answered_at_root(root)
    for user, ts in [("U2", "1712345679.000100"), ("U2", "1712345679.000100"), ("U1", "1712345679.000050")]:
        store.count_reply("C1", root.thread_ts, user, ts)
    store.count_reply("C1", root.thread_ts, "U1", "1712345680.000100")
    store.count_reply("C1", "1712345000.000100", "U3", "1712345680.000100")
    store.flush()
    counted = store.thread("C1", root.thread_ts)
    assert counted is not None
    assert (counted.participants, counted.human_replies, counted.last_ts) == (
        frozenset({"U1", "U2"}),
        2,
        "1712345680.000100",
    )
    assert counted.entry_id == "licence"
    assert store.thread("C1", "1712345000.000100") is None


def test_the_writer_keeps_its_connection_between_batches(database_url: str, connect: Callable[..., SqlStore]) -> None:
    """A batch checks no connection out of the pool (on PostgreSQL each checkout is also a pre-ping's
    round trip): the writer keeps the one it opened, and what it writes is written."""
    store = connect(database_url)
    store.claim("warm-up")
    checkouts: list[object] = []

    def checkout(*args: object) -> None:
        checkouts.append(args)

    event.listen(store.engine, "checkout", checkout)
    for number in range(5):
        assert store.claim(f"Ev{number}") is True
        store.record_question(AskedQuestion(time.time(), "no-match", 0.0, "im", text=f"question {number}"))
        store.flush()
    event.remove(store.engine, "checkout", checkout)
    assert checkouts == []
    assert [q.text for q in store.questions_since(0)] == [f"question {n}" for n in range(5)]


def test_a_writer_connection_the_server_closed_is_replaced_and_nothing_is_lost(
    postgres: PostgresServer, connect: Callable[..., SqlStore]
) -> None:
    """PostgreSQL ends the writer's idle connection (a restart, an idle timeout): the next batch
    fails on it, is retried on a new connection, and every write of it is made."""
    url = postgres.create_database(f"test_{os.getpid()}_killed")
    store, other = connect(url), connect(url)
    assert store.claim("warm-up") is True
    with other.engine.connect() as connection:
        others = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        others += " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ended = connection.execute(text(others)).scalars().all()
    assert ended
    assert all(ended)
    store.record_question(AskedQuestion(time.time(), "no-match", 0.0, "im", text="after the restart"))
    assert store.claim("Ev-after") is True
    assert store.claim("Ev-after") is False
    assert [q.text for q in store.questions_since(0)] == ["after the restart"]
    assert store.status() == "ok"


def test_an_event_loops_claims_in_one_batch_wake_it_once(database_url: str, connect: Callable[..., SqlStore]) -> None:
    """Claims made on an event loop and committed together are answered with one wake-up of the loop
    (each is a system call in the writer thread), and each gets its own answer."""
    store = connect(database_url)
    store.claim("Ev-before")
    holding = threading.Event()

    def hold(_connection: object) -> None:
        holding.set()
        time.sleep(0.3)

    async def claims() -> tuple[list[bool], int]:
        loop = asyncio.get_running_loop()
        wakes: list[object] = []
        threadsafe = loop.call_soon_threadsafe

        def counted(*args: Any, **kwargs: Any) -> Any:
            wakes.append(args)
            return threadsafe(*args, **kwargs)

        store._write(hold, default=None, wait=False)  # hold the writer: the claims below are one batch
        await asyncio.to_thread(holding.wait, 5)
        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        keys = ["Ev1", "Ev-before", "Ev2", "Ev1"]
        results = await asyncio.gather(*(store.claim_async(key) for key in keys))
        return results, len(wakes)

    results, wakes = asyncio.run(claims())
    assert results == [True, False, True, False]
    assert wakes == 1


def test_writes_beyond_the_bound_are_dropped_at_once_while_the_database_hangs(
    tmp_path: Path, connect: Callable[..., SqlStore], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer held by a lock queues at most max_pending writes; the rest, a claim among them, are dropped at once,
    said at once and counted when the writer catches up, and what was queued is written once the database answers."""
    path = tmp_path / "held.sqlite3"
    store = connect(f"sqlite:///{path}", connect_timeout=10, max_pending=50)
    store.claim("create-tables")
    committing = threading.Event()
    commit = store._commit
    monkeypatch.setattr(store, "_commit", lambda writes: (committing.set(), commit(writes)))
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        store.record_question(AskedQuestion(time.time(), "answered", 90.0, "im", entry_id="licence"))
        assert committing.wait(5)  # the writer took it (and whatever was queued) and waits for the lock
        for _ in range(200):
            store.record_question(AskedQuestion(time.time(), "answered", 90.0, "im", entry_id="licence"))
        started = time.monotonic()
        assert store.claim("Ev-while-held") is True  # dropped, so won, without waiting for the database
        assert time.monotonic() - started < 0.5
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    store.flush()
    assert len(store.questions_since(0)) == 1 + 50
    assert store.claim("Ev-while-held") is True  # it was never written
    warnings = [r.getMessage() for r in caplog.records if "store writer" in r.getMessage()]
    assert warnings == [
        "store writer behind: 50 write(s) waiting, 1 more dropped",
        "store writer caught up: 150 more write(s) had been dropped",
    ]
