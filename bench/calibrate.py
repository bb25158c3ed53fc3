"""Calibrate the matcher's thresholds on the dev set (people's phrasings, not the FAQ's).

    python bench/calibrate.py            # sweep the decision thresholds for the current weights
    python bench/calibrate.py --weights  # also sweep the scoring weights (slower)

For each setting it measures, on ``tests/dev_set.yaml``: the share of in-scope
questions answered with the expected entry, and the share of off-topic messages
that get no answer. It prints the best settings by the worse of the two (ties
broken by their sum, then by how many off-topic messages still get suggestions),
next to the current defaults in ``bot/config.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import DEFAULT_FAQ_DIR, MatchSettings  # noqa: E402
from bot.knowledge.loader import load_faq  # noqa: E402
from bot.knowledge.matcher import Answer, DidYouMean, Matcher  # noqa: E402

WEIGHTS = {
    "coverage_exponent": [1.0, 1.5],
    "phrasing_exponent": [0.25, 0.5, 1.0],
    "unknown_word_weight": [0.5, 1.0, 1.5, 2.0],
    "unknown_words_damping": [0.0, 0.5, 0.75],
    "unknown_word_weight_off_topic": [6.0, 8.0, 12.0],
    "answer_text_credit": [0.4, 0.6, 0.8],
}
THRESHOLDS = {
    "answer_threshold": [25.0, 30.0, 35.0, 40.0, 45.0, 50.0],
    "answer_margin": [0.0, 3.0, 6.0],
    "suggest_threshold": [15.0, 20.0, 25.0],
}


def evaluate(matcher: Matcher, dev: dict, settings: MatchSettings) -> tuple[float, float, float]:
    """(in-scope accuracy, off-topic abstention, off-topic share given suggestions)."""
    matcher.settings = settings
    right = sum(
        isinstance(outcome := matcher.decide(ranking), Answer) and outcome.entry.id == expected
        for ranking, expected in dev["_in_scope_rankings"]
    )
    outcomes = [matcher.decide(ranking) for ranking in dev["_off_topic_rankings"]]
    quiet = sum(not isinstance(outcome, Answer) for outcome in outcomes)
    suggested = sum(isinstance(outcome, DidYouMean) for outcome in outcomes)
    return right / len(dev["in_scope"]), quiet / len(outcomes), suggested / len(outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", action="store_true", help="also sweep the scoring weights")
    parser.add_argument("--dev", type=Path, default=ROOT / "tests" / "dev_set.yaml")
    args = parser.parse_args()

    faq = load_faq(DEFAULT_FAQ_DIR)
    dev = yaml.safe_load(args.dev.read_text(encoding="utf-8"))
    defaults = MatchSettings()
    weight_grid = WEIGHTS if args.weights else {name: [getattr(defaults, name)] for name in WEIGHTS}
    results = []
    for weights in _grid(weight_grid):
        matcher = Matcher(faq, settings=dataclasses.replace(defaults, **weights))
        limit = max(2, defaults.max_suggestions)
        dev["_in_scope_rankings"] = [(matcher.rank(i["q"], limit=limit), i["id"]) for i in dev["in_scope"]]
        dev["_off_topic_rankings"] = [matcher.rank(q, limit=limit) for q in dev["off_topic"]]
        for thresholds in _grid(THRESHOLDS):
            settings = dataclasses.replace(defaults, **weights, **thresholds)
            accuracy, abstention, suggested = evaluate(matcher, dev, settings)
            results.append(((min(accuracy, abstention), accuracy + abstention, -suggested), settings))
        if weights == {name: getattr(defaults, name) for name in weight_grid}:
            current = evaluate(matcher, dev, defaults)

    results.sort(key=lambda item: item[0], reverse=True)
    print(f"dev set: {len(dev['in_scope'])} in-scope questions, {len(dev['off_topic'])} off-topic messages\n")
    print("in-scope right | off-topic quiet | off-topic suggested | settings")
    for (_, _, _), settings in results[:10]:
        accuracy, abstention, suggested = _measure(faq, dev, settings)
        changed = {k: v for k, v in dataclasses.asdict(settings).items() if k in WEIGHTS or k in THRESHOLDS}
        print(f"{accuracy:14.1%} | {abstention:15.1%} | {suggested:19.1%} | {changed}")
    matcher = Matcher(faq, settings=defaults)
    uncovered = dev.get("uncovered", [])
    quiet = sum(not isinstance(matcher.match(q), Answer) for q in uncovered) / max(1, len(uncovered))
    print(
        f"\ncurrent defaults: {current[0]:.1%} in-scope right, {current[1]:.1%} off-topic quiet, "
        f"{current[2]:.1%} off-topic suggested, {quiet:.1%} of uncovered Qwen questions quiet"
    )


def _measure(faq, dev: dict, settings: MatchSettings) -> tuple[float, float, float]:
    matcher = Matcher(faq, settings=settings)
    limit = max(2, settings.max_suggestions)
    dev["_in_scope_rankings"] = [(matcher.rank(i["q"], limit=limit), i["id"]) for i in dev["in_scope"]]
    dev["_off_topic_rankings"] = [matcher.rank(q, limit=limit) for q in dev["off_topic"]]
    return evaluate(matcher, dev, settings)


def _grid(grid: dict[str, list[float]]) -> list[dict[str, float]]:
    return [dict(zip(grid, values, strict=True)) for values in itertools.product(*grid.values())]


if __name__ == "__main__":
    main()
