"""Questions in channels and DMs: mentions, direct messages, and watched channels."""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.knowledge.matcher import Answer
from bot.knowledge.question import looks_like_question
from bot.logs import request_line
from bot.services import Services
from bot.slack.listeners.common import from_a_bot, remember, render, without_mentions


def register(app: App, services: Services) -> None:
    @app.event("app_mention")
    def on_mention(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """A mention in a channel: answer in the thread of the question."""
        started = time.monotonic()
        if from_a_bot(event, context.bot_user_id) or not _first_reply(services, event):
            return
        reply(services, client, event, kind="app_mention", thread=True, started=started)

    @app.event("message")
    def on_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        """A DM: answer in the DM. A watched channel: answer a confident match to a question."""
        started = time.monotonic()
        if event.get("subtype") or from_a_bot(event, context.bot_user_id):
            return  # edits, deletions, joins, bot posts: never answered, so the bot cannot loop
        if event.get("channel_type") == "im":
            if _first_reply(services, event):
                reply(services, client, event, kind="message.im", thread=bool(event.get("thread_ts")), started=started)
        elif event.get("channel") in services.settings.watched_channels:
            watched_channel(services, client, event, context.bot_user_id, started)


def watched_channel(
    services: Services, client: WebClient, event: dict[str, Any], bot_user_id: str | None, started: float
) -> None:
    """Speak unasked only to a top-level question with a confident match; stay silent otherwise."""
    text = event.get("text") or ""
    if bot_user_id and f"<@{bot_user_id}>" in text:
        return  # a mention: the app_mention listener answers it
    if event.get("thread_ts") not in (None, event.get("ts")) or not looks_like_question(text):
        return
    matcher = services.knowledge.matcher
    outcome = matcher.match(text)
    if not isinstance(outcome, Answer) or not _first_reply(services, event):
        request_line("message.channels", "silent", started)
        return
    client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], **render(outcome, text, matcher.faq))
    remember(
        services,
        outcome,
        text,
        channel_type=event.get("channel_type", "channel"),
        kind="message.channels",
        started=started,
    )


def reply(
    services: Services, client: WebClient, event: dict[str, Any], *, kind: str, thread: bool, started: float
) -> None:
    """Match the message and post the answer, suggestions or a friendly no-match."""
    question = without_mentions(event.get("text") or "")
    matcher = services.knowledge.matcher
    outcome = matcher.match(question)
    thread_ts = (event.get("thread_ts") or event["ts"]) if thread else None
    client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, **render(outcome, question, matcher.faq))
    remember(services, outcome, question, channel_type=event.get("channel_type", "channel"), kind=kind, started=started)


def _first_reply(services: Services, event: dict[str, Any]) -> bool:
    """One reply per message, even though a mention arrives both as `message` and as `app_mention`."""
    return services.store.claim(f"reply:{event.get('channel')}:{event.get('ts')}")
