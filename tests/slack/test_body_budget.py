"""Request bodies in flight share one budget per worker: every byte counts, and every byte is given back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.slack.asgi import BodyBudget, ClientGoneError, RejectedRequestError, read_body

Message = dict[str, object]


def _receiving(*messages: Message) -> Callable[[], Awaitable[Message]]:
    queue = list(messages)

    async def receive() -> Message:
        return queue.pop(0)

    return receive


def _read(budget: BodyBudget, *messages: Message, length: int = 0) -> bytes:
    headers = {"content-length": [str(length)]} if length else {}
    return asyncio.run(read_body(_receiving(*messages), headers, budget))


def _chunk(size: int, *, more: bool = False) -> Message:
    return {"type": "http.request", "body": b" " * size, "more_body": more}


def test_small_bodies_count_too() -> None:
    """Thousands of connections each holding a small body part could hold as much memory as a few large ones:
    a body of any size that would pass the budget is refused, whatever the bodies before it."""
    budget = BodyBudget(limit=100_000)
    assert budget.take(60_000)  # another connection's body, in flight
    with pytest.raises(RejectedRequestError) as refused:
        _read(budget, _chunk(30_000, more=True), _chunk(30_000))
    assert refused.value.status == 503
    assert budget.held == 60_000  # what the refused body took is given back
    budget.give_back(60_000)
    assert _read(budget, _chunk(30_000, more=True), _chunk(30_000)) == b" " * 60_000
    assert budget.held == 0


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        ((_chunk(10, more=True), {"type": "http.disconnect"}), ClientGoneError),
        ((_chunk(600_000, more=True), _chunk(600_000)), RejectedRequestError),  # past MAX_BODY_BYTES: 413
    ],
)
def test_a_body_that_ends_early_gives_its_bytes_back(messages: tuple[Message, ...], error: type[Exception]) -> None:
    budget = BodyBudget(limit=10_000_000)
    with pytest.raises(error):
        _read(budget, *messages)
    assert budget.held == 0
