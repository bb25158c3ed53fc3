"""Listeners, grouped by Slack feature; :func:`register` wires them all into one app."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack.listeners import actions, commands, curation, experts, messages, onboarding, search, shortcuts, workflows
from bot.slack.listeners.common import Background


def register(app: AsyncApp, services: Services, background: Background) -> None:
    """Wire every listener; ``background`` holds the work they start after acknowledging."""
    # Bolt tries each listener's matchers in this order on every request, so the most frequent come first:
    # questions (mentions, messages) and /qwen. First match wins: the curation loop's clicks (Ask an expert,
    # Accept, Reject) before the catch-all click.
    for module in (messages, commands, experts, curation, actions, onboarding, search, shortcuts, workflows):
        module.register(app, services, background)

    @app.event(re.compile(r".*"))
    async def on_other_event() -> None:
        """Any other event Slack sends: acknowledged, so Slack does not retry it, and ignored."""
