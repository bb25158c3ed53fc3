"""The curation loop over real HTTP: ask an expert, pass the reply back, save a draft, review it, write it, serve it."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from bot.config import DEFAULT_FAQ_DIR
from tests.slack.test_shared_state import wait_for_version
from tests.slack.test_surfaces import feedback_click
from tests.support.bot_server import (
    ADMIN,
    BotServer,
    block_action,
    channel_message,
    direct_message,
    mention,
    new_ts,
    payload,
)
from tests.support.cli import run_bot
from tests.support.fake_slack import FakeSlack
from tests.support.postgres import PostgresServer

ASKER = "U0ASKER01"
EXPERT = "UEXPERT01"
EXPERTS = "CEXPERTS1"
QUESTION = "where can we order qwen stickers?"
REPLY = "Nobody sells them: ask in #qwen-fans, where the community prints its own."
ALTERNATES = [
    "qwen stickers?",
    "can I get a qwen sticker for my laptop",
    "who sells qwen stickers",
    "qwen laptop stickers",
    "are there qwen stickers we can buy",
]


def feedback_value(blocks: list[dict[str, Any]], vote: str) -> str:
    """The value of the answer's thumbs up (``helpful``) or down (``not_helpful``) in Slack's feedback block."""
    element = next(e for b in blocks if b["type"] == "context_actions" for e in b["elements"])
    value = element["positive_button" if vote == "helpful" else "negative_button"]["value"]
    assert value.startswith(f"{vote}:")
    return str(value)


def buttons_in(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [element for block in blocks if block.get("type") == "actions" for element in block["elements"]]


def buttons(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [element for element in buttons_in(blocks) if element.get("action_id") == action_id]


def waiting_proposals(bot: BotServer, fake_slack: FakeSlack) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """/qwen report by a curator, and its Accept buttons, once the draft (written behind, perhaps by the other
    instance a moment ago) is there."""
    for attempt in range(40):
        bot.command("report", user_id=ADMIN, name=f"report{attempt}")
        report = fake_slack.wait_for(f"response_url:report{attempt}")[0].args
        accepts = [b for b in buttons_in(report["blocks"]) if b["action_id"].startswith("proposal:accept:")]
        if accepts:
            return report, accepts
        time.sleep(0.1)
    raise AssertionError("no proposal in /qwen report")


def message_shortcut(message: dict[str, Any], *, channel: str, user: str, response_url: str) -> dict[str, Any]:
    """A `message_action` payload for the "Save as FAQ draft" shortcut on ``message``."""
    body = payload("message_action.json")
    body |= {"callback_id": "save_faq_draft", "message_ts": message["ts"], "message": message}
    body["user"]["id"] = user
    body["channel"] = {"id": channel, "name": "experts"}
    body["response_url"] = response_url
    return body


def submitted(view: dict[str, Any], values: dict[str, Any], *, user: str) -> dict[str, Any]:
    """A `view_submission` payload for ``view`` with the fields filled as ``values`` (block id -> state)."""
    body = payload("view_submission.json")
    body["user"]["id"] = user
    body["view"] |= {
        "callback_id": view["callback_id"],
        "blocks": view["blocks"],
        "state": {"values": {block: {block: state} for block, state in values.items()}},
    }
    return body


def send(bot: BotServer, body: dict[str, Any]) -> Any:
    """An interaction payload as Slack sends it (a form with one `payload` field); the response, parsed if JSON."""
    response = bot.post(("payload=" + quote(json.dumps(body))).encode(), "application/x-www-form-urlencoded")
    assert response.status == 200
    return response.json() if response.body.strip() else None


def to(channel: str) -> Any:
    return lambda call: call.args.get("channel") == channel


@pytest.fixture
def experts_on_postgres(
    fake_slack: FakeSlack, postgres: PostgresServer, tmp_path: Path
) -> Iterator[tuple[BotServer, BotServer, str, Path]]:
    """Two instances on one PostgreSQL, serving one FAQ folder, with an experts channel and one expert."""
    fake_slack.reset()
    faq = tmp_path / "faq"
    shutil.copytree(DEFAULT_FAQ_DIR, faq)
    url = postgres.create_database(f"curation_{int(time.time() * 1000)}")
    settings = {"FAQ_DIR": str(faq), "QWEN_EXPERTS_CHANNEL": EXPERTS, "QWEN_EXPERT_USER_IDS": EXPERT}
    first = BotServer(fake_slack, url, tmp_path / "first.log", **settings).start()
    second = BotServer(fake_slack, url, tmp_path / "second.log", **settings).start()
    yield first, second, url, faq
    first.stop()
    second.stop()
    fake_slack.reset()


def test_the_whole_loop_on_two_instances(
    experts_on_postgres: tuple[BotServer, BotServer, str, Path], fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """Unanswered -> Ask an expert -> experts' post -> reply -> asker told -> draft -> Accept -> write -> answered."""
    first, second, database, faq = experts_on_postgres

    # 1. Nobody can answer: the reply offers "Ask an expert"; nothing reaches the experts without a click.
    first.event(mention(QUESTION, user=ASKER))
    reply = fake_slack.wait_for("chat.postMessage", where=to("C111"))[0]
    assert REPLY not in json.dumps(reply.args)
    ask = buttons(reply.args["blocks"], "ask_expert")[0]
    assert not fake_slack.calls_to("chat.postMessage")[1:]

    # 2. The asker clicks (on the other instance): the question goes to the experts channel, once.
    container = {"type": "message", "message_ts": reply.response["ts"], "channel_id": "C111", "is_ephemeral": False}
    click = block_action(
        "ask_expert", ask["value"], response_url=fake_slack.response_url("ask"), user=ASKER, container=container
    )
    assert second.action(click).status == 200
    post = fake_slack.wait_for("chat.postMessage", where=to(EXPERTS))[0]
    posted = json.dumps(post.args, ensure_ascii=False)
    assert QUESTION in posted
    assert f"<@{ASKER}>" in posted
    assert "<#C111>" in posted
    assert "Sent to the experts" in json.dumps(fake_slack.wait_for("response_url:ask")[0].args)
    assert first.action(click).status == 200  # again, on the first instance: not posted twice
    assert "already" in json.dumps(fake_slack.wait_for("response_url:ask", 2)[1].args)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2

    # 3. An expert replies in the thread: the asker is told in their thread, with a link, not a copy.
    expert_reply = channel_message(REPLY, channel=EXPERTS, user=EXPERT, thread_ts=post.response["ts"])
    first.event(expert_reply)
    told = fake_slack.wait_for("chat.postMessage", 2, where=to("C111"))[1]
    link = fake_slack.wait_for("chat.getPermalink")[0]
    assert (link.args["channel"], link.args["message_ts"]) == (EXPERTS, expert_reply["event"]["ts"])
    assert told.args["thread_ts"] == reply.args["thread_ts"]
    assert f"archives/{EXPERTS}/p" in json.dumps(told.args)
    assert "qwen-fans" not in json.dumps(told.args)

    # 4. The expert saves their reply as a FAQ draft: a modal prefilled with the asker's question and the reply.
    message = {**expert_reply["event"], "type": "message"}
    shortcut = message_shortcut(message, channel=EXPERTS, user=EXPERT, response_url=fake_slack.response_url("sc"))
    send(second, shortcut)
    view = fake_slack.wait_for("views.open")[0].args["view"]
    fields = {block["block_id"]: block["element"] for block in view["blocks"]}
    assert fields["question"]["initial_value"] == QUESTION
    assert fields["answer"]["initial_value"] == REPLY
    assert [option["value"] for option in fields["layer"]["options"]] == [
        "alibaba-group",
        "tongyi-research",
        "alibaba-cloud",
        "hugging-face",
        "community",
    ]
    values = {
        "question": {"type": "plain_text_input", "value": QUESTION},
        "answer": {"type": "plain_text_input", "value": REPLY},
        "layer": {"type": "static_select", "selected_option": {"value": "community"}},
        "more_layers": {"type": "multi_static_select", "selected_options": []},
        "source": {"type": "plain_text_input", "value": "corporate-landscape: Frequently asked questions"},
        "alternates": {"type": "plain_text_input", "value": "\n".join(ALTERNATES)},
        "answer_zh": {"type": "plain_text_input", "value": "没有人出售：请到 #qwen-fans 询问，社区自己印制。"},
    }
    saved = send(first, submitted(view, values, user=EXPERT))
    assert saved["response_action"] == "update"
    assert "Draft saved" in json.dumps(saved)

    # 5. A curator sees it in /qwen report and accepts it.
    report, [accept] = waiting_proposals(second, fake_slack)
    assert QUESTION in json.dumps(report, ensure_ascii=False)
    decision = block_action(accept["action_id"], accept["value"], response_url=fake_slack.response_url("d"), user=ADMIN)
    first.action(decision)
    assert "Accepted draft" in json.dumps(fake_slack.wait_for("response_url:d")[0].args)

    # 6. The command line lists it, writes it into the FAQ folder, and faq check passes.
    env = {"DATABASE_URL": database}
    listed = run_bot("faq", "suggestions", "--faq", str(faq), env=env, cwd=tmp_path)
    assert listed.returncode == 0
    assert "new entry: 'where can we order qwen stickers?'" in listed.stdout
    versions = [bot.get("/healthz").json()["faq"]["version"] for bot in (first, second)]
    wrote = run_bot("faq", "suggestions", "--write", str(faq), "--faq", str(faq), env=env, cwd=tmp_path)
    assert wrote.returncode == 0, wrote.stderr
    assert "new entry where-order-qwen-stickers" in wrote.stdout
    checked = run_bot("faq", "check", "--faq", str(faq), env=env, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout

    # 7. After the hot reload, both instances answer the same question.
    for bot, version in zip((first, second), versions, strict=True):
        wait_for_version(bot, version)
        assert "qwen-fans" in bot.command(QUESTION).text


@pytest.fixture
def experts_by_dm(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[BotServer]:
    """One instance on SQLite, no experts channel: questions go to the experts by DM."""
    fake_slack.reset()
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    with BotServer(fake_slack, database, tmp_path / "bot.log", QWEN_EXPERT_USER_IDS=EXPERT) as bot:
        yield bot
    fake_slack.reset()


def test_a_dm_question_reaches_an_expert_only_when_the_asker_clicks(
    experts_by_dm: BotServer, fake_slack: FakeSlack
) -> None:
    """From a DM to an expert's DM and back; the expert's private reply is passed on privately."""
    bot = experts_by_dm
    bot.event(direct_message(QUESTION, user=ASKER, channel="D0ASKER01"))
    reply = fake_slack.wait_for("chat.postMessage")[0]
    assert [call.args["channel"] for call in fake_slack.quiet()] == ["D0ASKER01"]  # no DM to the expert yet
    ask = buttons(reply.args["blocks"], "ask_expert")[0]

    stranger = block_action("ask_expert", ask["value"], response_url=fake_slack.response_url("x"), user="U0OTHER01")
    bot.action(stranger)
    assert "Only the person who asked" in json.dumps(fake_slack.wait_for("response_url:x")[0].args)

    container = {"type": "message", "message_ts": reply.response["ts"], "channel_id": "D0ASKER01"}
    bot.action(block_action("ask_expert", ask["value"], response_url=fake_slack.response_url("a"), user=ASKER,
                            container=container))  # fmt: skip
    post = fake_slack.wait_for("chat.postMessage", where=to(EXPERT))[0]
    assert "in a direct message" in json.dumps(post.args)
    fake_slack.wait_for("response_url:a")  # the asker is told once the post is remembered: an expert may reply now
    thread = post.response

    answer = direct_message(REPLY, user=EXPERT, channel=thread["channel"], thread_ts=thread["ts"])
    bot.event(answer)
    told = fake_slack.wait_for("chat.postMessage", where=to(ASKER))[0]
    assert "qwen-fans" in json.dumps(told.args)  # private to private: the reply itself, in the asker's DM
    assert not [c for c in fake_slack.quiet() if c.method == "chat.postMessage" and c.args["channel"] == "C111"]

    # The expert asks the bot something in another DM thread: an ordinary question, answered.
    bot.event(direct_message("who funds qwen?", user=EXPERT, channel=thread["channel"], thread_ts="1.000001"))
    answered = fake_slack.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts") == "1.000001")
    assert "Alibaba Group" in json.dumps(answered[0].args)


def test_an_unhelpful_answer_offers_an_expert_to_its_asker(experts_by_dm: BotServer, fake_slack: FakeSlack) -> None:
    """A thumbs down on Slack's feedback block, by the asker: the thanks offer "Ask an expert" with the question."""
    experts_by_dm.event(direct_message("what licence is qwen under?", user=ASKER, channel="D0ASKER01"))
    answer = fake_slack.wait_for("chat.postMessage")[0]
    down = feedback_value(answer.args["blocks"], "not_helpful")
    experts_by_dm.action(feedback_click(down, fake_slack.response_url("down"), user=ASKER))
    thanks = fake_slack.wait_for("response_url:down")[0].args
    [ask] = buttons(thanks["blocks"], "ask_expert")
    assert "what licence is qwen under?" in ask["value"]
    experts_by_dm.action(feedback_click(down, fake_slack.response_url("other"), user="U0OTHER01"))
    assert not buttons(fake_slack.wait_for("response_url:other")[0].args["blocks"], "ask_expert")


def test_votes_and_picks_become_suggested_alternates(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """A helpful vote on a narrow answer and a did-you-mean pick are suggested; a confident answer is not."""
    fake_slack.reset()
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    with BotServer(fake_slack, database, tmp_path / "bot.log") as bot:
        for number, (question, user) in enumerate(
            [
                ("who pays for qwen development", ASKER),  # answered narrowly: suggested
                ("who funds qwen?", ASKER),  # answered confidently: not suggested
                ("who pays for qwen development", "U0OTHER01"),  # someone else's question: not theirs to suggest
            ]
        ):
            bot.event(mention(question, user=ASKER))
            reply = fake_slack.wait_for("chat.postMessage", number + 1)[number]
            value = feedback_value(reply.args["blocks"], "helpful")
            bot.action(feedback_click(value, fake_slack.response_url("v"), user=user))
            fake_slack.wait_for("response_url:v", number + 1)
        # a did-you-mean: the asker picks funding
        close_call = bot.command("whose money is it", user_id=ASKER).json()
        pick = next(b for b in buttons_in(close_call["blocks"]) if '"funding"' in b.get("value", ""))
        bot.action(
            block_action(pick["action_id"], pick["value"], response_url=fake_slack.response_url("p"), user=ASKER)
        )
        fake_slack.wait_for("response_url:p")
        time.sleep(0.5)
        listed = run_bot("faq", "suggestions", env={"DATABASE_URL": database}, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("alternate of funding: 'who pays for qwen development' (helpful vote)") == 1
    assert "alternate of funding: 'whose money is it' (did-you-mean pick)" in listed.stdout
    assert "who funds qwen" not in listed.stdout


def test_only_experts_save_drafts_and_only_curators_decide(bot: BotServer, slack: FakeSlack) -> None:
    """The shortcut refuses a non-expert; Accept refuses a non-curator; nothing is opened or changed."""
    message = {"type": "message", "text": REPLY, "user": "W222", "ts": new_ts()}
    send(bot, message_shortcut(message, channel="C111", user="W222", response_url=slack.response_url("s")))
    assert "for the bot's experts" in json.dumps(slack.wait_for("response_url:s")[0].args)
    bot.action(block_action("proposal:accept:1", "1", response_url=slack.response_url("d"), user="W222"))
    assert "for the bot's curators" in json.dumps(slack.wait_for("response_url:d")[0].args)
    assert not slack.calls_to("views.open")


def test_a_draft_with_problems_is_sent_back_with_reasons(bot: BotServer, slack: FakeSlack) -> None:
    """An admin's draft without a layer or source: Slack shows the reasons beside the fields."""
    view = {"callback_id": "faq_draft", "blocks": []}
    values = {
        "question": {"type": "plain_text_input", "value": QUESTION},
        "answer": {"type": "plain_text_input", "value": "x" * 700},
    }
    answer = send(bot, submitted(view, values, user=ADMIN))
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"answer", "layer", "source"}


def test_in_the_experts_channel_a_follow_up_is_still_answered(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """A thread that is not an experts' post goes on as anywhere else: a follow-up to the bot is answered."""
    fake_slack.reset()
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    with BotServer(fake_slack, database, tmp_path / "bot.log", QWEN_EXPERTS_CHANNEL=EXPERTS) as bot:
        question = mention("what licence is qwen under?", channel=EXPERTS, user=EXPERT)
        bot.event(question)
        fake_slack.wait_for("chat.postMessage")
        thread = question["event"]["ts"]
        bot.event(channel_message("and for the hosted API?", channel=EXPERTS, user=EXPERT, thread_ts=thread))
        follow_up = fake_slack.wait_for("chat.postMessage", 2)[1]
        assert not fake_slack.calls_to("chat.getPermalink")
    fake_slack.reset()
    assert follow_up.args["thread_ts"] == thread
    assert "Alibaba Cloud (Model Studio)" in json.dumps(follow_up.args)


def test_a_private_qwen_answer_is_followed_up_in_a_dm(experts_by_dm: BotServer, fake_slack: FakeSlack) -> None:
    """/qwen answers privately: the experts hear where it was asked, and the asker hears back by DM."""
    bot = experts_by_dm
    ack = bot.command(QUESTION, user_id=ASKER, channel_id="C0PUBLIC1").json()
    [ask] = buttons(ack["blocks"], "ask_expert")
    container = {"type": "message", "message_ts": "1.000001", "channel_id": "C0PUBLIC1", "is_ephemeral": True}
    bot.action(block_action("ask_expert", ask["value"], response_url=fake_slack.response_url("a"), user=ASKER,
                            container=container))  # fmt: skip
    post = fake_slack.wait_for("chat.postMessage", where=to(EXPERT))[0]
    assert "with /qwen in <#C0PUBLIC1>" in json.dumps(post.args)
    fake_slack.wait_for("response_url:a")
    bot.event(direct_message(REPLY, user=EXPERT, channel=post.response["channel"], thread_ts=post.response["ts"]))
    told = fake_slack.wait_for("chat.postMessage", where=to(ASKER))[0]
    assert told.args.get("thread_ts") is None
    assert not fake_slack.calls_to("chat.postMessage")[2:]  # the experts' post and the DM: nothing in C0PUBLIC1
