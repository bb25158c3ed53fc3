"""Onboarding over real HTTP: the welcome DM, the channel welcome, the App Home."""

from __future__ import annotations

import json

from tests.support.bot_server import BotServer, new_id, payload
from tests.support.fake_slack import FakeSlack


def team_join(user_id: str) -> dict:
    """Java SDK's full team_join shape, with its placeholders filled in as Slack would."""
    body = payload("team_join_shape.json")
    body |= {"type": "event_callback", "event_id": new_id(), "team_id": "T111", "api_app_id": "A111", "token": "t"}
    body["event"]["user"] |= {"id": user_id, "team_id": "T111", "name": "newbie", "real_name": "New Person"}
    return body


def test_new_member_gets_one_welcome_dm(bot: BotServer, slack: FakeSlack) -> None:
    """team_join: a welcome DM with the layer map and starter questions; a repeat sends nothing."""
    bot.event(team_join("U0NEWBIE1"))
    [call] = slack.wait_for("chat.postMessage")
    assert call.args["channel"] == "U0NEWBIE1"
    text = json.dumps(call.args["blocks"], ensure_ascii=False)
    assert "The layer map" in text
    assert "Open weights" in text
    assert text.count('"show_entry:') == 5
    bot.event(team_join("U0NEWBIE1"))
    assert len(slack.quiet(1.0)) == 1


def test_joining_a_watched_channel_gets_an_ephemeral_welcome(bot: BotServer, slack: FakeSlack) -> None:
    """member_joined_channel in a watched channel: a private welcome to that member only."""
    body = payload("member_joined_channel.json") | {"event_id": new_id()}
    body["event"]["channel"] = "CWATCHED1"
    bot.event(body)
    [call] = slack.wait_for("chat.postEphemeral")
    assert (call.args["channel"], call.args["user"]) == ("CWATCHED1", "U999")


def test_no_welcome_for_the_bot_itself_or_other_channels(bot: BotServer, slack: FakeSlack) -> None:
    """Bolt delivers the bot's own join; the bot does not welcome itself. Unwatched channels: nothing."""
    own = payload("member_joined_channel_self_bot.json") | {"event_id": new_id()}
    own["event"]["channel"] = "CWATCHED1"
    other = payload("member_joined_channel.json") | {"event_id": new_id()}
    bot.event(own)
    bot.event(other)
    assert slack.quiet() == []


def test_home_tab_is_published(bot: BotServer, slack: FakeSlack) -> None:
    """app_home_opened: the Home view with the layer map and a menu per layer."""
    body = payload("app_home_opened.json") | {"event_id": new_id()}
    bot.event(body)
    [call] = slack.wait_for("views.publish")
    assert call.args["user_id"] == "W222"
    view = call.args["view"]
    assert view["type"] == "home"
    assert sum(1 for b in view["blocks"] if b.get("accessory", {}).get("type") == "static_select") == 5
