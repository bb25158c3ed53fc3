"""A question that asks for a person, a number or a date no entry states gets the not-covered reply."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge import detail
from bot.knowledge.detail import Detail, asked_detail, asked_language
from bot.knowledge.matcher import Answer, DidYouMean, Matcher, NotCovered
from bot.knowledge.normalize import normalize
from tests.support.ranking import offered


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("who is the current chairman of alibaba?", "person"),
        ("who heads the tongyi lab these days", "person"),
        ("阿里云的创始人是谁？", "person"),
        ("how many layers does the biggest qwen have?", "number"),
        ("how big is the qwen tokenizer's vocabulary?", "number"),
        ("what was alibaba's revenue in the last fiscal year?", "number"),
        ("千问一共有几个版本？", "number"),
        ("when did the tongyi lab open?", "date"),
        ("when exactly was qwen first released?", "date"),  # an adverb between
        ("通义实验室是哪一年成立的？", "date"),
        ("where is baba's share price heading?", "live"),
        ("阿里的市值大概多少？", "live"),
        ("who is the chief security officer at alibaba cloud?", "person"),  # a title, not only a role word
        ("阿里雲的創始人是誰？", "person"),  # traditional characters read as simplified
        ("what's the embedding size of qwen2?", "number"),  # a measure named by its noun
        ("what is the typical response latency of the hosted api?", "number"),
        ("what's the maximum batch the hosted api accepts?", "number"),
        ("what is the hidden layer dimension of qwen2?", "number"),
        ("what share of model studio revenue comes from qwen?", "number"),
        ("when will the next tongyi model be released?", "date"),  # a date still to come
        ("when is qwen5 launching?", "date"),
        ("what's the training cutoff of qwen2.5?", "date"),  # the date its data ends
        ("are there volume discounts on hosted qwen?", "live"),  # a promotion: no dated document holds it
        ("can nonprofits get a free allowance of tokens?", "live"),
        ("百炼有没有免费试用？", "live"),
        ("where is model studio's support team based?", "place"),
        ("does alibaba cloud have any data centres in brazil?", "place"),
        ("通义研究团队的总部在哪？", "place"),
        ("阿里云在巴西有数据中心吗？", "place"),
        ("does the hosted api retain the prompts we send, and for how long?", "practice"),  # what it does with them
        ("will alibaba use our completions to improve its models?", "practice"),
        ("is model studio training on our customers' data?", "practice"),
        ("can the hosted api be paid by credit card or only by wire?", "practice"),  # how it is paid
        ("what hardware was qwen3 trained on?", "practice"),  # what it trains on
        ("which gpus did the tongyi team train qwen on, and how many?", "practice"),  # not a count of something stated
        ("百炼会留存我们的对话记录吗？", "practice"),
        ("千问是用什么芯片训练的？", "practice"),
        ("is there a support contact for model studio who speaks spanish?", "person"),  # someone to call
        ("who's the alibaba cloud sales rep for latin america?", "person"),
        ("does model studio have a frankfurt region?", "place"),  # a cloud region in a named place
        ("does alibaba cloud have an office or a reseller in lisbon?", "place"),  # premises, or something else, in it
        ("is there a region in jakarta for the hosted api?", "place"),
        ("百炼在日本有没有机房？", "place"),
    ],
)
def test_a_specific_detail_is_recognised(question: str, kind: str) -> None:
    detail = asked_detail(normalize(question))
    assert detail is not None
    assert detail.kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "how much does qwen cost on model studio?",  # a price: the pricing entry says where prices are
        "百炼上的价格是多少？",
        "how much detail do the qwen papers give?",  # a degree, not a figure
        "is the hugging face org run by alibaba?",
        "when does a new release show up in model studio?",  # a delay, not a date
        "阿里会不会哪天改掉许可证？",  # "some day"
        "qwen 计划往哪几个方向发展？",  # "which few directions"
        "our sla says 99.9% uptime, does model studio have one?",  # a figure stated, not asked
        "when is it worth self-hosting instead of the api?",  # when, but no release
        "when are new qwen models released to hugging face?",  # the usual pace, not a date to come
        "is qwen's size range a problem for edge devices?",  # a measure named, not asked
        "what's the qwen3-max price per token?",  # a product's name, not a maximum
        "is qwen free to use commercially?",  # free of charge, not a promotion
        "can we trial the hosted api before committing?",
        "where are the qwen model cards published?",  # where something is found, not where premises are
        "qwen 的开源权重在哪里下载？",
        "can we keep our data in-region if we use the hosted api?",  # residency, which an entry speaks to
        "what hardware do we need to self-host the biggest qwen?",  # sizing, not how it was trained
        "is qwen trained on chinese and english text?",  # what it was trained on, which an entry states
        "do we pay for the weights if we run them ourselves?",
        "who pays for the gpus that train qwen",  # who funds it, not which hardware
        "谁出钱买训练千问用的 gpu？",
        "we asked our sales rep about qwen, what does model studio charge per token?",  # a rep named, not asked for
        "which alibaba cloud regions host qwen?",  # residency, which an entry speaks to
        "does model studio have a rate limit per region?",  # a region, but no place named
        "does model studio have an eu data region?",  # residency, which an entry speaks to
    ],
)
def test_a_topic_question_asks_no_detail(question: str) -> None:
    assert asked_detail(normalize(question)) is None


def test_a_person_is_asked_for_by_role() -> None:
    assert asked_detail(normalize("who's alibaba's cto?")) == Detail("person", ("cto",))
    assert asked_detail(normalize("who wrote the qwen2 paper?")) == Detail("person", ("author",))
    assert asked_detail(normalize("who is the lead author of the qwen2 paper?")) == Detail("person", ("author",))


@pytest.mark.parametrize(
    "question",
    [
        "who is the chairman of alibaba group?",
        "how many attention heads does qwen's architecture use?",
        "in what year did alibaba list on the new york stock exchange?",
        "阿里巴巴现在的市值多少？",
        "when will the newest qwen release ship?",  # the latest release entry names no date
        "what's the embedding size of the latest qwen?",
        "what's the training cutoff of the latest qwen?",
        # an alternate says "Risk officer here: ...": the asker's title, not a person the entry states
        "who is alibaba's compliance officer for regulated workloads?",
        "do the model studio rate limit tiers include a free tier?",  # the rate limits entry states no promotion
        "model studio 的限流档位里有免费额度吗？",
        # a word between "free" and what is free
        "does the entry rate limit tier of model studio include free token credits?",
        "how are alibaba's shares doing this week?",  # a live figure without the word "price"
        "is there a trial period for model studio's enterprise contracts?",
        "where is the tongyi research group based?",
        "where is model studio's support team based?",
        "通义研究团队的总部在哪？",
        "does model studio keep the prompts we send it, and for how long?",
        "will alibaba cloud train its next qwen on our api traffic? does it use our prompts to train?",
        "can we pay for model studio by invoice in euros?",
        "what chips was qwen trained on, nvidia or alibaba's own?",
        "百炼会保存我们发过去的提示词吗？",
        "is there an account rep at alibaba cloud we can talk to about qwen?",
        "does model studio have a region in mexico for hosted qwen?",
        # a close call between entries none of which states the detail is not covered either
        "what's the vocab size of the qwen tokenizer?",
        "how many people work on the tongyi team?",
        "does model studio give free trial credits to new accounts?",
        "is the qwen tokenizer efficient for japanese text?",  # a language no entry of the close call names
    ],
)
def test_a_detail_the_faq_lacks_is_not_covered(shipped_matcher: Matcher, question: str) -> None:
    assert isinstance(shipped_matcher.match(question), NotCovered)


def test_a_close_call_one_of_whose_entries_states_the_detail_still_offers_it(shipped_matcher: Matcher) -> None:
    """The adoption entry gives download figures, so "how many times" may be offered it among entries that give
    none (the licence's stability)."""
    outcome = shipped_matcher.match("How many times has Qwen been pulled down off the internet, roughly?")
    assert isinstance(outcome, Answer | DidYouMean)
    assert "adoption" in offered(outcome)


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("how many qwen models are open weights?", "open-models"),
        ("how many times have the qwen weights been downloaded?", "adoption"),
        ("千问开源了多少个模型？", "open-models"),
    ],
)
def test_a_figure_the_answer_states_is_answered(shipped_matcher: Matcher, question: str, entry: str) -> None:
    outcome = shipped_matcher.match(question)
    assert isinstance(outcome, Answer)
    assert outcome.entry.id == entry


def test_a_figure_of_something_else_is_no_answer(shipped_matcher: Matcher) -> None:
    """The funding entry states figures (a budget), but none of them counts researchers."""
    question = "how many researchers does alibaba fund for qwen?"
    assert shipped_matcher.rank(question, limit=1)[0].entry.id == "funding"
    assert isinstance(shipped_matcher.match(question), NotCovered)


def test_a_message_asking_several_things_is_answered_by_an_entry_answering_one(shipped_matcher: Matcher) -> None:
    """The figure asked second does not veto the entry that answers the first question."""
    outcome = shipped_matcher.match(
        "Does Qwen3 use a mixture-of-experts design? How many parameters does the biggest one have?"
    )
    assert isinstance(outcome, Answer)
    assert outcome.entry.id in {"moe-efficiency", "architecture", "largest-model"}


def test_every_detail_a_message_asks_must_be_stated(shipped_matcher: Matcher) -> None:
    """A figure the rate limits entry vouches for does not carry a promotion asked in the sentence before it."""
    figure = "how many requests a minute do the model studio tiers allow?"
    assert isinstance(shipped_matcher.match(figure), Answer)
    outcome = shipped_matcher.match(f"does model studio come with free credits? {figure}")
    assert isinstance(outcome, NotCovered)


_FRAGMENTS = tuple(
    "who| is |'s | the |ceo|co-founder|chairman|head| of |leads|founded|负责人|是谁|叫什么|谁|创立|stock|share| price"
    "|trading at|market| cap|股价|市值|how |many|what| percentage|exact |number|revenue|多少|钱|价格|是|几|个|哪|when "
    "|were|year|什么时候|的|哪一年|年|何时|几月| |x|1|officer|director|size|length|latency| share of|is |will "
    "|coming out|releas|ing|knowledge|training| cut|off|-|where|based|an |office|s| in|data|centre|hq|在|有|哪|总部"
    "|数据中心|author|max|imum|dimension|be |d|due|expected|launch|ship"
    "|free |tier|trial |credit|discount|免费|试用|额度|优惠|stocks|shares|doing|performing|today|api "
    "|retain|retention|store|keep|log|save|prompts|inputs|our |use |to |train|trained|improve|pay|paid|by |invoice"
    "|euros|gpus|chips|hardware|nvidia|保存|留存|提示词|训练|用|显卡|芯片"
    "|dutch|korean|in |at |benchmark|-language|speak |日语|韩文|能力|支持|对"
    "|does |do |can |support|offer|provide|include|comes with|come with|model |studio |function |calling"
    "|or |a |reseller |region|per |eu ".split("|")
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=8).map("".join) | st.text(max_size=40))
def test_a_pattern_never_matches_without_its_cues(text: str) -> None:
    """The cheap look for each pattern's cues never skips a scan that would have found something."""
    for pattern, cues in (
        (detail._PERSON, detail._PERSON_CUES),
        (detail._LIVE, detail._LIVE_CUES),
        (detail._NUMBER, detail._NUMBER_CUES),
        (detail._DATE, detail._DATE_CUES),
        (detail._PLACE, detail._PLACE_CUES),
        (detail._PRACTICE, detail._PRACTICE_CUES),
        (detail._LANGUAGE, detail._LANGUAGE_CUES),
    ):
        assert pattern.search(text) is None or any(cue in text for cue in cues), (pattern.pattern[:30], text)


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("how does qwen do in polish?", "polish"),
        ("any thai benchmark scores for qwen?", "thai"),
        ("are there french-language evals of qwen?", "french"),
        ("does qwen understand swahili?", "swahili"),
        ("qwen 的韩语能力怎么样？", "韩语"),
        ("千问支持日语吗", "日语"),
        ("is qwen good at chinese?", None),  # the sources speak of Chinese and English
        ("we're a german company, can we use qwen commercially?", None),  # a nationality, not a language asked about
        ("our team in dutch office wants the licence terms", None),
        ("we found portuguese finetunes of qwen, who made them?", None),  # fine-tunes, not Qwen's ability
    ],
)
def test_a_language_asked_about_by_name_is_recognised(question: str, language: str | None) -> None:
    assert asked_language(normalize(question)) == language


@pytest.mark.parametrize(
    "question", ["how good is qwen at polish? any polish benchmark scores?", "what are qwen's thai benchmark results?"]
)
def test_scores_in_a_language_no_source_names_are_not_covered(shipped_matcher: Matcher, question: str) -> None:
    """The benchmarks entry gives scores of no one language: it does not answer for Polish."""
    assert isinstance(shipped_matcher.match(question), NotCovered)


def test_the_entry_on_languages_may_answer_for_any_language(shipped_matcher: Matcher) -> None:
    """Its answer says what the sources hold about languages, and that they list none beyond Chinese and English."""
    outcome = shipped_matcher.match("which languages does qwen support, does it speak turkish?")
    assert isinstance(outcome, Answer)
    assert outcome.entry.id == "multilingual"
