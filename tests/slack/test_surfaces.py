"""Slack's newer surfaces over real HTTP: the Messages tab, native feedback, the message shortcut,
type-ahead search and Workflow Builder steps."""

from __future__ import annotations

import json
import time

from tests.support.bot_server import (
    BotServer,
    block_action,
    block_suggestion,
    direct_message,
    function_executed,
    home_opened,
    message_action,
)
from tests.support.fake_slack import FakeSlack


def shown(args: dict) -> str:
    return args.get("text", "") + json.dumps(args.get("blocks", []), ensure_ascii=False)


# -- the Messages tab --------------------------------------------------------------------------------


def test_opening_the_messages_tab_sets_starter_prompts(bot: BotServer, slack: FakeSlack) -> None:
    """Three or four of the FAQ's onboarding starters, for the DM itself (no thread_ts in the agent experience)."""
    assert bot.event(home_opened("messages", user="W0PROMPT1", channel="D0PROMPT1")).status == 200
    [call] = slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert call.args["channel_id"] == "D0PROMPT1"
    assert "thread_ts" not in call.args
    prompts = call.args["prompts"]
    assert 3 <= len(prompts) <= 4
    assert prompts[0] == {
        "title": "Who stands behind which part of Qwen?",
        "message": "Who stands behind which part of Qwen?",
    }
    assert not slack.calls_to("views.publish")


def test_after_a_chinese_question_the_prompts_are_chinese(bot: BotServer, slack: FakeSlack) -> None:
    """A user whose last question was Chinese gets the starters' Chinese questions."""
    bot.event(direct_message("千问可以商用吗？", user="W0CHINESE", channel="D0CHINESE"))
    slack.wait_for("chat.postMessage")
    bot.event(home_opened("messages", user="W0CHINESE", channel="D0CHINESE"))
    [call] = slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in prompt["title"]) for prompt in call.args["prompts"])


def test_a_question_typed_in_the_messages_tab_is_answered_like_a_dm(bot: BotServer, slack: FakeSlack) -> None:
    """In the agent experience each conversation is a thread of the DM: the answer goes in that thread."""
    bot.event(direct_message("who funds qwen?", thread_ts="1712345678.000100"))
    [call] = slack.wait_for("chat.postMessage")
    assert (call.args["channel"], call.args["thread_ts"]) == ("D111", "1712345678.000100")
    assert "Alibaba Group" in shown(call.args)


# -- native feedback ---------------------------------------------------------------------------------


def feedback_click(value: str, url: str, user: str = "W0VOTER01") -> dict:
    body = block_action("feedback", "", response_url=url, user=user)
    body["actions"][0] = {
        "type": "feedback_buttons",
        "action_id": "feedback",
        "block_id": "fb",
        "value": value,
        "action_ts": "1712345678.000300",
    }
    return body


def test_a_feedback_block_vote_is_stored_and_reported(bot: BotServer, slack: FakeSlack) -> None:
    """A thumbs-down from Slack's feedback block is thanked privately and shows in the curators' report."""
    bot.action(feedback_click("not_helpful:model-studio-rate-limits", slack.response_url("vote")))
    [call] = slack.wait_for("response_url:vote")
    assert call.args["response_type"] == "ephemeral"
    assert "curators review" in shown(call.args)
    report = bot.command("report", user_id="UADMIN001", name="report")
    assert report.status == 200
    [posted] = slack.wait_for("response_url:report")
    assert "`model-studio-rate-limits`: 1 not helpful" in shown(posted.args)


def test_a_thumbs_up_is_thanked(bot: BotServer, slack: FakeSlack) -> None:
    bot.action(feedback_click("helpful:licence", slack.response_url("up")))
    [call] = slack.wait_for("response_url:up")
    assert "glad it helped" in shown(call.args)


def test_a_tampered_feedback_value_gets_a_polite_note(bot: BotServer, slack: FakeSlack) -> None:
    bot.action(feedback_click("helpful:../../etc", slack.response_url("bad")))
    [call] = slack.wait_for("response_url:bad")
    assert "no longer in my FAQ" in shown(call.args)


# -- the message shortcut ----------------------------------------------------------------------------


def test_the_shortcut_answers_someone_elses_message_privately(bot: BotServer, slack: FakeSlack) -> None:
    """ "Ask the Qwen bot" on a message: the clicker alone sees the answer, with a button for the thread."""
    body = message_action("does anyone know if qwen has an SLA?", response_url=slack.response_url("ask"))
    assert bot.action(body).status == 200
    [call] = slack.wait_for("response_url:ask")
    assert call.args["response_type"] == "ephemeral"
    assert "SLA" in shown(call.args)
    buttons = [e for b in call.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    [share] = [b for b in buttons if b["action_id"] == "share_in_thread"]
    assert share["value"] == f"model-studio-sla {body['message_ts']}"
    assert not slack.calls_to("chat.postMessage")


def test_sharing_posts_the_answer_in_the_messages_thread(bot: BotServer, slack: FakeSlack) -> None:
    """The share button posts in the thread of the asked message, credited, and removes the private copy."""
    container = {"type": "message", "message_ts": "5.000", "channel_id": "C111", "is_ephemeral": True}
    click = block_action(
        "share_in_thread", "model-studio-sla 1712345678.000200", response_url=slack.response_url("s"), user="U0SHARER1"
    )
    click["container"] = container
    bot.action(click)
    [posted] = slack.wait_for("chat.postMessage")
    assert (posted.args["channel"], posted.args["thread_ts"]) == ("C111", "1712345678.000200")
    assert "<@U0SHARER1>" in shown(posted.args)
    [deleted] = slack.wait_for("response_url:s")
    assert deleted.args["delete_original"] is True


def test_sharing_where_the_bot_is_not_a_member_says_so(bot: BotServer, slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", error="not_in_channel")
    click = block_action("share_in_thread", "licence 1712345678.000200", response_url=slack.response_url("n"))
    bot.action(click)
    [note] = slack.wait_for("response_url:n")
    assert "invite me" in shown(note.args)


def test_the_shortcut_on_chatter_or_an_empty_message(bot: BotServer, slack: FakeSlack) -> None:
    """No question in the message: the friendly no-match, or a note when there is no text at all."""
    bot.action(message_action("lunch at noon", response_url=slack.response_url("chat")))
    [call] = slack.wait_for("response_url:chat")
    assert "don't have an answer" in shown(call.args)
    bot.action(message_action("", response_url=slack.response_url("empty")))
    [empty] = slack.wait_for("response_url:empty")
    assert "no text I can read" in shown(empty.args)


# -- type-ahead search -------------------------------------------------------------------------------


def test_type_ahead_options_come_back_in_the_acknowledgement(bot: BotServer, slack: FakeSlack) -> None:
    """A few typed letters: matching questions, within Slack's 3 seconds and 100 options."""
    started = time.monotonic()
    response = bot.action(block_suggestion("licen"))
    assert time.monotonic() - started < 3
    options = response.json()["options"]
    assert 1 <= len(options) <= 100
    assert options[0]["value"] == "licence"
    everything = bot.action(block_suggestion("")).json()["options"]
    assert len(everything) == 56


def test_type_ahead_in_chinese_offers_chinese_questions(bot: BotServer, slack: FakeSlack) -> None:
    options = bot.action(block_suggestion("商用")).json()["options"]
    assert options
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in o["text"]["text"]) for o in options)


def test_slash_qwen_alone_opens_the_search_modal(bot: BotServer, slack: FakeSlack) -> None:
    response = bot.command("")
    assert response.status == 200
    [call] = slack.wait_for("views.open")
    view = call.args["view"]
    assert view["callback_id"] == "qwen_search"
    assert view["blocks"][0]["accessory"]["type"] == "external_select"


def test_picking_a_search_result_in_the_modal_shows_its_answer_there(bot: BotServer, slack: FakeSlack) -> None:
    """The modal is updated in place: the search stays on top, the answer below."""
    pick = block_action("search", "", response_url="", container={"type": "view", "view_id": "V0SEARCH1"})
    del pick["response_url"]
    pick["view"] = {"id": "V0SEARCH1", "type": "modal", "callback_id": "qwen_search", "hash": "1.abc"}
    pick["actions"][0] = {
        "type": "external_select",
        "action_id": "search",
        "block_id": "search",
        "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "model-studio-sla"},
        "action_ts": "1.2",
    }
    bot.action(pick)
    [call] = slack.wait_for("views.update")
    assert call.args["view_id"] == "V0SEARCH1"
    assert call.args["view"]["blocks"][0]["block_id"] == "search"
    assert "SLA" in json.dumps(call.args["view"])


def test_the_home_tab_starts_with_the_search(bot: BotServer, slack: FakeSlack) -> None:
    bot.event(home_opened("home"))
    [call] = slack.wait_for("views.publish")
    assert call.args["view"]["blocks"][1]["accessory"]["action_id"] == "search"


# -- Workflow Builder steps --------------------------------------------------------------------------


def test_the_primer_step_dms_the_user_and_completes(bot: BotServer, slack: FakeSlack) -> None:
    """ "Send the Qwen sourcing primer": the welcome DM, then completeSuccess, both with the step's token."""
    bot.event(function_executed("send_qwen_primer", {"user_id": "U0NEWBIE1"}))
    [dm] = slack.wait_for("chat.postMessage")
    assert dm.args["channel"] == "U0NEWBIE1"
    assert "Welcome to the Qwen sourcing bot" in shown(dm.args)
    [done] = slack.wait_for("functions.completeSuccess")
    assert done.headers["token-kind"] == "xwfp"
    assert done.args["outputs"] == {}


def test_the_look_up_step_hands_its_outputs_to_later_steps(bot: BotServer, slack: FakeSlack) -> None:
    bot.event(function_executed("look_up_qwen_answer", {"question": "is there an SLA for the hosted api?"}))
    [done] = slack.wait_for("functions.completeSuccess")
    outputs = done.args["outputs"]
    assert outputs["answered"] is True
    assert outputs["layer"] == "Alibaba Cloud (Model Studio)"
    assert "SLA" in outputs["answer"]
    assert outputs["source"]


def test_the_look_up_step_without_an_answer_says_so(bot: BotServer, slack: FakeSlack) -> None:
    bot.event(function_executed("look_up_qwen_answer", {"question": "where is the pizza party?"}))
    [done] = slack.wait_for("functions.completeSuccess")
    assert done.args["outputs"]["answered"] is False
    assert done.args["outputs"]["layer"] == ""


def test_a_step_with_bad_input_fails_with_one_sentence(bot: BotServer, slack: FakeSlack) -> None:
    bot.event(function_executed("send_qwen_primer", {"user_id": "not a user"}))
    bot.event(function_executed("look_up_qwen_answer", {"question": "  "}))
    errors = sorted(call.args["error"] for call in slack.wait_for("functions.completeError", 2))
    assert errors == [
        "The step needs a question: fill in its Question input.",
        "The step needs a user: set its User input to a person in this workspace.",
    ]


def test_a_refused_primer_dm_fails_the_step_with_slacks_reason(bot: BotServer, slack: FakeSlack) -> None:
    slack.fail("chat.postMessage", error="user_not_found")
    bot.event(function_executed("send_qwen_primer", {"user_id": "U0GONE001"}))
    [failed] = slack.wait_for("functions.completeError")
    assert failed.args["error"] == "Slack refused the direct message (user_not_found)."


def test_a_step_delivered_twice_runs_once(bot: BotServer, slack: FakeSlack) -> None:
    body = function_executed("send_qwen_primer", {"user_id": "U0TWICE01"})
    bot.event(body)
    bot.event(body, retry=1)
    slack.wait_for("functions.completeSuccess")
    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len([c for c in slack.quiet(1.0) if c.method.startswith("functions.")]) == 1
