"""Ask an expert: send a question the bot could not answer to the experts, and pass their reply back.

Only the asker's click sends a question: a question from a DM is never posted
anywhere without it. The question goes to ``QWEN_EXPERTS_CHANNEL`` (or, without
one, by DM to each of ``QWEN_EXPERT_USER_IDS``), once per asker and question.
When an expert replies in the thread of that post, the asker is told where they
asked: with a link to the reply (``chat.getPermalink``). A reply in a DM with an
expert is private on both sides, so it is passed on in a DM to the asker, and
never copied into a channel.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import Any

from slack_bolt.async_app import AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import USER_ID
from bot.knowledge.normalize import normalize
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.curation_blocks import Asked, expert_post, expert_replied, parse_value, where_asked
from bot.slack.listeners.common import Work
from bot.storage import ExpertRequest

EPHEMERAL_EXTRA: dict[str, Any] = {"response_type": "ephemeral", "replace_original": False}


def ask_expert(services: Services) -> Work:
    """The listener for "Ask an expert" (:mod:`bot.slack.listeners.actions` dispatches every click)."""

    async def on_ask_expert(
        body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """The asker clicked "Ask an expert": post the question to the experts, once."""
        started = time.monotonic()
        _, asked = parse_value(((body.get("actions") or [{}])[0]).get("value"))
        clicker = (body.get("user") or {}).get("id")
        if asked is None or clicker != asked.asker:
            await _note(respond, "Only the person who asked can send a question to the experts.")
            return
        if not (services.settings.experts_channel or services.settings.expert_user_ids):
            await _note(respond, "No experts are set up for this bot yet; a curator sees your question in the report.")
            return
        request = _request(body, asked)
        if not await asyncio.to_thread(services.store.open_expert_request, request):
            await _note(respond, "This question is with the experts already: you'll hear back here.")
            request_line("block_actions", "expert-again", started)
            return
        origin = (body.get("container") or {}).get("channel_id") or ""
        await post_to_experts(services, client, asked, request, where_asked(str(origin), command=_from_command(body)))
        await _note(respond, "Sent to the experts. When one of them replies, you'll get a link here.")
        request_line("block_actions", "expert-asked", started)

    return on_ask_expert


def is_expert_reply(services: Services, event: dict[str, Any]) -> bool:
    """A person's reply in a thread of the experts channel, or an expert's in a DM thread.

    Checked by the message listener (:mod:`bot.slack.listeners.messages`) first, rather than as a Bolt
    matcher of a listener of its own: Bolt builds every listener argument for a matcher, on every message.
    """
    thread_ts, channel = event.get("thread_ts"), event.get("channel")
    if event.get("subtype") not in (None, "thread_broadcast") or thread_ts in (None, event.get("ts")):
        return False
    if event.get("bot_id") or event.get("bot_profile"):
        return False
    settings = services.settings
    in_dm = event.get("channel_type") == "im" and event.get("user") in settings.expert_user_ids
    return (settings.experts_channel is not None and channel == settings.experts_channel) or in_dm


async def pass_back(services: Services, client: AsyncWebClient, event: dict[str, Any], started: float) -> bool:
    """Tell the asker an expert replied (once per thread); False in a thread that is not an experts' post."""
    request = await asyncio.to_thread(services.store.expert_request, event["channel"], event["thread_ts"])
    if request is None:
        return False
    if await services.store.claim_async(f"expert-reply:{event['channel']}:{event['thread_ts']}"):
        await notify_asker(client, request, event)
        request_line("message", "expert-replied", started)
    return True


async def post_to_experts(
    services: Services, client: AsyncWebClient, asked: Asked, request: ExpertRequest, where: str
) -> None:
    """Post the question to the experts channel, or DM it to each expert; remember each post."""
    settings = services.settings
    targets = [settings.experts_channel] if settings.experts_channel else sorted(settings.expert_user_ids)
    message = expert_post(asked, where, private_reply=not settings.experts_channel)
    for target in targets:
        if target is None:
            continue
        posted = await client.chat_postMessage(channel=target, **message)
        channel, ts = posted.get("channel"), posted.get("ts")
        if isinstance(channel, str) and isinstance(ts, str):
            await asyncio.to_thread(services.store.add_expert_thread, channel, ts, request.key)


async def notify_asker(client: AsyncWebClient, request: ExpertRequest, event: dict[str, Any]) -> None:
    """A link to the expert's reply where the question was asked; from a DM with an expert, the reply, in a DM."""
    found = await client.chat_getPermalink(channel=event["channel"], message_ts=event["ts"])
    permalink = found.get("permalink")
    user = event.get("user")
    expert = user if isinstance(user, str) and USER_ID.fullmatch(user) else ""
    if event.get("channel_type") == "im":  # private on the expert's side: only ever to the asker's DM
        text = event.get("text") if isinstance(event.get("text"), str) else ""
        message = expert_replied(str(permalink or ""), expert=expert, reply=text)
        await client.chat_postMessage(channel=request.asker, **message)
        return
    message = expert_replied(str(permalink or ""), expert=expert, reply=None)
    await client.chat_postMessage(channel=request.channel, thread_ts=request.thread_ts, **message)


def _request(body: dict[str, Any], asked: Asked) -> ExpertRequest:
    """Where the asker is to be told: the thread asked in, the DM, or (for a private /qwen reply) a DM."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    thread: str | None = asked.thread_ts or None
    if _from_command(body) and not thread:
        channel = asked.asker  # posting to a user id opens the DM with them
    key = hashlib.sha256(f"{asked.asker}\n{normalize(asked.question)}".encode()).hexdigest()[:40]
    return ExpertRequest(key, time.time(), asked.asker, str(channel), thread, asked.question)


def _from_command(body: dict[str, Any]) -> bool:
    """Clicked on a private reply (a /qwen answer) rather than a message in a channel or DM."""
    container = body.get("container") or {}
    return bool(container.get("is_ephemeral")) and not str(container.get("channel_id", "")).startswith("D")


async def _note(respond: AsyncRespond, text: str) -> None:
    await respond(**EPHEMERAL_EXTRA, **blocks.notice(text))
