"""Workflow Builder custom steps, declared under ``functions`` in manifest.json.

* "Send the Qwen sourcing primer" (``send_qwen_primer``): DMs a user the welcome
  message, for onboarding workflows.
* "Look up a Qwen answer" (``look_up_qwen_answer``): answers a question and hands
  later steps its answer text, primary layer name, source and whether it was answered.

Slack runs a step by sending a ``function_executed`` event; the step then ends
with ``functions.completeSuccess`` and its outputs, or ``functions.completeError``
and one sentence that Workflow Builder shows its owner. Bolt calls the Web API
here with the step's own token (``bot_access_token``). A step Slack delivers
twice runs once (the event id is claimed, as for every event).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import USER_ID
from bot.knowledge.faq import Entry, Faq
from bot.knowledge.language import Language, answer_in, language_of, layer_name
from bot.knowledge.matcher import Answer
from bot.logs import request_line
from bot.mrkdwn import plain
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners.common import Background, first_time, in_background, remember

log = logging.getLogger(__name__)

SEND_PRIMER = "send_qwen_primer"
LOOK_UP = "look_up_qwen_answer"
NO_USER = "The step needs a user: set its User input to a person in this workspace."
NO_QUESTION = "The step needs a question: fill in its Question input."
NOT_ANSWERED = "The Qwen sourcing FAQ has no confident answer to that question."
FAILED = "The Qwen sourcing bot failed while running this step; try again in a moment."


def register(app: AsyncApp, services: Services, background: Background) -> None:
    async def send_primer(
        body: dict[str, Any], client: AsyncWebClient, _respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """DM the welcome (the layer map and starter questions) to the step's user."""
        started = time.monotonic()
        user = _inputs(body).get("user_id")
        if not isinstance(user, str) or not USER_ID.fullmatch(user):
            await context.fail(error=NO_USER)
            return
        if not await first_time(services, body):
            return
        try:
            await client.chat_postMessage(channel=user, **blocks.onboarding_message(services.knowledge.faq))
        except SlackApiError as error:
            await context.fail(error=f"Slack refused the direct message ({error.response.get('error')}).")
            return
        await context.complete(outputs={})
        request_line("function_executed", "primer-sent", started)

    async def look_up(
        body: dict[str, Any], _client: AsyncWebClient, _respond: AsyncRespond, context: AsyncBoltContext
    ) -> None:
        """Answer the step's question; the outputs are empty strings and ``answered`` false when there is none."""
        started = time.monotonic()
        question = _inputs(body).get("question")
        if not isinstance(question, str) or not question.strip():
            await context.fail(error=NO_QUESTION)
            return
        if not await first_time(services, body):
            return
        matcher = services.knowledge.matcher
        outcome = services.match(matcher, question)
        entry = outcome.entry if isinstance(outcome, Answer) else None
        await context.complete(outputs=outputs(entry, matcher.faq, language_of(question)))
        remember(services, outcome, question, channel_type="workflow", kind="function_executed", started=started)

    app.function(SEND_PRIMER)(in_background(background, send_primer, on_failure=fail_step))
    app.function(LOOK_UP)(in_background(background, look_up, on_failure=fail_step))


def outputs(entry: Entry | None, faq: Faq, language: Language) -> dict[str, Any]:
    """The look-up step's outputs: answer text, primary layer name, source, and whether it was answered."""
    if entry is None:
        return {"answer": NOT_ANSWERED, "layer": "", "source": "", "answered": False}
    sources = "; ".join(
        f"{faq.documents[s.document].title if s.document in faq.documents else s.document}, {s.section}"
        for s in entry.sources
    )
    return {
        "answer": plain(answer_in(entry, language)),
        "layer": layer_name(faq.layers[entry.layer], language),
        "source": sources,
        "answered": True,
    }


async def fail_step(body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext) -> None:
    """End a failed workflow step with one sentence instead of leaving it hanging."""
    await context.fail(error=FAILED)


def _inputs(body: dict[str, Any]) -> dict[str, Any]:
    inputs = (body.get("event") or {}).get("inputs")
    return inputs if isinstance(inputs, dict) else {}
