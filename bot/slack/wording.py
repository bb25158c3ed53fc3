"""The bot's own words around an answer, in English and Chinese.

The FAQ carries the answers in both languages; these are the fixed labels,
buttons and sentences the messages wrap them in. Every text here is safe
mrkdwn; ``{asked}`` is filled with the user's question, already escaped.
"""

from __future__ import annotations

from bot.knowledge.language import Language

HOW_TO_ASK = "Mention me in a channel, send me a direct message, or use `/qwen QUESTION`. `/qwen help` lists the rest."

WORDS: dict[Language, dict[str, str]] = {
    "en": {
        "layer": "*Layer:*",
        "also": "*also:*",
        "source": "*Source:*",
        "reviewed": "reviewed",
        "see_also": "See also: ",
        "share": "Share in channel",
        "share_in_thread": "Share in the thread",
        "helpful": "Helpful",
        "not_helpful": "Not helpful",
        "helpful_label": "Mark this answer as helpful",
        "not_helpful_label": "Mark this answer as not helpful: curators review these",
        "search": "*Search the questions*",
        "search_placeholder": "Type a few words",
        "search_hint": "Type a few words, in English or Chinese, then pick a question to see its answer.",
        "close": "Close",
        "prompts_title": "Try asking",
        "layer_fallback": "Layer:",
        "unsure": "I'm not sure which of these you mean by “{asked}”:",
        "unsure_fallback": "Did you mean: ",
        "browse": "Or browse everything I know with `/qwen list`.",
        "no_match": "I don't have an answer for “{asked}” in my FAQ. Try other words, "
        "or browse the questions I can answer with `/qwen list`.",
        "that": "that",
        "not_covered": "The sources I draw on don't cover “{asked}”, so I won't guess.",
        "nearest": "The nearest questions I can answer:",
        "nearest_fallback": " Nearest: ",
        "layer_map": "*The layer map*",
        "visible": "_Visible:_",
        "browse_header": "Browse questions by layer",
        "how_to_ask": "*How to ask*\n" + HOW_TO_ASK,
        "open_question": "Open a question",
        "more": "…and {count} more in the menu",
    },
    "zh": {
        "layer": "*层级：*",
        "also": "*另见：*",
        "source": "*来源：*",
        "reviewed": "审核于",
        "see_also": "另见：",
        "share": "在频道中分享",
        "share_in_thread": "在话题中分享",
        "helpful": "有帮助",
        "not_helpful": "没帮助",
        "helpful_label": "标记这个回答有帮助",
        "not_helpful_label": "标记这个回答没帮助：整理者会复查",
        "search": "*搜索问题*",
        "search_placeholder": "输入几个字",
        "search_hint": "输入几个字（中文或英文），再选一个问题查看答案。",
        "close": "关闭",
        "prompts_title": "试着问问",
        "layer_fallback": "层级：",
        "unsure": "我不确定你说的“{asked}”是指下面哪一个：",
        "unsure_fallback": "你是想问：",
        "browse": "也可以用 `/qwen list` 浏览我能回答的所有问题。",
        "no_match": "我的 FAQ 里没有“{asked}”的答案。换个说法试试，或用 `/qwen list` 浏览我能回答的问题。",
        "that": "这个问题",
        "not_covered": "我依据的资料没有涉及“{asked}”，我就不猜了。",
        "nearest": "我能回答的相近问题：",
        "nearest_fallback": " 相近问题：",
        "layer_map": "*层级一览*",
        "visible": "_公开渠道：_",
        "browse_header": "按层级浏览问题",
        "how_to_ask": "*怎么提问*\n在频道里 @ 我、给我发私信，或使用 `/qwen 问题`。`/qwen help` 列出其余命令。",
        "open_question": "打开一个问题",
        "more": "…菜单里还有 {count} 个",
    },
}
