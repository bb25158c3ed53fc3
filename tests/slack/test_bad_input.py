"""Bad input over real HTTP: any text, odd sizes, broken bodies, missing fields, tampered values.

Every case must end in a polite reply, a 4xx, or nothing: never a 500, never a
crash (the server stays healthy), never a traceback in what users see.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack.responses import is_slacks
from tests.support.bot_server import BotServer, block_action, direct_message, mention, payload
from tests.support.fake_slack import FakeSlack

OK_OR_CLIENT_ERROR = {200, 400, 401, 404, 405, 413, 415}
live = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def posted_text(slack: FakeSlack) -> str:
    return json.dumps([call.args for call in slack.calls], ensure_ascii=False)


@live
@given(text=st.text(max_size=300) | st.text(alphabet="<>&!@#|: channelhereU1", max_size=60))
def test_any_unicode_in_a_dm_gets_a_polite_escaped_reply(bot: BotServer, slack: FakeSlack, text: str) -> None:
    """Any Unicode at all, as a DM: 200, one reply in that DM, and no live markup echoed back."""
    body = direct_message(text, channel=f"D{uuid.uuid4().hex[:10].upper()}")
    assert bot.event(body).status == 200
    [reply] = slack.wait_for(
        "chat.postMessage", where=lambda call: call.args.get("channel") == body["event"]["channel"]
    )
    shown = json.dumps(reply.args, ensure_ascii=False)
    assert not re.search(r"<[!@#]", shown)
    assert "Traceback" not in shown


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "x" * 40_000, "你" * 40_000, "<!channel> " * 4000])
def test_empty_and_huge_messages(bot: BotServer, slack: FakeSlack, text: str) -> None:
    """Empty, blank and 40,000-character messages: a short polite reply, escaped and bounded."""
    body = mention(text)
    assert bot.event(body).status == 200
    [call] = slack.wait_for("chat.postMessage", where=lambda call: call.args.get("thread_ts") == body["event"]["ts"])
    shown = json.dumps(call.args, ensure_ascii=False)
    assert len(shown) < 20_000
    assert "<!channel>" not in shown
    assert "Traceback" not in shown


@live
@given(body=st.binary(max_size=2000))
def test_random_bytes_as_json_never_500(bot: BotServer, slack: FakeSlack, body: bytes) -> None:
    """Signed random bytes claiming to be JSON: a 4xx (or 200 for a harmless object), never a 500."""
    assert bot.post(body, "application/json").status in OK_OR_CLIENT_ERROR


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@live
@given(
    event=json_values,
    extra=st.dictionaries(
        st.sampled_from(["type", "event_id", "team_id", "api_app_id", "authorizations", "enterprise_id"]), json_values
    ),
)
def test_slack_shaped_json_with_wrong_types_never_500(
    bot: BotServer, slack: FakeSlack, event: Any, extra: dict[str, Any]
) -> None:
    """An event_callback whose fields have any type at all: never a 500."""
    body = mention("who funds qwen?") | {"event": event} | extra
    assert bot.event(body).status in OK_OR_CLIENT_ERROR


@live
@given(
    fields=st.dictionaries(
        st.sampled_from(["channel", "user", "ts", "text", "thread_ts", "channel_type", "subtype", "bot_id"]),
        json_values,
    )
)
def test_message_events_with_odd_fields_never_500(bot: BotServer, slack: FakeSlack, fields: dict[str, Any]) -> None:
    """A message event with missing or mistyped fields: 200 or 400, and no crash."""
    body = direct_message("who funds qwen?")
    body["event"] |= fields
    assert bot.event(body).status in {200, 400}


def test_a_lone_surrogate_is_not_echoed(bot: BotServer, slack: FakeSlack) -> None:
    """JSON can carry half a character ("\\ud800"): the reply that quotes the message leaves it out."""
    body = direct_message("zxqv \ud800 blorf?", channel=f"D{uuid.uuid4().hex[:10].upper()}")
    assert bot.event(body).status == 200
    [reply] = slack.wait_for(
        "chat.postMessage", where=lambda call: call.args.get("channel") == body["event"]["channel"]
    )
    assert "blorf" in json.dumps(reply.args)  # the question is quoted...
    assert "\ud800" not in json.dumps(reply.args, ensure_ascii=False)  # ...without the surrogate


def test_deeply_nested_and_malformed_json(bot: BotServer, slack: FakeSlack) -> None:
    """100,000 levels of nesting, truncated JSON and a bare string: 400, nothing posted."""
    slack.quiet(0.3)  # replies to the previous test's last examples land first
    slack.reset()
    assert bot.post(b"[" * 100_000 + b"]" * 100_000, "application/json").status == 400
    assert bot.post(b'{"event": {"type": "app_mention", ', "application/json").status == 400
    assert bot.post(b'"just a string"', "application/json").status == 400
    nested = mention("x")
    nested["event"]["text"] = json.loads("[" * 500 + "]" * 500)
    assert bot.event(nested).status == 400  # text is a string in every message Slack sends
    assert slack.quiet() == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.update(event_id=12345),  # would escape the claim that answers an event once
        lambda b: b["event"].update(subtype=["file_share"]),
        lambda b: b["event"].update(thread_ts=1.2),
        lambda b: b["event"].update(ts=["1.2"]),
        lambda b: b["event"].update(channel_type=["im"]),
        lambda b: b["event"].update(user={"id": "U1"}),
        lambda b: b["event"].update(channel=7),
    ],
)
def test_signed_events_with_fields_of_the_wrong_type_get_400(bot: BotServer, slack: FakeSlack, mutate: Any) -> None:
    """Fields Slack always sends as text, as a number, list or object: 400, no reply and no apology."""
    body = direct_message("who trains qwen?")
    mutate(body)
    assert bot.event(body).status == 400
    assert slack.quiet() == []


@pytest.mark.parametrize("action_id", [7, ["share_answer"], None])
def test_clicks_with_an_action_id_of_the_wrong_type(bot: BotServer, slack: FakeSlack, action_id: Any) -> None:
    """A number or list for the element clicked: 400; none at all: Bolt finds no listener (404). Nothing posted."""
    body = block_action("share_answer", "licence", response_url=slack.response_url("typed"))
    body["actions"][0]["action_id"] = action_id
    assert bot.action(body).status == (404 if action_id is None else 400)
    assert slack.quiet() == []


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/form-data; boundary=x", "application/xml", ""])
def test_wrong_content_types(bot: BotServer, slack: FakeSlack, content_type: str) -> None:
    """Anything but JSON or a form: 415 (or 401 when unsigned), never a 500."""
    assert bot.post(b"who funds qwen?", content_type).status == 415


@pytest.mark.parametrize(
    "fields",
    [
        {},  # no text, no user, no response URL
        {"text": "who funds qwen", "command": "/qwen"},
        {"command": "/qwen", "text": "report", "user_id": ""},
    ],
)
def test_slash_commands_with_missing_fields(bot: BotServer, slack: FakeSlack, fields: dict[str, str]) -> None:
    """A form missing Slack's usual fields: a 4xx or a polite reply, never a 500."""
    response = bot.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")
    assert response.status in OK_OR_CLIENT_ERROR
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.pop("actions"),
        lambda b: b.update(actions=[]),
        lambda b: b.update(actions=["not an object"]),
        lambda b: b["actions"][0].pop("value"),
        lambda b: b["actions"][0].update(value={"id": "licence"}),
        lambda b: b.pop("response_url"),
        lambda b: b.update(user="U1"),
        lambda b: b.update(container=None),
        lambda b: b.update(type="view_submission"),
        lambda b: b.update(type="something_new"),
    ],
)
def test_tampered_and_incomplete_button_clicks(bot: BotServer, slack: FakeSlack, mutate: Any) -> None:
    """Clicks with missing or altered parts: never a 500, and at most a polite private note."""
    body = block_action("show_entry:0", "licence", response_url=slack.response_url("odd"))
    mutate(body)
    assert bot.action(body).status in OK_OR_CLIENT_ERROR
    slack.quiet(0.3)  # let any background reply arrive before looking at it
    assert "Traceback" not in posted_text(slack)
    assert bot.get("/healthz").status == 200


def test_unknown_payload_types_and_events(bot: BotServer, slack: FakeSlack) -> None:
    """A payload type or event type the bot does not know: acknowledged or 404, nothing posted."""
    unknown = payload("app_home_opened.json") | {"event_id": "EvUnknown1"}
    unknown["event"]["type"] = "something_slack_adds_later"
    assert bot.event(unknown).status == 200
    assert bot.event({"type": "app_rate_limited", "minute_rate_limited": 1518467820}).status == 200
    assert slack.quiet() == []


def test_a_response_url_that_is_not_slacks_is_refused(bot: BotServer, slack: FakeSlack) -> None:
    """Signed, but its response_url points elsewhere (here another server on loopback): 400, nothing posted
    anywhere. Slack's are on hooks.slack.com; only a leaked signing secret could send another."""
    elsewhere = FakeSlack().start()
    try:
        url = elsewhere.response_url("stolen")
        assert bot.command("report", fields={"response_url": url}).status == 400
        assert bot.action(block_action("share_answer", "licence", response_url=url)).status == 400
        assert bot.action(block_action("share_answer", "licence", response_url="http://[::1/x")).status == 400
        assert elsewhere.quiet() == []
        assert slack.quiet() == []
        assert "response_url is not Slack's" in bot.log()
    finally:
        elsewhere.stop()


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/actions/T1/2/abc", True),
        ("https://hooks.slack-gov.com/commands/T1/2/abc", True),  # GovSlack's
        ("https://hooks.slack.com:99999/actions/T1/2/abc", False),  # urlsplit raises on the port
        ("https://hooks.slack.com:443/commands/T1/2/abc", False),  # Slack's carry no port
        ("http://hooks.slack.com/actions/T1/2/abc", False),
        ("https://hooks.slack.com.evil.example/actions/T1/2/abc", False),
        ("https://evil.example/?https://hooks.slack.com/", False),
        ("http://127.0.0.1:9000/response/x", True),  # the Web API's own host (a stand-in, a proxy)
        ("http://127.0.0.1:9001/response/x", False),
        ("ftp://127.0.0.1:9000/x", False),
        ("http://[::1/x", False),
    ],
)
def test_which_response_urls_are_slacks(url: str, allowed: bool) -> None:
    assert is_slacks(url, "http://127.0.0.1:9000/api/") is allowed


@pytest.mark.parametrize(
    "values",
    [
        {"question": {"question": {"value": ["x"]}}, "layer": {"layer": {"selected_option": "community"}}},
        {
            "layer": {"layer": {"selected_option": {"value": {"x": 1}}}},
            "more_layers": {"more_layers": {"selected_options": 5}},
        },
        {"layer": "community"},
        "not an object",
    ],
)
def test_a_draft_modal_with_values_of_the_wrong_type_is_answered(bot: BotServer, slack: FakeSlack, values: Any) -> None:
    """A "Save as FAQ draft" submission whose fields Slack would never send: the modal shows what is wrong (here:
    drafts are for experts) rather than closing on an empty 200, the draft lost without a word."""
    body = payload("view_submission.json")
    body["view"] |= {"callback_id": "faq_draft", "state": {"values": values}}
    response = bot.action(body)
    assert response.status == 200
    assert response.json()["response_action"] == "errors"
    assert slack.quiet() == []


def test_commands_and_shortcuts_without_a_trigger_id_get_400(bot: BotServer, slack: FakeSlack) -> None:
    """Slack sends a trigger_id with every slash command and shortcut (the bot opens modals with it): without one,
    the request is not Slack's, and gets 400 rather than a traceback and an apology."""
    assert bot.command("", fields={"trigger_id": None}).status == 400
    shortcut = payload("message_action.json") | {"callback_id": "save_faq_draft"}
    del shortcut["trigger_id"]
    assert bot.action(shortcut).status == 400
    assert slack.quiet() == []
