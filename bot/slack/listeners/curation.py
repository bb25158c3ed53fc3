"""Capture and review: the "Save as FAQ draft" shortcut and its modal, suggested alternates, Accept / Reject.

Drafts and suggestions hold only what the asker wrote to the bot (the question)
and what an expert wrote (the draft's answer). Nothing reaches the FAQ from
here: a curator accepts in ``/qwen report``, writes the accepted proposals with
``python -m bot faq suggestions --write DIR`` and commits them after ``faq check``.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.curation import worth_suggesting
from bot.knowledge.loader import MAX_ANSWER_CHARS
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.curation_blocks import (
    ACCEPT,
    ALTERNATES,
    ANSWER,
    ANSWER_ZH,
    DRAFT_VIEW,
    LAYER,
    MORE_LAYERS,
    QUESTION,
    SAVE_DRAFT,
    SOURCE,
    Asked,
    decided_notice,
    draft_modal,
    draft_saved_view,
)
from bot.slack.listeners.common import Background, Work, in_background
from bot.storage import Proposal, ProposalStatus

log = logging.getLogger(__name__)
EPHEMERAL_EXTRA: dict[str, Any] = {"response_type": "ephemeral", "replace_original": False}


def register(app: AsyncApp, services: Services, background: Background) -> None:
    async def on_save_draft(
        body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """The message shortcut: open the draft modal with the question of the thread and the selected reply."""
        started = time.monotonic()
        user = (body.get("user") or {}).get("id")
        if not services.is_expert(user):
            log.warning("refused Save as FAQ draft", extra={"user": str(user)[:32]})
            if body.get("response_url"):
                await respond(**EPHEMERAL_EXTRA, **blocks.notice("Saving FAQ drafts is for the bot's experts."))
            return
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        thread_ts = message.get("thread_ts")
        request = None
        if isinstance(channel, str) and isinstance(thread_ts, str):
            request = await asyncio.to_thread(services.store.expert_request, channel, thread_ts)
        question = html.unescape(request.question) if request else ""
        answer = html.unescape(message.get("text") or "") if isinstance(message.get("text"), str) else ""
        view = draft_modal(services.knowledge.faq, question=question, answer=answer)
        await client.views_open(trigger_id=body["trigger_id"], view=view)
        request_line("message_action", "draft-opened", started)

    async def on_draft_submitted(ack: AsyncAck, body: dict[str, Any]) -> None:
        """Store the draft, or point at what is wrong; answered in the acknowledgement, as Slack requires."""
        started = time.monotonic()
        user = (body.get("user") or {}).get("id")
        values = _object(_object((body.get("view") or {}).get("state")).get("values"))
        draft = _draft(values, services.knowledge.faq.layers, str(user))
        errors = _problems(draft)
        if errors or not services.is_expert(user):
            await ack(response_action="errors", errors=errors or {QUESTION: "Saving FAQ drafts is for the experts."})
            return
        services.store.propose(draft)  # written behind: nothing waits for the database here
        await ack(response_action="update", view=draft_saved_view())
        request_line("view_submission", "draft-saved", started)

    app.shortcut({"type": "message_action", "callback_id": SAVE_DRAFT})(in_background(background, on_save_draft))
    app.view(DRAFT_VIEW)(on_draft_submitted)


def deciding(services: Services) -> Work:
    """The listener for Accept and Reject (:mod:`bot.slack.listeners.actions` dispatches every click)."""

    async def on_decision(
        body: dict[str, Any], _client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """Accept or Reject in /qwen report: curators only."""
        started = time.monotonic()
        action = (body.get("actions") or [{}])[0]
        user = (body.get("user") or {}).get("id")
        value = action.get("value")
        if not services.is_admin(user) or not (isinstance(value, str) and value.isdigit()):
            await respond(**EPHEMERAL_EXTRA, **blocks.notice("Reviewing FAQ proposals is for the bot's curators."))
            return
        status: ProposalStatus = "accepted" if str(action.get("action_id")).startswith(ACCEPT) else "rejected"
        proposal = await asyncio.to_thread(services.store.decide, int(value), status)
        if proposal is None:
            await respond(**EPHEMERAL_EXTRA, **blocks.notice("That proposal is gone (older than RETENTION_DAYS)."))
            return
        await respond(**EPHEMERAL_EXTRA, **decided_notice(proposal))
        request_line("block_actions", status, started)

    return on_decision


def suggest_alternate(services: Services, asked: Asked | None, entry_id: str, clicker: object, reason: str) -> None:
    """The asker's own question led to ``entry_id`` (a helpful vote, a did-you-mean pick): propose it as an
    alternate, unless it already finds that entry confidently. Written behind."""
    if asked is None or clicker != asked.asker:
        return
    if not worth_suggesting(services.knowledge.matcher, asked.question, entry_id):
        return
    services.store.propose(Proposal("alternate", time.time(), asked.question, entry_id=entry_id, author=reason))


def _draft(values: dict[str, Any], layers: Any, author: str) -> Proposal:
    """The draft in a submitted modal's ``values``; a field of a type Slack never sends reads as empty."""

    def state(block: str) -> dict[str, Any]:
        return _object(_object(_object(values).get(block)).get(block))

    def text(block: str) -> str:
        value = state(block).get("value")
        return value.strip() if isinstance(value, str) else ""

    def chosen(block: str) -> list[str]:
        picked_state = state(block)
        options = picked_state.get("selected_options") or [picked_state.get("selected_option")]
        picked = [o.get("value") for o in options if isinstance(o, dict)] if isinstance(options, list) else []
        return [value for value in picked if isinstance(value, str) and value in layers]

    primary = chosen(LAYER)
    others = [layer for layer in chosen(MORE_LAYERS) if layer not in primary]
    return Proposal(
        kind="entry",
        proposed_at=time.time(),
        question=text(QUESTION),
        answer=text(ANSWER),
        answer_zh=text(ANSWER_ZH),
        layers=tuple(primary + others),
        source=text(SOURCE),
        alternates=tuple(line.strip() for line in text(ALTERNATES).splitlines() if line.strip()),
        author=author[:64],
    )


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _problems(draft: Proposal) -> dict[str, str]:
    """What Slack should show beside the fields (Slack's own checks cover lengths and required fields)."""
    problems = {}
    if not draft.question:
        problems[QUESTION] = "Write the question as people would ask it."
    if not draft.answer:
        problems[ANSWER] = "Write the answer."
    elif len(draft.answer) > MAX_ANSWER_CHARS:
        problems[ANSWER] = f"At most {MAX_ANSWER_CHARS} characters: the FAQ keeps answers short."
    if not draft.layers:
        problems[LAYER] = "Choose the layer the answer applies to."
    if not draft.source:
        problems[SOURCE] = "Say where the answer comes from."
    return problems
