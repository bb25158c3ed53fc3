"""Questions in channels and DMs: mentions, direct messages, and watched channels.

Each event is answered once: a listener that decides to reply first claims the
event's ``event_id`` (:func:`~bot.slack.listeners.common.first_time`), so Slack's
retries, and copies delivered to other instances, stop there; and a channel
message that mentions the bot is left to the ``app_mention`` listener, since
Slack delivers such a message twice.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from bot.knowledge.matcher import Answer
from bot.knowledge.question import looks_like_question
from bot.logs import request_line
from bot.services import Services
from bot.slack.listeners.common import first_time, from_a_bot, in_background, remember, render, without_mentions


def register(app: App, services: Services, executor: Executor) -> None:
    def on_mention(body: dict[str, Any], client: WebClient, _respond: Respond, context: BoltContext) -> None:
        """A mention in a channel: answer in the thread of the question."""
        started = time.monotonic()
        if from_a_bot(body["event"], context.bot_user_id):
            return
        reply(services, client, body, kind="app_mention", thread=True, started=started)

    def on_message(body: dict[str, Any], client: WebClient, _respond: Respond, context: BoltContext) -> None:
        """A DM: answer in the DM. A watched channel: answer a confident match to a question."""
        started = time.monotonic()
        event = body["event"]
        if event.get("subtype") or from_a_bot(event, context.bot_user_id):
            return  # edits, deletions, joins, bot posts: never answered, so the bot cannot loop
        if event.get("channel_type") == "im":
            reply(services, client, body, kind="message.im", thread=bool(event.get("thread_ts")), started=started)
        elif services.is_watched(event.get("channel")):
            watched_channel(services, client, body, context.bot_user_id, started)

    app.event("app_mention")(in_background(executor, on_mention))
    app.event("message")(in_background(executor, on_message))


def watched_channel(
    services: Services, client: WebClient, body: dict[str, Any], bot_user_id: str | None, started: float
) -> None:
    """Speak unasked only to a top-level question with a confident match; stay silent otherwise."""
    event = body["event"]
    text = event.get("text")
    if not (isinstance(text, str) and _addressable(event)):
        return
    if bot_user_id and re.search(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", text):
        return  # Slack sends a mention twice, as `message` and `app_mention`: the app_mention listener answers
    if event.get("thread_ts") not in (None, event.get("ts")) or not looks_like_question(text):
        return
    matcher = services.knowledge.matcher
    outcome = matcher.match(text)
    if not isinstance(outcome, Answer):
        request_line("message.channels", "silent", started)
        return
    if not first_time(services, body):
        return
    client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], **render(outcome, text, matcher.faq))
    channel_type = event.get("channel_type", "channel")
    remember(
        services,
        outcome,
        text,
        channel_type=channel_type,
        kind="message.channels",
        started=started,
        user=event.get("user"),
    )


def reply(
    services: Services, client: WebClient, body: dict[str, Any], *, kind: str, thread: bool, started: float
) -> None:
    """Match the message and post the answer, suggestions or a friendly no-match."""
    event = body["event"]
    text = event.get("text")
    if not (isinstance(text, str) and _addressable(event)):
        return  # a malformed event: nothing to answer, nowhere to answer it
    if not first_time(services, body):
        return
    question = without_mentions(text)
    matcher = services.knowledge.matcher
    outcome = matcher.match(question)
    thread_ts = (event.get("thread_ts") or event["ts"]) if thread else None
    client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, **render(outcome, question, matcher.faq))
    channel_type = event.get("channel_type", "channel")
    remember(services, outcome, question, channel_type=channel_type, kind=kind, started=started, user=event.get("user"))


def _addressable(event: dict[str, Any]) -> bool:
    """The event says where to reply: a channel and a message timestamp."""
    return isinstance(event.get("channel"), str) and isinstance(event.get("ts"), str)
