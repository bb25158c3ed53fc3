"""Does a message read as a question, as thanks, or as a statement?

:func:`looks_like_question` is used where the bot speaks unasked (watched
channels); :func:`looks_like_thanks` keeps "thanks for the licence info!" from
being answered with the licence entry, whatever topic words it carries;
:func:`reads_as_statement` keeps news ("new Qwen release dropped on HF this
morning") from being answered with the entry its words are nearest to.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.knowledge.analyzer import CJK
from bot.knowledge.background import simplified, zipf
from bot.knowledge.normalize import normalize

_OPENERS = frozenset(
    """
    who whos whose what whats which when where wheres why how hows is isnt are arent was
    does doesnt do dont did can cant could should would will wont any anyone anybody has have
    """.split()
)
_LONG_OPENERS = tuple(sorted(word for word in _OPENERS if len(word) >= 3))
_EVERYDAY = 3.5  # Zipf frequency: "wat" (3.4) and "wen" (3.5) are typos; "dose" (4.2) and "wit" (4.2) are words
# a request worded as a statement: "need to know which licence applies", "wondering if it's hosted"
_REQUEST = re.compile(
    r"^\W*(?:(?:just|so|hey|hi|also) )?(?:i |we )?(?:(?:am|was|were) )?"
    r"(?:need to (?:know|find out|check|understand|figure out)|want to know|wondering|curious"
    r"|trying to (?:figure out|work out|understand|find out)|can (?:someone|anyone|you) (?:explain|tell)"
    r"|explain|tell me|any idea|anyone know"
    r"|(?:kindly|please|pls|plz) (?:confirm|advise|clarify|explain|check|share|tell|let us know))\b"
)
_CHINESE_ASKING = re.compile(
    "[吗呢谁哪]|什么|怎么|怎样|如何|为什么|多少|是否|能否|可否"
    # a verb, then its negation: 有没有, 是不是, 能不能, 会不会; not the idioms 时不时 (now and then), 动不动
    r"|(\w)[不没]\1(?<!时不时)(?<!动不动)"
)
# a request, or something not understood yet, asks to be told: not news (but thanks may say them: 麻烦了, 帮忙)
_CHINESE_REQUEST = re.compile(
    "请问|想问|想了解|想知道|请教|麻烦|帮我|帮忙|求助|不懂|不明白|不清楚|搞不清|没搞懂|没看懂|没搞清"
)
_CHINESE_RUN = re.compile(f"[{CJK}]+")
_WORD = re.compile(r"[^\W\d_]+")
_QUESTION_WORDS = frozenset("who whos whose what whats which when where wheres why how hows".split())
_CLAUSE = re.compile(r"[,;:()\u2013\u2014-]+")
_CLAUSE_OR_SENTENCE = re.compile(r"[,;:()\u2013\u2014.!。！；，-]+")
_CHINESE_ASKING_MORE = re.compile("[咋啥几么]")  # 咋样 (how), 啥 (what), 第几 (which place), 几个 (how many), 么 (吗)
_I_NEED = re.compile(
    r"\b(?:(?:i|we) (?:need|want|would like)|wants? to know|trying to (?:decide|untangle|find|choose|pick)"
    r"|please|pls|plz|kindly|help me|send me|show me|share|looking for)\b|^\W*need\b"
    r"|\b(?:right|correct|true)\W*$"  # a tag question: "we can use it commercially right"
    r"|\bor not\b"  # "got an sla or not if we self-host", "we can use it commercially or not"
)
# a sentence, not keywords: someone ("we", "our"), something definite ("the", "this"), a verb of being, a time
_SENTENCE_MARKERS = frozenset(
    """
    i we our my you your they their it its this that these those the is are was were has have had been
    just today yesterday already finally
    """.split()
)
_CHINESE_SENTENCE_MARKERS = re.compile(
    "我们|我|已经|刚|今天|了|真|挺|很|太|不错|还行|还可以"
)  # someone, a time, a verdict
# a verb before its subject asks, even mid-sentence: "if we self-host does any of it matter", "does alibaba's org
# chart matter", "were the chat models tuned with rlhf" ("were moving the pilot" is "we're", typed fast)
_INVERSION = re.compile(
    r"\b(?:does|do|did|is|are|was|were|can|could|should|would|will)"
    r" (?:any|anyone|anybody|it|we|i|you|they|qwen|the|that|this|there|alibabas?|tongyi)\b"
    r"|\b(?:does|did) (?:all|our|their|its)\b"
)
STATEMENT_WORDS = 5  # shorter messages are often keyword questions: "model studio pricing", "qwen sla"
_THANKS = re.compile(
    r"\b(?:thanks|thank|thx|tnx|ty|tysm|cheers|appreciated?|kudos"
    # thanks in the other languages colleagues write in (none an English word, "tack" or "toda", nor a name alone:
    # Asante is one, "asante sana" is thanks)
    r"|merci|danke|dankjewel|dankuwel|bedankt|gracias|gracies|grazie|obrigad[oa]|kiitos|asante sana|shukran"
    r"|arigato|arigatou|spasibo|спасибо|dziekuje|dziękuję|tesekkurler|teşekkürler|terima kasih"
    # "that helped", "it works!"; not a description: "it works well for japanese", "it helps with code"
    r"|(?:that|this|it) (?:helped|helps|works)\b(?!(?: \w+)? (?:for|with|on|in|under|when|if)\b)|got it"
    # "makes sense", "makes way more sense now", "that clears it up": understanding, reported
    r"|makes (?:\w+ ){0,3}sense|clears (?:it|that|things) up|perfect|brilliant|great answer|good to know|noted"
    # news shared, not a question asked: "fyi the pilot is on hold", "for the record, ..."
    r"|fyi|psa|heads up|for the record|just so (?:you|everyone|we|y'?all) knows?)\b"
    "|谢谢|多谢|感谢|谢了|明白了|懂了|清楚了|收到|了解了|知道了|好的|辛苦|顺便说一下|通知一下"
    "|ありがとう|감사합니다|고마워"
)
# after thanks, "will add it to the vendor file" leaves its subject out and says what the asker does next: news,
# not a question ("thanks, should legal sign off first" still asks)
_NEXT_STEP = re.compile(
    r"^\W*(?:will|would|can|could|shall|might|must|gonna|going to)\s+(?:also\s+|just\s+|now\s+)?"
    r"(?:add|loop|forward|share|send|ping|circle|follow|pass|flag|post|put|raise|bring|update|file|log|note|track"
    r"|check|look|dig|read|review|sync|take|keep|try|use|do|get|let|mention|tell|start|go|be)\b"
)
# a number's decimal point ends no sentence: "apache 2.0 is what legal wanted" is one
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
# "that's what we figured", "this is how it works": a question word after them asks nothing ("the question is who
# owns it" still asks)
_RELATIVE = re.compile(r"\b(?:thats|that is|this is|exactly|precisely) (?:what|how|why)\b")
# agreement in Slack's own signs, which normalising drops with every emoji code: ":+1: on tracking releases via hf"
_THUMBS_UP = re.compile(
    r":(?:\+1|thumbsup|ok_hand|white_check_mark|heavy_check_mark)(?:::skin-tone-\d)?:|[👍👌✅]|^\W*\+1\b"
)
ACK_CHARS = 1000  # how much of a message is looked at for them
_LEADING_LINK = re.compile(r"^\s*(?:but|and|so|also|btw|ok|okay|one more|fyi|psa|heads up)\b")
_SENTENCE = re.compile(r"[^.!?,;:。！？，；：\n]+[.!?。！？]*")


# the subject spoken of as "it" or "they" ("do they bill by the token?", 它支持中文吗)
_PRONOUN = re.compile(r"\b(?:it|its|they|their|them|theirs)\b|它|他们")


def speaks_of_it(normalized: str) -> bool:
    """Does the message speak of someone or something as "it" or "they"?

    Asked of the bot, "it" and "they" are the FAQ's subject (Qwen, its makers) unless the message names
    another: the matcher answers such a message on the bar for one that names the subject.
    """
    return _PRONOUN.search(normalized) is not None


def _cleaned(text: str) -> str:
    """Normalised, with traditional Chinese folded onto simplified (多謝 is 多谢, 嗎 is 吗)."""
    return simplified(normalize(text))


def looks_like_question(text: str) -> bool:
    """True for "who builds qwen?", "is there an sla", "need to know which licence applies" or "千问能商用吗";
    false for "thanks all"."""
    return _asks(_cleaned(text))


def _asks(cleaned: str) -> bool:
    """:func:`looks_like_question` of text already :func:`_cleaned`."""
    if "?" in cleaned:
        return True
    unquoted = cleaned.replace("'", "")
    first = _WORD.search(unquoted)
    if first is not None and _is_opener(first.group(0)):
        return True
    return bool(_REQUEST.search(unquoted) or _CHINESE_ASKING.search(cleaned))


def thanks_words(normalized: str) -> bool:
    """Does text already through :func:`~bot.knowledge.normalize.normalize` hold a word of thanks?

    The first test :func:`looks_like_thanks` makes: text of at most 1,000
    characters without one is not thanks, and this saves normalising it again.
    """
    return _THANKS.search(simplified(normalized)) is not None


def looks_like_thanks(text: str) -> bool:
    """True for thanks, an acknowledgement or news that asks nothing: "cheers, that pricing answer helped",
    "谢谢，明白了", "fyi we moved the pilot to qwen".

    A message that thanks and then asks ("thanks! and is there an SLA?") is a question.
    """
    cleaned = _cleaned(text)
    if not _THANKS.search(cleaned) and not _THUMBS_UP.search(text[:ACK_CHARS]):
        return False
    pieces = _SENTENCE.findall(_DECIMAL_POINT.sub("", cleaned.replace("'", "")))
    return not any(_asks_after_thanks(_LEADING_LINK.sub("", piece)) for piece in pieces)


def _asks_after_thanks(piece: str) -> bool:
    """Does a piece of a message of thanks ask? Not one that says what the asker does next ("will add it")."""
    if "?" not in piece and _NEXT_STEP.match(piece):
        return False
    return looks_like_question(piece)


def reads_as_statement(text: str) -> bool:
    """True for a message of five words or more that asks nothing: news, a status update, a note.

    "just pushed our Qwen fine-tune to the internal registry" and "Model Studio
    invoice came in today" name topics of the FAQ but ask nothing. Anything
    that could be a question is not a statement: a question mark, a question
    word anywhere ("for procurement what does ..."), a clause opening like a
    question ("if we self-host, does it matter") or a verb before its subject
    ("... does any of it matter"), a request ("I need the adoption numbers"),
    a Chinese asking word. Short messages are left alone:
    "model studio pricing" is a question typed as keywords.
    """
    quoted = _cleaned(text)
    if "?" in quoted:
        return False  # it asks (see _asks): most messages, spared the rest
    cleaned = quoted.replace("'", "")
    words = _WORD.findall(cleaned)
    if _length(cleaned, words) < STATEMENT_WORDS or _asks(quoted):
        return False
    if _SENTENCE_MARKERS.isdisjoint(words) and not _CHINESE_SENTENCE_MARKERS.search(cleaned):
        return False
    cleaned = _without_next_steps(cleaned)  # what is left may still ask
    asking = _WORD.findall(_RELATIVE.sub(" ", cleaned) if _RELATIVE.search(cleaned) else cleaned)
    if not _QUESTION_WORDS.isdisjoint(asking) or _I_NEED.search(cleaned) or _INVERSION.search(cleaned):
        return False
    if _CHINESE_ASKING_MORE.search(cleaned) or _CHINESE_REQUEST.search(cleaned):
        return False
    return not any((first := _WORD.search(clause)) and _is_opener(first.group(0)) for clause in _CLAUSE.split(cleaned))


def _without_next_steps(cleaned: str) -> str:
    """``cleaned`` less its clauses that leave their subject out to say what the writer does next: "legal is
    reviewing the qwen licence, will share the memo" is news; "will share" asks nothing, nor requests."""
    clauses = _CLAUSE_OR_SENTENCE.split(cleaned)
    if len(clauses) == 1:
        return cleaned
    return ", ".join(clause for clause in clauses if not _NEXT_STEP.match(clause))


def _length(cleaned: str, words: list[str]) -> int:
    """About how many words ``cleaned`` holds: a run of Chinese characters (one match of ``_WORD``) counts one
    word for every two characters, a word's usual length ("Qwen 的模型我昨天在本机跑起来了" is some eight)."""
    runs = _CHINESE_RUN.findall(cleaned)
    if not runs:
        return len(words)
    return len(words) - len(runs) + sum(max(1, len(run) // 2) for run in runs)


def _is_opener(word: str) -> bool:
    """Does a clause opening with ``word`` ask ("who", "does"), or open with a typo of such a word ("wich", "wher")?"""
    return word in _OPENERS or _misspelt_opener(word)


@lru_cache(maxsize=4096)
def _misspelt_opener(word: str) -> bool:
    """Is ``word`` a rare word one edit from a question word of three letters or more, with its first letter?

    "wich licence dose qwen use" and "wher are the weights" ask. A word in
    everyday use is not taken for a typo ("wit", "cam", "dose"), however close:
    a statement may open with it.
    """
    if not 2 <= len(word) <= 7 or zipf(word) >= _EVERYDAY:
        return False
    from rapidfuzz.distance import OSA  # only for a rare word opening a clause: a cold start seldom needs it

    return any(opener[0] == word[0] and OSA.distance(word, opener, score_cutoff=1) <= 1 for opener in _LONG_OPENERS)
