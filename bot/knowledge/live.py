"""The FAQ in service, and its hot reload.

:class:`LiveKnowledge` holds the matcher the bot answers with. A background
thread stats the FAQ folder every few seconds (cheap: a few ``stat`` calls);
when a file changed, it runs the full ``faq check`` on the new content and, only
if that passes, swaps the new matcher in. A bad edit is refused with a logged
error naming file and line, and the last good FAQ stays in service.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import MatchSettings
from bot.knowledge.check import check_faq
from bot.knowledge.faq import Faq
from bot.knowledge.index_store import IndexStore
from bot.knowledge.loader import FaqError
from bot.knowledge.matcher import Matcher

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class ReloadResult:
    """What a reload did: ``ok`` is false when the new FAQ was refused."""

    ok: bool
    changed: bool
    entries: int
    version: str
    problems: tuple[str, ...] = field(default=())


def fingerprint(directory: Path) -> Fingerprint:
    """Name, modification time and size of each YAML file: changes whenever a file does.

    ``.yml`` files count too: the loader refuses them, and a refusal must be seen (and logged) as soon as one appears.
    """
    try:
        paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
        return tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in paths)
    except OSError:
        return ()


class LiveKnowledge:
    """The current matcher, replaced atomically by a checked reload."""

    def __init__(self, directory: Path, settings: MatchSettings, *, store: IndexStore | None = None) -> None:
        """``store``: where each FAQ version's built matcher index is kept, so a restart or reload can load it."""
        self.directory = directory
        self.settings = settings
        self.store = store
        self._fingerprint = fingerprint(directory)
        result = check_faq(directory, settings=settings, store=store, arrays=True)  # a server asks many questions
        if not result.ok or result.matcher is None:
            raise FaqError(result.problems)
        self._matcher = result.matcher
        self._lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def matcher(self) -> Matcher:
        return self._matcher

    @property
    def faq(self) -> Faq:
        return self._matcher.faq

    def reload(self) -> ReloadResult:
        """Check the folder now and serve it if it passes; otherwise keep the current FAQ."""
        with self._lock:
            seen = fingerprint(self.directory)
            result = check_faq(self.directory, settings=self.settings, store=self.store, arrays=True)
            self._fingerprint = seen
            current = self._matcher.faq
            if not result.ok or result.matcher is None:
                problems = tuple(str(problem) for problem in result.problems)
                log.error(
                    "FAQ edit refused, still serving version %s: %s%s",
                    current.version,
                    problems[0] if problems else "no entries",
                    f" (and {len(problems) - 1} more)" if len(problems) > 1 else "",
                )
                return ReloadResult(False, False, len(current.entries), current.version, problems)
            changed = result.faq.version != current.version
            self._matcher = result.matcher
            if changed:
                log.info("FAQ reloaded: version %s, %d entries", result.faq.version, len(result.faq.entries))
            return ReloadResult(True, changed, len(result.faq.entries), result.faq.version)

    def reload_if_changed(self) -> ReloadResult | None:
        """Reload only if a file changed since the last look."""
        if fingerprint(self.directory) == self._fingerprint:
            return None
        return self.reload()

    def watch(self, interval: float) -> threading.Thread:
        """Start a daemon thread that calls :meth:`reload_if_changed` every ``interval`` seconds."""

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.reload_if_changed()
                except Exception:  # a watcher that dies silently would be worse than a logged error
                    log.exception("FAQ watcher failed; it will look again")

        thread = threading.Thread(target=loop, name="faq-watcher", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
