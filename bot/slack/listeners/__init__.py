"""Listeners, grouped by Slack feature; :func:`register` wires them all into one app."""

from __future__ import annotations

import re

from slack_bolt.async_app import AsyncApp

from bot.services import Services
from bot.slack.listeners import actions, commands, curation, messages, onboarding, search, shortcuts, workflows
from bot.slack.listeners.common import Background


def register(app: AsyncApp, services: Services, background: Background) -> None:
    """Wire every listener; ``background`` holds the work they start after acknowledging."""
    # Bolt tries each listener's matchers in this order on every request, building every listener argument for
    # each matcher it tries: the most frequent come first (questions, /qwen, clicks), and every click, the
    # curation loop's included, goes to the one listener of actions, which dispatches it by its action_id.
    for module in (messages, commands, actions, curation, onboarding, search, shortcuts, workflows):
        module.register(app, services, background)

    @app.event(re.compile(r".*"))
    async def on_other_event() -> None:
        """Any other event Slack sends: acknowledged, so Slack does not retry it, and ignored."""
