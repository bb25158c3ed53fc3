"""Follow-ups in channel threads the bot answered in, answered without a mention, and silence otherwise.

People ask "and for the hosted API?" under an answer and expect the bot to
follow; they also talk among themselves under it and expect it to keep out.
A message in such a thread is answered only when all of these hold:

* it mentions nobody (another person, a user group, ``@here``): a message
  addressed to someone is not addressed to the bot (a mention of the bot itself
  is answered by the ``app_mention`` listener);
* its author takes part in the thread (asked there, or wrote in it before);
* the thread's people have not replied ``QUIET_AFTER`` times since the bot last
  spoke: by then the thread is their conversation;
* it reads as a question, and :func:`~bot.knowledge.followup.resolve` finds a
  confident answer with the thread's entry as context.

Each message counts once: the thread remembers the newest message it counted,
so a second delivery of the same event changes nothing, and the answer itself
is claimed on the event id like every other reply. Every decision is logged at
debug level, with the event id and the reason, never the text.

A message that is not for the bot whatever the thread (addressed to someone
else, or a statement) is counted without reading the thread first: one update
written behind, which changes nothing in a thread the bot never answered in
(most threads of a busy channel). Only a question by someone there is read.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot import mrkdwn
from bot.knowledge.followup import resolve
from bot.knowledge.matcher import Answer
from bot.knowledge.question import looks_like_question
from bot.logs import request_line
from bot.services import Services
from bot.slack.listeners.common import first_time, note_language, remember, render, without_mentions
from bot.storage import BotThread

log = logging.getLogger(__name__)

QUIET_AFTER = 3  # human replies since the bot last spoke after which it stays out of the thread
_TS = re.compile(r"(\d{1,12})\.(\d{1,9})")
_SLACK_TS = re.compile(r"\d{10}\.\d{6}")  # as Slack writes them: fixed width, so they sort as text too
# A thread's state is read, changed and saved by one message at a time (in this process): messages
# arriving together would otherwise each count from the same old state. Striped: bounded memory.
_LOCKS = [asyncio.Lock() for _ in range(64)]


def _lock(channel: str, thread_ts: str) -> asyncio.Lock:
    return _LOCKS[hash((channel, thread_ts)) % len(_LOCKS)]


async def follow_up(
    services: Services, client: AsyncWebClient, body: dict[str, Any], bot_user_id: str | None, started: float
) -> None:
    """A message in a channel thread: answer it if it is a follow-up for the bot, else count it and keep quiet."""
    event = body["event"]
    channel, thread_ts = event.get("channel"), event.get("thread_ts")
    if isinstance(channel, str) and isinstance(thread_ts, str):
        async with _lock(channel, thread_ts):
            await _follow_up(services, client, body, bot_user_id, started)


async def _follow_up(
    services: Services, client: AsyncWebClient, body: dict[str, Any], bot_user_id: str | None, started: float
) -> None:
    event = body["event"]
    channel, ts, thread_ts, user, text = (event.get(k) for k in ("channel", "ts", "thread_ts", "user", "text"))
    if not all(isinstance(value, str) for value in (channel, ts, thread_ts, user, text)):
        return
    if (reason := not_for_the_bot(event, bot_user_id)) and _SLACK_TS.fullmatch(ts):
        log.debug("thread message %s: silent (%s), counted unread", body.get("event_id"), reason)
        services.store.count_reply(channel, thread_ts, user, ts)  # nothing happens in a thread the bot is not in
        return
    state = await asyncio.to_thread(services.store.thread, channel, thread_ts)
    if state is None:
        log.debug("thread message %s: silent (the bot has not answered in this thread)", body.get("event_id"))
        return
    if _order(ts) <= _order(state.last_ts):
        log.debug("thread message %s: silent (counted already: a second delivery)", body.get("event_id"))
        return
    matcher = services.knowledge.matcher  # one version of the FAQ for the whole message
    question = without_mentions(text)
    reason = silence(state, event, bot_user_id)
    outcome = None if reason else resolve(matcher, matcher.faq.entry(state.entry_id or ""), question)
    if not isinstance(outcome, Answer):
        log.debug("thread message %s: silent (%s)", body.get("event_id"), reason or "no confident answer")
        services.store.save_thread(counted(state, user, ts))
        request_line("message.thread", "silent", started)
        return
    if not await first_time(services, body):
        return
    log.debug("thread message %s: answered as a follow-up (%s)", body.get("event_id"), outcome.entry.id)
    note_language(services, user, question)
    await client.chat_postMessage(channel=channel, thread_ts=thread_ts, **render(outcome, question, matcher.faq))
    services.store.save_thread(answered(state, outcome.entry.id, {user}, ts))
    channel_type = str(event.get("channel_type", "channel"))
    remember(services, outcome, question, channel_type=channel_type, kind="message.thread", started=started)


def silence(state: BotThread, event: dict[str, Any], bot_user_id: str | None) -> str | None:
    """Why the bot keeps out of this thread message, or None if it may answer."""
    if event.get("user") not in state.participants:
        return "the author does not take part in the thread"
    if state.human_replies >= QUIET_AFTER:
        return f"people have replied {state.human_replies} times since the bot spoke"
    return not_for_the_bot(event, bot_user_id)


def not_for_the_bot(event: dict[str, Any], bot_user_id: str | None) -> str | None:
    """Why this thread message is not for the bot whatever the thread (no need to read it), or None."""
    text = str(event.get("text") or "")
    if mrkdwn.addresses_someone_else(text, bot_user_id):
        return "addressed to someone else"
    if not looks_like_question(text):
        return "a statement, not a question"
    return None


async def remember_answer(services: Services, event: dict[str, Any], entry_id: str | None, thread_ts: str) -> None:
    """The bot answered in a channel thread: it is about ``entry_id``, the asker takes part, the count restarts."""
    channel, user, ts = event.get("channel"), event.get("user"), event.get("ts")
    if not (isinstance(channel, str) and isinstance(ts, str)) or event.get("channel_type") == "im":
        return  # every message in a DM is answered anyway
    people = {p for p in (user, event.get("parent_user_id")) if isinstance(p, str)}
    async with _lock(channel, thread_ts):
        if ts == thread_ts:  # an answer to the thread's root (a mention, a watched channel, a share): nothing to read
            root = BotThread(channel, thread_ts, entry_id, frozenset(people), 0, ts, time.time())
            services.store.answered_at_root(root)
            return
        state = await asyncio.to_thread(services.store.thread, channel, thread_ts)
        state = state or BotThread(channel, thread_ts, entry_id, frozenset(), 0, "0.0", time.time())
        services.store.save_thread(answered(state, entry_id or state.entry_id, people, ts))


def counted(state: BotThread, user: str, ts: str) -> BotThread:
    """``state`` after a person's message the bot did not answer."""
    return BotThread(
        state.channel,
        state.thread_ts,
        state.entry_id,
        state.participants | {user},
        state.human_replies + 1,
        max(ts, state.last_ts, key=_order),
        time.time(),
    )


def answered(state: BotThread, entry_id: str | None, people: set[str], ts: str) -> BotThread:
    """``state`` after the bot answered ``people``'s message ``ts`` with ``entry_id``."""
    last = max(ts, state.last_ts, key=_order)
    return BotThread(state.channel, state.thread_ts, entry_id, state.participants | people, 0, last, time.time())


def _order(ts: str) -> tuple[int, int]:
    """A Slack timestamp ("1712345678.000200") as numbers that sort in time order; (0, 0) if malformed."""
    found = _TS.fullmatch(ts)
    return (int(found.group(1)), int(found.group(2).ljust(9, "0"))) if found else (0, 0)
