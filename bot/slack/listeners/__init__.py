"""Listeners, grouped by Slack feature; :func:`register` wires them all into one app."""

from __future__ import annotations

import re
from concurrent.futures import Executor

from slack_bolt import App

from bot.services import Services
from bot.slack.listeners import actions, commands, messages, onboarding


def register(app: App, services: Services, executor: Executor) -> None:
    """Wire every listener; ``executor`` is the pool their background work runs on."""
    for module in (messages, commands, actions, onboarding):
        module.register(app, services, executor)

    @app.event(re.compile(r".*"))
    def on_other_event() -> None:
        """Any other event Slack sends: acknowledged, so Slack does not retry it, and ignored."""
