"""Thread follow-ups over real HTTP: answered without a mention when meant for the bot, silence otherwise.

These run their own bot at debug level, so that each decision can be read in its log.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest

from tests.support.bot_server import BotServer, channel_message, mention
from tests.support.fake_slack import FakeSlack

ASKER, FRIEND, STRANGER = "W222", "W333", "W444"


@pytest.fixture(scope="module")
def debug_bot(fake_slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServer]:
    folder = tmp_path_factory.mktemp("threads")
    with BotServer(fake_slack, f"sqlite:///{folder / 'bot.sqlite3'}", folder / "bot.log", LOG_LEVEL="debug") as bot:
        yield bot


@pytest.fixture
def slack(fake_slack: FakeSlack, debug_bot: BotServer) -> FakeSlack:
    fake_slack.reset()
    return fake_slack


def shown(call_args: dict) -> str:
    return call_args.get("text", "") + json.dumps(call_args.get("blocks", []), ensure_ascii=False)


def answered_thread(bot: BotServer, slack: FakeSlack, question: str = "what licence is qwen under?") -> str:
    """A mention answered in its thread; returns the thread's ts."""
    body = mention(question, channel="C111", user=ASKER)
    bot.event(body)
    slack.wait_for("chat.postMessage")
    slack.reset()
    return str(body["event"]["ts"])


def in_thread(thread_ts: str, text: str, user: str = ASKER) -> dict:
    """A reply in a thread of C111 (not a watched channel), shaped as Slack sends `message.channels`."""
    return channel_message(text, channel="C111", user=user, thread_ts=thread_ts, parent_user_id=ASKER)


def log_after(bot: BotServer, start: int) -> str:
    return bot.log()[start:]


def test_a_follow_up_naming_another_layer_is_answered_in_the_thread(debug_bot: BotServer, slack: FakeSlack) -> None:
    """ "and for the hosted API?" under a licence answer: the hosted API's entry, in the thread, no mention needed."""
    thread = answered_thread(debug_bot, slack)
    start = len(debug_bot.log())
    debug_bot.event(in_thread(thread, "and for the hosted API?"))
    [call] = slack.wait_for("chat.postMessage")
    assert (call.args["channel"], call.args["thread_ts"]) == ("C111", thread)
    assert "Alibaba Cloud (Model Studio)" in shown(call.args)
    added = log_after(debug_bot, start)
    assert "answered as a follow-up" in added
    assert "hosted API" not in added  # decisions are logged, text is not


def test_a_chinese_follow_up_is_answered_in_chinese(debug_bot: BotServer, slack: FakeSlack) -> None:
    """ "那阿里云呢？" under an answer about who builds Qwen: Alibaba Cloud's entry, in Chinese."""
    thread = answered_thread(debug_bot, slack, "who builds qwen?")
    debug_bot.event(in_thread(thread, "那阿里云呢？"))
    [call] = slack.wait_for("chat.postMessage")
    assert call.args["thread_ts"] == thread
    assert "阿里云" in shown(call.args)
    assert "*层级：*" in shown(call.args)


def test_a_second_delivery_of_a_follow_up_is_answered_once(debug_bot: BotServer, slack: FakeSlack) -> None:
    """Slack retries the same event: one answer."""
    thread = answered_thread(debug_bot, slack)
    body = in_thread(thread, "what about hugging face?")
    debug_bot.event(body)
    debug_bot.event(body, retry=1)
    slack.wait_for("chat.postMessage")
    assert len(slack.quiet(1.0)) == 1


@pytest.mark.parametrize(
    ("text", "user", "reason"),
    [
        (f"<@{FRIEND}> what about hugging face?", ASKER, "addressed to someone else"),
        ("<!here> what about hugging face?", ASKER, "addressed to someone else"),
        ("thanks, that settles it for the hosted api", ASKER, "a statement, not a question"),
        ("what about hugging face?", STRANGER, "the author does not take part in the thread"),
        ("anyone up for lunch?", ASKER, "no confident answer"),
    ],
)
def test_the_bot_keeps_out_of_messages_not_meant_for_it(
    debug_bot: BotServer, slack: FakeSlack, text: str, user: str, reason: str
) -> None:
    """Another person or the channel mentioned, a statement, someone outside the thread, chatter: silence."""
    thread = answered_thread(debug_bot, slack)
    start = len(debug_bot.log())
    debug_bot.event(in_thread(thread, text, user=user))
    assert slack.quiet() == []
    assert f"silent ({reason}" in log_after(debug_bot, start)


def test_after_people_reply_among_themselves_the_bot_stays_out(debug_bot: BotServer, slack: FakeSlack) -> None:
    """Three human replies since the bot spoke: even a question is theirs. A mention still gets an answer."""
    thread = answered_thread(debug_bot, slack)
    for user, text in [(FRIEND, "we use the weights anyway"), (ASKER, "fair"), (FRIEND, "ok let's go with that")]:
        debug_bot.event(in_thread(thread, text, user=user))
    start = len(debug_bot.log())
    debug_bot.event(in_thread(thread, "what about hugging face?"))
    assert slack.quiet() == []
    assert "silent (people have replied 3 times since the bot spoke)" in log_after(debug_bot, start)
    debug_bot.event(mention("what about hugging face?", channel="C111", thread_ts=thread))
    [call] = slack.wait_for("chat.postMessage")
    assert call.args["thread_ts"] == thread


def test_a_second_delivery_is_not_counted_twice(debug_bot: BotServer, slack: FakeSlack) -> None:
    """A statement delivered three times counts once, so the asker's next question is still answered."""
    thread = answered_thread(debug_bot, slack)
    chatter = in_thread(thread, "we use the weights anyway", user=FRIEND)
    for retry in (None, 1, 2):
        debug_bot.event(chatter, retry=retry)
    debug_bot.event(in_thread(thread, "thanks"))
    debug_bot.event(in_thread(thread, "and for the hosted API?"))
    [call] = slack.wait_for("chat.postMessage")
    assert call.args["thread_ts"] == thread


def test_a_thread_the_bot_never_answered_in_stays_silent(debug_bot: BotServer, slack: FakeSlack) -> None:
    """People asking each other about Qwen in their own thread: the bot was not part of it."""
    start = len(debug_bot.log())
    debug_bot.event(in_thread("1700000000.000100", "what licence is qwen under?"))
    assert slack.quiet() == []
    assert "silent (the bot has not answered in this thread)" in log_after(debug_bot, start)


def test_a_statement_is_counted_without_reading_the_thread(debug_bot: BotServer, slack: FakeSlack) -> None:
    """Chatter in a thread is counted unread: in the bot's thread it counts (two more replies and the bot keeps
    out); in a thread the bot never answered in it leaves nothing behind."""
    thread = answered_thread(debug_bot, slack)
    start = len(debug_bot.log())
    for user, text in [(FRIEND, "we use the weights anyway"), (ASKER, f"<@{FRIEND}> what about hugging face?")]:
        debug_bot.event(in_thread(thread, text, user=user))
    deadline = time.monotonic() + 5  # decided after the acknowledgement
    while log_after(debug_bot, start).count("counted unread") < 2:
        assert time.monotonic() < deadline, log_after(debug_bot, start)
        time.sleep(0.05)
    debug_bot.event(in_thread(thread, "fair", user=FRIEND))
    debug_bot.event(in_thread(thread, "what about hugging face?"))
    assert slack.quiet() == []
    assert "silent (people have replied 3 times since the bot spoke)" in log_after(debug_bot, start)
    other = "1700000001.000100"
    debug_bot.event(in_thread(other, "we use the weights anyway", user=FRIEND))
    start = len(debug_bot.log())
    debug_bot.event(in_thread(other, "what licence is qwen under?", user=FRIEND))
    assert slack.quiet() == []
    assert "silent (the bot has not answered in this thread)" in log_after(debug_bot, start)


def test_no_message_text_reaches_the_info_lines(debug_bot: BotServer, slack: FakeSlack) -> None:
    """Whatever was decided, lines at info and above carry no message text."""
    thread = answered_thread(debug_bot, slack)
    start = len(debug_bot.log())
    debug_bot.event(in_thread(thread, "zebra-canary what about hugging face?", user=STRANGER))
    slack.quiet()
    info = [line for line in log_after(debug_bot, start).splitlines() if re.search(r" (INFO|WARNING|ERROR) ", line)]
    assert info
    assert not any("zebra-canary" in line for line in info)


def test_debug_decisions_name_no_user_text(debug_bot: BotServer) -> None:
    """The decision lines carry the event id and a reason, never the words of the message."""
    decisions = [line for line in debug_bot.log().splitlines() if "thread message" in line]
    assert decisions
    assert not any("hugging face" in line.lower() or "lunch" in line for line in decisions)


def test_a_follow_up_under_an_unasked_answer_in_a_watched_channel(debug_bot: BotServer, slack: FakeSlack) -> None:
    """The bot answered a question in a watched channel without a mention; the asker's follow-up is answered."""
    question = channel_message("does alibaba fund the qwen research directly?", user=ASKER)
    debug_bot.event(question)
    slack.wait_for("chat.postMessage")
    slack.reset()
    thread = question["event"]["ts"]
    follow_up = channel_message("what about the hosted API?", user=ASKER, thread_ts=thread)
    debug_bot.event(follow_up)
    [call] = slack.wait_for("chat.postMessage")
    assert (call.args["channel"], call.args["thread_ts"]) == ("CWATCHED1", thread)
    assert "Alibaba Cloud (Model Studio)" in shown(call.args)
