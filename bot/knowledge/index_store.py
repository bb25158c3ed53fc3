"""The matcher's built state, stored once per FAQ version and loaded instead of rebuilt.

Building a :class:`~bot.knowledge.matcher.Matcher` (analysing every phrasing,
the speller's vocabulary, the n-grams' document frequencies) is most of a cold
``python -m bot ask`` and nearly all of loading a large FAQ. What the build
computes depends only on the FAQ as loaded, the matcher's settings, the code
in ``bot/knowledge``, the Python version and the versions of the libraries it
reads (word lists, stemmer, speller); :func:`state_key` digests all of them,
and :class:`IndexStore` keeps one file per key. It also keeps the FAQ as the
loader read it, one file per version of the FAQ's files (see
:mod:`bot.knowledge.faq_store`): parsing the YAML of a large FAQ costs more
than loading its index.

Files are ``marshal`` data of core types only (dicts, lists, tuples, strings,
floats, frozensets): unlike pickle, reading one cannot run code. They are
written to a temporary file and renamed into place, so a concurrent reader (a
second worker, a hot reload) sees a whole file or none. Anything wrong with a
file (missing, truncated, corrupt, another key, another shape) or with the
folder (not writable) means the matcher builds as if there were no store:
logged at debug, never raised.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import sys
import tempfile
import time
from collections.abc import Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from bot.config import MatchSettings, index_dir
from bot.knowledge.faq import Faq

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the layout of the stored state changes in a way the code digest would not show
KEEP = 4  # versions kept in the folder: the one in service, the one before, and room for a reload
ABANDONED_NS = 3600 * 10**9  # a temporary file older than an hour was left by a writer that died
_SUFFIX = ".marshal"
_ARRAYS_SUFFIX = ".npz"
_FAQ_SUFFIX = ".faq"  # the loaded FAQ (marshal): pruned apart from the matcher's states
_STATE = "__state__"  # the npz member holding the marshal bytes


@cache
def code_digest(folder: Path = Path(__file__).parent, names: tuple[str, ...] | None = None) -> bytes:
    """A digest of the knowledge core's source (or of the files ``names`` of it): any change to how the matcher
    is built makes new keys."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(folder.glob("*.py") if names is None else (folder / name for name in names)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.digest()


@cache
def library_versions() -> str:
    """The versions of the libraries the build reads: word lists (wordfreq), stems, the speller's distances, arrays,
    and the YAML parser the FAQ was read with."""
    found = []
    for name in ("wordfreq", "snowballstemmer", "PyStemmer", "rapidfuzz", "numpy", "PyYAML"):
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=none")
    return ",".join(found)


def state_key(faq: Faq, settings: MatchSettings, *, code: bytes | None = None) -> str:
    """The name of a matcher's built state: the FAQ's content, the settings, the code, Python and library versions.

    An FAQ read from files is named by their digest (:attr:`Faq.files_digest`):
    with the loader's code (in the code digest) and the YAML parser's version
    (in the library versions) it decides everything the build reads, and at
    10,000 entries costs nothing, where digesting the entries costs 0.2 to 0.4 s.
    Any other FAQ is digested through its ``repr`` (plain frozen dataclasses,
    tuples and strings). Either way two folders with the same content share a
    key and any change of a phrasing, alias or answer makes a new one.
    """
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"{FORMAT}|{sys.version}|{library_versions()}|{settings!r}|".encode())
    digest.update(code_digest() if code is None else code)
    if faq.files_digest:
        digest.update(f"files|{faq.files_digest}".encode())
    else:
        digest.update(repr(faq).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def default_store() -> IndexStore | None:
    """The store ``QWEN_INDEX_DIR`` names (by default ``var/index``), or None when it is off."""
    folder = index_dir()
    return IndexStore(folder) if folder is not None else None


class IndexStore:
    """A folder of built matcher states, one file per :func:`state_key`.

    A small FAQ's state is one ``marshal`` file. A large FAQ's also has numpy
    arrays (:class:`~bot.knowledge.arrays.ArrayIndex`): then the file is an
    ``.npz`` (read with ``allow_pickle=False``) holding the arrays and the
    marshal bytes, one file so that a reader never pairs one writer's arrays
    with another's state. A loaded FAQ is one ``marshal`` file (``.faq``), named
    by the loader's key (:func:`bot.knowledge.loader.read_faq`).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str, *, arrays: bool = False) -> Path:
        return self.folder / f"{key}{_ARRAYS_SUFFIX if arrays else _SUFFIX}"

    def faq_path(self, key: str) -> Path:
        return self.folder / f"{key}{_FAQ_SUFFIX}"

    def load(
        self, key: str, *, arrays: bool = False, faq: bool = False
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The state stored under ``key`` and its arrays (none unless ``arrays``: see :meth:`save`), or None
        when there is none fit to use (the reason logged at debug). ``faq``: a loaded FAQ's file instead."""
        path = self.faq_path(key) if faq else self.path(key, arrays=arrays)
        try:
            if arrays:
                import numpy as np

                with path.open("rb") as file, np.load(file, allow_pickle=False) as archive:  # closed on any error
                    members = {name: archive[name] for name in archive.files}
                data = members.pop(_STATE).tobytes()
            else:
                members, data = {}, path.read_bytes()
            state = marshal.loads(data)  # noqa: S302 - core types only: marshal cannot run code
        except FileNotFoundError:
            log.debug("no stored %s %s", _kind(faq), key)
            return None
        except Exception as error:  # numpy's header parser alone raises half a dozen kinds on a bad file
            log.debug("stored %s %s unreadable (%s): building", _kind(faq), key, type(error).__name__)
            return None
        if not isinstance(state, dict) or state.get("key") != key:
            log.debug("stored %s %s is not one: building", _kind(faq), key)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # in use: the last to be pruned
        return state, members

    def load_faq(self, key: str) -> dict[str, Any] | None:
        """The loaded FAQ stored under ``key`` (see :mod:`bot.knowledge.faq_store`), or None, as :meth:`load`."""
        found = self.load(key, faq=True)
        return found[0] if found is not None else None

    def save_faq(self, key: str, state: dict[str, Any]) -> bool:
        """Store a loaded FAQ under ``key``, as :meth:`save` does a matcher's state."""
        return self.save(key, state, faq=True)

    def save(
        self, key: str, state: dict[str, Any], arrays: Mapping[str, Any] | None = None, *, faq: bool = False
    ) -> bool:
        """Store ``state`` (and ``arrays``) under ``key`` atomically, prune old versions; False if it cannot."""
        temporary: str | None = None
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            data = marshal.dumps({**state, "key": key})
            path = self.faq_path(key) if faq else self.path(key, arrays=arrays is not None)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".partial-", suffix=path.suffix)  # 0600
            with os.fdopen(handle, "wb") as file:
                if arrays is None:
                    file.write(data)
                else:
                    import numpy as np

                    members: dict[str, Any] = {**arrays, _STATE: np.frombuffer(data, np.uint8)}
                    np.savez(file, allow_pickle=False, **members)
            os.replace(temporary, path)
            temporary = None
            self._prune((_FAQ_SUFFIX,) if faq else (_SUFFIX, _ARRAYS_SUFFIX))
            return True
        except (OSError, ValueError) as error:
            log.debug("%s %s not stored (%s: %s)", _kind(faq), key, type(error).__name__, error)
            return False
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)

    def _prune(self, suffixes: tuple[str, ...]) -> None:
        """Delete all but the ``KEEP`` most recently used versions of files with these suffixes (matcher states, or
        loaded FAQs), and what a killed writer left behind."""
        stored, abandoned = [], []
        for path in [path for suffix in suffixes for path in self.folder.glob(f"*{suffix}")]:
            try:
                modified = path.stat().st_mtime_ns
            except OSError:
                continue  # pruned meanwhile by another process
            if not path.name.startswith("."):
                stored.append((modified, path))
            elif modified < time.time_ns() - ABANDONED_NS:  # a partial file this old has no writer any more
                abandoned.append((modified, path))
        for _, path in sorted(stored, reverse=True)[KEEP:] + abandoned:
            with contextlib.suppress(OSError):
                path.unlink()


def _kind(faq: bool) -> str:
    return "loaded FAQ" if faq else "matcher index"
