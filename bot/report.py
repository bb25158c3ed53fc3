"""The curators' report: entries due for review, what people asked and did not get, which answers they found unhelpful.

``python -m bot report`` prints it (or ``--json``); ``/qwen report`` shows a
short version to admins. Unanswered questions are grouped by fuzzy similarity
(rapidfuzz's ``token_sort_ratio`` on normalised text), and each group shows the
closest existing entry and its score: a high score suggests adding the question
as an alternate of that entry, a low one a new entry.
"""

from __future__ import annotations

import html
import json
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.config import DEFAULT_REVIEW_DAYS
from bot.knowledge.freshness import StaleEntry, stale_entries
from bot.knowledge.matcher import Matcher
from bot.knowledge.normalize import normalize
from bot.storage import Store

DAY = 24 * 3600
GROUP_SIMILARITY = 70  # token_sort_ratio at or above which two questions are "the same question"
MAX_GROUPS = 20


@dataclass(frozen=True)
class UnansweredGroup:
    """Questions that are alike and went unanswered, with the entry that came closest.

    The texts are as people typed them: decoded from Slack's escaping (``&lt;`` is ``<`` again).
    """

    example: str
    count: int
    closest_id: str | None
    closest_score: float
    variants: tuple[str, ...]


@dataclass(frozen=True)
class EntryVotes:
    entry_id: str
    question: str
    not_helpful: int
    helpful: int


@dataclass(frozen=True)
class Report:
    since_days: int
    questions: int
    outcomes: dict[str, int]
    unanswered: list[UnansweredGroup]
    unhelpful: list[EntryVotes]
    per_layer: dict[str, int]
    stale: list[StaleEntry] = field(default_factory=list)  # oldest first
    review_days: int = DEFAULT_REVIEW_DAYS


def build_report(
    store: Store,
    matcher: Matcher,
    *,
    since_days: int,
    now: float | None = None,
    review_days: int = DEFAULT_REVIEW_DAYS,
) -> Report:
    """Read the store and put the report together."""
    now = now if now is not None else time.time()
    since = now - since_days * DAY
    asked = store.questions_since(since)
    unanswered_texts = [html.unescape(q.text) for q in asked if q.outcome != "answered" and q.text]  # as typed
    per_layer = Counter(q.layer for q in asked if q.layer)
    return Report(
        since_days=since_days,
        questions=len(asked),
        outcomes=dict(Counter(q.outcome for q in asked)),
        unanswered=group_unanswered(unanswered_texts, matcher),
        unhelpful=_unhelpful(store, matcher, since),
        per_layer={layer: per_layer.get(layer, 0) for layer in matcher.faq.layers},
        stale=stale_entries(matcher.faq, today=date.fromtimestamp(now), review_days=review_days),
        review_days=review_days,
    )


def group_unanswered(texts: list[str], matcher: Matcher) -> list[UnansweredGroup]:
    """Greedy grouping, most frequent first: a text joins the first group it resembles, else starts one."""
    groups: list[Counter[str]] = []
    keys: list[str] = []
    for text, count in Counter(texts).most_common():
        key = normalize(text)
        found = process.extractOne(key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=GROUP_SIMILARITY)
        if found is None:
            groups.append(Counter({text: count}))
            keys.append(key)
        else:
            groups[found[2]][text] += count
    groups.sort(key=lambda group: -group.total())
    result = []
    for group in groups[:MAX_GROUPS]:
        example = group.most_common(1)[0][0]
        closest = matcher.rank(example, limit=1)
        result.append(
            UnansweredGroup(
                example=example,
                count=group.total(),
                closest_id=closest[0].entry.id if closest else None,
                closest_score=round(closest[0].score, 1) if closest else 0.0,
                variants=tuple(text for text, _ in group.most_common(5)),
            )
        )
    return result


def _unhelpful(store: Store, matcher: Matcher, since: float) -> list[EntryVotes]:
    tally: dict[str, list[int]] = {}
    for vote in store.votes_since(since):
        tally.setdefault(vote.entry_id, [0, 0])[0 if vote.helpful else 1] += 1
    rows = [
        EntryVotes(
            entry_id, entry.question if (entry := matcher.faq.entry(entry_id)) else "(no longer in the FAQ)", bad, good
        )
        for entry_id, (good, bad) in tally.items()
        if bad
    ]
    return sorted(rows, key=lambda row: (-row.not_helpful, row.helpful, row.entry_id))


def report_text(report: Report, matcher: Matcher) -> str:
    """The report for a terminal."""
    outcomes = report.outcomes
    lines = [
        f"Qwen sourcing bot: the last {report.since_days} days",
        "",
        f"Entries due for review (not reviewed in {report.review_days} days), oldest first:",
        *[f"  {stale_age(stale):<24}  {stale.entry_id}" for stale in report.stale],
        *(["  none"] if not report.stale else []),
        "",
        f"Questions: {report.questions} (answered {outcomes.get('answered', 0)}, "
        f"did-you-mean {outcomes.get('did-you-mean', 0)}, not covered by the sources "
        f"{outcomes.get('not-covered', 0)}, no match {outcomes.get('no-match', 0)})",
        "",
        "Most asked unanswered questions (closest entry and its score):",
    ]
    for group in report.unanswered:
        closest = f"{group.closest_id} ({group.closest_score:.0f})" if group.closest_id else "nothing close"
        lines.append(f"  {group.count:>3}x  {group.example!r}  ->  {closest}")
    if not report.unanswered:
        lines.append("  none")
    lines += ["", "Answers voted not helpful:"]
    lines += [f"  {row.not_helpful:>3} not helpful, {row.helpful} helpful  {row.entry_id}" for row in report.unhelpful]
    if not report.unhelpful:
        lines.append("  none")
    lines += ["", "Questions answered per layer:"]
    width = max((len(matcher.faq.layers[layer].name) for layer in report.per_layer), default=0)
    for layer, count in report.per_layer.items():
        lines.append(f"  {matcher.faq.layers[layer].name:<{width}}  {count:>4}  {'#' * min(count, 50)}")
    return "\n".join(lines)


def stale_age(stale: StaleEntry) -> str:
    """When a stale entry was last reviewed, for the report."""
    if stale.reviewed is None:
        return "never reviewed"
    return f"{stale.reviewed.isoformat()} ({stale.age_days} days)"


def report_json(report: Report) -> str:
    return json.dumps(asdict(report), ensure_ascii=False, indent=2, default=str)  # dates as YYYY-MM-DD


def run(*, faq_directory: Path, since_days: int, as_json: bool) -> int:
    """``python -m bot report``: needs only DATABASE_URL (and the FAQ), no Slack tokens."""
    from bot.config import MatchSettings, review_days
    from bot.knowledge.loader import load_faq

    store = open_existing_store()
    try:
        problem = store.connection_problem()
        if problem is not None:
            print(f"Error: cannot reach the database named by DATABASE_URL ({problem}).", file=sys.stderr)
            return 1
        matcher = Matcher(load_faq(faq_directory), settings=MatchSettings.from_env())
        report = build_report(store, matcher, since_days=since_days, review_days=review_days())
    finally:
        store.close()
    print(report_json(report) if as_json else report_text(report, matcher))
    return 0


def open_existing_store() -> Store:
    """The store DATABASE_URL names; a bad URL, or a SQLite file that does not exist, is a ConfigError.

    A report on a database that is not there would be an empty report that looks real.
    """
    from bot.config import ConfigError, database_url
    from bot.storage import StoreConfigError, open_store, sqlite_file

    url = database_url()
    try:
        path = sqlite_file(url)
        if path is not None and not path.exists():
            raise ConfigError(
                f"no database at {path}: the bot has stored nothing there; set DATABASE_URL to the bot's database."
            )
        return open_store(url)
    except StoreConfigError as error:
        raise ConfigError(f"DATABASE_URL cannot be used: {error}.") from None
