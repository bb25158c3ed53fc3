"""The curated knowledge as plain values: layers, source documents and entries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property


@dataclass(frozen=True)
class Layer:
    """One layer of the orientation table: who stands behind that part of Qwen."""

    id: str
    name: str
    role: str
    visibility: str
    summary: str
    name_zh: str = ""
    role_zh: str = ""
    summary_zh: str = ""


@dataclass(frozen=True)
class Document:
    """A source document the FAQ is drawn from, with its section headings."""

    id: str
    title: str
    kind: str
    sections: tuple[str, ...]
    author: str | None = None


@dataclass(frozen=True)
class Source:
    """Where an answer comes from: a document id and one of its section headings."""

    document: str
    section: str


@dataclass(frozen=True)
class Entry:
    """One question the bot can answer, with the other ways people ask it."""

    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str
    layers: tuple[str, ...]  # primary layer first
    sources: tuple[Source, ...]
    tags: tuple[str, ...]
    see_also: tuple[str, ...] = ()
    question_zh: str = ""  # the question in Chinese: also a phrasing
    answer_zh: str = ""  # the answer in Chinese (Slack mrkdwn), same facts and hedges
    reviewed: date | None = None  # when a curator last checked the entry against its sources
    file: str = ""
    line: int = 0

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The canonical question, its Chinese rendering when there is one, then its alternates."""
        return (
            (self.question, self.question_zh, *self.alternates)
            if self.question_zh
            else (self.question, *self.alternates)
        )

    @property
    def layer(self) -> str:
        """The primary layer's id."""
        return self.layers[0]


@dataclass(frozen=True)
class Onboarding:
    """What new members see first: a welcome text (Slack mrkdwn) and starter entry ids."""

    welcome: str = ""
    starters: tuple[str, ...] = ()
    welcome_zh: str = ""


@dataclass(frozen=True)
class Faq:
    """A loaded FAQ folder. ``version`` changes whenever any file's content does."""

    layers: Mapping[str, Layer]
    documents: Mapping[str, Document]
    entries: tuple[Entry, ...]
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    topic: tuple[str, ...] = ()  # words that say a question is about this FAQ's subject
    onboarding: Onboarding = field(default_factory=Onboarding)
    version: str = ""
    # A digest of the files this FAQ was read from, set by the loader: it names the matcher's stored index
    # without digesting every entry. Not an argument of __init__, so that a Faq made or changed in code
    # (dataclasses.replace) has none and is digested by its content instead.
    files_digest: str = field(default="", init=False, repr=False, compare=False)

    @cached_property
    def _by_id(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries}

    def entry(self, entry_id: str) -> Entry | None:
        """The entry with this id, or ``None``."""
        return self._by_id.get(entry_id)

    def in_layer(self, layer_id: str) -> tuple[Entry, ...]:
        """Entries whose primary layer is ``layer_id``, in file order."""
        return tuple(entry for entry in self.entries if entry.layer == layer_id)


def with_files_digest(faq: Faq, digest: str) -> Faq:
    """``faq``, marked as read from the files ``digest`` names (see :attr:`Faq.files_digest`); for loaders only."""
    object.__setattr__(faq, "files_digest", digest)  # frozen, and on purpose not an argument of __init__
    return faq
