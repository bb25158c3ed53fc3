"""Questions asked in Chinese are answered in Chinese over real HTTP; English ones stay English."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest

from bot.config import DEFAULT_FAQ_DIR
from bot.knowledge.faq import Faq
from bot.knowledge.loader import load_faq
from bot.mrkdwn import escape
from tests.conftest import with_chinese
from tests.support.bot_server import BotServer, block_action, channel_message, direct_message, mention, new_id, payload
from tests.support.fake_slack import FakeSlack

CHINESE = "千问的开源协议是什么？"


@pytest.fixture(scope="module")
def faq_zh(tmp_path_factory: pytest.TempPathFactory) -> Faq:
    """The shipped FAQ with Chinese layer names and a Chinese answer for `licence`."""
    folder = tmp_path_factory.mktemp("faq_zh") / "faq"
    shutil.copytree(DEFAULT_FAQ_DIR, folder)
    return load_faq(with_chinese(folder))


@pytest.fixture(scope="module")
def bot_zh(fake_slack: FakeSlack, faq_zh: Faq, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    """`python -m bot serve` on that FAQ."""
    folder = tmp_path_factory.mktemp("bot_zh")
    faq_dir = faq_zh.entries[0].file.rsplit("/", 1)[0]
    with BotServer(fake_slack, f"sqlite:///{folder / 'bot.sqlite3'}", folder / "bot.log", FAQ_DIR=faq_dir) as server:
        yield server


@pytest.fixture
def slack_zh(fake_slack: FakeSlack, bot_zh: BotServer) -> FakeSlack:
    fake_slack.reset()
    return fake_slack


def shown(message: dict) -> str:
    """Everything a message shows: fallback text and every text inside its blocks."""
    return message.get("text", "") + json.dumps(message.get("blocks", []), ensure_ascii=False)


def section(message: dict) -> str:
    """The text of the message's first block: the question and the answer."""
    return str(message["blocks"][0]["text"]["text"])


def licence_in_chinese(faq: Faq) -> tuple[str, str]:
    entry = faq.entry("licence")
    assert entry is not None
    assert entry.answer_zh
    return escape(entry.answer_zh), faq.layers[entry.layer].name_zh


def test_a_chinese_dm_gets_the_chinese_answer_and_layer_name(
    bot_zh: BotServer, slack_zh: FakeSlack, faq_zh: Faq
) -> None:
    """A DM in Chinese: chat.postMessage carries answer_zh and the primary layer's Chinese name."""
    bot_zh.event(direct_message(CHINESE))
    [call] = slack_zh.wait_for("chat.postMessage")
    answer_zh, layer_zh = licence_in_chinese(faq_zh)
    assert answer_zh in section(call.args)
    assert f"*层级：* {layer_zh}" in shown(call.args)
    assert "*来源：*" in shown(call.args)
    assert "Layer:" not in shown(call.args)


def test_a_chinese_mention_and_watched_channel_question_are_answered_in_chinese(
    bot_zh: BotServer, slack_zh: FakeSlack, faq_zh: Faq
) -> None:
    """Mentions and watched channels follow the question's language too."""
    bot_zh.event(mention(CHINESE))
    bot_zh.event(channel_message(CHINESE))
    calls = slack_zh.wait_for("chat.postMessage", count=2)
    answer_zh, layer_zh = licence_in_chinese(faq_zh)
    assert all(answer_zh in section(call.args) and layer_zh in shown(call.args) for call in calls)


def test_qwen_command_in_chinese_and_english(bot_zh: BotServer, slack_zh: FakeSlack, faq_zh: Faq) -> None:
    """`/qwen <Chinese question>` answers in Chinese with Chinese buttons; English stays English."""
    chinese = bot_zh.command(CHINESE).json()
    english = bot_zh.command("what licence are the qwen models released under?").json()
    answer_zh, layer_zh = licence_in_chinese(faq_zh)
    assert answer_zh in section(chinese)
    assert "在频道中分享" in shown(chinese)
    entry = faq_zh.entry("licence")
    assert entry is not None
    assert escape(entry.answer) in section(english)
    assert "Share in channel" in shown(english)
    assert answer_zh not in section(english)
    assert layer_zh not in shown(english)


def test_chinese_chatter_gets_the_chinese_no_match(bot_zh: BotServer, slack_zh: FakeSlack) -> None:
    """No answer, said in Chinese, with the question echoed."""
    bot_zh.event(direct_message("今天中午大家吃什么？"))
    [call] = slack_zh.wait_for("chat.postMessage")
    assert "我的 FAQ 里没有“今天中午大家吃什么？”的答案" in call.args["text"]


def test_chinese_chatter_under_qwen_is_not_taken_for_a_command(bot_zh: BotServer, slack_zh: FakeSlack) -> None:
    """Chinese has no spaces, yet `/qwen 今天中午吃什么` is a question: the Chinese no-match, not the help."""
    reply = bot_zh.command("今天中午吃什么").json()
    assert reply["text"].startswith("我的 FAQ 里没有“今天中午吃什么”的答案")


def test_app_home_follows_the_users_last_question(bot_zh: BotServer, slack_zh: FakeSlack, faq_zh: Faq) -> None:
    """A user whose last question was Chinese sees the Home tab in Chinese; after an English one, English."""
    layer_zh = faq_zh.layers["tongyi-research"].name_zh

    def open_home() -> str:
        slack_zh.reset()
        body = payload("app_home_opened.json") | {"event_id": new_id()}
        body["event"]["user"] = "U0CHINESE"
        bot_zh.event(body)
        [call] = slack_zh.wait_for("views.publish")
        return json.dumps(call.args["view"], ensure_ascii=False)

    assert layer_zh not in open_home()  # nothing asked yet
    bot_zh.command(CHINESE, user_id="U0CHINESE")
    home = open_home()
    assert layer_zh in home
    assert "按层级浏览问题" in home
    bot_zh.command("who builds qwen?", user_id="U0CHINESE")
    assert layer_zh not in open_home()


def test_a_button_clicked_by_a_chinese_asker_shows_the_chinese_answer(
    bot_zh: BotServer, slack_zh: FakeSlack, faq_zh: Faq
) -> None:
    """A suggestion or see-also button answers in the language of the clicker's last question."""
    bot_zh.command(CHINESE, user_id="U0CLICKER")
    pick = block_action("show_entry:0", "licence", response_url=slack_zh.response_url("pick_zh"), user="U0CLICKER")
    bot_zh.action(pick)
    [call] = slack_zh.wait_for("response_url:pick_zh")
    answer_zh, layer_zh = licence_in_chinese(faq_zh)
    assert answer_zh in section(call.args)
    assert layer_zh in shown(call.args)
