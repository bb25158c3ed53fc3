"""The second-domain benchmark's own arithmetic, on hand-made data whose right figures are known.

These tests hold the scoring, the baseline's hindsight threshold and the FAQ the
benchmark builds; they do not hold the matcher's figures on HINT3 (the
benchmark reports those, issue 9 sets the bar).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench import second_domain as sd
from tests.conftest import ROOT

OUT = sd.OUT_OF_SCOPE
DRAW = {
    "DELIVERY_TIME": ["when will my parcel arrive", "how many days for shipping", "delivery time to my city"],
    "RETURNS": ["can I send the mattress back", "return policy for refunds", "how do returns work"],
    "WARRANTY": ["how long is the warranty", "guarantee period on the product", "is there a warranty card"],
}
TEST = [
    *((phrasing, intent) for intent, phrasings in DRAW.items() for phrasing in phrasings),
    ("lol", OUT),
    ("who won the football yesterday", OUT),
    ("zebra xylophone quartz", OUT),
]


def oracle(message: str) -> str | None:
    """A perfect answerer for TEST."""
    return dict(TEST)[message] if dict(TEST)[message] != OUT else None


def test_a_perfect_answerer_scores_full_marks() -> None:
    assert sd.score(oracle, TEST) == sd.Score(1.0, 1.0, 1.0)


def test_silence_scores_the_out_of_scope_share_and_wrong_answers_score_nothing() -> None:
    assert sd.score(lambda _: None, TEST) == sd.Score(3 / 12, 0.0, 1.0)
    assert sd.score(lambda _: "RETURNS", TEST) == sd.Score(3 / 12, 3 / 9, 0.0)

    def off_by_one(message: str) -> str | None:
        intents = list(DRAW)
        right = oracle(message)
        return intents[(intents.index(right) + 1) % 3] if right else "WARRANTY"

    assert sd.score(off_by_one, TEST).accuracy == 0.0


def test_the_hindsight_threshold_is_the_best_one() -> None:
    # (top score, top intent right, out of scope); answered at or above the threshold
    ranked = [(9.0, True, False), (7.0, False, True), (5.0, True, False), (3.0, False, True), (1.0, False, True)]
    # threshold inf: 3 of 5 right (the quiet out-of-scope ones); 9: 4; 7: 3; 5: 4; 3: 3; 1: 2
    assert sd.best_threshold(ranked) == 9.0
    assert sd.score_at(ranked, 9.0) == sd.Score(4 / 5, 1 / 2, 1.0)
    assert sd.score_at(ranked, 5.0) == sd.Score(4 / 5, 1.0, 2 / 3)


def test_the_hindsight_threshold_may_be_silence_and_answers_ties_together() -> None:
    assert sd.best_threshold([(4.0, False, False), (2.0, False, True)]) == float("inf")
    # answering at 6 gains a right answer and loses a quiet out-of-scope message: no better than silence
    assert sd.best_threshold([(6.0, True, False), (6.0, False, True), (1.0, False, False)]) == float("inf")


@pytest.mark.parametrize("concatenated", [False, True])
def test_bm25_scores_its_own_phrasings_perfectly(concatenated: bool) -> None:
    ranked = sd.bm25_ranked(DRAW, TEST, concatenated=concatenated)
    assert sd.score_at(ranked, sd.best_threshold(ranked)) == sd.Score(1.0, 1.0, 1.0)
    assert sd.bm25_hindsight(DRAW, TEST).score.accuracy == 1.0


def test_the_faq_has_one_entry_per_intent_in_one_layer_with_no_intent_words_in_answers() -> None:
    faq = sd.build_faq(DRAW)
    assert [(e.id, e.question, e.alternates) for e in faq.entries] == [
        (sd.entry_id(intent), phrasings[0], tuple(phrasings[1:])) for intent, phrasings in DRAW.items()
    ]
    assert {e.layers for e in faq.entries} == {("hint3",)}
    assert len({e.sources for e in faq.entries}) == 1
    assert {e.answer for e in faq.entries} == {sd.PLACEHOLDER_ANSWER}


def test_the_matcher_is_asked_through_its_public_outcome() -> None:
    """Each entry's own phrasings retrieve it (what `faq check` guarantees), named by intent."""
    answer = sd.matcher_answerer(DRAW)
    assert {answer(phrasing) for phrasing in DRAW["WARRANTY"]} == {"WARRANTY"}


def test_draws_pick_distinct_phrasings_at_random_by_seed() -> None:
    train = [(f"question number {n}", "BIG") for n in range(12)]
    train += [("Hello there", "SMALL"), ("hello there ", "SMALL"), ("hi", "SMALL"), ("", "SMALL")]
    draws = [sd.draw_phrasings(train, 8, seed) for seed in range(5)]
    assert draws[0] == sd.draw_phrasings(train, 8, 0)
    assert all(len(set(d["BIG"])) == 8 for d in draws)
    assert len({tuple(sorted(d["BIG"])) for d in draws}) > 1
    assert sorted(draws[0]["SMALL"]) == ["Hello there", "hi"]  # case and spaces do not make a new phrasing


def test_real_draws_come_from_the_intents_own_train_rows() -> None:
    train, test = sd.load_bot("sofmattress")
    draw = sd.draw_phrasings(train, sd.PER_INTENT, seed=3)
    rows = {(text.strip(), intent) for text, intent in train}
    assert len(draw) == 21
    assert all((p, intent) in rows for intent, phrasings in draw.items() for p in phrasings)
    assert {len(phrasings) for phrasings in draw.values()} == {8}
    assert {intent for _, intent in test} - set(draw) == {OUT}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "bench/second_domain.py", *args],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_one_small_draw_end_to_end() -> None:
    result = run("--bots", "sofmattress", "--seeds", "1", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (draw,) = report["draws"]
    assert (draw["bot"], draw["seed"], draw["intents"], draw["messages"]) == ("sofmattress", 0, 21, 397)
    assert draw["all_quiet"] == pytest.approx(144 / 397)
    assert 0 <= draw["matcher"]["accuracy"] <= 1
    assert draw["bm25"]["score"]["accuracy"] >= draw["all_quiet"]  # silence is one of its thresholds
    assert draw["difference"] == pytest.approx(100 * (draw["matcher"]["accuracy"] - draw["bm25"]["score"]["accuracy"]))
    assert report["min_difference"] == report["mean_difference"] == draw["difference"]
    assert report["by_bot"] == {
        "sofmattress": {"mean_difference": draw["difference"], "min_difference": draw["difference"]}
    }


def test_bad_arguments_get_a_usage_error() -> None:
    result = run("--seeds", "0")
    assert result.returncode == 2
    assert "--seeds: must be at least 1, not 0" in result.stderr
    assert "Traceback" not in result.stderr
