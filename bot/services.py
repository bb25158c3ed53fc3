"""What the Slack layer works with: settings, the FAQ in service and the store."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from bot import __version__
from bot.config import Settings
from bot.knowledge.live import LiveKnowledge
from bot.knowledge.matcher import Match, Matcher
from bot.storage import Store


class RecentMatches:
    """The matcher's results for the questions asked most recently, by their exact text.

    A match is a pure function of the matcher (one FAQ version, one set of
    settings) and the text, and costs about half a millisecond, the largest
    part of a question's cost; people ask some questions word for word again
    (the Messages tab's suggested prompts, a question pasted into two channels).
    The cache starts again whenever the FAQ in service changes, holds at most
    ``MAX_QUESTIONS`` results, the least recently asked going first, and skips
    long texts, which are seldom asked twice. Used on the event loop only.
    """

    MAX_QUESTIONS = 2048
    MAX_TEXT = 300  # characters: most questions are shorter, and the cache's memory stays small

    def __init__(self) -> None:
        self._matcher: Matcher | None = None
        self._results: OrderedDict[str, Match] = OrderedDict()

    def match(self, matcher: Matcher, question: str) -> Match:
        """``matcher.match(question)``, from the cache when this matcher answered the same text lately."""
        if len(question) > self.MAX_TEXT:
            return matcher.match(question)
        if matcher is not self._matcher:
            self._matcher, self._results = matcher, OrderedDict()
        found = self._results.get(question)
        if found is not None:
            self._results.move_to_end(question)
            return found
        found = self._results[question] = matcher.match(question)
        if len(self._results) > self.MAX_QUESTIONS:
            self._results.popitem(last=False)
        return found


@dataclass
class Services:
    """Built once per process by :mod:`bot.server`; handed to every listener."""

    settings: Settings
    knowledge: LiveKnowledge
    store: Store
    started_at: float = field(default_factory=time.time)
    recent_matches: RecentMatches = field(default_factory=RecentMatches)

    def match(self, matcher: Matcher, question: str) -> Match:
        """The outcome of ``question`` with ``matcher`` (the one the caller answers with throughout)."""
        return self.recent_matches.match(matcher, question)

    def health(self) -> dict[str, Any]:
        """The small status ``GET /healthz`` returns."""
        faq = self.knowledge.faq
        return {
            "status": "ok",
            "version": __version__,
            "mode": "socket" if self.settings.socket_mode else "http",
            "faq": {"entries": len(faq.entries), "version": faq.version},
            "database": self.store.status(),
            "uptime_s": round(time.time() - self.started_at, 1),
        }

    def is_admin(self, user_id: object) -> bool:
        """Is this user one of SLACK_ADMIN_USER_IDS (the curators)?"""
        return isinstance(user_id, str) and user_id in self.settings.admin_user_ids

    def is_expert(self, user_id: object) -> bool:
        """May this user save FAQ drafts? The experts in QWEN_EXPERT_USER_IDS and the curators."""
        return isinstance(user_id, str) and (user_id in self.settings.expert_user_ids or self.is_admin(user_id))

    @property
    def has_experts(self) -> bool:
        """Is there anyone to send "Ask an expert" questions to (a channel, or experts by DM)?"""
        return bool(self.settings.experts_channel or self.settings.expert_user_ids)

    def is_watched(self, channel_id: object) -> bool:
        """Is this one of QWEN_CHANNELS, where the bot answers without a mention?"""
        return isinstance(channel_id, str) and channel_id in self.settings.watched_channels
