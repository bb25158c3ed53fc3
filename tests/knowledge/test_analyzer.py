"""Turning text into terms: aliases, stopwords, stems and Chinese words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge.analyzer import Analyzer, stem

ALIASES = {
    "license": ["licence", "licensing", "许可证"],
    "huggingface": ["hf", "hugging face"],
    "qwen": ["千问"],
    "tongyi qianwen": ["通义千问"],
    "commercial": ["商用"],
}


def test_aliases_meet_on_one_canonical_form() -> None:
    """British and American spellings, abbreviations and Chinese terms give the same term."""
    analyzer = Analyzer(ALIASES)
    assert analyzer.terms("HF licence?") == analyzer.terms("Hugging Face license") == ["huggingface", "license"]
    assert analyzer.terms("千问许可证") == ["qwen", "license"]


def test_stopwords_and_chat_filler_are_dropped() -> None:
    """Greetings, politeness and function words carry no meaning for matching."""
    assert Analyzer().terms("hey all, quick q: thanks so much!! what is the SLA?") == ["sla"]


def test_wh_words_are_kept() -> None:
    """'who' and 'how' tell different questions apart, so they stay."""
    assert Analyzer().terms("Who builds it and how?") == ["who", "build", "how"]


def test_chinese_without_spaces_is_split_into_words() -> None:
    """Chinese is split into aliases and words by the likeliest split; particles go."""
    assert Analyzer(ALIASES).terms("千问的模型架构吗") == ["qwen", "模型", "架构"]
    assert Analyzer({"hardware": ("机器",)}).terms("客服机器人") == [
        "客服",
        "机器人",
    ]  # a word, not an alias and a stray 人


def test_lone_characters_together_are_a_name() -> None:
    """A name the word list lacks survives whole; one lone character is dropped."""
    assert Analyzer().terms("文心一言是谁开发的") == ["文心一言", "who", "开发"]


def test_mixed_chinese_and_english() -> None:
    """Latin words glued to Chinese characters are separated."""
    assert Analyzer(ALIASES).terms("Qwen的license能商用吗") == ["qwen", "license", "commercial"]


def test_version_numbers_do_not_become_terms() -> None:
    """'Qwen2.5-7B' keeps its name; the lone digits of a version are dropped."""
    assert Analyzer(ALIASES).terms("Qwen2.5-7B") == ["qwen", "qwen2", "7b"]  # the version stays glued to its name


def test_spell_hook_runs_before_aliases() -> None:
    """A corrected word can complete an alias phrase."""
    analyzer = Analyzer(ALIASES)
    assert analyzer.terms("huging face", spell=lambda text: text.replace("huging", "hugging")) == ["huggingface"]


_LATIN_TEXT = st.lists(
    st.sampled_from(["hugging", "face", "hf", "the", "licence", "licensing", "models", "open", "qwen", "a"])
    | st.text(alphabet="abcdefghijklmnopqrstuvwxyz _.,?!'", max_size=8),
    max_size=10,
).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(_LATIN_TEXT)
def test_letters_only_text_is_read_as_text_with_numbers_is(text: str) -> None:
    """English without digits, hyphens or Chinese (read the short way) gives what the long way gives: a lone
    number sends the text the long way, and is no term."""
    analyzer = Analyzer(ALIASES)
    assert analyzer.normalized_pairs(text) == analyzer.normalized_pairs(f"{text} 7")


def test_stem_leaves_non_english_alone() -> None:
    """Only ASCII words are stemmed."""
    assert (stem("funding"), stem("模型"), stem("600")) == ("fund", "模型", "600")


_CHINESE_WORDS = "通义千问 阿里云 模型 许可证 开源 权重 商用 谁 在 做 的 是 吗 机器人 组织架构 文心一言 部".split()


class _AnyEnding(dict[str, int]):
    """Every character may end a word of any length up to ``longest``: the split tries every piece."""

    def __init__(self, longest: int) -> None:
        super().__init__()
        self.longest = longest

    def get(self, key: str, default: object = None) -> int:  # type: ignore[override]
        return self.longest


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_CHINESE_WORDS) | st.sampled_from("".join(_CHINESE_WORDS)), max_size=12).map("".join))
def test_chinese_split_only_skips_pieces_that_cannot_be_words(text: str) -> None:
    """Trying only pieces as long as the longest word ending in their last character splits as trying all."""
    aliases = {"tongyi qianwen": ["通义千问"], "alibaba cloud": ["阿里云"], "licence": ["许可证"]}
    bounded, exhaustive = Analyzer(aliases), Analyzer(aliases)
    exhaustive._longest_ending = _AnyEnding(max(exhaustive._longest_chinese, 4))
    assert bounded.terms(text) == exhaustive.terms(text)
