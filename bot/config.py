"""All configuration, read once from the environment (and a ``.env`` file).

Two objects live here: :class:`MatchSettings`, the matcher's calibrated
thresholds, which the command line needs; and :class:`Settings`, everything the
Slack server needs. A bad value raises :class:`ConfigError`, whose message names
the variable and says where to get a good one; the CLI prints it and exits 2.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_FAQ_DIR = Path(__file__).resolve().parent.parent / "faq"


class ConfigError(Exception):
    """A setting is missing or malformed. The message is one sentence for the user."""


@dataclass(frozen=True)
class MatchSettings:
    """When the matcher answers, suggests, or stays quiet.

    Scores run 0-100. The defaults were calibrated on ``tests/dev_set.yaml``
    (people's phrasings, not the FAQ's) with ``bench/calibrate.py``.
    """

    answer_threshold: float = 35.0  # at or above: answer, if...
    answer_margin: float = 3.0  # ...this far ahead of the runner-up (else: a close call)
    suggest_threshold: float = 25.0  # at or above (and no answer): did-you-mean
    max_suggestions: int = 3
    unknown_word_weight: float = 0.5  # weight of a word the FAQ never uses...
    unknown_word_weight_off_topic: float = 12.0  # ...in a question that names none of the topic words
    min_term_weight: float = 0.05  # words in (nearly) every entry count for nothing
    answer_text_credit: float = 0.6  # a word found only in an entry's answer counts this much
    coverage_exponent: float = 1.0  # how much the share of the question explained counts...
    phrasing_exponent: float = 0.5  # ...and the share of the best phrasing touched
    max_question_chars: int = 1000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MatchSettings:
        """Defaults, overridden by ``QWEN_ANSWER_THRESHOLD`` and friends where set."""
        environ = os.environ if environ is None else environ
        values: dict[str, float | int] = {}
        for name, default in cls().__dict__.items():
            variable = f"QWEN_{name.upper()}"
            if variable in environ:
                values[name] = _number(variable, environ[variable], type(default))
        return cls(**values)  # type: ignore[arg-type]


def faq_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The FAQ folder: ``FAQ_DIR`` if set, else the ``faq/`` folder shipped with the bot."""
    environ = os.environ if environ is None else environ
    return Path(environ["FAQ_DIR"]) if environ.get("FAQ_DIR") else DEFAULT_FAQ_DIR


def _number(variable: str, raw: str, kind: type) -> float | int:
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{variable} must be a {'whole ' if kind is int else ''}number, not {raw!r}.") from None
    if value < 0:
        raise ConfigError(f"{variable} must not be negative.")
    return value  # type: ignore[no-any-return]
