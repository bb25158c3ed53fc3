"""Type-ahead search: the options of the App Home's and the ``/qwen`` modal's search menu, as the user types.

Slack sends a ``block_suggestion`` request for each pause in typing and shows
nothing unless the options come back within 3 seconds, in the acknowledgement
itself. Ranking a few typed characters takes well under a millisecond, so the
answer is computed inline; a pick arrives as an ordinary menu action
(:mod:`bot.slack.listeners.actions`).
"""

from __future__ import annotations

import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.knowledge.language import language_of
from bot.knowledge.search import search
from bot.logs import request_line
from bot.services import Services
from bot.slack import blocks
from bot.slack.listeners.common import Background


def register(app: AsyncApp, services: Services, _background: Background) -> None:
    async def on_search_options(ack: AsyncAck, body: dict[str, Any]) -> None:
        """The questions matching what is typed so far, in the language typed (at most 100)."""
        started = time.monotonic()
        value = body.get("value")
        typed = value if isinstance(value, str) else ""
        found = search(services.knowledge.matcher, typed)
        await ack(options=blocks.search_options(found, language=language_of(typed)))
        request_line("block_suggestion", "options", started, count=len(found))

    app.options(blocks.SEARCH)(on_search_options)
