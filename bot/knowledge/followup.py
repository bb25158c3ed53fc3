"""Follow-ups in a thread: "and for the hosted API?" read against the entry the thread is about.

A follow-up often names only another layer ("what about Hugging Face?", "那阿里云呢？")
and means "the same question, for that layer". :func:`resolve` answers it so:

* a follow-up that is a full question of its own, matched confidently, gets that answer;
* one that names a layer gets the best entry for the thread's question and the
  follow-up together whose primary layer is that one (or, failing that, which
  covers it at all): the same topic for the new layer, or the nearest entry;
* one that names no layer is matched with the thread's question as context.

Anything less than a confident answer is :class:`NoMatch`: the bot speaks unasked
in a thread only when it is sure. Layers are recognised by the words of their
names (English and Chinese, through the FAQ's aliases); a name word two layers
share ("Alibaba") counts half. Failing a name, the primary layer of the entries the
follow-up alone matches best stands in, when they agree ("the hosted API" leads to Model Studio).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from bot.knowledge.analyzer import Analyzer
from bot.knowledge.faq import Entry, Faq
from bot.knowledge.matcher import Answer, DidYouMean, Match, Matcher, NoMatch, NotCovered, Suggestion

CANDIDATES = 10  # entries ranked for the thread's question and the follow-up together
CLEAR_LEAD = 20.0  # points by which an entry must lead one of another layer to speak for its layer
_NAMES: dict[str, tuple[Analyzer, dict[str, set[str]]]] = {}  # by FAQ version: see _layer_names


def resolve(matcher: Matcher, thread_entry: Entry | None, text: str) -> Match:
    """The confident answer to ``text`` asked in a thread about ``thread_entry``, or :class:`NoMatch`."""
    own = matcher.match(text)
    if isinstance(own, Answer) or thread_entry is None:
        return own if isinstance(own, Answer) else NoMatch(own.score)
    context = f"{thread_entry.question} {text}"
    layer = named_layer(matcher, text)
    if layer is not None:
        ranked = matcher.rank(context, limit=CANDIDATES)
        floor = matcher.settings.suggest_threshold
        best = _first(ranked, lambda e: e.layer == layer, floor) or _first(ranked, lambda e: layer in e.layers, floor)
        return Answer(best.entry, best.score) if best else NoMatch(own.score)
    combined = matcher.match(context)
    if isinstance(combined, Answer) and combined.entry.id != thread_entry.id and _suggested(own, combined.entry):
        return combined  # the thread's topic only settled a choice the follow-up itself offered
    return NoMatch(own.score)


def _suggested(own: Match, entry: Entry) -> bool:
    """Is ``entry`` among the follow-up's own suggestions (did-you-mean or not-covered)?"""
    if not isinstance(own, DidYouMean | NotCovered):
        return False
    return any(s.entry.id == entry.id for s in own.suggestions)


def named_layer(matcher: Matcher, text: str) -> str | None:
    """The layer ``text`` names (by its name's words, else through its best entry), or None."""
    analyzer, names = _layer_names(matcher.faq)
    asked = set(analyzer.terms(text))
    shared = Counter(term for terms in names.values() for term in terms)
    scores = {layer: sum(1.0 if shared[term] == 1 else 0.5 for term in terms & asked) for layer, terms in names.items()}
    top = max(scores.values(), default=0.0)
    leaders = [layer for layer, score in scores.items() if score == top]
    if top > 0 and len(leaders) == 1:
        return leaders[0]
    return _layer_of_best_entries(matcher.rank(text, limit=2), matcher.settings.sure_threshold)


def _layer_of_best_entries(ranked: list[Suggestion], floor: float) -> str | None:
    """The primary layer of the best entry, if it is good enough and the runner-up agrees or trails far behind."""
    if not ranked or ranked[0].score < floor:
        return None
    best, runner_up = ranked[0], ranked[1] if len(ranked) > 1 else None
    if runner_up is None or runner_up.entry.layer == best.entry.layer or best.score - runner_up.score >= CLEAR_LEAD:
        return best.entry.layer
    return None


def _layer_names(faq: Faq) -> tuple[Analyzer, dict[str, set[str]]]:
    """An analyzer with the FAQ's aliases, and each layer's name words (English and Chinese) minus the
    generic ones ("group", "team"). Built once per FAQ version: building the analyzer takes milliseconds."""
    cached = _NAMES.get(faq.version)
    if cached is None:
        analyzer = Analyzer(faq.aliases)
        generic = set(analyzer.terms("group team organisation"))
        layers = faq.layers.values()
        names = {layer.id: set(analyzer.terms(f"{layer.name} {layer.name_zh}")) - generic for layer in layers}
        cached = _NAMES[faq.version] = (analyzer, names)
        for stale in list(_NAMES)[:-2]:  # the FAQ in service and the one it replaced are enough
            del _NAMES[stale]
    return cached


def _first(ranked: list[Suggestion], wanted: Callable[[Entry], bool], floor: float) -> Suggestion | None:
    return next((s for s in ranked if wanted(s.entry) and s.score >= floor), None)
