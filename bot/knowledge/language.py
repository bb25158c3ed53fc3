"""Which language to answer in, and an entry's or layer's text in that language.

A question is answered in Chinese when it is written mainly in Chinese: when its
Han characters outnumber its Latin words. Words, not letters, are what a Han
character is weighed against, because one character carries about as much as
one English word: counted by letters, "Qwen 模型用的是 Apache 2.0 许可证吗？"
(nine characters, ten letters in two names) would come out English. A tie goes
to English, and so does a question with neither script (digits, emoji).

Where an entry has no Chinese text yet, the English text stands in for it.
"""

from __future__ import annotations

import re
from typing import Literal

from bot.knowledge.faq import Entry, Layer

Language = Literal["en", "zh"]

# CJK Unified Ideographs, extension A, compatibility ideographs, extensions B to F
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
# a run of Latin letters (basic, Latin-1 and Latin Extended-A/B): one word
_LATIN_WORD = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]+")


def language_of(text: str) -> Language:
    """``"zh"`` when Han characters outnumber Latin words in ``text``, else ``"en"``."""
    return "zh" if len(_HAN.findall(text)) > len(_LATIN_WORD.findall(text)) else "en"


def question_in(entry: Entry, language: Language) -> str:
    """The entry's question in ``language``."""
    return entry.question_zh if language == "zh" and entry.question_zh else entry.question


def answer_in(entry: Entry, language: Language) -> str:
    """The entry's answer (Slack mrkdwn) in ``language``."""
    return entry.answer_zh if language == "zh" and entry.answer_zh else entry.answer


def layer_name(layer: Layer, language: Language) -> str:
    """The layer's name in ``language``."""
    return layer.name_zh if language == "zh" and layer.name_zh else layer.name


def layer_role(layer: Layer, language: Language) -> str:
    """The layer's role in ``language``."""
    return layer.role_zh if language == "zh" and layer.role_zh else layer.role


def layer_summary(layer: Layer, language: Language) -> str:
    """The layer's summary in ``language``."""
    return layer.summary_zh if language == "zh" and layer.summary_zh else layer.summary
