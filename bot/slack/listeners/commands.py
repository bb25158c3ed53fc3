"""``/qwen``: ask, or browse with help, layers, list and onboard; report and reload for admins.

Everything but ``report`` and ``reload`` is computed in memory in well under a
millisecond, so the answer goes back in the acknowledgement itself, and the
question is recorded by the store's writer thread: nothing slow sits on the ack
path. ``report`` and ``reload`` acknowledge first and answer through the
response URL, lazily.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.knowledge.language import language_of
from bot.knowledge.matcher import Matcher, NoMatch
from bot.logs import request_line
from bot.mrkdwn import echo
from bot.report import build_report
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners.common import guarded, remember, render

EPHEMERAL: dict[str, Any] = {"response_type": "ephemeral"}
ADMIN_COMMANDS = frozenset({"report", "reload"})


def register(app: App, services: Services, executor: Executor) -> None:
    def is_admin_command(body: dict[str, Any]) -> bool:
        return (body.get("text") or "").strip().lower() in ADMIN_COMMANDS

    def run_admin_command(body: dict[str, Any], _client: WebClient, respond: Respond, _context: BoltContext) -> None:
        started = time.monotonic()
        sub = (body.get("text") or "").strip().lower()
        if sub == "reload":
            respond(**EPHEMERAL, **blocks.reload_message(services.knowledge.reload()))
        else:
            matcher, days = services.knowledge.matcher, services.settings.review_days
            report = build_report(services.store, matcher, since_days=30, review_days=days)
            respond(**EPHEMERAL, **blocks.report_message(report))
        request_line("/qwen", sub, started)

    def on_qwen(ack: Ack, body: dict[str, Any]) -> None:
        started = time.monotonic()
        text = (body.get("text") or "").strip()
        word, _, rest = text.partition(" ")
        sub, rest = word.lower(), rest.strip()
        matcher = services.knowledge.matcher  # one version of the FAQ for the whole command
        faq = matcher.faq
        if not text or (sub in {"help", "?"} and not rest):
            ack(**EPHEMERAL, **blocks.help_message(admin=services.is_admin(body.get("user_id"))))
        elif sub == "layers" and not rest:
            ack(**EPHEMERAL, **blocks.layers_message(faq))
        elif sub == "list" and rest and rest.lower() not in faq.layers:
            ack(**EPHEMERAL, **blocks.unknown_layer_message(rest, faq))
        elif sub == "list":
            ack(**EPHEMERAL, **blocks.list_message(faq, rest.lower() or None))
        elif sub == "onboard" and not rest:
            ack(**EPHEMERAL, **blocks.onboarding_message(faq))
        else:
            question(services, matcher, text, ack, started, user=body.get("user_id"))
            return
        request_line("/qwen", sub or "help", started)

    run_admin = guarded(run_admin_command)

    def on_admin_command(
        ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, context: BoltContext
    ) -> None:
        if not services.is_admin(body.get("user_id")):
            sub = (body.get("text") or "").strip().lower()
            ack(**EPHEMERAL, **blocks.notice(f"Sorry, `/qwen {sub}` is for the bot's curators."))
            return
        ack()
        executor.submit(run_admin, body, client, respond, context)

    app.command("/qwen", matchers=[is_admin_command])(on_admin_command)
    app.command("/qwen")(on_qwen)


def question(services: Services, matcher: Matcher, text: str, ack: Ack, started: float, *, user: object) -> None:
    """A question: the answer, ephemeral, with a button to share it in the channel."""
    outcome = matcher.match(text)
    if isinstance(outcome, NoMatch) and " " not in text and language_of(text) == "en":  # Chinese has no spaces
        note = f"I don't know the command `{echo(text, 40)}`, nor a question like it."
        ack(**EPHEMERAL, **blocks.help_message(note=note))
    else:
        ack(**EPHEMERAL, **render(outcome, text, matcher.faq, shareable=True))
    remember(services, outcome, text, channel_type="command", kind="/qwen", started=started, user=user)
