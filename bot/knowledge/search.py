"""Type-ahead search: the questions a few typed characters point to, best first.

The matcher ranks what reads as a question ("sla", "千问 商用"); while a word is
still being typed ("licen") it may find nothing, so questions containing the
typed text follow, in FAQ order. Nothing typed yet lists the onboarding
starters first.
"""

from __future__ import annotations

from bot.knowledge.faq import Entry
from bot.knowledge.matcher import Matcher

MAX_RESULTS = 100  # Slack shows at most 100 options
MAX_TYPED = 100  # characters of the typed text considered


def search(matcher: Matcher, typed: str, *, limit: int = MAX_RESULTS) -> list[Entry]:
    """Up to ``limit`` entries for ``typed``: the matcher's ranking, then questions containing the text."""
    faq = matcher.faq
    text = " ".join(typed[:MAX_TYPED].split())
    if not text:
        starters = [entry for entry in (faq.entry(i) for i in faq.onboarding.starters) if entry is not None]
        return _distinct([*starters, *faq.entries])[:limit]
    ranked = [suggestion.entry for suggestion in matcher.rank(text, limit=min(limit, 20))]
    needle = text.casefold()
    containing = [entry for entry in faq.entries if any(needle in p.casefold() for p in entry.phrasings)]
    return _distinct([*ranked, *containing])[:limit]


def _distinct(entries: list[Entry]) -> list[Entry]:
    """``entries`` without repeats, in the order each first appears."""
    return list({entry.id: entry for entry in entries}.values())
