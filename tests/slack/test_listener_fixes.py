"""What people actually send: files in DMs, thread broadcasts, greetings, commands typed as text, old buttons."""

from __future__ import annotations

import json
import time

import pytest

from tests.support.bot_server import ADMIN, BotServer, block_action, direct_message, mention
from tests.support.fake_slack import FakeSlack


def shown(args: dict) -> str:
    return args.get("text", "") + json.dumps(args.get("blocks", []), ensure_ascii=False)


def reply_in(slack: FakeSlack, channel: str) -> str:
    [call] = slack.wait_for("chat.postMessage", where=lambda call: call.args.get("channel") == channel)
    return shown(call.args)


def test_a_dm_with_a_file_is_answered(bot: BotServer, slack: FakeSlack) -> None:
    body = direct_message("is there an SLA on the hosted qwen api?", channel="DFILE0001", subtype="file_share")
    body["event"]["files"] = [{"id": "F123", "name": "contract.pdf"}]
    assert bot.event(body).status == 200
    assert "SLA" in reply_in(slack, "DFILE0001")


def test_a_thread_broadcast_in_a_dm_is_answered_in_its_thread(bot: BotServer, slack: FakeSlack) -> None:
    body = direct_message("who actually trains qwen?", channel="DBCAST001", subtype="thread_broadcast")
    body["event"]["thread_ts"] = "1700000000.000100"
    assert bot.event(body).status == 200
    [call] = slack.wait_for("chat.postMessage", where=lambda call: call.args.get("channel") == "DBCAST001")
    assert call.args["thread_ts"] == "1700000000.000100"
    assert "Tongyi" in shown(call.args)


@pytest.mark.parametrize("text", ["", "help", "hi", "Hello!", "hey"])
def test_greetings_and_bare_mentions_get_the_help(bot: BotServer, slack: FakeSlack, text: str) -> None:
    body = mention(text)
    assert bot.event(body).status == 200
    [call] = slack.wait_for("chat.postMessage", where=lambda call: call.args.get("thread_ts") == body["event"]["ts"])
    assert "/qwen list" in shown(call.args)
    assert "I don't have an answer" not in shown(call.args)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("list", "organisation"),  # the browse menus name every layer's questions
        ("/qwen list", "organisation"),
        ("list alibaba-cloud", "alibaba-cloud"),
        ("layers", "Who stands behind Qwen"),
        ("/qwen help", "/qwen layers"),
        ("onboard", "Welcome to the Qwen sourcing bot"),
        ("report", "`/qwen report` is a slash command"),
        ("/qwen reload", "`/qwen reload` is a slash command"),
    ],
)
def test_commands_typed_as_text_get_the_command(bot: BotServer, slack: FakeSlack, text: str, expected: str) -> None:
    """In a DM (or a thread, where slash commands do not work): the command's reply or a pointer to it."""
    channel = "DCMD" + str(abs(hash(text)))[:6]
    assert bot.event(direct_message(text, channel=channel)).status == 200
    reply = reply_in(slack, channel)
    assert expected.lower() in reply.lower()
    assert "*Source:*" not in reply  # not an FAQ answer (it used to be the stock-listing entry)


def test_a_question_starting_with_list_is_still_a_question(bot: BotServer, slack: FakeSlack) -> None:
    assert bot.event(direct_message("list the qwen models that are open source", channel="DLISTQ001")).status == 200
    assert "slash command" not in reply_in(slack, "DLISTQ001")


def test_a_click_on_an_unknown_button_gets_a_note(bot: BotServer, slack: FakeSlack) -> None:
    """An element from an older version of the bot: 200 and a private 'no longer available'."""
    body = block_action("retired_button", "x", response_url=slack.response_url("old"))
    assert bot.action(body).status == 200
    [call] = slack.wait_for("response_url:old")
    assert "no longer available" in call.args["text"]
    assert call.args["response_type"] == "ephemeral"


def test_a_refused_admin_command_is_logged_without_text(bot: BotServer, slack: FakeSlack) -> None:
    before = len(bot.log())
    response = bot.command("report", user_id="UNOTADMIN")
    assert response.status == 200
    assert "curators" in response.text
    time.sleep(0.3)
    added = bot.log()[before:]
    [line] = [line for line in added.splitlines() if "refused /qwen report" in line]
    assert "user=UNOTADMIN" in line
    assert "command=report" in line
    assert bot.command("report", user_id=ADMIN, name="admin-report").status == 200
    slack.wait_for("response_url:admin-report")  # the curator's report still comes
