"""manifest.json declares every surface the code serves, with the scopes and events it needs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.knowledge.matcher import Matcher
from bot.slack.curation_blocks import SAVE_DRAFT
from bot.slack.listeners import shortcuts, workflows
from tests.support.bot_server import ROOT


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return dict(json.loads((ROOT / "manifest.json").read_text(encoding="utf-8")))


def test_scopes_and_events(manifest: dict[str, Any]) -> None:
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"assistant:write", "chat:write", "im:write", "commands", "channels:history", "groups:history"} <= scopes
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_home_opened", "app_mention", "message.channels", "message.im", "function_executed"} <= events


def test_the_messages_tab_and_the_agent_view(manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["app_home"]["messages_tab_read_only_enabled"] is False
    assert len(features["agent_view"]["agent_description"]) > 40


def test_the_message_shortcut_and_the_options_url(manifest: dict[str, Any]) -> None:
    ask, save = manifest["features"]["shortcuts"]
    assert (ask["type"], ask["callback_id"], ask["name"]) == ("message", shortcuts.ASK, "Ask the Qwen bot")
    assert (save["type"], save["callback_id"], save["name"]) == ("message", SAVE_DRAFT, "Save as FAQ draft")
    interactivity = manifest["settings"]["interactivity"]
    assert interactivity["message_menu_options_url"] == interactivity["request_url"]


def test_the_workflow_steps_match_the_code(manifest: dict[str, Any], shipped_matcher: Matcher) -> None:
    """Both steps declared, org-ready and remote; the look-up step's outputs are exactly what the code returns."""
    functions = manifest["functions"]
    assert set(functions) == {workflows.SEND_PRIMER, workflows.LOOK_UP}
    assert manifest["settings"]["org_deploy_enabled"] is True
    assert manifest["settings"]["function_runtime"] == "remote"
    assert set(functions[workflows.SEND_PRIMER]["input_parameters"]) == {"user_id"}
    assert set(functions[workflows.LOOK_UP]["input_parameters"]) == {"question"}
    faq = shipped_matcher.faq
    declared = functions[workflows.LOOK_UP]["output_parameters"]
    for entry in (faq.entries[0], None):
        produced = workflows.outputs(entry, faq, "en")
        assert set(produced) == set(declared)
        kinds = {"string": str, "boolean": bool}
        assert all(isinstance(produced[name], kinds[spec["type"]]) for name, spec in declared.items())


def test_every_url_is_the_one_endpoint(manifest: dict[str, Any]) -> None:
    """README tells people to replace https://YOUR-HOST/slack/events: every URL in the manifest is that one."""
    text = json.dumps(manifest)
    assert text.count("https://") == text.count("https://YOUR-HOST/slack/events") == 4
