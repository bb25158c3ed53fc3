"""``/qwen``: ask, or browse with help, layers, list and onboard; report and reload for admins.

Everything but ``report`` and ``reload`` is computed in memory in well under a
millisecond, so it goes back in the acknowledgement itself: nothing slow sits
on the ack path. ``report`` reads the database, so it acknowledges first and
answers through the response URL.
"""

from __future__ import annotations

import time
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.knowledge.matcher import NoMatch
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners.common import remember, render

EPHEMERAL: dict[str, Any] = {"response_type": "ephemeral"}


def register(app: App, services: Services) -> None:
    @app.command("/qwen")
    def on_qwen(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        started = time.monotonic()
        text = (command.get("text") or "").strip()
        word, _, rest = text.partition(" ")
        sub = word.lower()
        user_id = command.get("user_id")
        faq = services.knowledge.faq
        if not text or (sub in {"help", "?"} and not rest):
            ack(**EPHEMERAL, **blocks.help_message(admin=services.is_admin(user_id)))
        elif sub == "layers" and not rest:
            ack(**EPHEMERAL, **blocks.layers_message(faq))
        elif sub == "list" and rest.strip().lower() not in faq.layers and rest.strip():
            ack(**EPHEMERAL, **blocks.unknown_layer_message(rest.strip(), faq))
        elif sub == "list":
            ack(**EPHEMERAL, **blocks.list_message(faq, rest.strip().lower() or None))
        elif sub == "onboard" and not rest:
            ack(**EPHEMERAL, **blocks.onboarding_message(faq))
        elif sub in {"report", "reload"} and not rest:
            admin_command(services, sub, user_id, ack, respond)
        else:
            question(services, text, ack, started)
            return
        request_line("/qwen", sub or "help", started)


def question(services: Services, text: str, ack: Ack, started: float) -> None:
    """A question: the answer, ephemeral, with a button to share it in the channel."""
    matcher = services.knowledge.matcher
    outcome = matcher.match(text)
    if isinstance(outcome, NoMatch) and " " not in text:
        note = f"I don't know the command `{blocks.escape(blocks.clip(text, 40))}`, nor a question like it."
        ack(**EPHEMERAL, **blocks.help_message(note=note, admin=False))
    else:
        ack(**EPHEMERAL, **render(outcome, text, matcher.faq, shareable=True))
    remember(services, outcome, text, channel_type="command", kind="/qwen", started=started)


def admin_command(services: Services, sub: str, user_id: str | None, ack: Ack, respond: Respond) -> None:
    """``report`` and ``reload`` are for the users in SLACK_ADMIN_USER_IDS."""
    if not services.is_admin(user_id):
        ack(**EPHEMERAL, **blocks.notice(f"Sorry, `/qwen {sub}` is for the bot's curators."))
        return
    ack()
    if sub == "reload":
        result = services.knowledge.reload()
        respond(**EPHEMERAL, **blocks.reload_message(result))
    else:
        from bot.report import build_report

        report = build_report(services.store, services.knowledge.matcher, since_days=30)
        respond(**EPHEMERAL, **blocks.report_message(report))
