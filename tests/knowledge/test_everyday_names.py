"""Everyday names for the FAQ's concepts and layers (faq/aliases.yaml) meet the entries that use the plain word.

Idioms ("writes the checks", "beefiest", 白送) and descriptive names for the
layers' products ("the free download", 付费版, 抱脸, "fan-made"): each question
below shares no plain word with its entry's phrasings, so the alias is what
finds it. The same words in everyday chatter must neither get an answer nor
turn the message into a question about Qwen.
"""

from __future__ import annotations

import pytest

from bot.knowledge.analyzer import Analyzer
from bot.knowledge.matcher import Answer, Matcher, NotCovered


@pytest.mark.parametrize(
    ("names", "canonical"),
    [
        (["handing out", "give away", "gratis", "at no cost", "白送", "免费"], "free"),
        (["beefiest", "heaviest", "顶配"], "largest"),
        (["tiniest", "littlest"], "smallest"),
        (["uptake", "catching on", "火不火", "受欢迎"], "popular"),
        (["writes the checks", "financial backers", "出资", "掏钱"], "fund"),
        (["free download"], "open weights"),
        (["付费版", "付费版本"], "hosted"),
        (["抱脸"], "huggingface"),
        (["fan-made", "fan made", "fanmade", "民间微调"], "community"),
        (["frankenmerge", "franken-merges"], "derivative"),
    ],
)
def test_names_meet_on_the_canonical_form(shipped_matcher: Matcher, names: list[str], canonical: str) -> None:
    """Each name, multi-word or Chinese, reads as the canonical form's terms and nothing else."""
    analyzer = Analyzer(shipped_matcher.faq.aliases)
    assert {name: analyzer.terms(name) for name in names} == {name: canonical.split() for name in names}


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("what's the beefiest qwen you can get", "largest-model"),
        ("what's the tiniest qwen they make", "parameter-range"),
        ("is qwen gratis", "open-models"),
        ("how much uptake does qwen have among developers?", "adoption"),
        ("qwen 在国内受欢迎吗？", "adoption"),
        ("does alibaba write the checks for tongyi?", "funding"),
        ("does qwen do tts?", "modalities"),
        ("is the qwen api uncensored", "content-moderation"),
        ("千问接口会被和谐吗", "content-moderation"),
        ("how many nines does model studio promise for qwen", "model-studio-sla"),
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
def test_a_question_in_everyday_names_is_answered(shipped_matcher: Matcher, question: str, entry_id: str) -> None:
    outcome = shipped_matcher.match(question)
    assert isinstance(outcome, Answer)
    assert outcome.entry.id == entry_id


@pytest.mark.parametrize(
    "chatter",
    [
        "which is the beefiest laptop we have?",
        "who writes the checks for the offsite?",
        "can you hand out the badges at the door?",
        "is the coffee machine free for everyone?",
        "that meme is really catching on, right?",
        "what's the tiniest room we can book?",
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
def test_the_same_names_in_chatter_get_no_answer(shipped_matcher: Matcher, chatter: str) -> None:
    """A name alone, in a message about something else, is neither answered nor read as about Alibaba."""
    assert not isinstance(shipped_matcher.match(chatter), (Answer, NotCovered))
