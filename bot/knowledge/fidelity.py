"""``faq fidelity``: the FAQ says what its sources say in its own words, and cites real headings.

Two checks against the source documents (plain-text files, the first non-empty
line of each being its title):

* no run of :data:`RUN` or more consecutive words is shared between any
  question, Chinese question, alternate, answer or Chinese answer and a
  document. Words are compared case-folded with punctuation ignored, so
  swapping a comma or capital does not hide a copied sentence;
* every section heading in ``sources.yaml`` occurs, character for character, as
  a line of the document it belongs to. Documents are paired with files by
  their title, compared case-folded with punctuation ignored.

Names of fixed things count as one word, so quoting them is never copying: the
documents' titles and section headings, and the few terms in :data:`ALLOWED`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.faq import Document, Entry, Faq

RUN = 7  # this many shared consecutive words make a finding
MAX_SOURCE_BYTES = 4 * 1024 * 1024

# Fixed names and terms that count as one word, each with the reason it may be quoted.
# The documents' own titles and section headings count as one word without being listed.
ALLOWED: dict[str, str] = {
    "reinforcement learning from human feedback (RLHF)": "the standard name of an alignment method",
    "supervised fine-tuning (SFT)": "the standard name of an alignment method",
    "mixture-of-experts (MoE)": "the standard name of a model architecture",
    "NIST's AI Risk Management Framework": "the name of a published framework the field notes point to",
    "Tongyi Qianwen (通义千问)": "the brand's full name, in English and Chinese",
}

_APOSTROPHES = re.compile("['\u2019\u2018`]")
_WORD = re.compile(r"\w+")
_JOIN = "\u00a0"  # joins a fixed name's words into one (never inside a word: \w excludes it)


@dataclass(frozen=True)
class Finding:
    """One fidelity problem, printed as ``file:line: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class SourceFile:
    """A source document as read from the sources folder."""

    path: Path
    title: str
    lines: frozenset[str]  # its lines, stripped: where headings must occur
    words: tuple[str, ...]


def words(text: str) -> list[str]:
    """``text`` as comparable words: case-folded, apostrophes dropped, other punctuation a separator."""
    return _WORD.findall(_APOSTROPHES.sub("", unicodedata.normalize("NFKC", text).casefold()))


def read_sources(folder: Path) -> list[SourceFile]:
    """Every text file in ``folder`` (not below it), in name order."""
    sources = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.stat().st_size <= MAX_SOURCE_BYTES):
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = [line.strip() for line in text.splitlines()]
        title = next((line for line in lines if line), "")
        sources.append(SourceFile(path, title, frozenset(lines), tuple(words(text))))
    return sources


def check_fidelity(faq: Faq, sources: list[SourceFile], sources_yaml: Path) -> list[Finding]:
    """Every shared run of words and every heading not found in its document."""
    findings = list(_heading_findings(faq, sources, sources_yaml))
    names = [*ALLOWED, *(d.title for d in faq.documents.values())]
    names += [section for document in faq.documents.values() for section in document.sections]
    fixed = sorted({tuple(words(name)) for name in names if words(name)}, key=len, reverse=True)
    for source in sources:
        tokens = as_one_word(list(source.words), fixed)
        runs = frozenset(tuple(tokens[i : i + RUN]) for i in range(len(tokens) - RUN + 1))
        for entry in faq.entries:
            for field, text in _texts(entry):
                for run in shared_runs(as_one_word(words(text), fixed), runs):
                    shared = " ".join(run).replace(_JOIN, " ")
                    message = (
                        f"entry '{entry.id}': {field} shares {len(run)} words with {source.path.name}: "
                        f"“{shared}”; say it in the FAQ's own words"
                    )
                    findings.append(Finding(entry.file, entry.line, message))
    return sorted(findings, key=lambda f: (f.file, f.line))


def as_one_word(tokens: list[str], fixed: list[tuple[str, ...]]) -> list[str]:
    """``tokens`` with each fixed name (longest first) joined into a single word."""
    result: list[str] = []
    i = 0
    while i < len(tokens):
        name = next((n for n in fixed if tuple(tokens[i : i + len(n)]) == n), None)
        result.append(_JOIN.join(name) if name else tokens[i])
        i += len(name) if name else 1
    return result


def shared_runs(tokens: list[str], runs: frozenset[tuple[str, ...]]) -> Iterator[list[str]]:
    """The longest stretches of ``tokens`` whose every RUN consecutive words occur in ``runs``."""
    start = end = -1  # the stretch found so far covers tokens[start:end]
    for i in range(len(tokens) - RUN + 1):
        if tuple(tokens[i : i + RUN]) not in runs:
            continue
        if i <= end - RUN + 1:  # overlaps or touches the stretch: extend it
            end = i + RUN
            continue
        if start >= 0:
            yield tokens[start:end]
        start, end = i, i + RUN
    if start >= 0:
        yield tokens[start:end]


def _texts(entry: Entry) -> Iterator[tuple[str, str]]:
    yield "question", entry.question
    if entry.question_zh:
        yield "question_zh", entry.question_zh
    for alternate in entry.alternates:
        yield "alternate", alternate
    yield "answer", entry.answer
    if entry.answer_zh:
        yield "answer_zh", entry.answer_zh


def _heading_findings(faq: Faq, sources: list[SourceFile], sources_yaml: Path) -> Iterator[Finding]:
    by_title = {" ".join(words(source.title)): source for source in sources}
    listing = sources_yaml.read_text(encoding="utf-8").splitlines() if sources_yaml.is_file() else []
    if sources_yaml.is_absolute() and sources_yaml.is_relative_to(Path.cwd()):
        sources_yaml = sources_yaml.relative_to(Path.cwd())  # as short as the entries' file names
    for document in faq.documents.values():
        source = by_title.get(" ".join(words(document.title)))
        if source is None:
            line = _line_of(listing, document.title)
            yield Finding(
                str(sources_yaml), line, f"document '{document.id}': no source file has the title “{document.title}”"
            )
            continue
        yield from _missing_headings(document, source, listing, sources_yaml)


def _missing_headings(document: Document, source: SourceFile, listing: list[str], path: Path) -> Iterator[Finding]:
    for section in document.sections:
        if section not in source.lines:
            message = f"document '{document.id}': section “{section}” is not a heading line of {source.path.name}"
            yield Finding(str(path), _line_of(listing, section), message)


def _line_of(listing: list[str], text: str) -> int:
    """The first line of ``sources.yaml`` mentioning ``text`` (0 if none does)."""
    return next((number for number, line in enumerate(listing, 1) if text in line), 0)
