"""From proposals to FAQ files: ``python -m bot faq suggestions [--write DIR]``.

Experts' drafts and suggested alternates wait in the database until a curator
accepts or rejects them in ``/qwen report``. This module lists them, and writes
the accepted ones into a FAQ folder in the FAQ's own format, for a curator to
check (``faq check``), read as a diff and commit:

* a new entry goes to ``suggested.yaml`` in that folder (created, or added to),
  laid out like the hand-written files;
* an alternate is merged in place: one more line at the end of its entry's
  ``alternates:`` list, in whichever file holds the entry, so the diff is one line.

Writing is idempotent: an alternate already among its entry's phrasings, or a new
entry whose question some entry already has, is skipped. Nothing here is served
until it is in the folder the bot reads and passes ``faq check``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge.faq import Faq, Source
from bot.knowledge.loader import MIN_ALTERNATES, SPECIAL_FILES, load_faq
from bot.knowledge.matcher import Answer, Matcher
from bot.storage import Proposal, Store

NEW_ENTRIES_FILE = "suggested.yaml"
CONFIDENT_SCORE = 80.0  # an answer this sure needs no new phrasing (the answer threshold is 35)
_WORDS = re.compile(r"[a-z0-9]+")
_SOURCE_SPLIT = re.compile(r"\s*[:>]\s*")
_STOP = frozenset({"a", "an", "the", "is", "are", "do", "does", "can", "we", "i", "to", "of", "for", "in", "on"})
_ALTERNATE_LINE = "      - "


def worth_suggesting(matcher: Matcher, question: str, entry_id: str) -> bool:
    """Is ``question`` worth adding to ``entry_id``'s alternates? Not if it already retrieves that entry confidently.

    Confidently: answered with that entry at :data:`CONFIDENT_SCORE` or more. A question
    answered more narrowly ("who pays for qwen development", 77) is worth a phrasing, so
    that the next wording a little further off is still answered; one not answered at all
    (a did-you-mean pick) certainly is.
    """
    outcome = matcher.match(question)
    return not (isinstance(outcome, Answer) and outcome.entry.id == entry_id and outcome.score >= CONFIDENT_SCORE)


def resolve_source(text: str, faq: Faq) -> Source | None:
    """The ``{document, section}`` a free-text source names ("corporate-landscape: Frequently asked questions",
    or the document's title and a section), or ``None`` (a URL, "expert: <name>"): the curator decides."""
    parts = _SOURCE_SPLIT.split(text.strip(), maxsplit=1)
    if len(parts) != 2:
        return None
    document_part, section_part = parts
    for document in faq.documents.values():
        if document_part.casefold() in {document.id.casefold(), document.title.casefold()}:
            for section in document.sections:
                if section.casefold() == section_part.casefold():
                    return Source(document.id, section)
    return None


@dataclass
class Written:
    """What :func:`write_accepted` did."""

    entries: list[str] = field(default_factory=list)  # ids of new entries
    alternates: list[tuple[str, str]] = field(default_factory=list)  # (entry id, file name)
    skipped: list[str] = field(default_factory=list)  # why, one line each


def write_accepted(proposals: list[Proposal], directory: Path, served: Path) -> Written:
    """Write accepted ``proposals`` into the FAQ folder ``directory`` (a copy of ``served`` if it has no FAQ yet)."""
    if not (directory / "layers.yaml").exists():
        shutil.copytree(served, directory, dirs_exist_ok=True)
    faq = load_faq(directory, require_chinese=False)  # a refused draft's missing answer_zh is faq check's to report
    phrasings = {_key(text): entry.id for entry in faq.entries for text in entry.phrasings}
    taken = {entry.id for entry in faq.entries}
    written = Written()
    new_entries: list[str] = []
    for proposal in proposals:
        question = html.unescape(proposal.question)
        if proposal.kind == "alternate":
            entry_id = proposal.entry_id or ""
            if phrasings.get(_key(question)) == entry_id:
                written.skipped.append(f"#{proposal.id}: already an alternate of {entry_id}")
                continue
            file = _add_alternate(directory, entry_id, question)
            if file is None:
                written.skipped.append(f"#{proposal.id}: no entry '{entry_id}' with an alternates list in {directory}")
                continue
            phrasings[_key(question)] = entry_id
            written.alternates.append((entry_id, file))
        elif _key(question) in phrasings:
            written.skipped.append(f"#{proposal.id}: '{phrasings[_key(question)]}' already has this question")
        else:
            entry_id = new_entry_id(question, taken, proposal.id)
            taken.add(entry_id)
            phrasings[_key(question)] = entry_id
            new_entries.append(entry_yaml(proposal, entry_id, resolve_source(proposal.source, faq)))
            written.entries.append(entry_id)
    if new_entries:
        _append_entries(directory / NEW_ENTRIES_FILE, new_entries)
    return written


def new_entry_id(question: str, taken: set[str], number: int | None) -> str:
    """An id from the question's first few words (``where-order-qwen-stickers``), unique among ``taken``."""
    words = [word for word in _WORDS.findall(question.lower()) if word not in _STOP][:5]
    base = "-".join(words) or f"draft-{number}"
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


def entry_yaml(proposal: Proposal, entry_id: str, source: Source | None) -> str:
    """One entry in the FAQ's format. An unresolved source is written as a placeholder faq check refuses,
    with the expert's words in a comment, so it cannot be served by accident."""
    question = html.unescape(proposal.question)
    alternates = [html.unescape(text) for text in proposal.alternates if _key(text) != _key(question)]
    layers = list(proposal.layers) or ["?"]
    lines = [
        f"  - id: {entry_id}",
        f"    question: {_quoted(question)}",
        "    alternates:",
        *[f"{_ALTERNATE_LINE}{_quoted(text)}" for text in alternates],
        "    answer: |-",
        *_block(html.unescape(proposal.answer)),
        f"    layer: {layers[0]}" if len(layers) == 1 else f"    layer: [{', '.join(layers)}]",
    ]
    if source is not None:
        lines.append(f"    source: {{document: {source.document}, section: {_quoted(source.section)}}}")
    else:
        lines += [
            f"    # source as the expert gave it: {html.unescape(proposal.source)!r}",
            '    source: {document: "?", section: "?"}        # name a document and section from sources.yaml',
        ]
    lines.append("    tags: [expert answer]")
    if proposal.answer_zh:
        lines += ["    answer_zh: |-", *_block(html.unescape(proposal.answer_zh))]
    return "\n".join(lines) + "\n"


def _block(text: str) -> list[str]:
    return [f"      {line}".rstrip() for line in text.strip().splitlines()] or ["      ?"]


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one), on one line."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def _key(text: str) -> str:
    return " ".join(html.unescape(text).casefold().split())


def _append_entries(path: Path, entries: list[str]) -> None:
    if path.exists():
        existing = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    else:
        existing = "# New entries from experts' drafts, written by `python -m bot faq suggestions --write`.\nentries:\n"
    path.write_text(existing + "\n".join(entries), encoding="utf-8")


def _add_alternate(directory: Path, entry_id: str, text: str) -> str | None:
    """Add ``text`` at the end of the entry's block-style ``alternates:`` list; the file's name, or ``None``."""
    for path in sorted(directory.glob("*.yaml")):
        if path.name in SPECIAL_FILES:
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        start = next((n for n, line in enumerate(lines) if line.rstrip() == f"  - id: {entry_id}"), None)
        if start is None:
            continue
        for number in range(start + 1, len(lines)):
            if lines[number].startswith("  - id: "):
                return None
            if lines[number].rstrip() == "    alternates:":
                end = number + 1
                while end < len(lines) and lines[end].startswith(_ALTERNATE_LINE):
                    end += 1
                lines.insert(end, f"{_ALTERNATE_LINE}{_quoted(text)}\n")
                path.write_text("".join(lines), encoding="utf-8")
                return path.name
        return None
    return None


def proposal_line(proposal: Proposal) -> str:
    """One proposal for a terminal: number, kind, question and what it still needs."""
    question = html.unescape(proposal.question)
    if proposal.kind == "alternate":
        return f"  #{proposal.id:<4} alternate of {proposal.entry_id}: {question!r} ({proposal.author})"
    missing = []
    if not proposal.answer_zh:
        missing.append("answer_zh")
    if len(proposal.alternates) < MIN_ALTERNATES:
        missing.append(f"{MIN_ALTERNATES - len(proposal.alternates)} more alternate(s)")
    needs = f"; needs {', '.join(missing)}" if missing else ""
    layers = ", ".join(proposal.layers)
    return f"  #{proposal.id:<4} new entry: {question!r} (layer {layers}; by {proposal.author}{needs})"


def run(*, faq_directory: Path, write: Path | None) -> int:
    """``python -m bot faq suggestions``: list pending and accepted proposals; with ``write``, write the accepted."""
    from bot.report import open_existing_store

    store: Store = open_existing_store()
    try:
        problem = store.connection_problem()
        if problem is not None:
            print(f"Error: cannot reach the database named by DATABASE_URL ({problem}).", file=sys.stderr)
            return 1
        pending, accepted = store.proposals(("pending",)), store.proposals(("accepted",))
    finally:
        store.close()
    if write is None:
        print("Waiting for a curator (Accept or Reject in /qwen report):")
        print("\n".join(map(proposal_line, pending)) or "  none")
        print("Accepted (python -m bot faq suggestions --write DIR writes them):")
        print("\n".join(map(proposal_line, accepted)) or "  none")
        return 0
    written = write_accepted(accepted, write, faq_directory)
    for entry_id in written.entries:
        print(f"new entry {entry_id} -> {write / NEW_ENTRIES_FILE}")
    for entry_id, file in written.alternates:
        print(f"alternate of {entry_id} -> {write / file}")
    for reason in written.skipped:
        print(f"skipped {reason}")
    print(
        f"Wrote {len(written.entries)} new entr{'y' if len(written.entries) == 1 else 'ies'} and "
        f"{len(written.alternates)} alternate(s); now run: python -m bot faq check --faq {write}"
    )
    return 0
