"""`/qwen` over real HTTP: answers in the acknowledgement, sub-commands, the `payload` trap."""

from __future__ import annotations

import json
import time

from bot.knowledge.matcher import DidYouMean, Matcher
from tests.support.bot_server import ADMIN, BotServer, mention
from tests.support.fake_slack import FakeSlack


def shown(reply: dict) -> str:
    return reply.get("text", "") + json.dumps(reply.get("blocks", []), ensure_ascii=False)


def test_question_is_answered_ephemerally_with_a_share_button(bot: BotServer, slack: FakeSlack) -> None:
    """The answer comes back in the acknowledgement itself, private, with Share and feedback buttons."""
    response = bot.command("what licence are the qwen weights under?")
    assert response.status == 200
    reply = response.json()
    assert reply["response_type"] == "ephemeral"
    kinds = {"actions", "context_actions"}
    action_ids = [e["action_id"] for b in reply["blocks"] if b["type"] in kinds for e in b["elements"]]
    assert {"share_answer", "feedback"} <= set(action_ids)
    assert "Hugging Face" in shown(reply)


def test_a_question_containing_payload_is_answered(bot: BotServer, slack: FakeSlack) -> None:
    """Bolt 1.30 answers 404 to a form body containing 'payload'; this bot answers it."""
    response = bot.command("is the request payload moderated on the hosted api?")
    assert response.status == 200
    assert "moderat" in shown(response.json()).lower()


def test_help_and_unknown_subcommand_get_help(bot: BotServer, slack: FakeSlack) -> None:
    """`/qwen help` and `/qwen frobnicate` show the help, the last naming the unknown word."""
    assert "/qwen layers" in shown(bot.command("help").json())
    unknown = shown(bot.command("frobnicate").json())
    assert "/qwen layers" in unknown
    assert "I don't know the command `frobnicate`" in unknown


def test_layers_lists_the_five_layers(bot: BotServer, slack: FakeSlack) -> None:
    """`/qwen layers`: name, relationship and visibility of each layer."""
    reply = bot.command("layers").json()
    for name in ("Alibaba Group", "Tongyi research group", "Alibaba Cloud", "Hugging Face", "Community"):
        assert name in shown(reply)
    assert "Visible:" in shown(reply)


def test_list_all_one_layer_and_an_unknown_layer(bot: BotServer, slack: FakeSlack) -> None:
    """`/qwen list` browses every layer; `/qwen list LAYER` one; a wrong layer names the right ones."""
    everything = bot.command("list").json()
    menus = [b for b in everything["blocks"] if b.get("accessory", {}).get("type") == "static_select"]
    assert len(menus) == 5
    one = bot.command("list alibaba-cloud").json()
    assert [b["accessory"]["action_id"] for b in one["blocks"] if "accessory" in b] == ["browse:alibaba-cloud"]
    assert "`hugging-face`" in shown(bot.command("list moon").json())


def test_onboard_shows_the_guide(bot: BotServer, slack: FakeSlack) -> None:
    """`/qwen onboard`: the three-way distinction and starter questions."""
    reply = shown(bot.command("onboard").json())
    assert "Research releases" in reply
    assert "show_entry:4" in reply


def test_a_close_call_offers_buttons(bot: BotServer, slack: FakeSlack, shipped_matcher: Matcher) -> None:
    """A vague question gets suggestions as buttons, not a guess."""
    vague = [
        q for q in ("qwen cloud", "cloud", "alibaba", "qwen api") if isinstance(shipped_matcher.match(q), DidYouMean)
    ]
    reply = bot.command(vague[0]).json()
    assert "not sure which" in shown(reply)
    buttons = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert 1 <= len(buttons) <= 3


def test_admin_commands_are_for_admins(bot: BotServer, slack: FakeSlack) -> None:
    """Others are refused politely; an admin gets the report through the response URL."""
    assert "for the bot's curators" in shown(bot.command("report").json())
    assert bot.command("report", user_id=ADMIN, name="admin-report").status == 200
    [call] = slack.wait_for("response_url:admin-report")
    assert "Curators' report" in shown(call.args)
    assert bot.command("reload", user_id=ADMIN, name="admin-reload").status == 200
    assert "FAQ unchanged" in shown(slack.wait_for("response_url:admin-reload")[0].args)


def test_slow_replies_do_not_delay_the_next_acknowledgement(bot: BotServer, slack: FakeSlack) -> None:
    """Ten mentions whose replies take 2 s each: a /qwen is still acknowledged at once."""
    slack.delays["chat.postMessage"] = 2.0
    for _ in range(10):
        bot.event(mention("who funds qwen?"))
    started = time.monotonic()
    response = bot.command("who builds qwen?")
    elapsed = time.monotonic() - started
    assert response.status == 200
    assert elapsed < 1.0, f"acknowledged after {elapsed:.2f} s"
    slack.wait_for("chat.postMessage", 10)
