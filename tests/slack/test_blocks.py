"""Every message and view the bot can build stays within Slack's documented Block Kit limits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.knowledge.freshness import StaleEntry
from bot.knowledge.language import Language
from bot.knowledge.live import ReloadResult
from bot.knowledge.matcher import Matcher, Suggestion
from bot.report import EntryVotes, Report, UnansweredGroup
from bot.slack import blocks

# https://docs.slack.dev/reference/block-kit/blocks, .../block-elements, .../composition-objects
LIMITS = {
    "message_blocks": 50,
    "view_blocks": 100,
    "section_text": 3000,
    "section_fields": 10,
    "field_text": 2000,
    "header_text": 150,
    "context_elements": 10,
    "actions_elements": 25,
    "button_text": 75,
    "button_value": 2000,
    "action_id": 255,
    "block_id": 255,
    "options": 100,
    "option_text": 75,
    "option_value": 150,
    "placeholder": 150,
    "view_title": 24,
    "context_actions_elements": 5,
    "prompts": 4,
    "fallback_text": 40000,
}


def problems_in(blocks_: list[dict[str, Any]], *, view: bool) -> list[str]:
    """Every way the blocks break a documented limit."""
    found = []
    limit = LIMITS["view_blocks"] if view else LIMITS["message_blocks"]
    if len(blocks_) > limit:
        found.append(f"{len(blocks_)} blocks > {limit}")
    block_ids = [b["block_id"] for b in blocks_ if "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        found.append("duplicate block_id")
    action_ids: list[str] = []
    for block in blocks_:
        found += block_problems(block, action_ids)
    if len(action_ids) != len(set(action_ids)):
        found.append(f"duplicate action_id in {action_ids}")
    return found


def block_problems(block: dict[str, Any], action_ids: list[str]) -> list[str]:
    kind = block["type"]
    if kind == "section":
        return section_problems(block, action_ids)
    if kind == "header":
        ok = block["text"]["type"] == "plain_text" and len(block["text"]["text"]) <= LIMITS["header_text"]
        return [] if ok else ["bad header"]
    if kind == "context":
        elements = block["elements"]
        ok = 1 <= len(elements) <= LIMITS["context_elements"]
        return [] if ok and all(len(e["text"]) <= LIMITS["section_text"] for e in elements) else ["bad context"]
    if kind == "actions":
        found = [] if 1 <= len(block["elements"]) <= LIMITS["actions_elements"] else ["actions element count"]
        return found + [p for element in block["elements"] for p in element_problems(element, action_ids)]
    if kind == "context_actions":
        ok = 1 <= len(block["elements"]) <= LIMITS["context_actions_elements"]
        found = [] if ok else ["context_actions element count"]
        return found + [p for element in block["elements"] for p in element_problems(element, action_ids)]
    return [] if kind == "divider" else [f"unexpected block type {kind}"]


def section_problems(block: dict[str, Any], action_ids: list[str]) -> list[str]:
    found = []
    if "text" in block and len(block["text"]["text"]) > LIMITS["section_text"]:
        found.append("section text too long")
    if "text" not in block and "fields" not in block:
        found.append("section without text or fields")
    fields = block.get("fields", [])
    if len(fields) > LIMITS["section_fields"] or any(len(f["text"]) > LIMITS["field_text"] for f in fields):
        found.append("section fields over limit")
    if "accessory" in block:
        found += element_problems(block["accessory"], action_ids)
    return found


def element_problems(element: dict[str, Any], action_ids: list[str]) -> list[str]:
    action_ids.append(element["action_id"])
    found = ["action_id too long"] if len(element["action_id"]) > LIMITS["action_id"] else []
    kind = element["type"]
    if kind == "button":
        found += button_problems(element)
    elif kind == "feedback_buttons":
        found += [p for b in (element["positive_button"], element["negative_button"]) for p in button_problems(b)]
    elif kind in {"static_select", "external_select"}:
        found += select_problems(element)
    else:
        found.append(f"unexpected element {kind}")
    return found


def button_problems(button: dict[str, Any]) -> list[str]:
    found = []
    if not 1 <= len(button["text"]["text"]) <= LIMITS["button_text"]:
        found.append(f"button text {button['text']['text']!r}")
    if len(button.get("value", "")) > LIMITS["button_value"]:
        found.append("button value too long")
    return found


def select_problems(element: dict[str, Any]) -> list[str]:
    found = []
    options = element.get("options")  # an external_select's come from the options request
    if options is not None and not 1 <= len(options) <= LIMITS["options"]:
        found.append("option count")
    for option in options or []:
        if len(option["text"]["text"]) > LIMITS["option_text"] or len(option["value"]) > LIMITS["option_value"]:
            found.append(f"option too long: {option['text']['text']!r}")
    if len(element["placeholder"]["text"]) > LIMITS["placeholder"]:
        found.append("placeholder too long")
    return found


def check_message(message: dict[str, Any]) -> None:
    assert message["text"].strip(), "every message needs a plain-text fallback"
    assert len(message["text"]) <= LIMITS["fallback_text"]
    assert problems_in(message["blocks"], view=False) == []


def check_view(view: dict[str, Any]) -> None:
    assert problems_in(view["blocks"], view=True) == []
    if view["type"] == "modal":
        assert len(view["title"]["text"]) <= LIMITS["view_title"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_answer(shipped_matcher: Matcher, language: Language) -> None:
    """Each entry's answer, as posted, as shareable, as shared, and in a modal, in either language."""
    faq = shipped_matcher.faq
    for entry in faq.entries:
        check_message(blocks.answer_message(entry, faq, language=language))
        check_message(blocks.answer_message(entry, faq, shareable=True, language=language))
        check_message(blocks.answer_message(entry, faq, shared_by="U0123ABCD", language=language))
        check_message(blocks.answer_message(entry, faq, share_in_thread="1712345678.000200", language=language))
        check_view(blocks.answer_modal(entry, faq, language=language))
        check_view(blocks.search_modal(faq, entry, language=language))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_did_you_mean_with_the_longest_questions_and_a_huge_echo(shipped_matcher: Matcher, language: Language) -> None:
    longest = sorted(shipped_matcher.faq.entries, key=lambda e: -len(e.question))[:3]
    check_message(blocks.did_you_mean_message("x" * 40_000, [Suggestion(e, 50.0) for e in longest], language=language))


def test_the_review_date_sits_beside_the_source(shipped_matcher: Matcher) -> None:
    """An answer's source context ends with the entry's review date, in the reply's language."""
    from dataclasses import replace

    entry = replace(shipped_matcher.faq.entries[0], reviewed=date(2026, 11, 2))
    for language, label in (("en", "reviewed"), ("zh", "审核于")):
        contexts = [
            b["elements"][0]["text"]
            for b in blocks.answer_message(entry, shipped_matcher.faq, language=language)["blocks"]
            if b["type"] == "context"
        ]
        assert contexts[1].endswith(f" · {label} 2026-11-02")


def test_chinese_did_you_mean_offers_the_chinese_questions(shipped_matcher: Matcher) -> None:
    """Suggestion buttons carry question_zh in a Chinese reply (the English question where there is none)."""
    from dataclasses import replace

    first, second = shipped_matcher.faq.entries[:2]
    suggestions = [
        Suggestion(replace(first, question_zh="第一个问题？"), 60.0),
        Suggestion(replace(second, question_zh=""), 58.0),
    ]
    message = blocks.did_you_mean_message("千问<!channel>", suggestions, language="zh")
    buttons = [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["第一个问题？", second.question]
    assert message["blocks"][0]["text"]["text"] == "我不确定你说的“千问&lt;!channel&gt;”是指下面哪一个："


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("question", ["", "x" * 40_000, "<!channel> & <@U1>"])
def test_no_match(question: str, language: Language) -> None:
    message = blocks.no_match_message(question, language=language)
    check_message(message)
    assert "<!channel>" not in str(message)


def test_help_layers_lists_onboarding_and_home(shipped_matcher: Matcher) -> None:
    faq = shipped_matcher.faq
    check_message(blocks.help_message())
    check_message(blocks.help_message(note="I don't know the command `x`", admin=True))
    check_message(blocks.layers_message(faq))
    check_message(blocks.list_message(faq))
    for layer in faq.layers:
        check_message(blocks.list_message(faq, layer))
    check_message(blocks.unknown_layer_message("x" * 5000, faq))
    check_message(blocks.onboarding_message(faq))
    check_message(blocks.channel_welcome_message(faq))
    check_view(blocks.home_view(faq))
    check_view(blocks.home_view(faq, language="zh"))
    check_message(blocks.apology_message())


def test_a_huge_faq_still_fits(shipped_matcher: Matcher) -> None:
    """Five hundred entries in one layer: lists and the Home view clip, menus keep to 100 options."""
    from dataclasses import replace

    faq = shipped_matcher.faq
    many = tuple(replace(faq.entries[0], id=f"e{n}", question=f"Question number {n} " + "y" * 200) for n in range(500))
    big = replace(faq, entries=many)
    check_message(blocks.list_message(big))
    check_view(blocks.home_view(big))


def test_report_and_reload_messages() -> None:
    groups = [UnansweredGroup("q" * 5000, 9, "licence", 41.0, ("q",)) for _ in range(30)]
    unhelpful = [EntryVotes(f"e{n}", "Q?", 3, 1) for n in range(30)]
    stale = [StaleEntry(f"e{n}", "Q?", None, None, "f.yaml", n) for n in range(60)]
    report = Report(30, 500, {"answered": 400, "no-match": 100}, groups, unhelpful, {"alibaba-cloud": 3}, stale)
    check_message(blocks.report_message(report))
    check_message(blocks.reload_message(ReloadResult(True, True, 47, "abc")))
    check_message(blocks.reload_message(ReloadResult(False, False, 47, "abc", tuple("p" * 4000 for _ in range(9)))))


@pytest.mark.parametrize("question", ["", "x" * 40_000, "<!channel> who is qwen's CEO?"])
def test_not_covered_says_so_and_offers_the_nearest(shipped_matcher: Matcher, question: str) -> None:
    nearest = [Suggestion(e, 30.0) for e in shipped_matcher.faq.entries[:3]]
    message = blocks.not_covered_message(question, nearest)
    check_message(message)
    assert "don't cover" in message["text"]
    assert "<!channel>" not in str(message)
    check_message(blocks.not_covered_message(question, []))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_search_modal_options_and_prompts(shipped_matcher: Matcher, language: Language) -> None:
    """The empty search modal, the most options a search can give (with 500 long questions), and the prompts."""
    from dataclasses import replace

    faq = shipped_matcher.faq
    check_view(blocks.search_modal(faq, language=language))
    many = [
        replace(faq.entries[0], id=f"e{n}" + "x" * 100, question="Q" * 300, question_zh="问" * 300) for n in range(500)
    ]
    options = blocks.search_options(many, language=language)
    assert len(options) == LIMITS["options"]
    assert all(
        len(o["text"]["text"]) <= LIMITS["option_text"] and len(o["value"]) <= LIMITS["option_value"] for o in options
    )
    prompts = blocks.suggested_prompts(faq, language=language)
    assert 3 <= len(prompts) <= LIMITS["prompts"]
    assert all(p["title"] and p["message"] for p in prompts)


def test_answers_carry_slacks_feedback_block(shipped_matcher: Matcher) -> None:
    """Slack's own feedback buttons replace the hand-made ones; their values name the vote and the entry."""
    faq = shipped_matcher.faq
    message = blocks.answer_message(faq.entries[0], faq)
    [feedback] = [b for b in message["blocks"] if b["type"] == "context_actions"]
    [element] = feedback["elements"]
    assert element["type"] == "feedback_buttons"
    assert element["positive_button"]["value"] == f"helpful:{faq.entries[0].id}"
    assert element["negative_button"]["value"] == f"not_helpful:{faq.entries[0].id}"
    assert "feedback:helpful" not in str(message)
    assert "context_actions" not in str(blocks.answer_modal(faq.entries[0], faq))


def test_an_answer_is_built_once_per_faq_version_and_each_caller_gets_its_own_copy(shipped_matcher: Matcher) -> None:
    """Answers are reused within one FAQ version: changing a copy changes no later one, and a new version
    (or an entry that is not the FAQ's own) is rendered afresh."""
    from dataclasses import replace

    faq = shipped_matcher.faq
    entry = faq.entries[0]
    first = blocks.answer_message(entry, faq, shareable=True, language="zh")
    fresh = blocks.answer_message(replace(entry), faq, shareable=True, language="zh")  # not cached: not faq's own
    assert first == fresh
    first["blocks"].clear()
    first["text"] = "changed"
    assert blocks.answer_message(entry, faq, shareable=True, language="zh") == fresh
    edited = replace(entry, answer="A new answer, for a new version.")
    newer = replace(faq, entries=(edited, *faq.entries[1:]), version="edited")
    assert "A new answer, for a new version." in blocks.answer_message(edited, newer)["blocks"][0]["text"]["text"]
    assert "A new answer" not in str(blocks.answer_message(entry, faq))
