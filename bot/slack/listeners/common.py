"""Helpers every listener shares: matching a question, rendering it, remembering it."""

from __future__ import annotations

import re
import time
from typing import Any

from bot.knowledge.faq import Faq
from bot.knowledge.matcher import Answer, DidYouMean, Match
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.storage import AskedQuestion, Outcome

_MENTION = re.compile(r"<@[UWB][A-Z0-9]+(?:\|[^>]*)?>")
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def outcome_name(outcome: Match) -> Outcome:
    if isinstance(outcome, Answer):
        return "answered"
    return "did-you-mean" if isinstance(outcome, DidYouMean) else "no-match"


def render(outcome: Match, question: str, faq: Faq, *, shareable: bool = False) -> blocks.Message:
    """The reply to a question, whatever its outcome."""
    if isinstance(outcome, Answer):
        return blocks.answer_message(outcome.entry, faq, shareable=shareable)
    if isinstance(outcome, DidYouMean):
        return blocks.did_you_mean_message(question, outcome.suggestions)
    return blocks.no_match_message(question)


def without_mentions(text: str) -> str:
    """The message text without user mentions (the bot's own, typically)."""
    return _MENTION.sub(" ", text).strip()


def remember(
    services: Services, outcome: Match, question: str, *, channel_type: str, kind: str, started: float
) -> None:
    """Store the question (text only if unanswered) and log one line for the request."""
    answered = isinstance(outcome, Answer)
    entry = outcome.entry if isinstance(outcome, Answer) else None
    services.store.record_question(
        AskedQuestion(
            asked_at=time.time(),
            outcome=outcome_name(outcome),
            score=outcome.score,
            channel_type=channel_type,
            entry_id=entry.id if entry else None,
            layer=entry.layer if entry else None,
            text=None if answered else question,
        )
    )
    request_line(kind, outcome_name(outcome), started, entry=entry.id if entry else None, score=round(outcome.score, 1))


def from_a_bot(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Messages from any bot (other apps' included) and from this bot itself."""
    return bool(event.get("bot_id") or event.get("bot_profile")) or (
        bot_user_id is not None and event.get("user") == bot_user_id
    )
