"""Descriptive names for the layers and products (faq/aliases.yaml): "the free download", "付费版", "抱脸", "fan-made".

Each question below shares no name with its entry: its nickname is what finds it.
The same nicknames in everyday chatter must not turn a message into a question about Qwen.
"""

from __future__ import annotations

import pytest

from bot.knowledge.analyzer import Analyzer
from bot.knowledge.matcher import Answer, Matcher, NotCovered


@pytest.mark.parametrize(
    ("nicknames", "term"),
    [
        (["free download"], "open weights"),
        (["付费版", "付费版本"], "hosted"),
        (["抱脸"], "huggingface"),
        (["fan-made", "fan made", "fanmade", "民间微调"], "community"),
        (["frankenmerge", "franken-merges"], "derivative"),
    ],
)
def test_nicknames_meet_on_the_canonical_form(shipped_matcher: Matcher, nicknames: list[str], term: str) -> None:
    """Each nickname is the canonical form's terms, and nothing else."""
    analyzer = Analyzer(shipped_matcher.faq.aliases)
    assert {name: analyzer.terms(name) for name in nicknames} == {name: term.split() for name in nicknames}


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("does the paid api lag behind the free download?", "hosted-version-lag"),
        ("can we ship the free download commercially?", "commercial-use"),
        ("who is behind the fan-made versions?", "community-fine-tunes"),
        ("can we trust frankenmerges built on qwen?", "community-fine-tunes"),
        ("付费版有 SLA 吗？", "model-studio-sla"),
        ("千问付费版本的价格是多少？", "model-studio-pricing"),
        ("付费版比开源权重晚多久？", "hosted-version-lag"),
        ("民间微调的模型谁负责？", "community-fine-tunes"),
        ("抱脸上的千问账号归谁管？", "hugging-face-org"),
        ("抱脸上的千问权重是官方的吗？", "download-weights"),
    ],
)
def test_a_question_naming_a_layer_by_description_is_answered(
    shipped_matcher: Matcher, question: str, entry_id: str
) -> None:
    outcome = shipped_matcher.match(question)
    assert isinstance(outcome, Answer)
    assert outcome.entry.id == entry_id


@pytest.mark.parametrize(
    "chatter",
    [
        "the free download of the game is live",
        "is the free download legit or malware?",
        "is there a free download of the slides?",
        "fan-made versions of the song are better",
        "who made the fan-made poster?",
        "fan made art channel is #random",
        "the frankenmerge of our two configs is a mess",
        "付费版的 notion 值得买吗？",
        "付费版本的 jira 有什么区别？",
        "付费版本值不值？",
        "抱脸是什么表情？",
        "抱脸表情包发我一个",
        "民间微调的吉他音色怎么样？",
        "is the model hub down?",
        "our parent company's holiday policy is out",
        "the cloud arm of our business is growing",
        "the research arm of our team meets on friday",
    ],
)
def test_the_same_nicknames_in_chatter_get_no_answer(shipped_matcher: Matcher, chatter: str) -> None:
    """A nickname alone, in a message about something else, is neither answered nor read as about Alibaba."""
    assert not isinstance(shipped_matcher.match(chatter), (Answer, NotCovered))
