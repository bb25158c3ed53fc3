"""Does a message read as a question, or as thanks?

:func:`looks_like_question` is used where the bot speaks unasked (watched
channels); :func:`looks_like_thanks` keeps "thanks for the licence info!" from
being answered with the licence entry, whatever topic words it carries.
"""

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
_THANKS = re.compile(
    r"\b(?:thanks|thank|thx|tnx|ty|tysm|cheers|appreciated?|kudos|(?:that|this|it) (?:helped|helps|works)|got it"
    r"|makes sense|perfect|brilliant|great answer|good to know|noted)\b"
    "|谢谢|多谢|感谢|谢了|明白了|懂了|收到|了解了|知道了|好的|辛苦"
)
_LEADING_LINK = re.compile(r"^\s*(?:but|and|so|also|btw|ok|okay|one more)\b")
_SENTENCE = re.compile(r"[^.!?,;:。！？，；：\n]+[.!?。！？]*")


def looks_like_question(text: str) -> bool:
    """True for "who builds qwen?", "is there an sla" or "千问能商用吗"; false for "thanks all"."""
    cleaned = normalize(text)
    if "?" in cleaned:
        return True
    first = _FIRST_WORD.search(cleaned.replace("'", ""))
    if first is not None and first.group(0) in _OPENERS:
        return True
    return bool(_CHINESE_ASKING.search(cleaned))


def thanks_words(normalized: str) -> bool:
    """Does text already through :func:`~bot.knowledge.normalize.normalize` hold a word of thanks?

    The first test :func:`looks_like_thanks` makes: text of at most 1,000
    characters without one is not thanks, and this saves normalising it again.
    """
    return _THANKS.search(normalized) is not None


def looks_like_thanks(text: str) -> bool:
    """True for thanks or an acknowledgement that asks nothing: "cheers, that pricing answer helped", "谢谢，明白了".

    A message that thanks and then asks ("thanks! and is there an SLA?") is a question.
    """
    cleaned = normalize(text)
    if not thanks_words(cleaned):
        return False
    pieces = _SENTENCE.findall(cleaned.replace("'", ""))
    return not any(looks_like_question(_LEADING_LINK.sub("", piece)) for piece in pieces)
