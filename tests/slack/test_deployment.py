"""Running as teams deploy it: several workers on one PostgreSQL, and structured logs."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.support.bot_server import BotServer, mention
from tests.support.fake_slack import FakeSlack
from tests.support.postgres import PostgresServer


def test_several_workers_on_postgres_answer_each_event_once(
    fake_slack: FakeSlack, postgres: PostgresServer, tmp_path: Path
) -> None:
    """Three gunicorn workers share one PostgreSQL: 30 events, each retried twice, get 30 replies."""
    fake_slack.reset()
    url = postgres.create_database(f"workers_{int(time.time() * 1000)}")
    with BotServer(fake_slack, url, tmp_path / "bot.log", WEB_CONCURRENCY="3") as bot:
        assert bot.process is not None
        children_file = Path(f"/proc/{bot.process.pid}/task/{bot.process.pid}/children")
        deadline = time.monotonic() + 10
        while len(children_file.read_text().split()) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)  # /healthz answers as soon as the first worker is up
        assert len(children_file.read_text().split()) == 3
        bodies = [mention(f"who funds qwen? ({n})") for n in range(30)]
        for body in bodies:
            assert bot.event(body).status == 200
        for body in bodies:
            assert bot.event(body, retry=1).status == 200
            assert bot.event(body, retry=2).status == 200
        replies = fake_slack.wait_for("chat.postMessage", 30)
        assert len(fake_slack.quiet(1.5)) == 30
        assert sorted(call.args["thread_ts"] for call in replies) == sorted(b["event"]["ts"] for b in bodies)
    fake_slack.reset()


def _workers(bot: BotServer, count: int) -> list[int]:
    """The server's gunicorn workers, once ``count`` of them are up."""
    assert bot.process is not None
    children_file = Path(f"/proc/{bot.process.pid}/task/{bot.process.pid}/children")
    deadline = time.monotonic() + 10
    while len(children_file.read_text().split()) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return [int(pid) for pid in children_file.read_text().split()]


def _cpus_of_every_thread(pid: int) -> set[frozenset[int]]:
    return {frozenset(os.sched_getaffinity(int(task.name))) for task in Path(f"/proc/{pid}/task").iterdir()}


def test_each_worker_keeps_to_one_cpu_and_the_workers_spread_round_them(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """With PIN_WORKERS=on every thread of a worker (event loop, store writer, the rest) stays on one CPU, and
    two workers on two CPUs; by default a worker may run on any CPU the server may."""
    allowed = os.sched_getaffinity(0)
    if len(allowed) < 2:
        pytest.skip("one CPU: there is nothing to keep apart")
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    with BotServer(fake_slack, database, tmp_path / "pinned.log", WEB_CONCURRENCY="2", PIN_WORKERS="on") as bot:
        held = [_cpus_of_every_thread(pid) for pid in _workers(bot, 2)]
    assert all(len(cpus) == 1 and len(next(iter(cpus))) == 1 for cpus in held), held
    assert len({cpu for cpus in held for cpu in next(iter(cpus))}) == 2
    with BotServer(fake_slack, database, tmp_path / "free.log") as bot:
        [worker] = _workers(bot, 1)
        assert _cpus_of_every_thread(worker) == {frozenset(allowed)}


def test_a_worker_started_again_keeps_off_the_cpu_a_live_one_holds(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """Two pinned workers on two CPUs; the one on the first CPU dies: gunicorn starts another, which takes the
    CPU left free, not the next in turn (the one the surviving worker holds)."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) != 2:
        pytest.skip("the turn order is worked out for two CPUs")
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    with BotServer(fake_slack, database, tmp_path / "bot.log", WEB_CONCURRENCY="2", PIN_WORKERS="on") as bot:
        workers = _workers(bot, 2)
        deadline = time.monotonic() + 10
        while any(len(os.sched_getaffinity(pid)) != 1 for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        [dying] = [pid for pid in workers if os.sched_getaffinity(pid) == {allowed[0]}]
        [survivor] = [pid for pid in workers if pid != dying]
        os.kill(dying, signal.SIGKILL)
        started: list[int] = []
        while time.monotonic() < deadline:
            current = _workers(bot, 2)
            started = [pid for pid in current if pid not in workers]
            if started and len(os.sched_getaffinity(started[0])) == 1:
                break
            time.sleep(0.05)
        assert started, "gunicorn started no worker in place of the one killed"
        assert os.sched_getaffinity(started[0]) == {allowed[0]}
        assert os.sched_getaffinity(survivor) == {allowed[1]}


def test_json_logs_have_one_line_per_request_and_no_message_text(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """`serve --log-format json`: a JSON object per line; the request line names kind, outcome, entry, score,
    latency; the user's words never appear at info level."""
    fake_slack.reset()
    secret_words = "zebra giraffe sla for the hosted qwen api"
    with BotServer(
        fake_slack, f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path / "bot.log", args=("--log-format", "json")
    ) as bot:
        bot.event(mention(secret_words))
        fake_slack.wait_for("chat.postMessage")
        time.sleep(0.3)
        log = bot.log()
    fake_slack.reset()
    records = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line, gunicorn's too
    [handled] = [r for r in records if r.get("logger") == "bot.requests" and r.get("kind") == "app_mention"]
    assert handled["outcome"] in {"answered", "did-you-mean", "no-match"}
    assert {"entry", "score", "latency_ms", "time", "level"} <= set(handled)
    assert "zebra" not in log
