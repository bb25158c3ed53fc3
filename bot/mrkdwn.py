"""Slack's mrkdwn text format: escaping, clipping, mentions, and stripping it for plain text.

Every regular expression here may meet a 40,000-character message, so each is
linear: a character class that may repeat never holds the character that opens
the next match (``<``, a mark), so no position is scanned from two starts.
"""

from __future__ import annotations

import html
import re
import unicodedata

_MARKS = re.compile(r"(?<!\w)[*_~]([^*_~\n]+)[*_~](?!\w)")
# <@U123> or <@U123|name>; [^<>] stops at the next tag, so `<@U1|` repeated is scanned once
_RAW_PER_SHOWN = 8  # Slack's longest escape, &amp;, is 5 characters: enough raw text for `limit` shown ones
_MENTION = re.compile(r"<@([UWB][A-Z0-9]+)(?:\|[^<>]*)?>")
_GROUP_MENTION = re.compile(r"<!(?:here|channel|everyone|subteam\^)")


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup in text fields."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def echo(text: str, limit: int) -> str:
    """User text as Slack sent it (already escaped), safe to show back: decoded once, then :func:`show`.

    Markup Slack added (``<@U123>``, ``<!channel>``) comes out as literal text, never as a live mention.
    """
    return show(html.unescape(text[: limit * _RAW_PER_SHOWN]), limit)


def show(text: str, limit: int) -> str:
    """Plain user text, safe to show: without format characters, clipped, escaped once."""
    return escape(clip(without_format_characters(text).strip(), limit))


def without_format_characters(text: str) -> str:
    """``text`` without Unicode format characters (category Cf): bidi overrides and isolates, zero-width
    spaces and joiners, soft hyphens. Echoed, they could reorder or hide what the bot appears to say. Lone
    surrogates (Cs, which JSON's ``\\ud800`` can carry) go too: they are no text, and no API can encode them."""
    return "".join(char for char in text if unicodedata.category(char) not in _NOT_SHOWN)


_NOT_SHOWN = frozenset({"Cf", "Cs"})


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plain(mrkdwn: str) -> str:
    """mrkdwn without bold, italic and strike marks, for notification text and terminals."""
    return _MARKS.sub(r"\1", mrkdwn)


def without_mentions(text: str) -> str:
    """The message text without user mentions (the bot's own, typically)."""
    return _MENTION.sub(" ", text).strip()


def mentions(text: str, user_id: str) -> bool:
    """Does ``text`` mention ``user_id`` (``<@U123>`` or ``<@U123|name>``)?"""
    return any(match.group(1) == user_id for match in _MENTION.finditer(text))


def addresses_someone_else(text: str, user_id: str | None) -> bool:
    """Does ``text`` mention a person other than ``user_id``, a user group, or ``@here``/``@channel``?"""
    others = any(match.group(1) != user_id for match in _MENTION.finditer(text))
    return others or _GROUP_MENTION.search(text) is not None
