"""``/qwen``: ask, search (``/qwen`` alone opens a modal), or browse with help, layers, list and onboard;
report and reload for admins.

Everything but ``report`` and ``reload`` is computed in memory in well under a
millisecond, so the answer goes back in the acknowledgement itself, and the
question is recorded by the store's writer thread: nothing slow sits on the ack
path. ``report`` and ``reload`` acknowledge first and answer through the
response URL, lazily.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.knowledge.faq import Faq
from bot.knowledge.language import language_of
from bot.knowledge.matcher import Matcher, NoMatch
from bot.logs import request_line
from bot.mrkdwn import echo
from bot.report import build_report
from bot.services import Services
from bot.slack import blocks
from bot.slack.curation_blocks import review_blocks
from bot.slack.listeners.common import Background, asked_by, guarded, in_background, note_language, remember, render

log = logging.getLogger(__name__)

EPHEMERAL: dict[str, Any] = {"response_type": "ephemeral"}
ADMIN_COMMANDS = frozenset({"report", "reload"})


def register(app: AsyncApp, services: Services, background: Background) -> None:
    async def run_admin_command(
        body: dict[str, Any], _client: AsyncWebClient, respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        started = time.monotonic()
        sub = (body.get("text") or "").strip().lower()
        if sub == "reload":
            outcome = await asyncio.to_thread(services.knowledge.reload)
            await respond(**EPHEMERAL, **blocks.reload_message(outcome))
        else:
            matcher, days = services.knowledge.matcher, services.settings.review_days
            report = await asyncio.to_thread(build_report, services.store, matcher, since_days=30, review_days=days)
            await respond(**EPHEMERAL, **await _with_proposals(services, blocks.report_message(report)))
        request_line("/qwen", sub, started)

    async def on_qwen(ack: AsyncAck, body: dict[str, Any]) -> None:
        started = time.monotonic()
        text = (body.get("text") or "").strip()
        matcher = services.knowledge.matcher  # one version of the FAQ for the whole command
        reply = browse(matcher.faq, text, admin=services.is_admin(body.get("user_id")))
        if reply is None:
            await question(services, matcher, text, ack, started, user=body.get("user_id"))
            return
        await ack(**EPHEMERAL, **reply)
        request_line("/qwen", text.partition(" ")[0].lower() or "help", started)

    run_admin = guarded(run_admin_command)

    async def on_admin_command(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        if not services.is_admin(body.get("user_id")):
            sub = (body.get("text") or "").strip().lower()  # one of ADMIN_COMMANDS: the matcher said so
            user = body.get("user_id")
            log.warning("refused /qwen %s", sub, extra={"user": str(user)[:32], "command": sub})
            await ack(**EPHEMERAL, **blocks.notice(f"Sorry, `/qwen {sub}` is for the bot's curators."))
            return
        await ack()
        background.start(run_admin(body, client, respond, context))

    async def open_search(
        body: dict[str, Any], client: AsyncWebClient, _respond: AsyncRespond, _context: AsyncBoltContext
    ) -> None:
        """``/qwen`` alone: the search modal, in the language of the user's last question."""
        started = time.monotonic()
        user = body.get("user_id")
        known = await services.store.language_async(user) if isinstance(user, str) else None
        modal = blocks.search_modal(services.knowledge.faq, language="zh" if known == "zh" else "en")
        await client.views_open(trigger_id=body["trigger_id"], view=modal)
        request_line("/qwen", "search", started)

    on_empty = in_background(background, open_search)

    async def on_command(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """One listener for every ``/qwen``: Bolt checks each registered listener's matchers on every request."""
        text = (body.get("text") or "").strip()
        if text.lower() in ADMIN_COMMANDS:
            await on_admin_command(ack, body, client, respond, context)
        elif not text:
            await on_empty(ack, body, client, respond, context)
        else:
            await on_qwen(ack, body)

    app.command("/qwen")(on_command)


async def _with_proposals(services: Services, report: blocks.Message) -> blocks.Message:
    """The report with the FAQ proposals waiting for a curator, each with Accept and Reject."""
    pending = await asyncio.to_thread(services.store.proposals, ("pending",))
    accepted = await asyncio.to_thread(services.store.proposals, ("accepted",))
    return {**report, "blocks": [*report["blocks"], *review_blocks(pending, len(accepted))]}


def browse(faq: Faq, text: str, *, admin: bool) -> blocks.Message | None:
    """The reply to ``help``, ``layers``, ``list [LAYER]`` or ``onboard`` (or nothing); None for anything else."""
    word, _, rest = text.strip().partition(" ")
    sub, rest = word.lower(), rest.strip()
    if not sub or (sub in {"help", "?"} and not rest):
        return blocks.help_message(admin=admin)
    if sub == "layers" and not rest:
        return blocks.layers_message(faq)
    if sub == "list" and rest and rest.lower() not in faq.layers:
        return blocks.unknown_layer_message(rest, faq)
    if sub == "list":
        return blocks.list_message(faq, rest.lower() or None)
    if sub == "onboard" and not rest:
        return blocks.onboarding_message(faq)
    return None


def typed_command(faq: Faq, text: str, *, admin: bool) -> blocks.Message | None:
    """A message that is a ``/qwen`` command typed as text (slash commands do not work in threads).

    ``list``, ``/qwen layers``, ``help``...: the command's own reply; ``report`` or
    ``reload``: a one-line pointer to the slash command. None when the message is
    anything else, a question that merely starts with ``list`` included.
    """
    words = text.strip()
    if words[:5].lower() == "/qwen":
        words = words[5:].strip()
    sub, _, rest = words.partition(" ")
    sub, rest = sub.lower(), rest.strip()
    if sub in ADMIN_COMMANDS and not rest:
        return blocks.notice(
            f"`/qwen {sub}` is a slash command for the bot's curators: type it in a channel's message box, "
            "outside a thread."
        )
    if not sub or (sub == "list" and rest and rest.lower() not in faq.layers):
        return None
    return browse(faq, words, admin=admin)


async def question(
    services: Services, matcher: Matcher, text: str, ack: AsyncAck, started: float, *, user: object
) -> None:
    """A question: the answer, ephemeral, with a button to share it in the channel."""
    outcome = services.match(matcher, text)
    if isinstance(outcome, NoMatch) and " " not in text and language_of(text) == "en":  # Chinese has no spaces
        note = f"I don't know the command `{echo(text, 40)}`, nor a question like it."
        await ack(**EPHEMERAL, **blocks.help_message(note=note))
    else:
        note_language(services, user, text)
        asked = asked_by(user, text)
        message = render(outcome, text, matcher.faq, shareable=True, asked=asked, experts=services.has_experts)
        await ack(**EPHEMERAL, **message)
    remember(services, outcome, text, channel_type="command", kind="/qwen", started=started)
