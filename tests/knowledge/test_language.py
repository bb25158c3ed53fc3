"""Choosing the reply language by the question's dominant script."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.knowledge.faq import Entry, Layer, Source
from bot.knowledge.language import answer_in, language_of, layer_name, layer_role, question_in


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("千问的开源协议是什么？", "zh"),
        ("What licence is Qwen under?", "en"),
        ("Qwen 模型用的是 Apache 2.0 许可证吗？", "zh"),  # two names in a Chinese sentence
        ("Qwen 的 SLA 是什么", "zh"),
        ("What is the 通义 team?", "en"),  # a Chinese name in an English sentence
        ("千问 licence", "zh"),  # two characters against one word
        ("千 licence", "en"),  # a tie goes to English
        ("2.0?", "en"),  # neither script
        ("", "en"),
        ("Qwen est-il sous licence Apache ? Ça dépend", "en"),  # other Latin-script languages stay English
    ],
)
def test_dominant_script_decides(question: str, expected: str) -> None:
    """Han characters against Latin words; ties and script-less text are English."""
    assert language_of(question) == expected


@given(st.text(alphabet="abcdefghij ", max_size=40))
def test_latin_only_text_is_english(text: str) -> None:
    """No Han character, no Chinese reply."""
    assert language_of(text) == "en"


@given(st.text(alphabet="千问模型开源", min_size=1, max_size=40))
def test_han_only_text_is_chinese(text: str) -> None:
    """Any Han character with no Latin word is Chinese."""
    assert language_of(text) == "zh"


def test_chinese_text_with_english_fallback() -> None:
    """Chinese fields are used for zh; missing ones fall back to English; en is always English."""
    source = (Source("d", "s"),)
    entry = Entry("a", "Q?", (), "A.", ("l",), source, ("t",), question_zh="问？", answer_zh="答。")
    bare = Entry("b", "Q2?", (), "A2.", ("l",), source, ("t",))
    layer = Layer("l", "Name", "Role", "vis", "sum", name_zh="名", role_zh="")
    assert (question_in(entry, "zh"), answer_in(entry, "zh")) == ("问？", "答。")
    assert (question_in(entry, "en"), answer_in(entry, "en")) == ("Q?", "A.")
    assert (question_in(bare, "zh"), answer_in(bare, "zh")) == ("Q2?", "A2.")
    assert (layer_name(layer, "zh"), layer_role(layer, "zh"), layer_name(layer, "en")) == ("名", "Role", "Name")
