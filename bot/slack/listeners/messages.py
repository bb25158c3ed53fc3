"""Questions in channels and DMs: mentions, direct messages, watched channels and thread follow-ups.

Each event is answered once: a listener that decides to reply first claims the
event's ``event_id`` (:func:`~bot.slack.listeners.common.first_time`), so Slack's
retries, and copies delivered to other instances, stop there; and a channel
message that mentions the bot is left to the ``app_mention`` listener, since
Slack delivers such a message twice.
"""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import mrkdwn
from bot.knowledge.faq import Faq
from bot.knowledge.matcher import Answer
from bot.knowledge.question import looks_like_question
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners import experts
from bot.slack.listeners.commands import typed_command
from bot.slack.listeners.common import (
    Background,
    asked_by,
    first_time,
    from_a_bot,
    in_background,
    note_language,
    remember,
    render,
    without_mentions,
)
from bot.slack.listeners.threads import follow_up, remember_answer

# Messages people write: plain, with a file attached, and thread replies also sent to the channel.
ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
GREETINGS = frozenset({"", "hi", "hello", "hey", "hiya", "yo", "hi there", "hello there", "good morning"})


def register(app: AsyncApp, services: Services, background: Background) -> None:
    async def on_mention(
        body: dict[str, Any], client: AsyncWebClient, _respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """A mention in a channel: answer in the thread of the question."""
        started = time.monotonic()
        if from_a_bot(body["event"], context.bot_user_id):
            return
        await reply(services, client, body, kind="app_mention", thread=True, started=started)

    async def on_message(
        body: dict[str, Any], client: AsyncWebClient, _respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """A DM: answer in the DM. A watched channel: answer a confident match to a question."""
        started = time.monotonic()
        event = body["event"]
        if event.get("subtype") not in ANSWERED_SUBTYPES or from_a_bot(event, context.bot_user_id):
            return  # edits, deletions, joins, bot posts: never answered, so the bot cannot loop
        if experts.is_expert_reply(services, event) and await experts.pass_back(services, client, event, started):
            return
        if event.get("channel_type") == "im":
            await reply(services, client, body, kind="message.im", thread=bool(event.get("thread_ts")), started=started)
        elif event.get("thread_ts") not in (None, event.get("ts")):
            if not mrkdwn.mentions(str(event.get("text")), context.bot_user_id or ""):  # else app_mention answers
                await follow_up(services, client, body, context.bot_user_id, started)
        elif services.is_watched(event.get("channel")):
            await watched_channel(services, client, body, context.bot_user_id, started)

    app.event("app_mention")(in_background(background, on_mention))
    app.event("message")(in_background(background, on_message))


async def watched_channel(
    services: Services, client: AsyncWebClient, body: dict[str, Any], bot_user_id: str | None, started: float
) -> None:
    """Speak unasked only to a top-level question with a confident match; stay silent otherwise."""
    event = body["event"]
    text = event.get("text")
    if not (isinstance(text, str) and _addressable(event)):
        return
    if bot_user_id and mrkdwn.mentions(text, bot_user_id):
        return  # Slack sends a mention twice, as `message` and `app_mention`: the app_mention listener answers
    if not looks_like_question(text):
        return
    matcher = services.knowledge.matcher
    outcome = services.match(matcher, text)
    if not isinstance(outcome, Answer):
        request_line("message.channels", "silent", started)
        return
    if not await first_time(services, body):
        return
    await remember_answer(services, event, outcome.entry.id, event["ts"])  # before posting: a follow-up may come fast
    note_language(services, event.get("user"), text)
    asked = asked_by(event.get("user"), text, event["ts"])
    message = render(outcome, text, matcher.faq, asked=asked)
    await client.chat_postMessage(channel=event["channel"], thread_ts=event["ts"], **message)
    channel_type = event.get("channel_type", "channel")
    remember(
        services,
        outcome,
        text,
        channel_type=channel_type,
        kind="message.channels",
        started=started,
    )


async def reply(
    services: Services, client: AsyncWebClient, body: dict[str, Any], *, kind: str, thread: bool, started: float
) -> None:
    """Match the message and post the answer, suggestions or a friendly no-match."""
    event = body["event"]
    text = event.get("text")
    if not (isinstance(text, str) and _addressable(event)):
        return  # a malformed event: nothing to answer, nowhere to answer it
    if not await first_time(services, body):
        return
    question = without_mentions(text)
    matcher = services.knowledge.matcher
    thread_ts = (event.get("thread_ts") or event["ts"]) if thread else None
    canned = canned_reply(services, matcher.faq, question, event.get("user"))
    if canned is not None:
        await client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, **canned)
        request_line(kind, "command", started)
        return
    outcome = services.match(matcher, question)
    if thread_ts is not None:  # before posting: a follow-up may come fast
        await remember_answer(services, event, outcome.entry.id if isinstance(outcome, Answer) else None, thread_ts)
    note_language(services, event.get("user"), question)
    asked = asked_by(event.get("user"), question, thread_ts)
    message = render(outcome, question, matcher.faq, asked=asked, experts=services.has_experts)
    await client.chat_postMessage(channel=event["channel"], thread_ts=thread_ts, **message)
    channel_type = event.get("channel_type", "channel")
    remember(services, outcome, question, channel_type=channel_type, kind=kind, started=started)


def canned_reply(services: Services, faq: Faq, question: str, user: object) -> blocks.Message | None:
    """The help for a greeting or a bare mention; a command's reply for a command typed as text; else None."""
    admin = services.is_admin(user)
    if " ".join(question.lower().strip(" !.?,").split()) in GREETINGS:
        return blocks.help_message(admin=admin)
    return typed_command(faq, question, admin=admin)


def _addressable(event: dict[str, Any]) -> bool:
    """The event says where to reply: a channel and a message timestamp."""
    return isinstance(event.get("channel"), str) and isinstance(event.get("ts"), str)
