"""What a message says it wants to avoid: "if we don't want to run our own GPUs, what's the managed option?"

The words after "don't want to", "rather not", "instead of" or 不想 name what
the asker is steering away from, not what they ask about: a question that
avoids running its own GPUs asks for the hosted service, not for self-hosting.
Such a span runs to the end of its clause (a comma, a full stop, a question
mark, a dash, " - " typed as one, or 的话 in Chinese). The patterns are linear and read only the
bounded, normalised message.
"""

from __future__ import annotations

import re

_CLAUSE = r"((?:(?! - )[^,.;:?!—–()])+)"  # to the end of the clause; " - " typed as a dash ends it too
_AVOIDED = re.compile(
    rf"\b(?:do ?n['’]?t|do not) (?:want|wish|plan|intend|like) to {_CLAUSE}"
    rf"|\brather not {_CLAUSE}"
    rf"|\b(?:instead of|rather than) {_CLAUSE}"
    "|(?:不想|不愿意?|不打算|而不是)([^，。；：？！,.;:?!]+?)(?:的话|[，。；：？！,.;:?!]|$)"
)


# a cheap first look at the raw message, so that most messages are never normalised for this
_CUE = re.compile(
    r"n['’]?t (?:want|wish|plan|intend|like)|not (?:want|wish|plan|intend|like)|rather not|instead of"
    "|rather than|不想|不愿|不打算|而不是",
    re.IGNORECASE,
)


# one of these is in every English cue: ASCII text (most messages) without any needs no scan with the cues
_CUE_WORDS = ("want", "wish", "plan", "intend", "like", "rather", "instead")


def may_avoid(text: str) -> bool:
    """Could ``text`` (raw) say what it wants to avoid? False means :func:`avoided_spans` finds nothing."""
    if text.isascii():
        lowered = text.lower()
        if not any(map(lowered.__contains__, _CUE_WORDS)):
            return False
    return _CUE.search(text) is not None


def avoided_spans(normalized: str) -> list[str]:
    """The spans of a normalised message that name what the asker wants to avoid."""
    return [next(group for group in match.groups() if group) for match in _AVOIDED.finditer(normalized)]


def without_avoided(normalized: str) -> str:
    """The message with those spans cut out."""
    return _AVOIDED.sub(" ", normalized)
