"""What the Slack layer works with: settings, the FAQ in service and the store."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from bot import __version__
from bot.config import Settings
from bot.knowledge.live import LiveKnowledge
from bot.storage import Store


@dataclass
class Services:
    """Built once per process by :mod:`bot.server`; handed to every listener."""

    settings: Settings
    knowledge: LiveKnowledge
    store: Store
    started_at: float = field(default_factory=time.time)

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
