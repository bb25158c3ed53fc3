"""Buttons and menus: open an entry (by button, menu or search), share an answer, vote on it."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import USER_ID
from bot.knowledge.faq import Entry, Faq
from bot.knowledge.language import Language
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.curation_blocks import ACCEPT, ASK_EXPERT, REJECT, Asked, parse_value, with_ask_expert
from bot.slack.listeners import experts
from bot.slack.listeners.common import Background, Work, in_background
from bot.slack.listeners.curation import deciding, suggest_alternate
from bot.slack.listeners.threads import remember_answer
from bot.storage import AskedQuestion, Vote

EPHEMERAL_EXTRA: dict[str, Any] = {"response_type": "ephemeral", "replace_original": False}
TS = re.compile(r"\d{1,12}\.\d{1,9}")
SHOW_IDS = re.compile(rf"{blocks.SHOW_ENTRY}:\d+|{blocks.BROWSE}:[a-z0-9-]+|{blocks.SEARCH}")
DECISION_IDS = re.compile(rf"(?:{ACCEPT}|{REJECT}):\d+")  # Accept and Reject in /qwen report
CANNOT_SHARE = "I can't post in that thread: invite me to the channel (`/invite @qwen-sourcing`) and try again."
log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services, background: Background) -> None:
    async def on_show(
        body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """A suggestion, see-also, starter or menu pick: show that entry where the click happened."""
        started = time.monotonic()
        faq = services.knowledge.faq  # one version of the FAQ for the whole click, whatever a reload does
        action = _action(body)
        entry, asked = _picked(faq, action.get("value") or (action.get("selected_option") or {}).get("value"))
        if entry is None:
            await _gone(body, respond)
            return
        await show(faq, body, entry, respond, client, language=await _language(services, body))
        suggest_alternate(services, asked, entry.id, (body.get("user") or {}).get("id"), "did-you-mean pick")
        services.store.record_question(
            AskedQuestion(time.time(), "answered", 100.0, "button", entry_id=entry.id, layer=entry.layer)
        )
        request_line("block_actions", "shown", started, entry=entry.id)

    async def on_share(
        body: dict[str, Any], _client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """Post the ephemeral answer in the channel for everyone, then remove the private copy."""
        started = time.monotonic()
        faq = services.knowledge.faq
        entry = _entry(faq, _action(body).get("value"))
        if entry is None:
            await _gone(body, respond)
            return
        user = (body.get("user") or {}).get("id")
        shared_by = user if isinstance(user, str) and USER_ID.fullmatch(user) else None
        language = await _language(services, body)
        answer = blocks.answer_message(entry, faq, shared_by=shared_by, language=language)
        await respond(response_type="in_channel", **answer)
        await respond(delete_original=True)
        request_line("block_actions", "shared", started, entry=entry.id)

    async def on_feedback(
        body: dict[str, Any], _client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """Record the vote (one per user per entry, changeable); thank the clicker only."""
        started = time.monotonic()
        helpful, value = vote_of(_action(body))
        entry, asked = _picked(services.knowledge.faq, value)
        user = (body.get("user") or {}).get("id")
        if entry is None or not isinstance(user, str):
            await _gone(body, respond)
            return
        _vote(services, Vote(entry.id, user, helpful, time.time()), asked)
        if body.get("response_url"):
            await respond(**EPHEMERAL_EXTRA, **_thanks(services, helpful, asked, user))
        request_line("block_actions", "voted", started, entry=entry.id, helpful=helpful)

    feedback = in_background(background, on_feedback)
    by_id = {
        blocks.SHARE: in_background(background, on_share),
        blocks.SHARE_IN_THREAD: in_background(background, sharing_in_thread(services)),
        **dict.fromkeys((blocks.FEEDBACK, blocks.FEEDBACK_HELPFUL, blocks.FEEDBACK_NOT_HELPFUL), feedback),
        ASK_EXPERT: in_background(background, experts.ask_expert(services)),
    }
    by_pattern = (
        (SHOW_IDS, in_background(background, on_show)),
        (DECISION_IDS, in_background(background, deciding(services))),
    )
    unknown = in_background(background, on_unknown)

    async def on_click(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """Every click, by its ``action_id``: one listener, since Bolt checks each listener's matchers in turn
        (and builds every listener argument for each matcher it tries)."""
        action_id = str(_action(body).get("action_id") or "")
        listener = by_id.get(action_id) or next((run for ids, run in by_pattern if ids.fullmatch(action_id)), unknown)
        await listener(ack, body, client, respond, context)

    app.action(re.compile(".*"))(on_click)


async def on_unknown(
    body: dict[str, Any], _client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
) -> None:
    """A click on an element this version does not know (an old message): a short private note."""
    if body.get("response_url"):
        await respond(**EPHEMERAL_EXTRA, **blocks.notice("That button is no longer available. Try `/qwen list`."))
    request_line("block_actions", "unknown-action", time.monotonic())


def sharing_in_thread(services: Services) -> Work:
    """The listener for the message shortcut's Share button."""

    async def on_share_in_thread(
        body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        await share_in_thread(services, body, client, respond)

    return on_share_in_thread


async def share_in_thread(
    services: Services, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
) -> None:
    """The message shortcut's answer, posted in the asked message's thread, credited; the private copy goes."""
    started = time.monotonic()
    faq = services.knowledge.faq
    entry_id, _, thread_ts = str(_action(body).get("value") or "").partition(" ")
    entry = _entry(faq, entry_id)
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    user = (body.get("user") or {}).get("id")
    if entry is None or not isinstance(channel, str) or not TS.fullmatch(thread_ts):
        await _gone(body, respond)
        return
    shared_by = user if isinstance(user, str) and USER_ID.fullmatch(user) else None
    answer = blocks.answer_message(entry, faq, shared_by=shared_by, language=await _language(services, body))
    try:
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, **answer)
    except SlackApiError as error:  # not a member of that channel, or the thread is gone
        log.info("could not share in a thread (%s)", error.response.get("error"))
        await respond(**EPHEMERAL_EXTRA, **blocks.notice(CANNOT_SHARE))
        return
    await remember_answer(services, {"channel": channel, "user": shared_by, "ts": thread_ts}, entry.id, thread_ts)
    await respond(delete_original=True)
    request_line("block_actions", "shared-in-thread", started, entry=entry.id)


async def show(
    faq: Faq,
    body: dict[str, Any],
    entry: Entry,
    respond: AsyncRespond,
    client: AsyncWebClient,
    *,
    language: Language = "en",
) -> None:
    """Show ``entry`` where the click happened, in ``language``: a modal, the private reply itself, or the thread."""
    container = body.get("container") or {}
    view = body.get("view") or {}
    if container.get("type") == "view" and view.get("callback_id") == blocks.SEARCH_MODAL:  # the /qwen search
        modal = blocks.search_modal(faq, entry, language=language)
        await client.views_update(view_id=view.get("id") or container.get("view_id"), hash=view.get("hash"), view=modal)
    elif container.get("type") == "view":  # the App Home: open the answer in a modal
        if isinstance(body.get("trigger_id"), str):
            await client.views_open(
                trigger_id=body["trigger_id"], view=blocks.answer_modal(entry, faq, language=language)
            )
    elif container.get("is_ephemeral") and body.get("response_url"):  # a /qwen reply: replace it, still private
        answer = blocks.answer_message(entry, faq, shareable=True, language=language)
        await respond(replace_original=True, response_type="ephemeral", **answer)
    else:  # a message in a channel or DM: answer in its thread (top level in a DM)
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        if not isinstance(channel, str):
            return
        message = body.get("message") or {}
        thread_ts = None if channel.startswith("D") else message.get("thread_ts") or message.get("ts")
        answer = blocks.answer_message(entry, faq, language=language)
        await client.chat_postMessage(channel=channel, thread_ts=thread_ts, **answer)


def _picked(faq: Faq, value: object) -> tuple[Entry | None, Asked | None]:
    """The entry a button or menu names, and the question it carries, if any."""
    entry_id, asked = parse_value(value)
    return _entry(faq, entry_id), asked


def _vote(services: Services, vote: Vote, asked: Asked | None) -> None:
    """Record the vote; a helpful one on the voter's own question may teach the entry a phrasing."""
    services.store.record_vote(vote)
    if vote.helpful:
        suggest_alternate(services, asked, vote.entry_id, vote.user_id, "helpful vote")


def _thanks(services: Services, helpful: bool, asked: Asked | None, user: str) -> blocks.Message:
    """Thanks for a vote; after "Not helpful" on their own question, the asker may ask an expert."""
    if helpful:
        return blocks.notice("Thanks, glad it helped.")
    thanks = blocks.notice("Thanks for saying so: curators review answers marked unhelpful.")
    if asked is not None and asked.asker == user and services.has_experts:
        return with_ask_expert(thanks, asked)
    return thanks


def vote_of(action: dict[str, Any]) -> tuple[bool, object]:
    """(helpful?, entry id) from Slack's feedback buttons ("helpful:licence"), or from the older hand-made ones."""
    if action.get("action_id") == blocks.FEEDBACK:
        vote, _, entry_id = str(action.get("value") or "").partition(":")
        return vote == blocks.VOTE_HELPFUL, entry_id
    return action.get("action_id") == blocks.FEEDBACK_HELPFUL, action.get("value")


def _action(body: dict[str, Any]) -> dict[str, Any]:
    """The clicked element (Slack sends one per block_actions payload)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return first if isinstance(first, dict) else {}


async def _language(services: Services, body: dict[str, Any]) -> Language:
    """The language of the clicker's last question: a click on a Chinese reply gets a Chinese answer."""
    user = (body.get("user") or {}).get("id")
    if not isinstance(user, str):
        return "en"
    return "zh" if await services.store.language_async(user) == "zh" else "en"


def _entry(faq: Faq, value: object) -> Entry | None:
    return faq.entry(value) if isinstance(value, str) else None


async def _gone(body: dict[str, Any], respond: AsyncRespond) -> None:
    """A button naming no entry (tampered with, or removed from the FAQ since)."""
    if body.get("response_url"):
        await respond(**EPHEMERAL_EXTRA, **blocks.notice("That question is no longer in my FAQ. Try `/qwen list`."))
