"""Benchmark the matcher: cold start, per-question latency, and scale.

    python bench/matcher.py                      # shipped FAQ + a generated 10,000-entry FAQ
    python bench/matcher.py --sizes 1000 10000 50000

What it measures, on this machine, in one run:

* cold start: wall time of a fresh ``python -m bot ask "..."`` (median of 10),
  with the matcher's index stored (:mod:`bot.knowledge.index_store`), and as
  the first ask after a change (an empty store: the index is built and stored);
* the shipped FAQ: time per question over the dev set's messages;
* generated FAQs of each size: load time, YAML files to a ready matcher, three
  ways (see :func:`load_times`): *fresh*, with an empty store (the YAML parsed
  and the index built, both stored); *after an edit*, the first load once one
  entry has a new phrasing (parsed and built again); *warm*, with both stored
  (the median of three loads). Then the memory the loaded matcher holds, time
  per question, and beside it the time of one plain
  ``rapidfuzz.process.extractOne`` pass over all phrasings of the same FAQ
  (default scorer, WRatio), for the same questions.

Generated entries are clones of the shipped entries whose content words are
redrawn from the shipped FAQ's own vocabulary (see :func:`generate`), so a large
FAQ shares its words the way a real one on one domain does; questions are
perturbed phrasings (a word dropped, one added, one misspelt), and the timing
also asks the dev set's real messages.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import yaml
from rapidfuzz import process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import DEFAULT_FAQ_DIR  # noqa: E402
from bot.knowledge.analyzer import STOPWORDS  # noqa: E402
from bot.knowledge.faq import Faq  # noqa: E402
from bot.knowledge.index_store import IndexStore  # noqa: E402
from bot.knowledge.loader import load_faq  # noqa: E402
from bot.knowledge.matcher import Answer, Matcher  # noqa: E402

_WORD = re.compile(r"[A-Za-z]{3,}|[\u4e00-\u9fff]{2}")  # an English word, or two Chinese characters
_NOT_WORD = re.compile(r"[\W_]+")


def cold_start(runs: int = 10, *, after_change: bool = False) -> list[float]:
    """Wall seconds of a fresh `python -m bot ask`, each run, with the matcher's index stored (warmed by one run
    first); or, ``after_change``, with an empty store each time, as the first ask after an FAQ or code change."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs + (not after_change)):
            store = Path(tmp) / (str(run) if after_change else "index")
            env = {**os.environ, "QWEN_INDEX_DIR": str(store)}
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bot", "ask", "who builds qwen?"],
                cwd=ROOT,
                capture_output=True,
                check=True,
                env=env,
            )
            times.append(time.perf_counter() - start)
    return times if after_change else times[1:]


def per_question(matcher: Matcher, questions: list[str]) -> float:
    """Mean seconds per `match` over the questions (after one warm-up pass)."""
    for question in questions[:50]:
        matcher.match(question)
    start = time.perf_counter()
    for question in questions:
        matcher.match(question)
    return (time.perf_counter() - start) / len(questions)


def extract_one_baseline(phrasings: list[str], questions: list[str]) -> float:
    """Mean seconds per plain `process.extractOne(question, phrasings)`."""
    start = time.perf_counter()
    for question in questions:
        process.extractOne(question, phrasings)
    return (time.perf_counter() - start) / len(questions)


Pool = tuple[list[str], list[int]]  # words and how often the real FAQ uses each


def real_vocabulary(faq: Faq) -> tuple[Pool, Pool]:
    """The shipped FAQ's own content words (phrasings and answers), English and Chinese, with their counts.

    Chinese, which has no spaces, contributes its text two characters at a time.
    """
    counts: Counter[str] = Counter()
    for entry in faq.entries:
        for text in (*entry.phrasings, entry.answer):
            counts.update(word for word in _WORD.findall(text.lower()) if word not in STOPWORDS)
    english = sorted(word for word in counts if word.isascii())
    chinese = sorted(word for word in counts if not word.isascii())
    return (english, [counts[w] for w in english]), (chinese, [counts[w] for w in chinese])


def clone_text(text: str, pools: tuple[Pool, Pool], rng: random.Random, share: float) -> str:
    """``text`` with about ``share`` of its content words replaced by words of the real FAQ, drawn by frequency."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() in STOPWORDS or rng.random() >= share:
            return word
        words, weights = pools[0] if word.isascii() else pools[1]
        return rng.choices(words, weights)[0]

    return _WORD.sub(swap, text)


def generate(folder: Path, entries: int, rng: random.Random) -> list[tuple[str, str]]:
    """Write an FAQ folder of ``entries`` clones of the shipped entries; return (question, expected id) pairs.

    Each clone keeps a real entry's shape (its phrasings, answer and tags) with
    half its content words replaced by words of the real FAQ, drawn as often as
    the FAQ uses them: a large FAQ on one domain shares its words, so posting
    lists grow long, as they would. Questions are a clone's phrasings as a
    person rephrases them (a word dropped, one added, one misspelt).
    """
    for name in ("layers.yaml", "sources.yaml", "aliases.yaml"):
        (folder / name).write_text((DEFAULT_FAQ_DIR / name).read_text(encoding="utf-8"), encoding="utf-8")
    real = load_faq(DEFAULT_FAQ_DIR)
    pools = real_vocabulary(real)
    words, weights = pools[0]
    asked: list[tuple[str, str]] = []
    chunk: list[dict[str, object]] = []
    seen: set[str] = set()
    for number in range(entries):
        template = real.entries[number % len(real.entries)]
        phrasings: list[str] = []
        for text in template.phrasings:
            phrasing = clone_text(text, pools, rng, share=0.5)
            while _key(phrasing) in seen:  # a short or Chinese phrasing may come out the same twice: add a word
                phrasing = clone_text(text, pools, rng, share=1.0) + " " + rng.choices(words, weights)[0]
            seen.add(_key(phrasing))
            phrasings.append(phrasing)
        entry_id = f"{template.id}-{number}"
        chunk.append(
            {
                "id": entry_id,
                "question": phrasings[0],
                "alternates": phrasings[1:],
                "answer": clone_text(template.answer, pools, rng, share=0.5)[:580].rsplit(" ", 1)[0],
                "answer_zh": template.answer_zh,  # required by the loader; the matcher does not read it
                "layer": template.layer,
                "source": {"document": template.sources[0].document, "section": template.sources[0].section},
                "tags": list(template.tags),
            }
        )
        if rng.random() < 0.1:
            asked.append((perturb(rng.choice(phrasings), words, rng), entry_id))
        if len(chunk) == 1000:
            _write_chunk(folder, number // 1000, chunk)
            chunk = []
    if chunk:
        _write_chunk(folder, entries // 1000, chunk)
    return asked[:1000]


def _key(phrasing: str) -> str:
    """What the loader compares to find one phrasing in two entries: letters and digits, case folded."""
    return "".join(_NOT_WORD.split(phrasing.casefold()))


def perturb(phrasing: str, words: list[str], rng: random.Random) -> str:
    """Drop a word, add one, and misspell one, as a person rephrasing would."""
    tokens = phrasing.rstrip("?").split()
    if len(tokens) > 3:
        tokens.pop(rng.randrange(len(tokens)))
    tokens.insert(rng.randrange(len(tokens) + 1), rng.choice(words))
    victim = rng.randrange(len(tokens))
    word = tokens[victim]
    if len(word) >= 6:
        i = rng.randrange(1, len(word) - 1)
        tokens[victim] = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return "hey, " + " ".join(tokens) + "?"


def _write_chunk(folder: Path, number: int, chunk: list[dict[str, object]]) -> None:
    (folder / f"generated_{number:03d}.yaml").write_text(_dump({"entries": chunk}), encoding="utf-8")


def _dump(data: object) -> str:
    """YAML text, with libyaml's emitter when PyYAML has it (a tenth of the time: the data are the same)."""
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), allow_unicode=True, sort_keys=False)


def edit_one_entry(folder: Path) -> None:
    """Give the first generated entry one more phrasing, as a curator's edit would: a new version of the FAQ."""
    path = folder / "generated_000.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    first = data["entries"][0]
    first["alternates"].append(f"one more way to ask: {first['question']}")
    path.write_text(_dump(data), encoding="utf-8")


def load_times(folder: Path, store: IndexStore) -> dict[str, float]:
    """Seconds (wall and CPU) from the YAML files to a ready matcher: fresh, after an edit, warm.

    *fresh*: ``store`` is empty, so the YAML is parsed (``yaml_s``: that part
    alone) and the index built, and both are stored. *edit*: the first load
    after :func:`edit_one_entry`, parsed and built again. *warm*: both stored,
    the median of three loads. Each load starts after a full garbage collection.
    """
    times: dict[str, float] = {}

    def timed(name: str) -> Matcher:
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        faq = load_faq(folder, store=store)
        if name == "fresh":
            times["yaml_s"] = time.perf_counter() - wall
        matcher = Matcher(faq, store=store)
        times[f"{name}_s"], times[f"{name}_cpu_s"] = time.perf_counter() - wall, time.process_time() - cpu
        return matcher

    timed("fresh")
    edit_one_entry(folder)
    timed("edit")
    warm = []
    for _ in range(3):
        timed("warm")
        warm.append((times["warm_s"], times["warm_cpu_s"]))
    times["warm_s"], times["warm_cpu_s"] = statistics.median(warm)
    return times


def dev_messages() -> list[str]:
    """The dev set's messages: people's questions, chatter and near-domain questions."""
    dev = yaml.safe_load((ROOT / "tests" / "dev_set.yaml").read_text(encoding="utf-8"))
    return [str(item["q"]) for item in dev["in_scope"]] + [str(q) for q in (*dev["off_topic"], *dev["near_domain"])]


def scale_row(entries: int, seed: int = 7) -> dict[str, float]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        asked = generate(folder, entries, rng)
        store = IndexStore(Path(tmp) / ".index")
        times = load_times(folder, store)
        gc.collect()
        tracemalloc.start()  # one more load from the store, traced (tracing slows it down threefold)
        matcher = Matcher(load_faq(folder, store=store), store=store)
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    questions = [question for question, _ in asked] + dev_messages()
    phrasings = [p for entry in matcher.faq.entries for p in entry.phrasings]
    right = sum(isinstance(o := matcher.match(q), Answer) and o.entry.id == want for q, want in asked)
    return {
        "entries": entries,
        "phrasings": len(phrasings),
        **times,
        "memory_mb": held / 1e6,
        "match_ms": per_question(matcher, questions) * 1000,
        "extract_one_ms": extract_one_baseline(phrasings, questions[: max(20, 2_000_000 // len(phrasings))]) * 1000,
        "answered_right": right / len(asked),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the matcher.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000], help="generated FAQ sizes")
    parser.add_argument("--skip-cold", action="store_true", help="skip the cold-start runs")
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]} on {sys.platform}\n")
    if not args.skip_cold:
        times = cold_start()
        print(
            f"cold `python -m bot ask`, index stored: median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s (10 runs)"
        )
        times = cold_start(after_change=True)
        print(
            f"first `python -m bot ask` after a change (index built and stored): "
            f"median {statistics.median(times):.3f} s, max {max(times):.3f} s (10 runs)"
        )

    questions = dev_messages()
    shipped = Matcher(load_faq(DEFAULT_FAQ_DIR))
    phrasings = [p for entry in shipped.faq.entries for p in entry.phrasings]
    print(
        f"shipped FAQ ({len(shipped.faq.entries)} entries, {len(phrasings)} phrasings): "
        f"{per_question(shipped, questions) * 1e6:.0f} µs per question; "
        f"plain extractOne {extract_one_baseline(phrasings, questions) * 1e6:.0f} µs "
        f"({len(questions)} dev-set messages)"
    )
    served = Matcher(shipped.faq, arrays=True)
    served_seconds = per_question(served, questions)
    print(f"shipped FAQ as the server matches it (numpy arrays): {served_seconds * 1e6:.0f} µs per question\n")

    print(
        "| entries | phrasings | load, fresh (s) | of which YAML (s) | first load after an edit (s) "
        "| load, FAQ and index stored (s) | matcher memory (MB) | per question (ms) | extractOne (ms) | right |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        row = scale_row(size)
        print(
            f"| {row['entries']:,} | {row['phrasings']:,} | {_load(row, 'fresh')} | {row['yaml_s']:.1f} | "
            f"{_load(row, 'edit')} | {_load(row, 'warm', digits=2)} | {row['memory_mb']:.0f} | "
            f"{row['match_ms']:.2f} | {row['extract_one_ms']:.2f} | {row['answered_right']:.0%} |",
            flush=True,
        )
    print("\n(load: wall seconds, and in brackets the CPU seconds of the process)")


def _load(row: dict[str, float], name: str, *, digits: int = 1) -> str:
    return f"{row[f'{name}_s']:.{digits}f} ({row[f'{name}_cpu_s']:.{digits}f})"


if __name__ == "__main__":
    main()
