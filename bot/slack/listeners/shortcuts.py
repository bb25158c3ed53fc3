"""The message shortcut "Ask the Qwen bot": answer a message someone else wrote, privately, with a share button.

The clicker gets the answer (or the did-you-mean, or the no-match) as an
ephemeral reply through the shortcut's response URL, which works even in a
channel the bot has not joined; the answer's button posts it in the asked
message's thread (see ``on_share_in_thread`` in :mod:`bot.slack.listeners.actions`).
"""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.knowledge.language import language_of
from bot.knowledge.matcher import Answer
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners.common import Background, in_background, note_language, remember, render, without_mentions

ASK = "ask_qwen_bot"  # the shortcut's callback id, as in manifest.json
NOTHING_TO_ASK = "That message has no text I can read as a question."


def register(app: AsyncApp, services: Services, background: Background) -> None:
    async def on_ask(
        body: dict[str, Any], _client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """Answer the message's question to the clicker only."""
        started = time.monotonic()
        message = body.get("message") or {}
        question = without_mentions(message.get("text") or "") if isinstance(message.get("text"), str) else ""
        if not question or not isinstance(body.get("response_url"), str):
            if body.get("response_url"):
                await respond(response_type="ephemeral", **blocks.notice(NOTHING_TO_ASK))
            request_line("message_action", "no-text", started)
            return
        matcher = services.knowledge.matcher
        outcome = services.match(matcher, question)
        if isinstance(outcome, Answer):
            thread_ts = str(message.get("thread_ts") or message.get("ts") or body.get("message_ts") or "")
            language = language_of(question)
            reply = blocks.answer_message(outcome.entry, matcher.faq, share_in_thread=thread_ts, language=language)
        else:
            reply = render(outcome, question, matcher.faq)
        note_language(services, (body.get("user") or {}).get("id"), question)
        await respond(response_type="ephemeral", **reply)
        remember(services, outcome, question, channel_type="shortcut", kind="message_action", started=started)

    app.message_shortcut(ASK)(in_background(background, on_ask))
