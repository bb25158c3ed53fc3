"""The curation loop's messages and views: "Ask an expert", the experts' post, the draft modal, the review list.

Like :mod:`bot.slack.blocks`, pure functions from plain values to Block Kit.
A question travels with the buttons that may need it (the feedback buttons of an
answer, the suggestions of a did-you-mean, "Ask an expert") as a small JSON value:
the entry id, the question as asked, who asked, and the thread it was asked in.
Slack sends that value back only with a click on that very message, so nothing
is stored until someone clicks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from bot.config import USER_ID
from bot.knowledge.faq import Faq
from bot.knowledge.language import Language
from bot.mrkdwn import clip, echo, escape
from bot.slack.blocks import Block, Message, _button, _context, _header, _plain_text, _section
from bot.storage import Proposal

ASK_EXPERT = "ask_expert"
SAVE_DRAFT = "save_faq_draft"  # the message shortcut's callback id (manifest.json)
DRAFT_VIEW = "faq_draft"
ACCEPT = "proposal:accept"  # action ids are ACCEPT:<proposal id> and REJECT:<proposal id>, unique in a message
REJECT = "proposal:reject"
MAX_VALUE_QUESTION = 500  # characters of the question carried in a button value...
MAX_VALUE = 1900  # ...and of the whole value (Slack allows 2,000; a feedback vote adds "not_helpful:")
MAX_REVIEWED = 10  # proposals shown in /qwen report, two blocks each
_CHANNEL = re.compile(r"[CDG][A-Z0-9]{2,}")
_TS = re.compile(r"\d{1,12}\.\d{1,8}")

# Input blocks of the draft modal: block id -> action id is the same name.
QUESTION, ANSWER, LAYER, MORE_LAYERS, SOURCE, ALTERNATES, ANSWER_ZH = (
    "question",
    "answer",
    "layer",
    "more_layers",
    "source",
    "alternates",
    "answer_zh",
)


@dataclass(frozen=True)
class Asked:
    """A question as its asker wrote it to the bot, who asked, and the thread it was asked in ("" for none)."""

    question: str
    asker: str
    thread_ts: str = ""


def button_value(entry_id: str, asked: Asked) -> str:
    """A button value carrying ``entry_id`` (may be empty) and the question, within Slack's 2,000 characters.

    JSON escaping can lengthen a question (a control character takes six), so it is
    clipped shorter until the whole value fits, with room for a feedback vote's prefix.
    """
    limit = MAX_VALUE_QUESTION
    while True:
        fields = {"id": entry_id, "q": clip(asked.question, limit), "u": asked.asker, "t": asked.thread_ts}
        value = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        if len(value) <= MAX_VALUE or limit <= 1:
            return value
        limit //= 2


def parse_value(value: object) -> tuple[str | None, Asked | None]:
    """The entry id and question a button value carries; a plain value is an entry id without a question."""
    if not isinstance(value, str):
        return None, None
    if not value.startswith("{"):
        return value, None
    try:
        fields = json.loads(value)
    except ValueError:
        return None, None
    if not isinstance(fields, dict):
        return None, None
    entry_id, question, asker, thread = (fields.get(key) for key in ("id", "q", "u", "t"))
    if not (isinstance(question, str) and question.strip() and isinstance(asker, str) and USER_ID.fullmatch(asker)):
        return entry_id if isinstance(entry_id, str) else None, None
    thread_ts = thread if isinstance(thread, str) and _TS.fullmatch(thread) else ""
    return (entry_id if isinstance(entry_id, str) and entry_id else None), Asked(question, asker, thread_ts)


def carry_question(message: Message, asked: Asked, action_ids: Collection[str], prefix: str = "") -> Message:
    """``message`` with the buttons named by ``action_ids`` (or starting with ``prefix``) carrying the question.

    Slack's feedback buttons keep their ``<vote>:`` prefix: ``helpful:{"id":"licence",...}``. ``message`` is
    left as it is (answers are shared between replies, see :func:`bot.slack.blocks.answer_message`): the
    blocks it changes are copies.
    """
    return {**message, "blocks": [_carrying(block, asked, action_ids, prefix) for block in message["blocks"]]}


def _carrying(block: Block, asked: Asked, action_ids: Collection[str], prefix: str) -> Block:
    """``block``, or a copy of it whose named buttons carry the question."""
    if block.get("type") not in {"actions", "context_actions"}:
        return block
    elements = []
    for element in block.get("elements", ()):
        action_id = element.get("action_id", "")
        if not (action_id in action_ids or (prefix and action_id.startswith(prefix))):
            elements.append(element)
        elif element.get("type") == "feedback_buttons":
            buttons = {side: _voting(element[side], asked) for side in ("positive_button", "negative_button")}
            elements.append({**element, **buttons})
        else:
            elements.append({**element, "value": button_value(element.get("value", ""), asked)})
    return {**block, "elements": elements}


def _voting(button: dict[str, Any], asked: Asked) -> dict[str, Any]:
    vote, _, entry_id = button["value"].partition(":")
    return {**button, "value": f"{vote}:{button_value(entry_id, asked)}"}


def with_ask_expert(message: Message, asked: Asked, *, language: Language = "en") -> Message:
    """``message`` with an "Ask an expert" button at the end."""
    label = "问问专家" if language == "zh" else "Ask an expert"
    button = _button(label, ASK_EXPERT, button_value("", asked))
    return {**message, "blocks": [*message["blocks"], {"type": "actions", "elements": [button]}]}


def where_asked(channel: str, *, command: bool) -> str:
    """Where a question was asked, as mrkdwn: a channel link, or in words for a DM."""
    if channel.startswith("D") or not _CHANNEL.fullmatch(channel):
        return "in a direct message"
    return f"with /qwen in <#{channel}>" if command else f"in <#{channel}>"


def expert_post(asked: Asked, where: str, *, private_reply: bool) -> Message:
    """The question as the experts see it: who asked, where, the question (escaped), and what to do."""
    relay = "your reply goes to them" if private_reply else "they get a link to your reply"
    text = (
        f"*A question the bot could not answer*, from <@{asked.asker}> {where}:\n>{echo(asked.question, 1000)}\n"
        f"Reply in this thread and {relay}. To make your answer part of the FAQ, open your reply's "
        "*More actions* menu and choose *Save as FAQ draft*."
    )
    return {"text": f"A question for the experts: {echo(asked.question, 200)}", "blocks": [_section(text)]}


def expert_replied(permalink: str, *, expert: str, reply: str | None) -> Message:
    """Tell the asker an expert replied: a link; the reply itself only when both sides are private."""
    link = f"<{escape(permalink)}|See the reply>" if permalink.startswith("https://") else ""
    lines = [f"<@{expert}> answered your question. {link}".strip()]
    if reply is not None:
        lines.append(f">{echo(reply, 2500)}")
    text = "\n".join(lines)
    return {"text": "An expert answered your question.", "blocks": [_section(text)]}


def draft_modal(faq: Faq, *, question: str, answer: str) -> dict[str, Any]:
    """The "Save as FAQ draft" modal, prefilled with the question and the selected reply."""
    layers = [
        {"text": _plain_text(clip(layer.name, 75)), "value": layer.id, "description": _plain_text(clip(layer.role, 75))}
        for layer in faq.layers.values()
    ]
    return {
        "type": "modal",
        "callback_id": DRAFT_VIEW,
        "title": _plain_text("FAQ draft"),
        "submit": _plain_text("Save draft"),
        "close": _plain_text("Cancel"),
        "blocks": [
            _input(QUESTION, "Question", _text_input(QUESTION, question, max_length=500)),
            _input(ANSWER, "Answer (Slack formatting; at most 600 characters)", _text_input(ANSWER, answer, True, 600)),
            _input(LAYER, "Layer it applies to (the primary one)", _select(LAYER, layers, "static_select")),
            _input(MORE_LAYERS, "Also applies to", _select(MORE_LAYERS, layers, "multi_static_select"), True),
            _input(
                SOURCE,
                "Source",
                _text_input(SOURCE, "", max_length=500),
                hint="A document and section from sources.yaml (corporate-landscape: Frequently asked questions), "
                "a URL, or expert: <name>",
            ),
            _input(
                ALTERNATES,
                "Other ways people ask it, one per line",
                _text_input(ALTERNATES, "", True, 2000),
                True,
                hint="The FAQ needs at least 5 before faq check passes; a curator can add them.",
            ),
            _input(
                ANSWER_ZH, "Answer in Chinese (at most 450 characters)", _text_input(ANSWER_ZH, "", True, 450), True
            ),
        ],
    }


def draft_saved_view() -> dict[str, Any]:
    return {
        "type": "modal",
        "title": _plain_text("FAQ draft"),
        "close": _plain_text("Close"),
        "blocks": [_section("Draft saved. A curator reviews it in `/qwen report` before it reaches the FAQ.")],
    }


def review_blocks(pending: list[Proposal], accepted: int) -> list[Block]:
    """The proposals waiting for a curator, each with Accept and Reject, for ``/qwen report``."""
    blocks: list[Block] = [_header("FAQ proposals")]
    for proposal in pending[:MAX_REVIEWED]:
        blocks.append(_section(proposal_text(proposal)))
        value = str(proposal.id)
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    _button("Accept", f"{ACCEPT}:{value}", value, style="primary"),
                    _button("Reject", f"{REJECT}:{value}", value),
                ],
            }
        )
    if not pending:
        blocks.append(_section("No drafts or suggested alternates waiting."))
    more = f"{len(pending) - MAX_REVIEWED} more waiting; " if len(pending) > MAX_REVIEWED else ""
    blocks.append(
        _context(
            f"{more}{accepted} accepted so far: `python -m bot faq suggestions --write DIR` writes them into a FAQ "
            "folder for `faq check`."
        )
    )
    return blocks


def proposal_text(proposal: Proposal) -> str:
    """One proposal, escaped: a draft's question, answer and layers, or an alternate and its entry."""
    question = echo(proposal.question, 300)
    if proposal.kind == "alternate":
        reason = escape(proposal.author)
        return f"*Alternate* for `{escape(proposal.entry_id or '')}` ({reason}, #{proposal.id}):\n“{question}”"
    author = f"<@{proposal.author}>" if USER_ID.fullmatch(proposal.author) else "an expert"
    layers = ", ".join(f"`{escape(layer)}`" for layer in proposal.layers)
    return (
        f"*New entry* by {author} (#{proposal.id}): *{question}*\n{echo(proposal.answer, 600)}\n"
        f"_Layer:_ {layers} · _Source:_ {echo(proposal.source, 200)}"
    )


def decided_notice(proposal: Proposal) -> Message:
    what = "draft" if proposal.kind == "entry" else "alternate"
    text = f"{proposal.status.capitalize()} {what} #{proposal.id}: “{echo(proposal.question, 200)}”."
    if proposal.status == "accepted":
        text += " `python -m bot faq suggestions --write DIR` writes it for review."
    return {"text": text, "blocks": [_section(text)]}


def _input(block_id: str, label: str, element: Block, optional: bool = False, *, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain_text(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = _plain_text(clip(hint, 2000))
    return block


def _text_input(action_id: str, initial: str, multiline: bool = False, max_length: int = 3000) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def _select(action_id: str, options: Iterable[Block], kind: str) -> Block:
    return {
        "type": kind,
        "action_id": action_id,
        "placeholder": _plain_text("Choose a layer"),
        "options": list(options),
    }
