"""respond() on the kept-alive session posts what Bolt's own respond() posts, and gives up when Slack stalls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt.async_app import AsyncRespond
from slack_sdk.models.blocks import DividerBlock, SectionBlock

from bot.slack.app import web_session
from bot.slack.responses import KeptAliveRespond
from tests.support.fake_slack import FakeSlack

# The ways the listeners (and Bolt's documentation) call respond().
CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("plain text",), {}),
    ((), {"text": "t", "blocks": [{"type": "divider"}], "response_type": "ephemeral", "replace_original": False}),
    ((), {"delete_original": True}),
    ((), {"text": "t", "blocks": [SectionBlock(text="*hi*"), DividerBlock()], "unfurl_links": False}),
    (({"text": "whole", "response_type": "in_channel", "replace_original": True},), {}),
]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_it_posts_what_bolts_respond_posts(fake: FakeSlack, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    async def both() -> None:
        await AsyncRespond(response_url=fake.response_url("bolt"))(*args, **kwargs)
        session = web_session()
        try:
            await KeptAliveRespond(fake.response_url("kept"), session)(*args, **kwargs)
        finally:
            await session.close()

    asyncio.run(both())
    [bolt] = fake.wait_for("response_url:bolt")
    [kept] = fake.wait_for("response_url:kept")
    assert kept.args == bolt.args


def test_a_stalled_reply_gives_up_at_the_sessions_timeout(fake: FakeSlack) -> None:
    """The SDK's own timeout applies only to a session it opens; on the shared one, the session's does."""
    fake.delays["response_url:stalled"] = 3.0

    async def stalled() -> None:
        session = web_session(timeout=0.5)
        try:
            await KeptAliveRespond(fake.response_url("stalled"), session)(text="late")
        finally:
            await session.close()

    started = time.monotonic()
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(stalled())
    assert time.monotonic() - started < 2.5
