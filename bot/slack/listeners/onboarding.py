"""New members: a welcome DM on joining the workspace, a welcome in watched channels, the App Home."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners.common import USER_ID


def register(app: App, services: Services) -> None:
    @app.event("team_join")
    def on_team_join(event: dict[str, Any], client: WebClient) -> None:
        """Welcome a new human member by DM, once, across restarts and instances."""
        started = time.monotonic()
        user = event.get("user") or {}
        user_id = user.get("id") if isinstance(user, dict) else None
        if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id) or user.get("is_bot") or user.get("deleted"):
            return
        if not services.store.claim_welcome(user_id):
            request_line("team_join", "already-welcomed", started)
            return
        try:
            client.chat_postMessage(channel=user_id, **blocks.onboarding_message(services.knowledge.faq))
        except Exception:
            services.store.forget_welcome(user_id)  # let a retry try again
            raise
        request_line("team_join", "welcomed", started)

    @app.event("member_joined_channel")
    def on_member_joined(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """An ephemeral welcome in a watched channel. Bolt delivers the bot's own join too: skip it."""
        started = time.monotonic()
        user, channel = event.get("user"), event.get("channel")
        if user == context.bot_user_id or channel not in services.settings.watched_channels:
            return
        if not isinstance(user, str) or not USER_ID.fullmatch(user):
            return
        client.chat_postEphemeral(channel=channel, user=user, **blocks.channel_welcome_message(services.knowledge.faq))
        request_line("member_joined_channel", "welcomed", started)

    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        """Publish the Home tab: the layer map, questions by layer, how to ask."""
        started = time.monotonic()
        if event.get("tab") != "home" or not isinstance(event.get("user"), str):
            return
        client.views_publish(user_id=event["user"], view=blocks.home_view(services.knowledge.faq))
        request_line("app_home_opened", "published", started)
