"""Score the matcher on a second domain: HINT3's real users' messages to three FAQ chatbots.

    python bench/second_domain.py                       # all three bots, 5 draws each
    python bench/second_domain.py --bots sofmattress --seeds 10 --json

Issue 9 asks whether the matching mechanism generalizes beyond the Qwen FAQ. For
each bot of the HINT3 dataset (``bench/data/hint3/``, its README names source
and licence) and each draw (a seed):

* pick ``--per-intent`` (8) of the intent's train phrasings at random, without
  repeats (all of them when it has fewer), and make one FAQ entry of them: the
  first is the question, the rest its alternates; one layer, one source, a
  placeholder answer that carries no words of the intent;
* build the matcher at its default settings and ask it every test message;
* *accuracy* is (in-scope messages answered with their intent + out-of-scope
  messages given no answer) / all messages. A did-you-mean is no answer.

The baseline is BM25 (``rank_bm25.BM25Okapi``, lower-cased word tokens) over
the same phrasings, scoring an intent by its best phrasing or by all its
phrasings concatenated, whichever does better, and answering at or above a
threshold chosen in hindsight: the one that maximizes accuracy on the test
messages themselves. So the baseline is flattered twice; the matcher gets no
such help.

Only the matcher's public surface is used: the :class:`Faq` value types,
``Matcher(faq)`` and ``match(question)``'s outcome type.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import math
import random
import re
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.knowledge.faq import Document, Entry, Faq, Layer, Source  # noqa: E402
from bot.knowledge.matcher import Answer, Matcher  # noqa: E402

DATA = ROOT / "bench" / "data" / "hint3"
BOTS = ("sofmattress", "curekart", "powerplay11")
OUT_OF_SCOPE = "NO_NODES_DETECTED"
PER_INTENT = 8
# The same for every entry, so it weighs nothing: words of the intent here would help the matcher, not BM25.
PLACEHOLDER_ANSWER = "A placeholder: this benchmark scores which entry answers, not what it says."
_WORD = re.compile(r"\w+")

Labelled = list[tuple[str, str]]  # (message, intent or OUT_OF_SCOPE)
Draw = dict[str, list[str]]  # intent -> its chosen phrasings, the question first
Answerer = Callable[[str], str | None]  # message -> the intent answered, or None


@dataclass(frozen=True)
class Score:
    """How one answerer did on a test set."""

    accuracy: float  # right answers and right silences over all messages
    in_scope_right: float  # share of in-scope messages answered with their intent
    out_of_scope_quiet: float  # share of out-of-scope messages given no answer


@dataclass(frozen=True)
class Baseline:
    """How BM25 did at its hindsight threshold, and how it got there."""

    score: Score
    scoring: str  # "best phrasing" or "concatenated"
    threshold: float  # answers at or above this BM25 score


@dataclass(frozen=True)
class DrawResult:
    bot: str
    seed: int
    intents: int
    messages: int
    matcher: Score
    bm25: Baseline
    all_quiet: float  # the accuracy of answering nothing: the share of out-of-scope messages

    @property
    def difference(self) -> float:
        """Matcher minus baseline, in accuracy points."""
        return 100 * (self.matcher.accuracy - self.bm25.score.accuracy)


# -- data -------------------------------------------------------------------


def read_labelled(path: Path) -> Labelled:
    """The (sentence, label) rows of a HINT3 CSV file."""
    with path.open(encoding="utf-8", newline="") as file:
        return [(row["sentence"], row["label"]) for row in csv.DictReader(file)]


def load_bot(bot: str, data: Path = DATA) -> tuple[Labelled, Labelled]:
    """The bot's train and test rows."""
    return read_labelled(data / f"{bot}_train.csv"), read_labelled(data / f"{bot}_test.csv")


def draw_phrasings(train: Labelled, per_intent: int, seed: int) -> Draw:
    """Up to ``per_intent`` distinct phrasings of each intent, picked at random by ``seed``."""
    rng = random.Random(seed)
    by_intent: dict[str, dict[str, str]] = {}
    for text, intent in train:
        if text.strip():  # distinct up to case and surrounding space; the first spelling is kept
            by_intent.setdefault(intent, {}).setdefault(text.strip().casefold(), text.strip())
    return {
        intent: rng.sample(list(texts.values()), min(per_intent, len(texts)))
        for intent, texts in sorted(by_intent.items())
    }


# -- the matcher --------------------------------------------------------------


def entry_id(intent: str) -> str:
    """An FAQ entry id for a HINT3 intent label (``ORDER_STATUS`` -> ``order-status``)."""
    return intent.lower().replace("_", "-")


def build_faq(draw: Draw) -> Faq:
    """One entry per intent, all in one layer and citing one source."""
    layer = Layer("hint3", "HINT3", "the bot's operator", "public", "every entry of a HINT3 bot")
    document = Document("hint3", "HINT3 train phrasings", "dataset", ("train",))
    entries = tuple(
        Entry(
            id=entry_id(intent),
            question=phrasings[0],
            alternates=tuple(phrasings[1:]),
            answer=PLACEHOLDER_ANSWER,
            layers=(layer.id,),
            sources=(Source(document.id, "train"),),
            tags=("hint3",),
        )
        for intent, phrasings in draw.items()
    )
    return Faq(layers={layer.id: layer}, documents={document.id: document}, entries=entries)


def matcher_answerer(draw: Draw) -> Answerer:
    """The shipped matcher, at default settings, over an FAQ made of ``draw``."""
    matcher = Matcher(build_faq(draw))
    intents = {entry_id(intent): intent for intent in draw}

    def answer(message: str) -> str | None:
        outcome = matcher.match(message)
        return intents[outcome.entry.id] if isinstance(outcome, Answer) else None

    return answer


# -- scoring ----------------------------------------------------------------


def score(answer: Answerer, test: Labelled) -> Score:
    """Ask every test message; a right answer or a right silence counts."""

    def outcome(message: str, intent: str) -> tuple[bool, bool, bool]:
        answered = answer(message)
        return answered == intent, answered is None, intent == OUT_OF_SCOPE

    return _tally(outcome(message, intent) for message, intent in test)


def _tally(outcomes: Iterable[tuple[bool, bool, bool]]) -> Score:
    """A :class:`Score` from (answered right, quiet, out of scope) per message."""
    right = quiet = in_scope = out_of_scope = 0
    for answered_right, was_quiet, out in outcomes:
        if out:
            out_of_scope += 1
            quiet += was_quiet
        else:
            in_scope += 1
            right += answered_right
    total = in_scope + out_of_scope
    return Score(
        (right + quiet) / total if total else 1.0,
        right / in_scope if in_scope else 1.0,
        quiet / out_of_scope if out_of_scope else 1.0,
    )


def best_threshold(ranked: Sequence[tuple[float, bool, bool]]) -> float:
    """The threshold that maximizes accuracy (the highest such one).

    ``ranked`` holds, per message, the top score, whether the top intent is the
    right one, and whether the message is out of scope. A message is answered
    when its score is at or above the threshold. Lowering the threshold from
    infinity (all quiet) past each distinct score answers the messages with that
    score: each right one gains a point, each out-of-scope one loses one.
    """
    correct = sum(out for _, _, out in ranked)
    best = (correct, math.inf)
    for top, group in itertools.groupby(sorted(ranked, key=lambda row: -row[0]), key=lambda row: row[0]):
        for _, right, out in group:
            correct += right - out
        if correct > best[0]:
            best = (correct, top)
    return best[1]


def score_at(ranked: Sequence[tuple[float, bool, bool]], threshold: float) -> Score:
    """The :class:`Score` of answering the top intent when its score is at or above ``threshold``."""
    return _tally((top >= threshold and right, top < threshold, out) for top, right, out in ranked)


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def bm25_ranked(draw: Draw, test: Labelled, *, concatenated: bool) -> list[tuple[float, bool, bool]]:
    """(top score, top intent right, out of scope) per test message under BM25."""
    if concatenated:
        owners = list(draw)
        documents = [tokens(" ".join(phrasings)) for phrasings in draw.values()]
    else:
        owners = [intent for intent, phrasings in draw.items() for _ in phrasings]
        documents = [tokens(phrasing) for phrasings in draw.values() for phrasing in phrasings]
    index = BM25Okapi(documents)
    ranked = []
    for message, intent in test:
        scores = index.get_scores(tokens(message))
        best = int(scores.argmax())
        ranked.append((float(scores[best]), owners[best] == intent, intent == OUT_OF_SCOPE))
    return ranked


def bm25_hindsight(draw: Draw, test: Labelled) -> Baseline:
    """BM25 with the better scoring and the best threshold, both chosen on ``test`` itself."""
    baselines = []
    for scoring, concatenated in (("best phrasing", False), ("concatenated", True)):
        ranked = bm25_ranked(draw, test, concatenated=concatenated)
        threshold = best_threshold(ranked)
        baselines.append(Baseline(score_at(ranked, threshold), scoring, threshold))
    return max(baselines, key=lambda baseline: baseline.score.accuracy)


def run_draw(bot: str, train: Labelled, test: Labelled, seed: int, per_intent: int = PER_INTENT) -> DrawResult:
    draw = draw_phrasings(train, per_intent, seed)
    return DrawResult(
        bot,
        seed,
        len(draw),
        len(test),
        score(matcher_answerer(draw), test),
        bm25_hindsight(draw, test),
        score(lambda _: None, test).accuracy,
    )


# -- output -------------------------------------------------------------------


def summary(results: Sequence[DrawResult]) -> dict[str, float]:
    """Mean and least difference (matcher minus baseline, points) over ``results``."""
    differences = [result.difference for result in results]
    return {"mean_difference": statistics.fmean(differences), "min_difference": min(differences)}


def by_bot(results: Sequence[DrawResult]) -> dict[str, dict[str, float]]:
    """:func:`summary` for each bot's draws."""
    bots = dict.fromkeys(result.bot for result in results)
    return {bot: summary([result for result in results if result.bot == bot]) for bot in bots}


def table(results: Sequence[DrawResult], per_intent: int) -> str:
    lines = [
        f"HINT3 v2, {per_intent} train phrasings per intent, the matcher at default settings.",
        "accuracy = (in-scope messages answered right + out-of-scope messages quiet) / all test messages;",
        "in brackets: in-scope answered right, out-of-scope quiet. 'quiet' is answering nothing at all.",
        "",
        "| bot | draw | matcher | (in, out) | BM25 hindsight | (in, out) | BM25 scoring | difference | quiet |",
        "|---|---:|---:|---|---:|---|---|---:|---:|",
    ]
    for r in results:
        m, b = r.matcher, r.bm25.score
        lines.append(
            f"| {r.bot} | {r.seed} | {m.accuracy:.1%} | ({m.in_scope_right:.0%}, {m.out_of_scope_quiet:.0%}) "
            f"| {b.accuracy:.1%} | ({b.in_scope_right:.0%}, {b.out_of_scope_quiet:.0%}) | {r.bm25.scoring} "
            f"| {r.difference:+.1f} | {r.all_quiet:.1%} |"
        )
    lines.append("")
    for bot, figures in [*by_bot(results).items(), ("all", summary(results))]:
        lines.append(
            f"difference, {bot}: mean {figures['mean_difference']:+.1f} points, min {figures['min_difference']:+.1f}"
        )
    return "\n".join(lines)


def as_json(results: Sequence[DrawResult], per_intent: int) -> str:
    draws = [{**asdict(result), "difference": result.difference} for result in results]
    for draw in draws:
        if math.isinf(draw["bm25"]["threshold"]):
            draw["bm25"]["threshold"] = None  # quiet on everything; JSON has no infinity
    return json.dumps(
        {"per_intent": per_intent, "draws": draws, "by_bot": by_bot(results), **summary(results)}, indent=2
    )


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", nargs="+", choices=BOTS, default=list(BOTS), help="which HINT3 bots (default: all)")
    parser.add_argument("--seeds", type=positive, default=5, help="draws per bot, seeds 0..N-1 (default 5)")
    parser.add_argument("--per-intent", type=positive, default=PER_INTENT, help="phrasings per entry (default 8)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    results = []
    for bot in args.bots:
        train, test = load_bot(bot)
        results += [run_draw(bot, train, test, seed, args.per_intent) for seed in range(args.seeds)]
    print(as_json(results, args.per_intent) if args.json else table(results, args.per_intent))


if __name__ == "__main__":
    main()
