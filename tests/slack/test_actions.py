"""Buttons and menus over real HTTP: suggestions, see-also, browse, share and feedback."""

from __future__ import annotations

import json

from tests.support.bot_server import BotServer, block_action
from tests.support.fake_slack import FakeSlack


def shown(args: dict) -> str:
    return args.get("text", "") + json.dumps(args.get("blocks", []), ensure_ascii=False)


def test_suggestion_in_an_ephemeral_reply_replaces_it_with_the_answer(bot: BotServer, slack: FakeSlack) -> None:
    """A did-you-mean button under /qwen: the private reply becomes the answer, still shareable."""
    assert bot.action(block_action("show_entry:0", "funding", response_url=slack.response_url("pick"))).status == 200
    [call] = slack.wait_for("response_url:pick")
    assert call.args["replace_original"] is True
    assert "Does Alibaba fund" in shown(call.args)
    assert "share_answer" in shown(call.args)


def test_button_in_a_channel_message_answers_in_the_thread(bot: BotServer, slack: FakeSlack) -> None:
    """A button under a public reply (suggestion or see-also) answers in that thread."""
    container = {"type": "message", "message_ts": "200.000", "channel_id": "C111", "is_ephemeral": False}
    message = {"ts": "200.000", "thread_ts": "199.000", "text": "Did you mean"}
    body = block_action(
        "show_entry:1", "licence", response_url=slack.response_url("x"), container=container, message=message
    )
    bot.action(body)
    [call] = slack.wait_for("chat.postMessage")
    assert (call.args["channel"], call.args["thread_ts"]) == ("C111", "199.000")


def test_menu_in_the_home_tab_opens_a_modal(bot: BotServer, slack: FakeSlack) -> None:
    """Picking a question in the App Home opens its answer in a modal."""
    body = block_action("browse:alibaba-cloud", "", response_url="", container={"type": "view", "view_id": "V1"})
    del body["response_url"]
    body["actions"][0] = {
        "action_id": "browse:alibaba-cloud",
        "block_id": "b",
        "type": "static_select",
        "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "model-studio"},
        "action_ts": "1.2",
    }
    bot.action(body)
    [call] = slack.wait_for("views.open")
    assert call.args["trigger_id"] == body["trigger_id"]
    assert call.args["view"]["type"] == "modal"
    assert "Model Studio" in json.dumps(call.args["view"])


def test_share_posts_in_channel_then_removes_the_private_copy(bot: BotServer, slack: FakeSlack) -> None:
    """Share: the answer goes to the channel, credited to the sharer; the ephemeral one is deleted."""
    bot.action(block_action("share_answer", "licence", response_url=slack.response_url("share"), user="U0SHARER1"))
    posted, deleted = slack.wait_for("response_url:share", 2)
    assert posted.args["response_type"] == "in_channel"
    assert "<@U0SHARER1>" in shown(posted.args)
    assert deleted.args["delete_original"] is True


def test_feedback_is_thanked_privately(bot: BotServer, slack: FakeSlack) -> None:
    """A vote is acknowledged to the clicker only, without replacing the answer."""
    bot.action(block_action("feedback:not_helpful", "licence", response_url=slack.response_url("vote")))
    [call] = slack.wait_for("response_url:vote")
    assert call.args["response_type"] == "ephemeral"
    assert call.args["replace_original"] is False
    assert "curators review" in shown(call.args)


def test_tampered_button_value_gets_a_polite_reply(bot: BotServer, slack: FakeSlack) -> None:
    """A button naming no entry: a short private note, no error."""
    assert (
        bot.action(block_action("show_entry:0", "../../etc/passwd", response_url=slack.response_url("bad"))).status
        == 200
    )
    [call] = slack.wait_for("response_url:bad")
    assert "no longer in my FAQ" in shown(call.args)
