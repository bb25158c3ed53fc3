"""Words that carry no meaning for matching, in English, chat English and Chinese.

Domain vocabulary (licence/license, HF, 通义千问, ...) is not here: it lives with
the FAQ in ``faq/aliases.yaml`` so curators can extend it without touching code.
What is here is generic language: function words, chat filler, and the Chinese
question words that map onto English ones.
"""

from __future__ import annotations

# Function words. "who", "where", "when", "why", "how" and "which" are kept on
# purpose: "who builds Qwen?" and "how is Qwen built?" ask different things.
ENGLISH_STOPWORDS = frozenset(
    """
    a an the is are was were be been being am do does did doing done have has had having of
    to in on at by for from with about as into onto than then so and or but if nor it its
    this that these those there here what whats i me my mine we us our ours you your yours
    he him his she her they them their theirs s t d ll re ve m im ive id dont doesnt didnt
    isnt arent wasnt wont cant any some just really actually basically also too very much
    many more most such can could would should will shall may might must not no yes yeah yep
    nope ok okay sure cool get gets got go goes going gone make makes made let lets up out
    over all each every both either same other another else
    """.split()
)

# Chat filler: greetings, politeness, hedges and texting abbreviations that people
# wrap around a question. Treating them as stopwords keeps "hey all, quick q:"
# from diluting the words that matter, and keeps "thanks!" from matching anything.
CHAT_FILLER = frozenset(
    """
    hey hi hello hiya yo sup morning afternoon evening folks guys gang people everyone
    anyone anybody someone somebody please pls plz thanks thank thx ty tysm cheers quick
    question questions q qq wondering wonder curious know knows knew tell explain wanted
    want wants need needs ask asking asked btw fyi tbh imo imho iirc afaik lol haha hmm um
    uh oh ah like kinda sorta gonna wanna gotta say said saying think thinking thought guess
    mean means maybe perhaps probably still again even exactly anyway anyways something
    anything thing things stuff way lot lots bit little etc regarding wrt re u ur r w abt bc
    cuz since because currently right now today day days week weeks these those please
    kindly wait sorry apologies hope help helps idea clue sense point info information
    details answer answers understand good great nice awesome never ever always often
    sometimes usually already yet soon vs versus via
    """.split()
)

# Chinese function words and particles. Single characters are limited to those
# that hardly ever sit inside a content word: 地 would break 本地 (local), 对 would
# break 对齐 (alignment), 一 would break 文心一言 (a competitor's name).
CHINESE_STOPWORDS = frozenset(
    """
    请问 想问 问一下 一下 知道 我们 你们 他们 她们 咱们 大家 这个 那个
    这些 那些 什么 是不是 有没有 有什么 有哪些 是否 能否 可否 可以 需要
    应该 现在 目前 一个 一些 还是 或者 以及 关于 对于 其他 怎么办 的话
    会不会 能不能 要不要 可不可以 多少 干什么 干嘛 做什么 是什么
    的 了 吗 呢 吧 啊 呀 嘛 么 哦 嗯 啦 呗 哈 是 和 与 及 或 也 都 就 很
    太 我 你 他 她 它
    """.split()
)


# Chinese question words, mapped to the English ones kept above. "Which team" and
# "which company" ask "who" in Chinese, so they map to "who" whole.
CHINESE_QUESTION_WORDS = {
    "哪个团队": "who",
    "哪支团队": "who",
    "什么团队": "who",
    "哪家公司": "who",
    "哪个公司": "who",
    "哪家": "who",
    "为什么": "why",
    "为何": "why",
    "怎么样": "how",
    "怎么": "how",
    "怎样": "how",
    "如何": "how",
    "哪里": "where",
    "哪儿": "where",
    "在哪": "where",
    "哪个": "which",
    "哪些": "which",
    "哪款": "which",
    "谁": "who",
}
