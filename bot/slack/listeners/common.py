"""What every listener shares: the fast-ack/lazy-work split, the apology, and question bookkeeping.

Bolt runs with ``process_before_response=True``: each listener's *ack* function
runs inline and answers Slack's HTTP request at once (slash commands get their
answer right in the acknowledgement), while anything that calls Slack back is
started as a task on the event loop by :func:`in_background` and held in
:class:`Background`, so that shutdown can wait for it. (Bolt's own lazy
listeners would do that too, but they deep-copy the whole request for each
call, built for FaaS platforms where the work runs in another invocation; within
one process the request can simply be handed over.) Background work is wrapped
by :func:`guarded`, which logs a failure's traceback with the event id and gives
the user a short fixed apology instead of silence.

Everything here runs on the event loop: matching is CPU-light and stays inline,
while store calls that wait for the database go to a thread (``asyncio.to_thread``),
except the claim, which the store's writer thread answers on the loop directly.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import mrkdwn
from bot.config import USER_ID
from bot.knowledge.faq import Faq
from bot.knowledge.language import language_of
from bot.knowledge.matcher import Answer, DidYouMean, Match, NotCovered
from bot.knowledge.normalize import slack_mentions
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.curation_blocks import Asked, carry_question, with_ask_expert
from bot.slack.responses import respond_for
from bot.storage import AskedQuestion, Outcome

log = logging.getLogger(__name__)

Work = Callable[[dict[str, Any], AsyncWebClient, AsyncRespond, AsyncBoltContext], Coroutine[Any, Any, None]]
Fallback = Callable[[dict[str, Any], AsyncWebClient, AsyncBoltContext], Coroutine[Any, Any, None]]
Listener = Callable[..., Awaitable[None]]
FEEDBACK_IDS = (blocks.FEEDBACK, blocks.FEEDBACK_HELPFUL, blocks.FEEDBACK_NOT_HELPFUL)


class Background:
    """The work started after acknowledgements, held until done so that shutdown can wait for it."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the work under way (and any it starts) to finish."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._tasks and (left := deadline - asyncio.get_running_loop().time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left)


def in_background(background: Background, work: Work, *, on_failure: Fallback | None = None) -> Listener:
    """An ack function: acknowledge at once, then run ``work`` as a background task (see :func:`guarded`)."""
    run = guarded(work, on_failure=on_failure)

    async def acknowledge_then_work(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        await ack()
        background.start(run(body, client, respond, context))

    acknowledge_then_work.__name__ = work.__name__
    return acknowledge_then_work


def guarded(work: Work, *, on_failure: Fallback | None = None) -> Work:
    """``work``, logging its failure with the event id, then ``on_failure`` (an apology unless told otherwise).

    Whoever asked hears something rather than nothing; the fallback's own failure is logged, never raised.
    """

    async def lazy(
        body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        try:
            await work(body, client, respond, context)
        except Exception:
            log.exception(
                "listener %s failed (event %s)", work.__name__, body.get("event_id") or body.get("trigger_id")
            )
            try:
                await (on_failure or _apologise)(body, client, context)
            except Exception:
                log.exception("listener %s: its fallback failed too", work.__name__)

    lazy.__name__ = lazy.__qualname__ = work.__name__
    return lazy


async def _apologise(body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
    await apologise(body, client)


async def apologise(body: dict[str, Any], client: AsyncWebClient) -> None:
    """Tell the user, briefly and without error details, that something failed. Never raises."""
    apology = blocks.apology_message()
    try:
        if isinstance(body.get("response_url"), str):  # slash commands and buttons
            respond = respond_for(body["response_url"], client)
            await respond(response_type="ephemeral", replace_original=False, **apology)
            return
        event = body.get("event") or {}
        channel, user = event.get("channel"), event.get("user")
        asked = event.get("type") == "app_mention" or event.get("channel_type") == "im"
        if isinstance(channel, str) and isinstance(user, str) and asked:  # never apologise for unasked chatter
            thread_ts = event.get("thread_ts") or event.get("ts")
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, **apology)
    except Exception:
        log.exception("could not send the apology either")


async def first_time(services: Services, body: dict[str, Any]) -> bool:
    """Claim this event for this reply; False if it was handled already.

    Slack retries an event it thinks went unanswered, and with several
    instances a retry may reach another one: the claim on ``event_id`` is shared
    through the store. Listeners claim only once they have decided to act, so
    chatter they ignore costs no database write.
    """
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or await services.store.claim_async(f"event:{event_id}"):
        return True
    request_line(str((body.get("event") or {}).get("type")), "duplicate", time.monotonic())
    return False


def outcome_name(outcome: Match) -> Outcome:
    if isinstance(outcome, Answer):
        return "answered"
    if isinstance(outcome, NotCovered):
        return "not-covered"
    return "did-you-mean" if isinstance(outcome, DidYouMean) else "no-match"


def render(
    outcome: Match,
    question: str,
    faq: Faq,
    *,
    shareable: bool = False,
    asked: Asked | None = None,
    experts: bool = False,
) -> blocks.Message:
    """The reply to a question, whatever its outcome, in the question's language.

    With ``asked``, the buttons that can teach the FAQ a phrasing (feedback on an
    answer, a did-you-mean's suggestions) carry the question; with ``experts`` too,
    a reply that does not answer offers "Ask an expert".
    """
    language = language_of(question)
    if isinstance(outcome, Answer):
        message = blocks.answer_message(outcome.entry, faq, shareable=shareable, language=language)
        return carry_question(message, asked, FEEDBACK_IDS) if asked else message
    if isinstance(outcome, DidYouMean):
        message = blocks.did_you_mean_message(question, outcome.suggestions, language=language)
        message = carry_question(message, asked, (), prefix=blocks.SHOW_ENTRY) if asked else message
    elif isinstance(outcome, NotCovered):  # its suggestions are not the question: they teach no phrasing
        message = blocks.not_covered_message(question, outcome.suggestions, language=language)
    else:
        message = blocks.no_match_message(question, language=language)
    return with_ask_expert(message, asked, language=language) if asked and experts else message


def asked_by(user: object, question: str, thread_ts: object = "") -> Asked | None:
    """The question as ``user`` asked it, for the buttons of the reply; ``None`` without a valid user id.

    Broadcasts and mentions (``<!channel>``, ``<@U123>``) are dropped: the question travels on to
    experts and curators, and must never carry live markup there.
    """
    if not (isinstance(user, str) and USER_ID.fullmatch(user)):
        return None
    return Asked(slack_mentions(question).strip(), user, thread_ts if isinstance(thread_ts, str) else "")


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
) -> None:
    """Record the question (text only if unanswered; written behind) and log one line for the request."""
    entry = outcome.entry if isinstance(outcome, Answer) else None
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


def note_language(services: Services, user: object, question: str) -> None:
    """Keep the asker's language (written behind) for their App Home and buttons.

    Called before the reply is posted, so that whatever the user opens next already sees it.
    """
    if isinstance(user, str) and USER_ID.fullmatch(user):
        services.store.set_language(user, language_of(question))


def from_a_bot(event: dict[str, Any], bot_user_id: str | None) -> bool:
    """Messages from any bot (other apps' included) and from this bot itself."""
    return bool(event.get("bot_id") or event.get("bot_profile")) or (
        bot_user_id is not None and event.get("user") == bot_user_id
    )
