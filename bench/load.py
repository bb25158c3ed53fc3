"""Load and soak the real server over loopback, and check every question is answered exactly once.

    python bench/load.py                                   # 200 requests, 20 in flight, SQLite, one instance
    python bench/load.py --requests 2000 --concurrency 50  # the soak
    python bench/load.py --requests 2000 --concurrency 50 --postgres --instances 2
    python bench/load.py --no-bare                         # the bot only
    python bench/load.py --pairs 1                         # one run of each app, not three
    python bench/load.py --few-questions                   # ten questions over and over, as earlier rounds did
    python bench/load.py --requests 2000 --concurrency 50 --pin  # workers kept to one CPU each (PIN_WORKERS=on)

It starts the stand-in for Slack's Web API and `python -m bot serve` (one or
two instances on one database), then sends signed requests as Slack would:
mentions, DMs, `/qwen` commands and feedback clicks, and re-sends 10% of the
events as Slack retries (to the other instance when there are two). The
questions are the 1,100 or so messages of the dev set and three held-out
question sets, each asked once before any is asked again, so that nothing the
bot keeps per question text (its matcher's, or its own) is flattered. A request
stays "in flight" until its reply is posted (for `/qwen`, until the
acknowledgement, which carries the answer). It reports:

* latency per kind, p50 and p99: for mentions and DMs from sending the event
  to the reply reaching the Web API; for `/qwen` the acknowledgement (which
  carries the answer); for clicks until the response-URL post arrives;
* replies per request: every one must be exactly one, retries included;
* non-200 responses;
* each server process's resident memory before and after, and its peak.

Then, in the same run, it sends the same load to a bare Bolt app on the same
server (`bench/bare_app.py`: a fixed reply to each request) and prints the bot's
CPU per request (its worker processes' user and system time) as a ratio to the
bare app's: the cost of the bot's own work over Bolt's floor (with ``--pin``,
both with each worker's threads kept to one CPU, ``PIN_WORKERS=on``, as on a
host the server has to itself; two instances, which share the machine, are
never pinned). It runs the two
apps in turn three times (``--pairs``) and prints each pair's ratio and their
median: on a shared machine one pair swings by a fifth either way.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.bot_server import BotServer, block_action, direct_message, mention  # noqa: E402

BARE_APP = (str(ROOT / "bench" / "bare_app.py"),)
from tests.support.fake_slack import Call, FakeSlack  # noqa: E402
from tests.support.postgres import PostgresServer, find_bin_dir  # noqa: E402

FEW_QUESTIONS = [
    "who actually trains qwen?",
    "what licence are the qwen weights under",
    "is there an SLA on the hosted api?",
    "how is model studio priced",
    "does alibaba fund the research directly?",
    "千问可以商用吗？",
    "where does the team publish papers?",
    "is the hosted qwen api content moderated?",
    "anyone up for lunch?",
    "how many qwen models are open source",
]
# Messages written the way people ask, none of them the FAQ's own phrasings: the dev set and three held-out
# sets (not the sealed one). A round of 2,000 requests asks each at most twice, as real traffic repeats little.
QUESTION_FILES = [
    ROOT / "tests" / "dev_set.yaml",
    *(ROOT / "bench" / "question_sets" / f"{name}.yaml" for name in ("ml", "legal", "zh")),
]


def many_questions() -> list[str]:
    """Every message of the question files, in scope, off topic and near the domain alike, each once."""
    found: dict[str, None] = {}
    for path in QUESTION_FILES:
        for kind in yaml.safe_load(path.read_text(encoding="utf-8")).values():
            found.update(dict.fromkeys(str(item["q"] if isinstance(item, dict) else item) for item in kind))
    return list(found)


def memory_kb(pid: int) -> dict[str, int]:
    """Resident (VmRSS) and peak resident (VmHWM) memory of a process, in kB, and its CPU time in ms."""
    stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(stat[11]) + int(stat[12])  # utime + stime, in clock ticks
    fields = {"cpu_ms": ticks * 1000 // os.sysconf("SC_CLK_TCK")}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            fields[name] = int(value.split()[0])
    return fields


def processes(server: BotServer) -> list[int]:
    """The serving processes: gunicorn's workers (the children of `python -m bot serve`)."""
    assert server.process is not None
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    return [int(pid) for pid in children] or [server.process.pid]


class Load:
    def __init__(self, fake: FakeSlack, servers: list[BotServer], questions: list[str], seed: int = 11) -> None:
        self.fake = fake
        self.servers = servers
        self.rng = random.Random(seed)
        self.questions = itertools.cycle(self.rng.sample(questions, len(questions)))  # each once, then again
        self.numbers = itertools.count()
        self.errors: list[str] = []
        self.sent: dict[str, tuple[str, float]] = {}  # key -> (kind, sent at)
        self.acks: dict[str, float] = {}
        self.own_cpu = 0.0  # CPU seconds this process (load generator and Web API stand-in) used
        self.answered: dict[str, threading.Event] = {}
        fake.observers[:] = [self._observe]

    def _observe(self, call: Call) -> None:
        key = self._key(call.method, call.args)
        if key in self.answered:
            self.answered[key].set()

    def one(self, kind: str) -> None:
        number = next(self.numbers)
        server = self.servers[number % len(self.servers)]
        question = next(self.questions)
        if kind == "mention":
            body = mention(question)
            key = f"mention:{body['event']['ts']}"
        elif kind == "dm":
            channel = f"D{number:08d}"
            body = direct_message(question, channel=channel)
            key = f"dm:{channel}"
        elif kind == "command":
            key = f"command:{number}"
        else:
            key = f"click:{number}"
            entry = self.rng.choice(["licence", "funding", "model-studio-sla"])
            url = self.fake.response_url(f"click{number}")
            body = block_action("feedback:helpful", entry, response_url=url, user=f"U{number:08d}")
        self.answered[key] = threading.Event()
        started = time.monotonic()
        if kind in {"mention", "dm"}:
            response = server.event(body)
        elif kind == "command":
            response = server.command(question, name=f"cmd{number}")
        else:
            response = server.action(body)
        self.acks[key] = time.monotonic() - started
        self.sent[key] = (kind, started)
        if response.status != 200:
            self.errors.append(f"{kind} {response.status}")
        if kind in {"mention", "dm"} and self.rng.random() < 0.1:  # a Slack retry, to the other instance if any
            other = self.servers[(number + 1) % len(self.servers)]
            retry = other.event(body, retry=1)
            if retry.status != 200:
                self.errors.append(f"retry {retry.status}")
        if kind != "command":  # in flight until the reply is posted, not just until the acknowledgement
            self.answered[key].wait(timeout=30)

    def run(self, requests: int, concurrency: int) -> float:
        kinds = ["mention", "dm", "command", "click"]
        plan = [kinds[n % len(kinds)] for n in range(requests)]
        self.rng.shuffle(plan)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(self.one, plan))
        return time.monotonic() - started

    def replies(self, settle: float = 30.0) -> dict[str, list[float]]:
        """Arrival times of the replies to each request, waiting up to `settle` seconds for stragglers."""
        deadline = time.monotonic() + settle
        while True:
            arrivals: dict[str, list[float]] = {key: [] for key in self.sent}
            for call in self.fake.calls:
                key = self._key(call.method, call.args)
                if key in arrivals:
                    arrivals[key].append(call.at)
            pending = [key for key, kind in self.sent.items() if kind[0] != "command" and not arrivals[key]]
            if not pending or time.monotonic() > deadline:
                return arrivals
            time.sleep(0.5)

    @staticmethod
    def _key(method: str, args: dict) -> str | None:
        if method == "chat.postMessage":
            channel = args.get("channel", "")
            return f"dm:{channel}" if channel.startswith("D") else f"mention:{args.get('thread_ts')}"
        if method.startswith("response_url:click"):
            return "click:" + method.removeprefix("response_url:click")
        return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Run:
    """What one load run measured."""

    requests: int
    rounds: int
    concurrency: int
    instances: int
    database: str
    load: Load
    elapsed: float
    arrivals: dict[str, list[float]]
    before: dict[int, dict[str, int]]
    after: dict[int, dict[str, int]]


def main() -> None:
    parser = argparse.ArgumentParser(description="Load the real server over loopback.")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--instances", type=int, default=1, choices=(1, 2))
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per instance (WEB_CONCURRENCY)")
    parser.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL instead of SQLite")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the load; memory is read after each round")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Bolt app (no CPU ratio)")
    parser.add_argument(
        "--pin", action="store_true", help="keep each worker's threads on one CPU (PIN_WORKERS=on; one instance only)"
    )
    parser.add_argument(
        "--pairs", type=int, default=3, help="runs of the bot and the bare app, alternating; the ratio is their median"
    )
    parser.add_argument(
        "--few-questions",
        action="store_true",
        help=f"ask {len(FEW_QUESTIONS)} questions over and over (earlier rounds' load), not the files' messages",
    )
    args = parser.parse_args()
    if args.pairs < 1:
        parser.error("--pairs must be at least 1")
    print(f"workers kept to one CPU each (PIN_WORKERS): {pinned(args)}", flush=True)
    pairs: list[tuple[Run, Run | None]] = []
    for number in range(1, args.pairs + 1):  # alternating, so a busy spell of the machine weighs on both apps
        bot = measure(args)
        bare = None if args.no_bare else measure(args, program=BARE_APP)
        pairs.append((bot, bare))
        if number == 1:
            report(bot)
            if bare is not None:
                print("\nThe bare Bolt app (bench/bare_app.py), same server, same load:")
                report(bare)
        else:
            print(f"\npair {number}:")
            summarize(bot)
            if bare is not None:
                summarize(bare)
    if not args.no_bare:
        compare([(bot, bare) for bot, bare in pairs if bare is not None])


def cpu_per_request(run: Run) -> float:
    """Milliseconds of CPU (user and system) the worker processes spent per request."""
    spent = sum(run.after[pid]["cpu_ms"] - before["cpu_ms"] for pid, before in run.before.items())
    return spent / (run.requests * run.rounds)


def compare(pairs: list[tuple[Run, Run]]) -> None:
    """The bot's CPU per request against bare Bolt's, for each pair of runs, and the median ratio."""
    print("\n| pair | the bot (ms CPU per request) | bare Bolt (ms) | ratio |")
    print("|---:|---:|---:|---:|")
    ratios = []
    for number, (bot, bare) in enumerate(pairs, 1):
        ours, floor = cpu_per_request(bot), cpu_per_request(bare)
        ratios.append(ours / floor)
        print(f"| {number} | {ours:.2f} | {floor:.2f} | {ours / floor:.2f}x |")
    median = statistics.median(ratios)
    print(f"\nCPU per request: the bot {median:.2f}x bare Bolt, median of {len(ratios)} pairs (goal: at most 1.5x)")


def pinned(args: argparse.Namespace) -> str:
    """PIN_WORKERS for the servers: on with ``--pin`` for one instance, which has the machine to itself as on a
    dedicated host; never for two, which share the machine's CPUs."""
    return "on" if args.pin and args.instances == 1 else "off"


def measure(args: argparse.Namespace, program: tuple[str, ...] = ("-m", "bot", "serve")) -> Run:
    fake = FakeSlack(keep_alive=True).start()  # as Slack's Web API: replies reuse their connections
    postgres = PostgresServer(find_bin_dir() or Path("/usr/bin")) if args.postgres else None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if postgres:
            postgres.start()
            database = postgres.create_database("load")
        else:
            database = f"sqlite:///{folder / 'load.sqlite3'}"
        workers, pin = str(args.workers), pinned(args)
        servers = [
            BotServer(
                fake, database, folder / f"bot{n}.log", program=program, WEB_CONCURRENCY=workers, PIN_WORKERS=pin
            ).start()
            for n in range(args.instances)
        ]
        try:
            questions = FEW_QUESTIONS if args.few_questions else many_questions()
            Load(fake, servers, questions, seed=0).run(40, 10)  # warm-up: imports, caches, connections
            time.sleep(1)
            fake.reset()
            pids = [pid for server in servers for pid in processes(server)]
            before = {pid: memory_kb(pid) for pid in pids}
            for round_number in range(1, args.rounds + 1):
                fake.reset()
                load = Load(fake, servers, questions, seed=round_number)
                cpu_started = time.process_time()
                elapsed = load.run(args.requests, args.concurrency)
                load.own_cpu = time.process_time() - cpu_started
                arrivals = load.replies()
                time.sleep(1)
                after = {pid: memory_kb(pid) for pid in pids}
                if args.rounds > 1:
                    rss = ", ".join(f"{after[pid]['VmRSS'] / 1024:.1f}" for pid in pids)
                    print(f"after round {round_number}: RSS {rss} MB", flush=True)
        finally:
            for server in servers:
                server.stop()
            fake.stop()
            if postgres:
                postgres.stop()
    name = ("PostgreSQL" if args.postgres else "SQLite") if program != BARE_APP else "no database"
    return Run(
        args.requests, args.rounds, args.concurrency, args.instances, name, load, elapsed, arrivals, before, after
    )


def summarize(run: Run) -> None:
    """One run in two lines: the load, and whether every event was answered exactly once."""
    counts = [len(times) for key, times in run.arrivals.items() if run.load.sent[key][0] != "command"]
    print(
        f"{run.database}: {run.requests / run.elapsed:.0f} requests/s, {cpu_per_request(run):.2f} ms CPU per request; "
        f"replies: {sum(counts)} for {len(counts)} events and clicks, not exactly one: "
        f"{sum(1 for n in counts if n != 1)}; non-200 responses: {len(run.load.errors)}"
    )


def report(run: Run) -> None:
    load = run.load
    print(
        f"last round: {run.requests} requests, {run.concurrency} in flight, "
        f"{run.instances} instance(s) on {run.database}: "
        f"{run.elapsed:.1f} s, {run.requests / run.elapsed:.0f} requests/s; the load generator and the Web API "
        f"stand-in used {load.own_cpu / run.elapsed:.0%} of a core"
    )
    counts = {key: len(times) for key, times in run.arrivals.items() if load.sent[key][0] != "command"}
    wrong = {key: n for key, n in counts.items() if n != 1}
    print(f"replies: {sum(counts.values())} for {len(counts)} events and clicks; not exactly one: {len(wrong)}")
    print(f"non-200 responses: {len(load.errors)} {load.errors[:5] if load.errors else ''}")
    print("\n| kind | count | p50 (ms) | p99 (ms) | measured to |")
    print("|---|---:|---:|---:|---|")
    measured_to = {"mention": "reply posted", "dm": "reply posted", "command": "ack with the answer"}
    for kind in ("mention", "dm", "command", "click"):
        sent = [(key, at) for key, (k, at) in load.sent.items() if k == kind]
        if kind == "command":
            times = [load.acks[key] * 1000 for key, _ in sent]
        else:
            times = [(run.arrivals[key][0] - at) * 1000 for key, at in sent if run.arrivals[key]]
        _row(kind, times, measured_to.get(kind, "response-URL post"))
    _row("all acks (HTTP 200)", [s * 1000 for k, s in load.acks.items() if load.sent[k][0] != "command"], "response")
    after_rounds = f"RSS after {run.rounds} round(s) (MB)"
    print(f"\n| process | RSS before (MB) | {after_rounds} | growth (MB) | peak RSS (MB) | CPU per request (ms) |")
    print("|---|---:|---:|---:|---:|---:|")
    for pid, before in run.before.items():
        after = run.after[pid]
        grow = (after["VmRSS"] - before["VmRSS"]) / 1024
        cpu = (after["cpu_ms"] - before["cpu_ms"]) / (run.requests * run.rounds)
        print(
            f"| worker {pid} | {before['VmRSS'] / 1024:.1f} | {after['VmRSS'] / 1024:.1f} | {grow:+.1f} | "
            f"{after['VmHWM'] / 1024:.1f} | {cpu:.1f} |"
        )


def _row(kind: str, times: list[float], measured_to: str) -> None:
    if times:
        p50, p99 = statistics.median(times), percentile(times, 0.99)
        print(f"| {kind} | {len(times)} | {p50:.1f} | {p99:.1f} | {measured_to} |")


if __name__ == "__main__":
    main()
