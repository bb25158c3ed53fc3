"""New members: a welcome DM on joining the workspace, a welcome in watched channels, the App Home.

The App Home has two tabs the bot fills: Home (a view it publishes) and Messages,
where people DM it; with the agent messaging experience Slack shows suggested
prompts above that conversation, which the bot sets each time the tab is opened,
in the language of the user's last question.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import USER_ID
from bot.knowledge.language import Language
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners.common import Background, first_time, in_background
from bot.slack.wording import WORDS


def register(app: AsyncApp, services: Services, background: Background) -> None:
    async def on_team_join(
        body: dict[str, Any], client: AsyncWebClient, _respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """Welcome a new human member by DM, once, across restarts and instances."""
        started = time.monotonic()
        user = body["event"].get("user")
        if not isinstance(user, dict) or user.get("is_bot") or user.get("deleted"):
            return
        user_id = user.get("id")
        if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id):
            return
        if not await asyncio.to_thread(services.store.claim_welcome, user_id):
            request_line("team_join", "already-welcomed", started)
            return
        # Claimed before posting: a DM that fails even after the SDK's retries is logged, not sent twice.
        await client.chat_postMessage(channel=user_id, **blocks.onboarding_message(services.knowledge.faq))
        request_line("team_join", "welcomed", started)

    async def on_member_joined(
        body: dict[str, Any], client: AsyncWebClient, _respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """An ephemeral welcome in a watched channel. Bolt delivers the bot's own join too: skip it."""
        started = time.monotonic()
        event = body["event"]
        user, channel = event.get("user"), event.get("channel")
        if user == context.bot_user_id or not services.is_watched(channel):
            return
        if not isinstance(user, str) or not USER_ID.fullmatch(user) or not isinstance(channel, str):
            return
        if not await first_time(services, body):
            return
        await client.chat_postEphemeral(
            channel=channel, user=user, **blocks.channel_welcome_message(services.knowledge.faq)
        )
        request_line("member_joined_channel", "welcomed", started)

    async def on_home_opened(
        body: dict[str, Any], client: AsyncWebClient, _respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """The Home tab: publish it (the search, the layer map, questions by layer). The Messages tab: set prompts."""
        started = time.monotonic()
        event = body["event"]
        if event.get("tab") not in {"home", "messages"} or not isinstance(event.get("user"), str):
            return
        language: Language = "zh" if await services.store.language_async(event["user"]) == "zh" else "en"
        faq = services.knowledge.faq
        if event["tab"] == "home":
            await client.views_publish(user_id=event["user"], view=blocks.home_view(faq, language=language))
            request_line("app_home_opened", "published", started)
        elif isinstance(event.get("channel"), str):
            # The agent messaging experience (agent_view): prompts belong to the DM itself, so no thread_ts
            # (Slack ignores a call that names one, silently).
            prompts = blocks.suggested_prompts(faq, language=language)
            title = WORDS[language]["prompts_title"]
            await client.assistant_threads_setSuggestedPrompts(
                channel_id=event["channel"], prompts=prompts, title=title
            )
            request_line("app_home_opened", "prompts-set", started)

    app.event("team_join")(in_background(background, on_team_join))
    app.event("member_joined_channel")(in_background(background, on_member_joined))
    app.event("app_home_opened")(in_background(background, on_home_opened))
