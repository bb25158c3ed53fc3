"""A loaded FAQ as plain values, for :class:`~bot.knowledge.index_store.IndexStore` to keep between runs.

Parsing and checking the YAML of a 10,000-entry FAQ takes seconds; reading its
entries back from ``marshal`` (tuples, strings, numbers: core types only,
which unlike pickle cannot run code) takes a tenth of that. The loader keeps
these values with the problems it found (:func:`bot.knowledge.loader.read_faq`).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from bot.knowledge.faq import Document, Entry, Faq, Layer, Onboarding, Source, with_files_digest

_ENTRY_FIELDS = tuple(field.name for field in dataclasses.fields(Entry))


def faq_values(faq: Faq) -> dict[str, Any]:
    """``faq`` as core types, all of it (its version and files digest too): what :func:`faq_from_values` takes."""
    return {
        "layers": [
            (
                layer.id,
                layer.name,
                layer.role,
                layer.visibility,
                layer.summary,
                layer.name_zh,
                layer.role_zh,
                layer.summary_zh,
            )
            for layer in faq.layers.values()
        ],
        "documents": [(d.id, d.title, d.kind, d.sections, d.author) for d in faq.documents.values()],
        "entries": [_entry_values(entry) for entry in faq.entries],
        "aliases": dict(faq.aliases),
        "topic": faq.topic,
        "onboarding": (faq.onboarding.welcome, faq.onboarding.starters, faq.onboarding.welcome_zh),
        "version": faq.version,
        "files_digest": faq.files_digest,
    }


def faq_from_values(values: dict[str, Any]) -> Faq:
    """The :class:`Faq` that :func:`faq_values` gave ``values`` for; KeyError, TypeError or ValueError if they are
    not such values."""
    layers = {fields[0]: Layer(*fields) for fields in values["layers"]}
    documents = {fields[0]: Document(*fields) for fields in values["documents"]}
    entries = tuple(map(_entry, values["entries"]))
    welcome, starters, welcome_zh = values["onboarding"]
    faq = Faq(
        layers,
        documents,
        entries,
        values["aliases"],
        values["topic"],
        Onboarding(welcome, starters, welcome_zh),
        values["version"],
    )
    _check_types(faq)
    if not isinstance(values["files_digest"], str):
        raise TypeError("a files digest is text")
    return with_files_digest(faq, values["files_digest"])


def _entry_values(entry: Entry) -> tuple[Any, ...]:
    """The entry's fields in :data:`_ENTRY_FIELDS` order, its sources as pairs and its review date as a day number."""
    fields = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
    fields["sources"] = tuple((source.document, source.section) for source in entry.sources)
    fields["reviewed"] = entry.reviewed.toordinal() if entry.reviewed is not None else None
    return tuple(fields.values())


def _entry(values: tuple[Any, ...]) -> Entry:
    fields = dict(zip(_ENTRY_FIELDS, values, strict=True))
    fields["sources"] = tuple(Source(document, section) for document, section in fields["sources"])
    reviewed = fields["reviewed"]
    fields["reviewed"] = date.fromordinal(reviewed) if reviewed is not None else None
    return Entry(**fields)


def _check_types(faq: Faq) -> None:
    """A TypeError unless the texts are text: a stored file is trusted no further than its types."""
    texts = [faq.version, *faq.topic, *faq.aliases, *(v for variants in faq.aliases.values() for v in variants)]
    for entry in faq.entries:
        texts += (entry.id, entry.question, entry.answer, entry.question_zh, entry.answer_zh, entry.file)
        texts += (*entry.alternates, *entry.layers, *entry.tags, *entry.see_also)
    if not all(isinstance(text, str) for text in texts) or not all(isinstance(e.line, int) for e in faq.entries):
        raise TypeError("a stored FAQ holds something other than text where text belongs")
