"""Every Slack message and view the bot sends, built in one place from plain values.

The functions here are pure: FAQ values in, Block Kit dicts out, so tests can
check every message against Slack's documented limits without a network.
Each message carries a plain ``text`` fallback for notifications and screen
readers. User text is echoed only through :func:`escape`, so a question cannot
make the bot post ``<!channel>`` or mention anyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.knowledge.faq import Entry, Faq, Layer
from bot.knowledge.language import Language, answer_in, layer_name, layer_role, question_in
from bot.knowledge.live import ReloadResult
from bot.knowledge.matcher import Suggestion
from bot.mrkdwn import clip, echo, escape, plain, show
from bot.report import Report, stale_age
from bot.slack.wording import HOW_TO_ASK, WORDS

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": ..., "blocks": [...]}: keyword arguments for say/respond/ack

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks and .../composition-objects)
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_OPTION_TEXT = 75
MAX_OPTIONS = 100
MAX_VIEW_TITLE = 24
MAX_ECHO = 200

SHOW_ENTRY = "show_entry"  # buttons whose value is an entry id; action ids are SHOW_ENTRY:<n>
BROWSE = "browse"  # select menus of entries, one per layer; action ids are BROWSE:<layer id>
SHARE = "share_answer"
SHARE_IN_THREAD = "share_in_thread"  # the message shortcut's answer; value "<entry id> <thread ts>"
SEARCH = "search"  # the type-ahead menu (external_select) in the App Home and the /qwen modal
SEARCH_MODAL = "qwen_search"  # the /qwen modal's callback id
FEEDBACK = "feedback"  # Slack's feedback_buttons; each button's value is "<vote>:<entry id>"
VOTE_HELPFUL, VOTE_NOT_HELPFUL = "helpful", "not_helpful"
FEEDBACK_HELPFUL = "feedback:helpful"  # the hand-made buttons of answers posted before the feedback block
FEEDBACK_NOT_HELPFUL = "feedback:not_helpful"
MAX_PROMPTS = 4  # suggested prompts Slack shows in the Messages tab
MAX_PROMPT_TITLE = 75

# -- answers -----------------------------------------------------------------


def answer_message(
    entry: Entry,
    faq: Faq,
    *,
    shareable: bool = False,
    share_in_thread: str | None = None,
    shared_by: str | None = None,
    language: Language = "en",
) -> Message:
    """An answer in ``language``: the text, its layer and source, see-also buttons and Slack's feedback buttons.

    ``shareable`` adds a button that shares it in the channel, ``share_in_thread`` (a thread's ts) one that
    posts it in that thread.

    An answer is a pure function of the entry, the language and the FAQ version (a hash of its files), so
    the plain and shareable ones are built once per FAQ version and reused; each caller gets its own copy
    of the message and its block list (the blocks themselves are shared: nothing changes them).
    """
    if share_in_thread or shared_by or not faq.version or faq.entry(entry.id) is not entry:
        return _answer_message(
            entry, faq, shareable=shareable, share_in_thread=share_in_thread, shared_by=shared_by, language=language
        )
    key = (faq.version, entry.id, language, shareable)
    message = _answers.get(key)
    if message is None:
        if len(_answers) >= MAX_CACHED_ANSWERS:  # older FAQ versions: start again
            _answers.clear()
        message = _answers[key] = _answer_message(
            entry, faq, shareable=shareable, share_in_thread=None, shared_by=None, language=language
        )
    return {"text": message["text"], "blocks": list(message["blocks"])}


_answers: dict[tuple[str, str, Language, bool], Message] = {}  # by FAQ version, entry id, language, shareable
MAX_CACHED_ANSWERS = 4096


def _answer_message(
    entry: Entry,
    faq: Faq,
    *,
    shareable: bool,
    share_in_thread: str | None,
    shared_by: str | None,
    language: Language,
) -> Message:
    words = WORDS[language]
    layer = faq.layers[entry.layer]
    question, answer = question_in(entry, language), answer_in(entry, language)
    blocks: list[Block] = [
        _section(f"*{escape(question)}*\n{escape(answer)}"),
        _context(_layer_line(entry, faq, language)),
        _context(_source_line(entry, faq, language)),
    ]
    buttons = _entry_buttons(_see_also(entry, faq), prefix=words["see_also"], language=language)
    if shareable:
        buttons.append(_button(words["share"], SHARE, entry.id, style="primary"))
    if share_in_thread:
        buttons.append(
            _button(words["share_in_thread"], SHARE_IN_THREAD, f"{entry.id} {share_in_thread}", style="primary")
        )
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    blocks.append(_feedback(entry, language))
    if shared_by:
        blocks.append(_context(f"Shared by <@{shared_by}>"))
    text = f"{question}\n{plain(answer)}\n{words['layer_fallback']} {layer_name(layer, language)}"
    return {"text": escape(text), "blocks": blocks}


def answer_modal(entry: Entry, faq: Faq, *, language: Language = "en") -> dict[str, Any]:
    """An answer in a modal, for questions picked in the App Home."""
    return {
        "type": "modal",
        "title": _plain_text(clip("Qwen sourcing bot", MAX_VIEW_TITLE)),
        "close": _plain_text("Close"),
        "blocks": _answer_blocks(entry, faq, language),
    }


def search_modal(faq: Faq, entry: Entry | None = None, *, language: Language = "en") -> dict[str, Any]:
    """``/qwen`` with nothing after it: a menu that searches the questions as you type, and the chosen answer."""
    words = WORDS[language]
    blocks = [_search_section(language), _context(words["search_hint"])]
    if entry is not None:
        blocks += [{"type": "divider"}, *_answer_blocks(entry, faq, language)]
    return {
        "type": "modal",
        "callback_id": SEARCH_MODAL,
        "title": _plain_text(clip("Qwen sourcing bot", MAX_VIEW_TITLE)),
        "close": _plain_text(words["close"]),
        "blocks": blocks,
    }


def search_options(ranked: Sequence[Entry], *, language: Language = "en") -> list[dict[str, Any]]:
    """The type-ahead menu's options: at most 100 questions, in the language typed."""
    return [
        {"text": _plain_text(clip(question_in(entry, language), MAX_OPTION_TEXT)), "value": entry.id}
        for entry in ranked[:MAX_OPTIONS]
    ]


def suggested_prompts(faq: Faq, *, language: Language = "en") -> list[dict[str, str]]:
    """The Messages tab's suggested prompts: the first onboarding starters, as questions in ``language``."""
    return [
        {"title": clip(question_in(entry, language), MAX_PROMPT_TITLE), "message": question_in(entry, language)}
        for entry in _starters(faq)[:MAX_PROMPTS]
    ]


def _answer_blocks(entry: Entry, faq: Faq, language: Language) -> list[Block]:
    """An answer's blocks without buttons: for views, where message buttons and feedback do not belong."""
    message = answer_message(entry, faq, language=language)
    return [block for block in message["blocks"] if block["type"] not in {"actions", "context_actions"}]


def did_you_mean_message(question: str, suggestions: Sequence[Suggestion], *, language: Language = "en") -> Message:
    """A close call: the question echoed (escaped) and up to three suggestions as buttons."""
    words = WORDS[language]
    blocks = [
        _section(words["unsure"].format(asked=echo(question, MAX_ECHO))),
        {"type": "actions", "elements": _entry_buttons((s.entry for s in suggestions), language=language)},
        _context(words["browse"]),
    ]
    options = "; ".join(question_in(s.entry, language) for s in suggestions)
    return {"text": escape(words["unsure_fallback"] + options), "blocks": blocks}


def not_covered_message(question: str, suggestions: Sequence[Suggestion], *, language: Language = "en") -> Message:
    """A Qwen question the sources do not answer: say so, and offer the nearest entries as buttons."""
    words = WORDS[language]
    text = words["not_covered"].format(asked=echo(question, MAX_ECHO) or words["that"])
    blocks = [_section(text)]
    if suggestions:
        blocks += [
            _context(words["nearest"]),
            {"type": "actions", "elements": _entry_buttons((s.entry for s in suggestions), language=language)},
        ]
    nearest = "; ".join(question_in(s.entry, language) for s in suggestions)
    return {"text": text + (escape(words["nearest_fallback"] + nearest) if nearest else ""), "blocks": blocks}


def no_match_message(question: str, *, language: Language = "en") -> Message:
    """No answer: short, friendly, the question echoed (escaped), a pointer to the list."""
    words = WORDS[language]
    text = words["no_match"].format(asked=echo(question, MAX_ECHO) or words["that"])
    return {"text": text, "blocks": [_section(text)]}


# -- /qwen help, layers, list ------------------------------------------------


def help_message(*, note: str | None = None, admin: bool = False) -> Message:
    """What ``/qwen`` can do; ``note`` (already safe) goes first, e.g. an unknown sub-command."""
    lines = [
        "`/qwen QUESTION` ask a question (only you see the answer; a button shares it)",
        "`/qwen layers` the five layers behind Qwen: who they are and where they are visible",
        "`/qwen list [LAYER]` browse the questions I can answer, all or for one layer",
        "`/qwen onboard` the newcomer's guide",
        "`/qwen help` this help",
    ]
    if admin:
        lines += ["`/qwen report` what people asked and did not get (curators)", "`/qwen reload` reload the FAQ now"]
    body = "\n".join(f"• {line}" for line in lines)
    tail = "You can also mention me in a channel or send me a direct message."
    blocks = [_section(note)] if note else []
    blocks += [_header("Qwen sourcing bot"), _section(body), _context(tail)]
    return {"text": "\n".join(filter(None, [note, "Qwen sourcing bot commands:", plain(body), tail])), "blocks": blocks}


def layers_message(faq: Faq) -> Message:
    """The layers as a table: name and id, relationship to Qwen, public visibility."""
    blocks: list[Block] = [_header("Who stands behind Qwen: the layers")]
    for layer in faq.layers.values():
        blocks.append(
            {
                "type": "section",
                "fields": [
                    _mrkdwn(f"*{escape(layer.name)}*\n`{layer.id}`"),
                    _mrkdwn(f"{escape(layer.role)}\n_Visible:_ {escape(layer.visibility)}"),
                ],
            }
        )
        blocks.append(_context(escape(layer.summary)))
    blocks.append(_context("Ask `/qwen list LAYER` to see the questions for one layer."))
    text = "; ".join(f"{layer.name}: {layer.role}" for layer in faq.layers.values())
    return {"text": escape(text), "blocks": blocks}


def list_message(faq: Faq, layer_id: str | None = None) -> Message:
    """The questions, grouped by primary layer, each group with a menu to open one."""
    layers = [faq.layers[layer_id]] if layer_id else list(faq.layers.values())
    title = f"Questions about {layers[0].name}" if layer_id else "Questions I can answer"
    blocks: list[Block] = [_header(title)]
    blocks += [_browse_section(layer, faq.in_layer(layer.id)) for layer in layers if faq.in_layer(layer.id)]
    blocks.append(_context("Pick a question from a menu to see its answer, or just ask in your own words."))
    count = sum(len(faq.in_layer(layer.id)) for layer in layers)
    return {"text": f"{title}: {count} questions", "blocks": blocks[:MAX_MESSAGE_BLOCKS]}


def unknown_layer_message(given: str, faq: Faq) -> Message:
    text = f"There is no layer `{echo(given, 40)}`. The layers are: " + ", ".join(
        f"`{layer_id}`" for layer_id in faq.layers
    )
    return {"text": text, "blocks": [_section(text)]}


# -- onboarding --------------------------------------------------------------


def onboarding_message(faq: Faq) -> Message:
    """The welcome DM and ``/qwen onboard``: what the bot is, the layer map, starter questions."""
    blocks: list[Block] = [_header("Welcome to the Qwen sourcing bot")]
    if faq.onboarding.welcome:
        blocks.append(_section(escape(faq.onboarding.welcome)))
    blocks.append(_section("*The layer map*\n" + _layer_map(faq.layers.values())))
    starters = _starters(faq)
    if starters:
        blocks.append(_section("*Try one of these:*"))
        blocks.append({"type": "actions", "elements": _entry_buttons(starters)})
    blocks.append(_context(_how_to_ask()))
    return {"text": escape(f"Welcome to the Qwen sourcing bot. {plain(faq.onboarding.welcome)}"), "blocks": blocks}


def channel_welcome_message(faq: Faq) -> Message:
    """The ephemeral welcome when someone joins a watched channel."""
    blocks: list[Block] = [
        _section(
            "Welcome! I answer sourcing questions about Qwen here and say which layer each answer applies "
            "to: the Tongyi research releases, the open weights on Hugging Face, or Alibaba Cloud's paid API."
        )
    ]
    starters = _starters(faq)
    if starters:
        blocks.append({"type": "actions", "elements": _entry_buttons(starters)})
    blocks.append(_context(_how_to_ask()))
    return {"text": "Welcome! I answer sourcing questions about Qwen. Try /qwen help.", "blocks": blocks}


def home_view(faq: Faq, *, language: Language = "en") -> dict[str, Any]:
    """The App Home tab in ``language``: the layer map, questions browsable by layer, how to ask."""
    words = WORDS[language]
    welcome = (language == "zh" and faq.onboarding.welcome_zh) or faq.onboarding.welcome
    blocks: list[Block] = [_header("Qwen sourcing bot"), _search_section(language)]
    if welcome:
        blocks.append(_section(escape(welcome)))
    blocks += [{"type": "divider"}, _section(words["layer_map"])]
    for layer in faq.layers.values():
        name, role = escape(layer_name(layer, language)), escape(layer_role(layer, language))
        blocks.append(_section(f"*{name}*: {role}\n{words['visible']} {escape(layer.visibility)}"))
    blocks += [{"type": "divider"}, _header(words["browse_header"])]
    blocks += [
        _browse_section(layer, faq.in_layer(layer.id), language)
        for layer in faq.layers.values()
        if faq.in_layer(layer.id)
    ]
    blocks += [{"type": "divider"}, _section(words["how_to_ask"])]
    return {"type": "home", "blocks": blocks[:MAX_VIEW_BLOCKS]}


# -- other replies -----------------------------------------------------------


def notice(text: str) -> Message:
    """A short message whose text is already safe mrkdwn."""
    return {"text": text, "blocks": [_section(text)]}


def apology_message() -> Message:
    """What a user sees when something failed on the bot's side. Never includes error details."""
    return notice("Sorry, something went wrong on my side while answering that. Please try again in a moment.")


# -- pieces ------------------------------------------------------------------


def _layer_line(entry: Entry, faq: Faq, language: Language) -> str:
    words = WORDS[language]
    primary = faq.layers[entry.layer]
    name, role = layer_name(primary, language), layer_role(primary, language)
    role = role if language == "zh" else role[:1].lower() + role[1:]
    line = f"{words['layer']} {escape(name)}{'，' if language == 'zh' else ', '}{escape(role)}"
    also = [escape(layer_name(faq.layers[layer], language)) for layer in entry.layers[1:] if layer in faq.layers]
    return line + (f" · {words['also']} {', '.join(also)}" if also else "")


def _source_line(entry: Entry, faq: Faq, language: Language) -> str:
    cited = []
    for source in entry.sources:
        document = faq.documents.get(source.document)
        if document is None:
            cited.append(f"{escape(source.document)}, {escape(source.section)}")
            continue
        kind = escape(document.kind) + (f" by {escape(document.author)}" if document.author else "")
        cited.append(f"_{escape(document.title)}_ ({kind}), {escape(source.section)}")
    reviewed = f" · {WORDS[language]['reviewed']} {entry.reviewed.isoformat()}" if entry.reviewed else ""
    return f"{WORDS[language]['source']} " + "; ".join(cited) + reviewed


def _see_also(entry: Entry, faq: Faq) -> list[Entry]:
    return [other for other in (faq.entry(i) for i in entry.see_also[:3]) if other is not None]


def _starters(faq: Faq) -> list[Entry]:
    chosen = [faq.entry(i) for i in faq.onboarding.starters] or list(faq.entries[:5])
    return [entry for entry in chosen if entry is not None][:5]


def _layer_map(layers: Iterable[Layer]) -> str:
    return "\n".join(f"• *{escape(layer.name)}*: {escape(layer.role)}" for layer in layers)


def _how_to_ask() -> str:
    return HOW_TO_ASK


def _browse_section(layer: Layer, entries: Sequence[Entry], language: Language = "en") -> Block:
    words = WORDS[language]
    lines = [f"*{escape(layer_name(layer, language))}* ({len(entries)})"]
    for number, entry in enumerate(entries):
        line = f"• {escape(question_in(entry, language))}"
        if sum(len(x) + 1 for x in lines) + len(line) > MAX_SECTION_TEXT - 40:
            lines.append(words["more"].format(count=len(entries) - number))
            break
        lines.append(line)
    options = [
        {"text": _plain_text(clip(question_in(entry, language), MAX_OPTION_TEXT)), "value": entry.id}
        for entry in entries[:MAX_OPTIONS]
    ]
    return {
        "type": "section",
        "text": _mrkdwn("\n".join(lines)),
        "accessory": {
            "type": "static_select",
            "action_id": f"{BROWSE}:{layer.id}",
            "placeholder": _plain_text(words["open_question"]),
            "options": options,
        },
    }


def _search_section(language: Language) -> Block:
    words = WORDS[language]
    return {
        "type": "section",
        "block_id": SEARCH,
        "text": _mrkdwn(words["search"]),
        "accessory": {
            "type": "external_select",
            "action_id": SEARCH,
            "placeholder": _plain_text(words["search_placeholder"]),
            "min_query_length": 1,  # one Chinese character is a word
        },
    }


def _feedback(entry: Entry, language: Language) -> Block:
    """Slack's own feedback buttons (thumbs up and down), as people know them from AI apps."""
    words = WORDS[language]
    return {
        "type": "context_actions",
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": FEEDBACK,
                "positive_button": {
                    "text": _plain_text(words["helpful"]),
                    "accessibility_label": words["helpful_label"],
                    "value": f"{VOTE_HELPFUL}:{entry.id}",
                },
                "negative_button": {
                    "text": _plain_text(words["not_helpful"]),
                    "accessibility_label": words["not_helpful_label"],
                    "value": f"{VOTE_NOT_HELPFUL}:{entry.id}",
                },
            }
        ],
    }


def _entry_buttons(entries: Iterable[Entry], *, prefix: str = "", language: Language = "en") -> list[Block]:
    return [
        _button(clip(prefix + question_in(entry, language), MAX_BUTTON_TEXT), f"{SHOW_ENTRY}:{number}", entry.id)
        for number, entry in enumerate(entries)
    ]


def _button(text: str, action_id: str, value: str, *, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": _plain_text(text), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def _section(text: str) -> Block:
    return {"type": "section", "text": _mrkdwn(clip(text, MAX_SECTION_TEXT))}


def _header(text: str) -> Block:
    return {"type": "header", "text": _plain_text(clip(text, MAX_HEADER_TEXT))}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [_mrkdwn(clip(text, MAX_SECTION_TEXT))]}


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _plain_text(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


# -- curators ----------------------------------------------------------------


def report_message(report: Report) -> Message:
    """The short report for ``/qwen report``: top unanswered groups, unhelpful answers, volume per layer."""
    outcomes = report.outcomes
    summary = (
        f"*Last {report.since_days} days:* {report.questions} questions, "
        f"{outcomes.get('answered', 0)} answered, {outcomes.get('did-you-mean', 0)} did-you-mean, "
        f"{outcomes.get('not-covered', 0)} not covered by the sources, {outcomes.get('no-match', 0)} without an answer."
    )
    unanswered = [
        f"• {group.count}× “{show(group.example, 120)}” "
        + (f"(closest: `{group.closest_id}` {group.closest_score:.0f})" if group.closest_id else "(nothing close)")
        for group in report.unanswered[:5]
    ] or ["• none"]
    unhelpful = [
        f"• `{row.entry_id}`: {row.not_helpful} not helpful, {row.helpful} helpful" for row in report.unhelpful[:5]
    ] or ["• none"]
    layers = ", ".join(f"`{layer}` {count}" for layer, count in report.per_layer.items())
    stale = [f"• `{s.entry_id}`: {stale_age(s)}" for s in report.stale[:10]] or ["• none"]
    if len(report.stale) > 10:
        stale.append(f"…and {len(report.stale) - 10} more: `python -m bot faq check` lists them all")
    blocks: list[Block] = [
        _header("Curators' report"),
        _section(f"*Due for review* (not reviewed in {report.review_days} days, oldest first)\n" + "\n".join(stale)),
        _section(summary),
        _section("*Most asked, not answered*\n" + "\n".join(unanswered)),
        _section("*Voted not helpful*\n" + "\n".join(unhelpful)),
        _section(f"*Answered per layer:* {layers}"),
        _context("The full report: `python -m bot report` on the server."),
    ]
    return {"text": plain(summary), "blocks": blocks}


def reload_message(result: ReloadResult) -> Message:
    """The outcome of ``/qwen reload``."""
    if result.ok:
        what = "reloaded" if result.changed else "unchanged"
        return notice(f"FAQ {what}: version `{result.version}`, {result.entries} entries.")
    problems = "\n".join(f"• `{escape(clip(problem, 300))}`" for problem in result.problems[:5])
    return notice(f"FAQ edit refused; still serving version `{result.version}`:\n{problems}")
