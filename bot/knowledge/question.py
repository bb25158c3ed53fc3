"""Does a message read as a question? Used where the bot speaks unasked (watched channels)."""

from __future__ import annotations

import re

from bot.knowledge.normalize import normalize

_OPENERS = frozenset(
    """
    who whos whose what whats which when where wheres why how hows is isnt are arent was
    does doesnt do dont did can cant could should would will wont any anyone anybody has have
    """.split()
)
_CHINESE_ASKING = re.compile("[吗呢谁哪]|什么|怎么|怎样|如何|为什么|多少|是否|能否|可否|有没有|是不是")
_FIRST_WORD = re.compile(r"[^\W\d_]+")


def looks_like_question(text: str) -> bool:
    """True for "who builds qwen?", "is there an sla" or "千问能商用吗"; false for "thanks all"."""
    cleaned = normalize(text)
    if "?" in cleaned:
        return True
    first = _FIRST_WORD.search(cleaned.replace("'", ""))
    if first is not None and first.group(0) in _OPENERS:
        return True
    return bool(_CHINESE_ASKING.search(cleaned))
