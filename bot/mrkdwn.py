"""Slack's mrkdwn text format: escaping, clipping, and stripping it for plain text."""

from __future__ import annotations

import html
import re

_MARKS = re.compile(r"(?<!\w)[*_~]([^*_~\n]+)[*_~](?!\w)")


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup in text fields."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def echo(text: str, limit: int) -> str:
    """User text, safe to show back: Slack sends it already escaped, so decode once, clip, escape once.

    Markup Slack added (``<@U123>``, ``<!channel>``) comes out as literal text, never as a live mention.
    """
    return escape(clip(html.unescape(text).strip(), limit))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(mrkdwn: str) -> str:
    """mrkdwn without bold, italic and strike marks, for notification text and terminals."""
    return _MARKS.sub(r"\1", mrkdwn)
