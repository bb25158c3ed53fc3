"""What every listener shares: the fast-ack/lazy-work split, the apology, and question bookkeeping.

Bolt runs with ``process_before_response=True``: each listener's *ack* function
runs inline and answers Slack's HTTP request at once (slash commands get their
answer right in the acknowledgement), while anything that calls Slack back is
handed to the listener pool by :func:`in_background`. (Bolt's own lazy
listeners would do that too, but they deep-copy the whole request for each
call, built for FaaS platforms where the work runs in another invocation; within
one process the request can simply be handed over.) Background work is wrapped
by :func:`guarded`, which logs a failure's traceback with the event id and gives
the user a short fixed apology instead of silence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot import mrkdwn
from bot.config import USER_ID
from bot.knowledge.faq import Faq
from bot.knowledge.language import language_of
from bot.knowledge.matcher import Answer, DidYouMean, Match
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.storage import AskedQuestion, Outcome

log = logging.getLogger(__name__)

Work = Callable[[dict[str, Any], WebClient, Respond, BoltContext], None]


def in_background(executor: Executor, work: Work) -> Callable[..., None]:
    """An ack function: acknowledge at once, then run ``work`` on the listener pool."""
    run = guarded(work)

    def acknowledge_then_work(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        ack()
        executor.submit(run, body, client, respond, context)

    acknowledge_then_work.__name__ = work.__name__
    return acknowledge_then_work


def guarded(work: Work) -> Callable[..., None]:
    """``work``, logging its failure with the event id and apologising instead of going silent."""

    def lazy(body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext) -> None:
        try:
            work(body, client, respond, context)
        except Exception:
            log.exception(
                "listener %s failed (event %s)", work.__name__, body.get("event_id") or body.get("trigger_id")
            )
            apologise(body, client)

    lazy.__name__ = lazy.__qualname__ = work.__name__
    return lazy


def apologise(body: dict[str, Any], client: WebClient) -> None:
    """Tell the user, briefly and without error details, that something failed. Never raises."""
    apology = blocks.apology_message()
    try:
        if isinstance(body.get("response_url"), str):  # slash commands and buttons
            WebhookClient(body["response_url"], timeout=5).send(
                response_type="ephemeral", replace_original=False, **apology
            )
            return
        event = body.get("event") or {}
        channel, user = event.get("channel"), event.get("user")
        asked = event.get("type") == "app_mention" or event.get("channel_type") == "im"
        if isinstance(channel, str) and isinstance(user, str) and asked:  # never apologise for unasked chatter
            client.chat_postMessage(channel=channel, thread_ts=event.get("thread_ts") or event.get("ts"), **apology)
    except Exception:
        log.exception("could not send the apology either")


def first_time(services: Services, body: dict[str, Any]) -> bool:
    """Claim this event for this reply; False if it was handled already.

    Slack retries an event it thinks went unanswered, and with several
    instances a retry may reach another one: the claim on ``event_id`` is shared
    through the store. Listeners claim only once they have decided to act, so
    chatter they ignore costs no database write.
    """
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or services.store.claim(f"event:{event_id}"):
        return True
    request_line(str((body.get("event") or {}).get("type")), "duplicate", time.monotonic())
    return False


def outcome_name(outcome: Match) -> Outcome:
    if isinstance(outcome, Answer):
        return "answered"
    return "did-you-mean" if isinstance(outcome, DidYouMean) else "no-match"


def render(outcome: Match, question: str, faq: Faq, *, shareable: bool = False) -> blocks.Message:
    """The reply to a question, whatever its outcome, in the question's language."""
    language = language_of(question)
    if isinstance(outcome, Answer):
        return blocks.answer_message(outcome.entry, faq, shareable=shareable, language=language)
    if isinstance(outcome, DidYouMean):
        return blocks.did_you_mean_message(question, outcome.suggestions, language=language)
    return blocks.no_match_message(question, language=language)


def without_mentions(text: str) -> str:
    """The message text without user mentions (the bot's own, typically)."""
    return mrkdwn.without_mentions(text)


def remember(
    services: Services,
    outcome: Match,
    question: str,
    *,
    channel_type: str,
    kind: str,
    started: float,
    user: object = None,
) -> None:
    """Record the question (text only if unanswered; written behind), the asker's language for the
    App Home, and log one line for the request."""
    entry = outcome.entry if isinstance(outcome, Answer) else None
    if isinstance(user, str) and USER_ID.fullmatch(user):
        services.store.set_language(user, language_of(question))
    services.store.record_question(
        AskedQuestion(
            asked_at=time.time(),
            outcome=outcome_name(outcome),
            score=outcome.score,
            channel_type=channel_type,
            entry_id=entry.id if entry else None,
            layer=entry.layer if entry else None,
            text=None if entry else question,
        )
    )
    request_line(kind, outcome_name(outcome), started, entry=entry.id if entry else None, score=round(outcome.score, 1))


def from_a_bot(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Messages from any bot (other apps' included) and from this bot itself."""
    return bool(event.get("bot_id") or event.get("bot_profile")) or (
        bot_user_id is not None and event.get("user") == bot_user_id
    )
