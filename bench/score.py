"""Score the shipped matcher on question files: in scope right, off topic quiet, near domain honest.

    python bench/score.py tests/dev_set.yaml                 # one file
    python bench/score.py a.yaml b.yaml c.yaml               # each file, then the pooled figures
    python bench/score.py tests/dev_set.yaml --json          # for machines

A question file has up to three sections:

``in_scope``
    ``q``, ``id`` (an entry id or a list of acceptable ones), optional ``layer``
    (the expected primary layer), ``style`` and ``lang``. Right means answered
    with an acceptable entry (whose primary layer is ``layer``, if given).
``off_topic``
    ``q`` (or a plain string), optional ``style``. Quiet means no entry answers it.
``near_domain``
    Questions about Qwen or Alibaba that no entry covers: ``q`` (or a plain
    string), optional ``ok`` (entries allowed to answer because they speak to
    the very topic and say the detail is not in the sources). Quiet or honest
    means no entry answers it except an ``ok`` one.

The matcher runs with the settings in force (``QWEN_ANSWER_THRESHOLD`` and
friends), so a threshold is tried by setting its variable, never by editing code.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import DEFAULT_FAQ_DIR, MatchSettings  # noqa: E402
from bot.knowledge.loader import load_faq  # noqa: E402
from bot.knowledge.matcher import Answer, DidYouMean, Match, Matcher, NotCovered  # noqa: E402

_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-zA-Z]{3,}")
SECTIONS = ("in_scope", "off_topic", "near_domain")


@dataclass
class Tally:
    """How many questions passed out of how many."""

    passed: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.passed += ok
        self.total += 1

    @property
    def share(self) -> float:
        return self.passed / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.share:6.1%} ({self.passed}/{self.total})"


@dataclass
class Score:
    """The figures for one file (or several pooled)."""

    sections: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in SECTIONS})
    by_style: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_lang: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    failures: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: Score) -> None:
        for table, others in ((self.sections, other.sections), (self.by_style, other.by_style)):
            for key, tally in others.items():
                table[key].passed += tally.passed
                table[key].total += tally.total
        for key, tally in other.by_lang.items():
            self.by_lang[key].passed += tally.passed
            self.by_lang[key].total += tally.total
        self.failures.extend(other.failures)

    def as_json(self) -> dict[str, Any]:
        def tallies(table: dict[str, Tally]) -> dict[str, Any]:
            return {key: {**asdict(tally), "share": round(tally.share, 4)} for key, tally in sorted(table.items())}

        return {
            **tallies(self.sections),
            "by_style": tallies(self.by_style),
            "by_lang": tallies(self.by_lang),
            "failures": self.failures,
        }


def language(text: str) -> str:
    """ "zh" for Chinese, "mixed" for Chinese with English words in it, else "en"."""
    if not _CJK.search(text):
        return "en"
    latin = {word.lower() for word in _LATIN_WORD.findall(text)} - {"qwen", "alibaba", "cloud"}
    return "mixed" if latin else "zh"


def describe(outcome: Match) -> str:
    """A short name for an outcome, as the failure list shows it."""
    if isinstance(outcome, Answer):
        return f"answer {outcome.entry.id} ({outcome.score:.0f})"
    if isinstance(outcome, DidYouMean):
        return "did-you-mean " + ", ".join(f"{s.entry.id} ({s.score:.0f})" for s in outcome.suggestions)
    if isinstance(outcome, NotCovered):
        return "not-covered"
    return f"no match ({outcome.score:.0f})"


def score_questions(matcher: Matcher, data: dict[str, Any], *, source: str = "") -> Score:
    """Score every question of one parsed question file."""
    score = Score()
    for item in data.get("in_scope") or []:
        outcome = matcher.match(item["q"])
        acceptable = item["id"] if isinstance(item["id"], list) else [item["id"]]
        ok = isinstance(outcome, Answer) and outcome.entry.id in acceptable
        if ok and item.get("layer"):
            ok = isinstance(outcome, Answer) and outcome.entry.layer == item["layer"]
        _count(score, "in_scope", item, ok, outcome, source=source, expected=acceptable)
    for raw in data.get("off_topic") or []:
        item = raw if isinstance(raw, dict) else {"q": raw}
        outcome = matcher.match(item["q"])
        _count(score, "off_topic", item, not isinstance(outcome, Answer), outcome, source=source)
    for raw in data.get("near_domain") or []:
        item = raw if isinstance(raw, dict) else {"q": raw}
        outcome = matcher.match(item["q"])
        ok = not isinstance(outcome, Answer) or outcome.entry.id in (item.get("ok") or [])
        _count(score, "near_domain", item, ok, outcome, source=source)
    return score


def _count(
    score: Score,
    section: str,
    item: dict[str, Any],
    ok: bool,
    outcome: Match,
    *,
    source: str,
    expected: list[str] | None = None,
) -> None:
    score.sections[section].add(ok)
    score.by_style[f"{section}/{item.get('style') or 'unstyled'}"].add(ok)
    score.by_lang[f"{section}/{item.get('lang') or language(item['q'])}"].add(ok)
    if not ok:
        failure = {"file": source, "section": section, "q": item["q"], "got": describe(outcome)}
        if expected:
            failure["expected"] = expected
        score.failures.append(failure)


def report(name: str, score: Score) -> str:
    """The human-readable figures for one file or the pool."""
    s = score.sections
    lines = [
        f"{name}: in scope right {s['in_scope']} | off topic quiet {s['off_topic']} | "
        f"near domain quiet or honest {s['near_domain']}"
    ]
    for title, table in (("by style", score.by_style), ("by language", score.by_lang)):
        cells = [f"{key} {tally}" for key, tally in sorted(table.items())]
        lines.append(f"  {title}: " + "; ".join(cells))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", type=Path, help="question files (YAML)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--faq", type=Path, default=DEFAULT_FAQ_DIR, help="FAQ folder (default: the shipped one)")
    args = parser.parse_args()

    matcher = Matcher(load_faq(args.faq), settings=MatchSettings.from_env())
    scores: dict[str, Score] = {}
    for path in args.files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise SystemExit(f"{path}: cannot read it as YAML ({error.__class__.__name__})") from None
        try:
            scores[str(path)] = score_questions(matcher, data, source=str(path))
        except (AttributeError, KeyError, TypeError) as error:
            raise SystemExit(f"{path}: not a question file ({error.__class__.__name__}: {error}); see --help") from None
    pooled = Score()
    for score in scores.values():
        pooled.merge(score)
    if args.json:
        result = {name: score.as_json() for name, score in scores.items()}
        if len(scores) > 1:
            result["pooled"] = pooled.as_json()
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for name, score in scores.items():
        print(report(name, score))
    if len(scores) > 1:
        print(report("pooled", pooled))
    print(f"\nfailures ({len(pooled.failures)}):")
    for failure in pooled.failures:
        expected = f" expected {'/'.join(failure['expected'])}" if "expected" in failure else ""
        print(f"  [{failure['section']}] {failure['q']!r} -> {failure['got']}{expected}")


if __name__ == "__main__":
    main()
