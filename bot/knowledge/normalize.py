"""Turn a raw Slack message into plain, comparable text.

Normalisation is a list of small ``str -> str`` steps applied in order. Each
step does one thing and is tested on its own. The order matters: Slack's
angle-bracket markup is removed *before* HTML entities are decoded, because a
literal ``<`` typed by a user reaches us as ``&lt;`` and must not be mistaken
for markup; quote markers arrive as ``&gt;`` and are removed after decoding.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

Step = Callable[[str], str]

# <https://example.com|label>, <mailto:a@b.c|label>, <#C123|general>, <!date^...|fallback>
_LABELLED = re.compile(r"<(?:https?://|mailto:|#|!date\^)[^<>|]*\|([^<>]*)>")
# <https://example.com> with no label: keep the words of the address.
_BARE_LINK = re.compile(r"<(https?://[^<>|]*)>")
# <@U123>, <@U123|name>, <#C123>, <!here>, <!channel>, <!subteam^S1|@team>, ...
_OTHER_MARKUP = re.compile(r"<[@#!][^<>]*>")
_EMOJI = re.compile(r":[a-z0-9_+'-]+:", re.IGNORECASE)
_QUOTE_MARKER = re.compile(r"^[^\S\n]*>+[^\S\n]?", re.MULTILINE)  # not \s: it would scan every later line
_FORMATTING = re.compile(r"[*_~`]+")
_URL_NOISE = re.compile(r"https?://|www\.")
# what any step before case folding acts on: text without it only needs folding and white space
_MARKUP_OR_NOISE = re.compile(r"[<>&:*_~`]|https?://|www\.")
# the words of normalised text without Chinese: each run of letters and digits (what the analyzer and the
# n-grams cut such text into, in one scan)
WORD_RUN = re.compile(r"[^\W_]+")


def slack_links(text: str) -> str:
    """Replace labelled links and channel links by their label, bare links by their address."""
    text = _LABELLED.sub(r" \1 ", text)
    return _BARE_LINK.sub(r" \1 ", text)


def slack_mentions(text: str) -> str:
    """Drop user mentions, unlabelled channel links and broadcasts such as ``<!here>``."""
    return _OTHER_MARKUP.sub(" ", text)


def html_entities(text: str) -> str:
    """Decode ``&amp;``, ``&lt;`` and ``&gt;`` (Slack escapes these three) and friends."""
    return html.unescape(text)


def quote_markers(text: str) -> str:
    """Remove the ``>`` that starts a quoted line."""
    return _QUOTE_MARKER.sub(" ", text)


def emoji_codes(text: str) -> str:
    """Remove ``:emoji:`` codes, skin tones included."""
    return _EMOJI.sub(" ", text)


def formatting_marks(text: str) -> str:
    """Remove bold, italic, strike and code marks but keep the words they wrap."""
    return _FORMATTING.sub(" ", text)


def url_noise(text: str) -> str:
    """Drop ``https://`` and ``www.`` so an address contributes only its words."""
    return _URL_NOISE.sub(" ", text)


def unicode_form(text: str) -> str:
    """Fold full-width characters and compatibility forms (NFKC), then case (casefold)."""
    return unicodedata.normalize("NFKC", text).casefold()


def whitespace(text: str) -> str:
    """Collapse runs of white space into one space and trim the ends.

    ``str.split`` and ``\\s`` know the same white space; splitting and joining costs a fraction of a substitution.
    """
    return " ".join(text.split())


STEPS: tuple[Step, ...] = (
    slack_links,
    slack_mentions,
    html_entities,
    quote_markers,
    emoji_codes,
    formatting_marks,
    url_noise,
    unicode_form,
    whitespace,
)
_PLAIN_STEPS: tuple[Step, ...] = (unicode_form, whitespace)


def normalize(text: str, *, max_chars: int = 1000) -> str:
    """Apply every step in :data:`STEPS` to at most ``max_chars`` characters of ``text``.

    The last few results are remembered: the matcher's checks (thanks, statement, terms, the detail asked)
    each read the message normalised, and so get the one normalised form.
    """
    return _normalized(text, max_chars)


@lru_cache(maxsize=32)
def _normalized(text: str, max_chars: int) -> str:
    text = text[: max_chars * 4]  # markup shrinks; bound the work before it does
    # most text (an FAQ's phrasings, plain questions) holds nothing the first steps act on: skip them
    steps = STEPS if _MARKUP_OR_NOISE.search(text) else _PLAIN_STEPS
    for step in steps:
        text = step(text)
    return text[:max_chars]
