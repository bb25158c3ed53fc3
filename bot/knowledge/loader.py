"""Read an FAQ folder into a :class:`~bot.knowledge.faq.Faq`, reporting every problem found.

The folder holds ``layers.yaml`` (``layers:``), ``sources.yaml`` (``documents:``),
an optional ``aliases.yaml`` (``aliases:``) and any number of entry files, each a
top-level ``entries:`` list. Problems carry the file and line they were found at,
so ``faq check`` can print ``faq/licensing.yaml:12: ...`` instead of a traceback.

Given a store, what was read is kept there under a key made of the files'
names and contents (and everything else the result depends on: the loader's
code, the YAML parser, the working folder the paths are shown from), so a
large FAQ is parsed once per version of its files, not at every start.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.faq import Document, Entry, Faq, Layer, Onboarding, Source, with_files_digest
from bot.knowledge.faq_store import faq_from_values, faq_values
from bot.knowledge.index_store import IndexStore, code_digest
from bot.knowledge.normalize import normalize

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 8 * 1024 * 1024
STORED_FORMAT = 1  # bump when what the store keeps of a loaded FAQ changes in a way the code digest would not show
# the modules what read_faq returns depends on: a change to the matcher's code keeps a stored FAQ
LOADER_CODE = ("loader.py", "faq.py", "faq_store.py", "index_store.py", "normalize.py")
MAX_ANSWER_CHARS = 600
MAX_ANSWER_ZH_CHARS = 450
# Every entry needs `answer_zh` and every layer `name_zh` and `role_zh` (read_faq's
# require_chinese=False lifts that, for tests of other things); an over-long
# `answer_zh` is refused either way.
CHINESE_REQUIRED = True
MIN_ALTERNATES = 5
SPECIAL_FILES = ("layers.yaml", "sources.yaml", "aliases.yaml", "onboarding.yaml")
ENTRY_FIELDS = (
    "id",
    "question",
    "question_zh",
    "alternates",
    "answer",
    "answer_zh",
    "layer",
    "source",
    "tags",
    "see_also",
    "reviewed",
)
LAYER_FIELDS_ZH = ("name_zh", "role_zh", "summary_zh")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PUNCTUATION = re.compile(r"[^\w\s]")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# <https://...|label> and [label](https://...) reach Slack escaped, as raw text; a bare address is linked by Slack
_LINK = re.compile(r"<(?:https?|mailto):|\]\((?:https?|mailto):")


@dataclass(frozen=True)
class Problem:
    """Something wrong with the FAQ, and where."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


class FaqError(Exception):
    """The FAQ folder cannot be served as it is."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more; run `python -m bot faq check`)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}")


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _display(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, for shorter messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class _Mapping(dict[Any, Any]):
    """A YAML mapping that remembers the line it started on."""

    line = 0


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Safe YAML loading that refuses duplicate keys and keeps line numbers."""


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> _Mapping:
    loader.flatten_mapping(node)
    mapping = _Mapping()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in mapping
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    """A YAML date, or a YAML error with a line for one that does not exist (2026-02-30)."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as error:
        raise yaml.constructor.ConstructorError(None, None, f"not a real date: {error}", node.start_mark) from None


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_faq(
    directory: str | Path, *, require_chinese: bool = CHINESE_REQUIRED, store: IndexStore | None = None
) -> Faq:
    """Load an FAQ folder, raising :class:`FaqError` if it has any problem. ``store``: see :func:`read_faq`."""
    faq, problems = read_faq(directory, require_chinese=require_chinese, store=store)
    if problems:
        raise FaqError(problems)
    return faq


def read_faq(
    directory: str | Path, *, require_chinese: bool = CHINESE_REQUIRED, store: IndexStore | None = None
) -> tuple[Faq, list[Problem]]:
    """Load what can be loaded from an FAQ folder, and list every problem found.

    ``store``: where what was read is kept per version of the files, and read
    back instead of parsing them again (see :mod:`bot.knowledge.faq_store`).
    """
    reader = _Reader(Path(directory), require_chinese=require_chinese)
    gc.disable()  # a large FAQ is many small objects that all live on: collecting meanwhile is wasted work
    try:
        key = reader.key() if store is not None else None
        if store is None or key is None:
            return reader.read(), reader.problems
        stored = _stored(store, key)
        if stored is not None:
            return stored
        faq = reader.read()
        store.save_faq(key, {"faq": faq_values(faq), "problems": [astuple(p) for p in reader.problems]})
        return faq, reader.problems
    finally:
        gc.enable()


def _stored(store: IndexStore, key: str) -> tuple[Faq, list[Problem]] | None:
    """The FAQ and problems stored under ``key``, or None when there are none fit to use."""
    state = store.load_faq(key)
    if state is None:
        return None
    try:
        return faq_from_values(state["faq"]), [Problem(*fields) for fields in state["problems"]]
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        log.debug("stored FAQ %s does not fit (%s): reading the files", key, type(error).__name__)
        return None


def _read_whole(paths: list[Path]) -> tuple[dict[str, bytes], str]:
    """Each file's bytes by name, and a digest of the names and bytes; the digest is empty when a file could
    not be read whole (too large, not a regular file, gone meanwhile): :meth:`_Reader.parse` reports why."""
    raw: dict[str, bytes] = {}
    digest = hashlib.blake2b(digest_size=20)
    whole = True
    for path in paths:
        try:
            if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
                whole = False
                continue
            data = raw[path.name] = path.read_bytes()
        except OSError:
            whole = False
            continue
        digest.update(f"{path.name}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
        digest.update(data)
    return raw, digest.hexdigest() if whole else ""


class _Reader:
    def __init__(self, directory: Path, *, require_chinese: bool) -> None:
        self.directory = directory
        self.require_chinese = require_chinese
        self.problems: list[Problem] = []
        self.digest = hashlib.sha256()
        self.top_level: dict[str, Any] = {}  # the whole of the file parsed last
        self.unreadable = False  # a file could not be parsed, so its entries are unknown
        self.displayed: dict[Path, str] = {}
        # the folder's files, read once: parsed from these bytes, and named by them in a store
        self.paths = sorted(directory.glob("*.yaml"))
        self.misnamed = sorted(directory.glob("*.yml"))
        self.raw, self.files_digest = _read_whole(self.paths)

    def key(self) -> str | None:
        """The name under which a store keeps what this reader reads, or None when it should not be kept
        (no folder, or a file not read whole: too large, not a regular file, gone meanwhile)."""
        if not self.files_digest or not self.directory.is_dir():
            return None
        digest = hashlib.blake2b(digest_size=20)
        header = f"{STORED_FORMAT}|{sys.version}|PyYAML {yaml.__version__}|{_BaseLoader.__name__}"
        digest.update(f"{header}|{self.require_chinese}|{_display(self.directory)}|".encode())
        digest.update(code_digest(Path(__file__).parent, LOADER_CODE))
        for path in (*self.paths, *self.misnamed):  # the names problems are reported under
            digest.update(f"{path.name}|{_display(path)}\0".encode("utf-8", "surrogateescape"))
        digest.update(self.files_digest.encode())
        return digest.hexdigest()

    def problem(self, file: Path | str, line: int, message: str) -> None:
        self.problems.append(Problem(_display(Path(file)), line, message))

    def shown(self, path: Path) -> str:
        """:func:`_display` of a file, worked out once per file rather than once per entry."""
        shown = self.displayed.get(path)
        if shown is None:
            shown = self.displayed[path] = _display(path)
        return shown

    def read(self) -> Faq:
        if not self.directory.is_dir():
            self.problem(self.directory, 0, "FAQ folder not found")
            return Faq(layers={}, documents={}, entries=())
        layers = self.read_layers(self.directory / "layers.yaml")
        documents = self.read_documents(self.directory / "sources.yaml")
        aliases, topic = self.read_aliases(self.directory / "aliases.yaml")
        onboarding = self.read_onboarding(self.directory / "onboarding.yaml")
        entries: list[Entry] = []
        for path in self.paths:
            if path.name not in SPECIAL_FILES:
                entries.extend(self.read_entries(path, layers, documents))
        for path in self.misnamed:
            self.problem(path, 0, f"not read: FAQ files end in .yaml; rename it to {path.stem}.yaml")
        if not entries and not self.problems:
            self.problem(self.directory, 0, "no entry files: add a YAML file with a top-level `entries:` list")
        self.check_references(entries, onboarding)
        faq = Faq(layers, documents, tuple(entries), aliases, topic, onboarding, self.digest.hexdigest()[:12])
        return with_files_digest(faq, self.files_digest)

    # -- files -------------------------------------------------------------

    def parse(self, path: Path, key: str, *, required: bool = True) -> Any:
        """The value under top-level ``key`` in ``path``, or ``None`` after reporting why not."""
        raw = self.raw.get(path.name)
        if raw is None:
            if self.files_digest or not path.is_file():  # with every file read whole, one not read is missing
                if required:
                    self.problem(path, 0, f"missing: the FAQ folder needs this file with a top-level `{key}:`")
                return None
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.problem(path, 0, f"file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB")
                self.unreadable = True
                return None
            raw = path.read_bytes()
        self.digest.update(path.name.encode() + b"\0" + raw)
        try:
            data = yaml.load(raw.decode("utf-8"), Loader=_Loader)  # noqa: S506 (a safe loader)
        except UnicodeDecodeError as error:
            self.problem(path, 0, f"not UTF-8 text ({error.reason} at byte {error.start})")
            self.unreadable = True
            return None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            reason = " ".join(
                str(part) for part in (getattr(error, "context", None), getattr(error, "problem", None)) if part
            )
            self.problem(path, mark.line + 1 if mark else 0, f"YAML error: {reason or error}")
            self.unreadable = True
            return None
        if not isinstance(data, dict) or key not in data:
            self.problem(path, 1, f"expected a top-level `{key}:`")
            return None
        self.top_level = data
        return data[key]

    def read_layers(self, path: Path) -> dict[str, Layer]:
        layers: dict[str, Layer] = {}
        for item in self.items(path, "layers"):
            fields = self.text_fields(path, item, ("id", "name", "role", "visibility", "summary"), "layer")
            if fields is None:
                continue
            if fields["id"] in layers:
                self.problem(path, item.line, f"layer id '{fields['id']}' appears twice")
            label = f"layer '{fields['id']}'"
            chinese = {name: self.optional_text(path, item, name, label) for name in LAYER_FIELDS_ZH}
            missing = [name for name in ("name_zh", "role_zh") if not chinese[name] and name not in item]
            if self.require_chinese and missing:
                self.problem(path, item.line, f"{label}: missing field {' and '.join(map(repr, missing))}")
            layers[fields["id"]] = Layer(**fields, **chinese)
        return layers

    def read_documents(self, path: Path) -> dict[str, Document]:
        documents: dict[str, Document] = {}
        for item in self.items(path, "documents"):
            fields = self.text_fields(path, item, ("id", "title", "kind"), "document")
            sections = self.text_list(path, item, "sections", minimum=1)
            author = item.get("author")
            if fields is None or sections is None:
                continue
            documents[fields["id"]] = Document(
                sections=tuple(sections), author=str(author) if author else None, **fields
            )
        return documents

    def read_aliases(self, path: Path) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
        """The alias table and the topic words; both optional."""
        data = self.parse(path, "aliases", required=False)
        if data is None:
            return {}, ()
        aliases: dict[str, tuple[str, ...]] = {}
        if not isinstance(data, dict):
            self.problem(path, 1, "`aliases:` must map each canonical form to a list of variants")
            data = {}
        for canonical, variants in data.items():
            if not isinstance(canonical, str) or not _is_text_list(variants):
                self.problem(path, getattr(data, "line", 1), f"alias {canonical!r}: expected `form: [variant, ...]`")
                continue
            aliases[canonical] = tuple(variants)
        topic = self.top_level.get("topic", [])
        if not _is_text_list(topic):
            self.problem(path, 1, "`topic:` must be a list of words")
            topic = []
        return aliases, tuple(topic)

    def read_onboarding(self, path: Path) -> Onboarding:
        data = self.parse(path, "onboarding", required=False)
        if data is None:
            return Onboarding()
        welcome = data.get("welcome", "") if isinstance(data, dict) else None
        welcome_zh = data.get("welcome_zh", "") if isinstance(data, dict) else None
        starters = data.get("starters", []) if isinstance(data, dict) else None
        if (
            not isinstance(welcome, str)
            or not isinstance(welcome_zh, str)
            or not isinstance(starters, list)
            or (starters and not _is_text_list(starters))
        ):
            self.problem(
                path,
                getattr(data, "line", 1),
                "`onboarding:` needs `welcome:` text, `starters:` ids and optional `welcome_zh:` text",
            )
            return Onboarding()
        return Onboarding(welcome.strip(), tuple(starters), welcome_zh.strip())

    def read_entries(self, path: Path, layers: dict[str, Layer], documents: dict[str, Document]) -> Iterator[Entry]:
        for item in self.items(path, "entries"):
            entry = self.read_entry(path, item, layers, documents)
            if entry is not None:
                yield entry

    def items(self, path: Path, key: str) -> Iterator[_Mapping]:
        data = self.parse(path, key)
        if data is None:
            return
        if not isinstance(data, list):
            self.problem(path, 1, f"`{key}:` must be a list")
            return
        for position, item in enumerate(data, start=1):
            if isinstance(item, _Mapping):
                yield item
            else:
                self.problem(path, 0, f"item {position} of `{key}:` must be a mapping of fields")

    # -- fields ------------------------------------------------------------

    def read_entry(
        self, path: Path, item: _Mapping, layers: dict[str, Layer], documents: dict[str, Document]
    ) -> Entry | None:
        label = f"entry '{item.get('id')}'" if isinstance(item.get("id"), str) else "entry"
        for unknown in sorted(set(map(str, item)) - set(ENTRY_FIELDS)):
            self.problem(path, item.line, f"{label}: unknown field '{unknown}'")
        fields = self.text_fields(path, item, ("id", "question", "answer"), "entry")
        alternates = self.text_list(path, item, "alternates", minimum=MIN_ALTERNATES, label=label)
        tags = self.text_list(path, item, "tags", minimum=1, label=label)
        see_also = self.text_list(path, item, "see_also", minimum=0, label=label, required=False)
        entry_layers = self.entry_layers(path, item, layers, label)
        sources = self.entry_sources(path, item, documents, label)
        question_zh = self.optional_text(path, item, "question_zh", label)
        answer_zh = self.optional_text(path, item, "answer_zh", label)
        reviewed = self.review_date(path, item, label)
        if fields is None:
            return None
        if not _ID.fullmatch(fields["id"]):
            self.problem(path, item.line, f"{label}: id must be lowercase words joined by hyphens")
        if len(fields["answer"]) > MAX_ANSWER_CHARS:
            self.problem(
                path,
                item.line,
                f"{label}: answer is {len(fields['answer'])} characters; the limit is {MAX_ANSWER_CHARS}",
            )
        self.check_answer_zh(path, item, answer_zh, label)
        if _LINK.search(fields["answer"]):
            self.problem(
                path,
                item.line,
                f"{label}: answer links with <...> or [label](...), which Slack shows as "
                "raw text; write the bare address (https://...), which Slack links",
            )
        if alternates is None or tags is None or see_also is None or entry_layers is None or sources is None:
            return None
        return Entry(
            alternates=tuple(alternates),
            layers=entry_layers,
            sources=sources,
            tags=tuple(tags),
            see_also=tuple(see_also),
            question_zh=question_zh,
            answer_zh=answer_zh,
            reviewed=reviewed,
            file=self.shown(path),
            line=item.line,
            **fields,
        )

    def text_fields(self, path: Path, item: _Mapping, names: tuple[str, ...], kind: str) -> dict[str, str] | None:
        """The named fields, each non-empty text, or ``None`` if any is missing or not text."""
        fields: dict[str, str] = {}
        for name in names:
            value = item.get(name)
            if value is None:
                self.problem(path, item.line, f"{kind}: missing field '{name}'")
            elif not isinstance(value, str) or not value.strip():
                self.problem(path, item.line, f"{kind}: '{name}' must be non-empty text")
            else:
                fields[name] = value.strip()
        return fields if len(fields) == len(names) else None

    def check_answer_zh(self, path: Path, item: _Mapping, answer_zh: str, label: str) -> None:
        if self.require_chinese and "answer_zh" not in item:
            self.problem(path, item.line, f"{label}: missing field 'answer_zh' (the answer in Chinese)")
        elif len(answer_zh) > MAX_ANSWER_ZH_CHARS:
            self.problem(
                path,
                item.line,
                f"{label}: answer_zh is {len(answer_zh)} characters; the limit is {MAX_ANSWER_ZH_CHARS}",
            )

    def optional_text(self, path: Path, item: _Mapping, name: str, label: str) -> str:
        """The named field as stripped text, or ``""`` when it is absent or (after reporting) not text."""
        value = item.get(name)
        if value is None:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.problem(path, item.line, f"{label}: '{name}' must be non-empty text")
            return ""
        return value.strip()

    def review_date(self, path: Path, item: _Mapping, label: str) -> date | None:
        """``reviewed:`` as a date (YAML reads an unquoted YYYY-MM-DD as one), or ``None`` when absent."""
        value = item.get("reviewed")
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass  # 2026-02-30
        self.problem(path, item.line, f"{label}: 'reviewed' must be a date written YYYY-MM-DD")
        return None

    def text_list(
        self, path: Path, item: _Mapping, name: str, *, minimum: int, label: str = "", required: bool = True
    ) -> list[str] | None:
        value = item.get(name)
        prefix = f"{label}: " if label else ""
        if value is None:
            if required:
                self.problem(path, item.line, f"{prefix}missing field '{name}'")
                return None
            return []
        if not _is_text_list(value):
            self.problem(path, item.line, f"{prefix}'{name}' must be a list of non-empty text")
            return None
        if len(value) < minimum:
            self.problem(path, item.line, f"{prefix}'{name}' needs at least {minimum} item(s), has {len(value)}")
            return None
        return [v.strip() for v in value]

    def entry_layers(self, path: Path, item: _Mapping, layers: dict[str, Layer], label: str) -> tuple[str, ...] | None:
        value = item.get("layer")
        ids = [value] if isinstance(value, str) else value
        if not isinstance(ids, list) or not ids or not all(isinstance(v, str) for v in ids):
            self.problem(path, item.line, f"{label}: 'layer' must be a layer id or a list of them, primary first")
            return None
        for unknown in (layer for layer in ids if layer not in layers):
            self.problem(path, item.line, f"{label}: unknown layer '{unknown}' (known: {', '.join(layers)})")
        if len(set(ids)) != len(ids):
            self.problem(path, item.line, f"{label}: a layer is listed twice")
        return tuple(ids)

    def entry_sources(
        self, path: Path, item: _Mapping, documents: dict[str, Document], label: str
    ) -> tuple[Source, ...] | None:
        value = item.get("source")
        cited = [value] if isinstance(value, dict) else value
        if (
            not isinstance(cited, list)
            or not cited
            or not all(
                isinstance(c, dict) and isinstance(c.get("document"), str) and isinstance(c.get("section"), str)
                for c in cited
            )
        ):
            self.problem(path, item.line, f"{label}: 'source' must be {{document, section}} or a list of them")
            return None
        sources = tuple(Source(c["document"], c["section"]) for c in cited)
        for source in sources:
            document = documents.get(source.document)
            if document is None:
                self.problem(path, item.line, f"{label}: unknown document '{source.document}'")
            elif source.section not in document.sections:
                self.problem(path, item.line, f"{label}: '{source.document}' has no section '{source.section}'")
        return sources

    # -- across entries ----------------------------------------------------

    def check_references(self, entries: list[Entry], onboarding: Onboarding) -> None:
        by_id: dict[str, Entry] = {}
        owner: dict[str, Entry] = {}
        for entry in entries:
            if entry.id in by_id:
                self.problem(entry.file, entry.line, f"entry id '{entry.id}' also used at line {by_id[entry.id].line}")
            by_id.setdefault(entry.id, entry)
            seen: set[str] = set()
            for phrasing in entry.phrasings:
                key = _PUNCTUATION.sub("", normalize(phrasing)).strip()
                first = owner.setdefault(key, entry)
                if key in seen:
                    self.problem(entry.file, entry.line, f"entry '{entry.id}': phrasing {phrasing!r} appears twice")
                elif first is not entry:
                    self.problem(
                        entry.file,
                        entry.line,
                        f"entry '{entry.id}': phrasing {phrasing!r} also belongs to '{first.id}'",
                    )
                seen.add(key)
        if self.unreadable:
            return  # a see_also may point into the file that could not be read
        for starter in onboarding.starters:
            if starter not in by_id:
                self.problem(self.directory / "onboarding.yaml", 0, f"starter names unknown entry '{starter}'")
        for entry in entries:
            for other in entry.see_also:
                if other not in by_id or other == entry.id:
                    self.problem(entry.file, entry.line, f"entry '{entry.id}': see_also names unknown entry '{other}'")
