"""Does a question ask for one specific detail (a person, a number, a date, a place), and does an answer hold it?

"Who is Alibaba's CEO?", "how many experts are active per token?" or "when was
the first Qwen released?" ask for a fact, not a topic. The entry nearest in
topic (who builds Qwen, mixture of experts, release pace) speaks about the
subject but does not state that fact, so answering with it passes a neighbour
off as the answer: the bot should say its sources do not cover it.

The test is deliberately crude and cheap: a person is asked for by a role or
a title ("ceo", "founder", "chief security officer", 负责人), or as someone to
call ("is there a sales contact"), that the entry's answer must name; a number
("how many", 多少, 几个, or a measure named by its noun: "what's the embedding
size", "what is the response latency") needs a quantity in the entry's answer (a figure such as "300",
"170,000", "0.5B", "600 million", not a version such as "Qwen3" or "2.0"), in a
sentence that names what the question counts (the matcher checks that with
:func:`figure_sentences`: a budget is no headcount); a
date ("when was", 哪一年, a release still to come, "when will qwen5
ship?", and the date a model's training data ends, its "training cutoff")
needs a year in it; a live figure (a share price,
a market value) or a vendor's promotion (a free tier, trial credits, a
discount) is never in a dated document, nor where an organisation's
premises are (an office, a campus, a headquarters, a data centre, a cloud
region in a named place: "where is the support team based?", 总部在哪), which
sources about companies, layers and licences never give; nor how a vendor works day to day (a *practice*:
whether it keeps or trains on customers' prompts, how it is paid, what
hardware it trained on). "How much" is not a number
asked: it asks for a price ("how much does it cost", which the pricing entry
answers by pointing to the price page) or a degree ("how much detail").
Every pattern runs over normalised text of bounded length and is linear.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.knowledge.background import simplified
from bot.knowledge.faq import Entry

Kind = Literal["person", "number", "date", "live", "place", "practice"]

_ROLES = r"ceo|cto|cfo|coo|founders?|co-?founders?|chair(?:man|woman|person)?|president|boss|leaders?"
_PERSON = re.compile(
    rf"\bwho(?:'s| is| was| are)?\s+(?:[\w'-]+\s+){{0,4}}?({_ROLES}|head|officer|director|author)\b"
    r"|\bwho\s+(leads|led|heads|headed|founded|co-?founded|wrote|authored)\b"
    # someone to call: "who's the sales contact for mexico", "is there a support contact"
    r"|\b(?:is there|are there|any|who(?:'s| is| are))\s+(?:(?:an?|the|our)\s+)?(?:[\w'-]+\s+){0,3}?"
    r"(?:sales|support|account|partner|vendor)\s+(contact|rep|representative)s?\b"
    rf"|\b({_ROLES})\s+of\b"
    "|(负责人|创始人|创办人|掌门人?|董事长|总裁|首席执行官|ceo|领导|老板)(?:是谁|叫什么)"
    "|谁(?:创立|创办|领导|带领|掌管)"
)
_NUMBER = re.compile(
    r"\bhow (?:many|big|large)\b|\bwhat (?:percentage|share|proportion|fraction) of\b"
    r"|\bexact (?:number|figure|count|score|percentage)\b"
    # a measure named by its noun: "what's the embedding size", "what is the response latency", "what's the max ..."
    r"|\bwhat(?:'s| is| was| were)\s+(?:[\w'-]+\s+){0,4}?"
    r"(?:revenue|size|length|latency|headcount|throughput|dimensions?|max|maximum|minimum)\b"
    # 多少 after a price or a limit asks "what is the price / the limit", which their entries answer
    # (the characters first, what may not precede them after: a look behind at every position costs)
    "|多少(?<!(?:价格|价钱|费用|收费|报价|限流|限额|配额|上限)多少)(?<!(?:价格是|价钱是|费用是|收费是|限流是|限额是|配额是|上限是)多少)(?!钱)"
    "|几(?<![哪这那]几)(?:个|张|种|位|次|台)"
)
# a figure that changes every day, or a vendor's promotions (what is free, or cheaper, for whom): no dated document
# holds them
_LIVE = re.compile(
    r"\b(?:stock|share) price|\btrading at\b|\bmarket (?:cap|value)\b|股价|市值"
    r"|\b(?:stock|shares) (?:\w+ )?(?:doing|performing|today)\b"
    r"|\bfree (?:\w+ )?(?:tier|trial|quota|credits?|allowance)|\btrial (?:credits?|quota|period)|\bdiscounts?\b"
    r"|免费(?:额度|试用|套餐)|试用(?:额度|期)|优惠|折扣"
)
# "when was it released" asks a date; "when does it show up in the cloud" asks about a delay
_DATE = re.compile(
    r"\bwhen (?:exactly |precisely )?(?:was|were|did)\b|\bwhat (?:year|date)\b|什么时候\S{0,6}?的|哪一?年|何时|几月"
    # a release still to come ("when will qwen5 ship?"): a date no dated document can hold
    # ("when are new models released?" asks the usual pace, which the release entries answer)
    r"|\bwhen will\s+(?:[\w'.-]+\s+){0,5}?(?:come out|launch|(?:be )?released?|ship)\b"
    r"|\bwhen (?:is|are)\s+(?:[\w'.-]+\s+){0,5}?(?:coming out|launching|releasing|shipping|due|expected)\b"
    # the date a model's training data ends
    r"|\b(?:knowledge|training|data) cut-?off\b"
)
# where an organisation's premises are (an office, a campus, a headquarters, a data centre): the sources, about
# companies, layers and licences, give no addresses
_PREMISES = r"offices?|headquarters|headquartered|hq|campus(?:es)?|data ?cent(?:er|re)s?"
_PLACE = re.compile(
    rf"\bwhere(?:'s| is| are)\s+(?:[\w'-]+\s+){{0,5}}?(?:{_PREMISES}|based)\b"
    # "an office in madrid", "an office or an authorised reseller in madrid"
    rf"|\b(?:an?|any) (?:{_PREMISES})(?: or (?:an? )?[\w'-]+(?: [\w'-]+)?)? in\b"
    r"|(?:办公室?|园区|总部|数据中心)(?:设)?在哪|(?:哪个|哪里|哪儿|在哪)\S{0,3}?(?:办公|园区|总部|数据中心)"
    r"|在\S{1,6}?有(?:办公室|园区|总部|数据中心)"
    # a cloud region in a named place: "a seoul region", "a region in são paulo", 在欧洲有没有 data center
    r"|\b(?:an?|any)\s+(?:[\w'-]+\s+){0,2}?regions?\s+in\b|\b(?:have|has|offer|got)\s+(?:an?|any)\s+[\w'-]+\s+region\b"
    r"|在\S{1,6}?有(?:没有)?\s?(?:机房|地域|data ?cent(?:er|re)s?|regions?)"
)
# a figure: several digits, or a number with a magnitude; not glued to a word (Qwen3) nor a version (2.0)
_QUANTITY = re.compile(
    r"(?<![\w.])\d[\d,]*(?:\.\d+)?\s*(?:[kmbt]\b|million|billion|thousand|hundred|万|亿|%)"
    r"|(?<![\w.])\d{2,}(?:,\d{3})*(?![\w.]|\.\d)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# how a vendor works day to day, which sources about companies, layers and licences never describe: what it does
# with customers' prompts (keeps them, trains on them), how it is paid, what hardware it trains on
_PRACTICE = re.compile(
    r"\b(?:retains?|retention|stores?|keeps?|logs?|saves?)\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:prompts?|inputs?|completions?|outputs?|conversations?|queries|requests?)\b"
    r"|\b(?:use|uses|using)\s+(?:our|my|customers?|your|their)\s+(?:[\w'-]+\s+){0,2}?"
    r"(?:prompts?|inputs?|data|completions?|outputs?|conversations?)\s+(?:to|for)\s+(?:train|training|improve)"
    r"|\btrain(?:s|ed|ing)?\s+(?:[\w'-]+\s+){0,3}?on\s+(?:our|my|your|customers?'?)\s+(?:[\w'-]+\s+){0,2}?"
    r"(?:prompts?|inputs?|data|traffic|conversations?)\b"
    r"|\b(?:pay|pays|paid|paying|payment)\s+(?:[\w'-]+\s+){0,4}?(?:in|by|with|via)\s+(?:euros?|eur|dollars?|usd|yen|pounds?|reais|rupees?"
    r"|invoice|credit cards?|cards?|wire|bank transfer|purchase order)\b"
    # which hardware it trained on; not "who pays for the gpus that train qwen", which asks who funds it
    r"|\b(?:what|which)\s+(?:(?:kind|type|sort) of\s+)?(?:gpus?|chips?|accelerators?|tpus?|hardware)\s+"
    r"(?:[\w'-]+\s+){0,4}?(?:train|trained|training)\b"
    r"|\btrain(?:s|ed|ing)?\s+(?:[\w'.-]+\s+){0,3}?on\s+(?:nvidia|(?:[\w'-]+\s+){0,2}?(?:gpus|chips|accelerators|tpus))\b"
    "|(?:保存|保留|存储|留存|记录)\\S{0,8}?(?:提示词|prompt|日志|对话)|用\\S{0,8}?(?:数据|提示词|prompt)\\S{0,4}?训练"
    "|训练\\S{0,8}?(?:什么|哪\\S?)\\s?(?:gpu|显卡|芯片)|(?:什么|哪\\S?)\\s?(?:gpu|显卡|芯片)\\S{0,8}?训练"
)
# a language other than English and Chinese, asked about by name: how Qwen does in it, its scores in it ("how good is
# qwen at dutch?", "any korean benchmark scores?", 日语能力怎么样): the sources name no other language
_LANGUAGES = (
    "japanese|korean|french|german|spanish|portuguese|italian|dutch|arabic|russian|hindi|bengali|urdu|tamil|telugu"
    "|thai|vietnamese|indonesian|bahasa|malay|tagalog|filipino|turkish|polish|czech|swedish|norwegian|danish|finnish"
    "|greek|hebrew|persian|farsi|swahili|yoruba|hausa|igbo|amharic|zulu|ukrainian|romanian|hungarian|cantonese"
)
_LANGUAGES_ZH = (
    "日语|日文|韩语|韩文|法语|德语|西班牙语|葡萄牙语|意大利语|荷兰语|阿拉伯语|俄语|印地语|泰语|越南语|印尼语|马来语"
    "|土耳其语|波兰语|粤语|希伯来语|波斯语|斯瓦希里语"
)
_LANGUAGE = re.compile(
    rf"\b(?:in|at|with|into)\s+({_LANGUAGES})\b(?!\s+(?:company|companies|firm|team|office|market|customers?|law|bank))"
    rf"|\b({_LANGUAGES})[\s-](?:language|benchmarks?|evals?|evaluations?|scores?|tests?|performance|text"
    r"|prompts|queries|abilit(?:y|ies)|capabilit(?:y|ies)|proficiency|fluency|output)\b"
    rf"|\b(?:speak|speaks|understand|understands|support|supports|write|writes|translate)\s+({_LANGUAGES})\b"
    rf"|({_LANGUAGES_ZH})\S{{0,2}}?(?:能力|水平|效果|表现|基准|评测|评分|支持|怎么样|好不好|行不行)"
    rf"|(?:支持|懂|会说|会写|对)({_LANGUAGES_ZH})"
)


# what each pattern above cannot match without: a look for these few strings spares most questions the scans
_PERSON_CUES = (
    *("who", "谁", "叫什么", "ceo", "cto", "cfo", "coo", "founder", "chair", "president", "boss", "leader"),
    *("contact", " rep"),
)
_LIVE_CUES = (
    *("stock", "share", "trading at", "market cap", "market value", "股价", "市值"),
    *("free ", "trial ", "discount", "免费", "试用", "优惠", "折扣"),
)
_NUMBER_CUES = ("how ", "what", "exact ", "多少", "几")
_DATE_CUES = ("when ", "what ", "cut", "什么时候", "年", "何时", "几月")
_PLACE_CUES = (
    *("where", "office", "headquarter", "hq", "campus", "cent", "region"),
    *("办公", "园区", "总部", "数据中心", "机房", "地域"),
)
_PRACTICE_CUES = (
    "retain", "retention", "store", "keep", "log", "save", "train", "improve", "pay", "paid",
    "保存", "保留", "存储", "留存", "记录", "训练",
)  # fmt: skip
_LANGUAGE_CUES = ("语", "文", *_LANGUAGES.split("|"))
_SENTENCE = re.compile(r"(?<=[.?!])\s+|(?<=[。？！；])|\n+")


# the kinds after a person, in the order tried: a practice before a number ("what gpus did they train on, and how
# many?" asks no count an entry states)
_KINDS: tuple[tuple[Kind, tuple[str, ...], re.Pattern[str]], ...] = (
    ("live", _LIVE_CUES, _LIVE),
    ("practice", _PRACTICE_CUES, _PRACTICE),
    ("number", _NUMBER_CUES, _NUMBER),
    ("date", _DATE_CUES, _DATE),
    ("place", _PLACE_CUES, _PLACE),
)


# who *did* it names the person by the role: who founded it, its founder
_ROLE_OF_VERB = {
    "leads": "leader",
    "led": "leader",
    "heads": "head",
    "headed": "head",
    "founded": "founder",
    "cofounded": "founder",
    "co-founded": "founder",
    "wrote": "author",
    "authored": "author",
}


@dataclass(frozen=True)
class Detail:
    """A specific detail a question asks for; for a person, the role words that name it."""

    kind: Kind
    words: tuple[str, ...] = ()


def asked_detail(normalized: str) -> Detail | None:
    """The detail a normalised question asks for, if it asks for one ("who is alibaba's ceo?").

    Traditional Chinese is read as simplified (負責人是誰 as 负责人是谁).
    """
    normalized = simplified(normalized)
    person = _PERSON.search(normalized) if _holds_any(normalized, _PERSON_CUES) else None
    if person:
        return Detail("person", tuple(_ROLE_OF_VERB.get(group, group) for group in person.groups() if group))
    for kind, cues, pattern in _KINDS:
        if _holds_any(normalized, cues) and pattern.search(normalized):
            return Detail(kind)
    return None


def asked_language(normalized: str) -> str | None:
    """The language other than English and Chinese a message asks Qwen's ability in, if it names one."""
    text = simplified(normalized)
    found = _LANGUAGE.search(text) if _holds_any(text, _LANGUAGE_CUES) else None
    return next(group for group in found.groups() if group) if found else None


def _holds_any(text: str, cues: tuple[str, ...]) -> bool:
    return any(map(text.__contains__, cues))  # no generator frame per cue: this runs for most questions


def figure_sentences(entry: Entry) -> list[str]:
    """The sentences and lines of the entry's answers (English and Chinese) that state a figure."""
    return [part for part in _SENTENCE.split(f"{entry.answer}\n{entry.answer_zh}") if _QUANTITY.search(part)]


def holds(detail: Detail, entry: Entry, names: Callable[[str], bool], *, vouched: bool = False) -> bool:
    """Does ``entry`` state the kind of detail asked? ``names(word)``: does the entry use that word (a role)?

    ``vouched``: one of the entry's own phrasings asks for this kind of detail
    about the same thing: a curator who wrote "how many requests per minute
    can we send?" for the rate limits entry says that entry answers it (with
    where the figures are).
    """
    if vouched:
        return True
    if detail.kind == "person":
        return any(names(word) for word in detail.words)
    if detail.kind in ("live", "place", "practice"):
        return False
    text = f"{entry.answer}\n{entry.answer_zh}"
    return bool((_QUANTITY if detail.kind == "number" else _YEAR).search(text))
