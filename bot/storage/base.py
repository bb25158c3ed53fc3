"""What the bot remembers, behind a small interface.

Four things are kept, each for a reason the README gives:

* claimed keys (Slack event ids, message ids), so an event is answered once
  even when Slack retries it or two instances receive it; kept one day;
* who has been welcomed, so nobody gets the welcome DM twice;
* feedback votes, one per user per entry, changeable;
* each user's last question language, so the App Home speaks it;
* the channel threads the bot answered in: the entry each is about, who takes
  part and how many human replies came since the bot last spoke, so that a
  follow-up is answered without a mention and a human conversation is left alone;
* asked questions: outcome, entry, layer, score and channel type for every
  question, and the text only when the bot did not answer (what curators need);
* questions the asker sent to the experts (by clicking "Ask an expert"), and
  where each was posted, so an expert's reply can be passed back;
* FAQ proposals: drafts of new entries saved by experts, and suggested
  alternates (questions that led to a helpful vote or a did-you-mean pick),
  each pending, accepted or rejected by a curator.

Token-like strings are redacted from every stored text.

A store never raises to its caller: when the database is unreachable a write is
retried briefly, then logged and dropped, and a claim answers "first time" so
that the bot keeps answering (a rare double answer beats silence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.redaction import redact_secrets

Outcome = Literal["answered", "did-you-mean", "not-covered", "no-match"]
ProposalKind = Literal["entry", "alternate"]
ProposalStatus = Literal["pending", "accepted", "rejected"]

MAX_STORED_TEXT = 500


@dataclass(frozen=True)
class AskedQuestion:
    """One question the bot handled. ``text`` is ``None`` for answered questions."""

    asked_at: float  # seconds since the epoch
    outcome: Outcome
    score: float
    channel_type: str  # "channel", "group", "im", "mpim", "command"
    entry_id: str | None = None
    layer: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Vote:
    """A user's feedback on an entry's answer."""

    entry_id: str
    user_id: str
    helpful: bool
    voted_at: float


@dataclass(frozen=True)
class ExpertRequest:
    """A question its asker sent to the experts, and where to tell them of a reply.

    ``key`` identifies the question (asker and text), so it is sent once. ``thread_ts``
    is the thread to answer in (``None``: the top of the DM, or a DM to the asker).
    """

    key: str
    asked_at: float
    asker: str
    channel: str
    thread_ts: str | None
    question: str


@dataclass(frozen=True)
class Proposal:
    """A change to the FAQ waiting for a curator: a new entry drafted by an expert, or a new alternate.

    An ``entry`` proposal has a question, answer, layers (primary first), a free-text
    source and perhaps more phrasings and a Chinese answer; an ``alternate`` has the
    question as the asker wrote it and the ``entry_id`` it found.
    """

    kind: ProposalKind
    proposed_at: float
    question: str
    entry_id: str | None = None
    answer: str = ""
    answer_zh: str = ""
    layers: tuple[str, ...] = ()
    source: str = ""
    alternates: tuple[str, ...] = ()
    author: str = ""  # the expert's user id (entries), or why it was suggested (alternates)
    status: ProposalStatus = "pending"
    id: int | None = None  # set by the store


@dataclass(frozen=True)
class BotThread:
    """A channel thread the bot answered in, as the thread follow-up rules need it."""

    channel: str
    thread_ts: str
    entry_id: str | None  # the entry the bot last answered with there
    participants: frozenset[str]  # the people who wrote in it (the bot aside)
    human_replies: int  # messages from people since the bot last spoke
    last_ts: str  # the newest message counted, so that a second delivery is not counted twice
    updated_at: float


class Store(Protocol):
    """The bot's memory. Implementations never raise to the caller."""

    def claim(self, key: str) -> bool:
        """True the first time ``key`` is claimed, across instances; False after that."""

    async def claim_async(self, key: str) -> bool:
        """:meth:`claim` on the event loop, without blocking it."""

    def claim_welcome(self, user_id: str) -> bool:
        """True if ``user_id`` had not been welcomed yet (and now counts as welcomed)."""

    def record_question(self, question: AskedQuestion) -> None:
        """Remember a handled question (its text redacted and bounded)."""

    def record_vote(self, vote: Vote) -> None:
        """Remember a vote, replacing the same user's earlier vote on the entry."""

    def set_language(self, user_id: str, language: str) -> None:
        """Remember the language of ``user_id``'s last question ("en" or "zh")."""

    def language(self, user_id: str) -> str | None:
        """The language of ``user_id``'s last question, or ``None`` if unknown."""

    async def language_async(self, user_id: str) -> str | None:
        """:meth:`language` on the event loop: at once when this process knows it, else read in a thread."""

    def thread(self, channel: str, thread_ts: str) -> BotThread | None:
        """The thread the bot answered in, or ``None`` if it never did (or it was forgotten)."""

    def save_thread(self, thread: BotThread) -> None:
        """Remember a thread's state, replacing what was stored for it."""

    def answered_at_root(self, thread: BotThread) -> None:
        """Remember that the bot answered the message at the root of ``thread`` (``thread.last_ts``), unread.

        A new thread is saved as given. A known one (an answer shared into it
        first) keeps its newest counted message, which is never older than its
        root; it gets ``thread``'s people besides its own, its entry (when
        ``thread`` has one) and a count that restarts, as :meth:`save_thread`
        would after reading it. No read, no wait: a mention's or a watched
        channel's answer is the root of almost every thread.
        """

    def count_reply(self, channel: str, thread_ts: str, user: str, ts: str) -> None:
        """Count a person's message ``ts`` the bot did not answer in a thread it answered in, unread.

        As :meth:`save_thread` with ``counted`` state would: one more human reply,
        ``user`` among the people, ``ts`` the newest message counted; nothing
        happens in a thread the bot never answered in, or when ``ts`` is not newer
        than the newest counted (a second delivery). Timestamps compare as text,
        so callers pass Slack's fixed-width ones (``1712345678.000200``).
        """

    def questions_since(self, since: float) -> list[AskedQuestion]:
        """Questions asked at or after ``since``, oldest first."""

    def votes_since(self, since: float) -> list[Vote]:
        """Votes cast at or after ``since``."""

    def open_expert_request(self, request: ExpertRequest) -> bool:
        """True if this question had not been sent to the experts yet (and now has)."""

    def add_expert_thread(self, channel: str, ts: str, request_key: str) -> None:
        """Remember that the experts' post at ``channel``/``ts`` carries the request ``request_key``."""

    def expert_request(self, channel: str, thread_ts: str) -> ExpertRequest | None:
        """The request whose experts' post is ``channel``/``thread_ts``, or ``None``."""

    def propose(self, proposal: Proposal) -> None:
        """Store a proposal; an alternate already proposed for the same entry is not stored twice."""

    def proposals(self, statuses: tuple[ProposalStatus, ...]) -> list[Proposal]:
        """Proposals in any of ``statuses``, oldest first."""

    def decide(self, proposal_id: int, status: ProposalStatus) -> Proposal | None:
        """Set a proposal's status; the proposal as it now is, or ``None`` if there is no such proposal."""

    def purge(self, *, now: float, retention_days: int) -> None:
        """Forget claims older than a day; everything else older than the retention."""

    def status(self) -> str:
        """``"ok"``, or a few words on what is wrong, for ``/healthz``."""

    def connection_problem(self) -> str | None:
        """``None`` when the database answers; else why not, in a few words (no SQL, no parameters)."""

    def close(self) -> None:
        """Release connections."""


def redact(text: str) -> str:
    """``text`` bounded in length, without NUL characters (PostgreSQL refuses them), lone surrogates (no driver
    can encode them: each becomes U+FFFD, so the question is kept for the curators) or credentials."""
    return redact_secrets(_LONE_SURROGATE.sub("\ufffd", text[:MAX_STORED_TEXT].replace("\x00", "")))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
