"""All configuration, read once from the environment (and a ``.env`` file).

Two objects live here: :class:`MatchSettings`, the matcher's calibrated
thresholds, which the command line needs; and :class:`Settings`, everything the
Slack server needs. A bad value raises :class:`ConfigError`, whose message names
the variable and says where to get a good one; the CLI prints it and exits 2.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_FAQ_DIR = PROJECT_DIR / "faq"
DEFAULT_REVIEW_DAYS = 180
DEFAULT_INDEX_DIR = PROJECT_DIR / "var" / "index"


class ConfigError(Exception):
    """A setting is missing or malformed. The message is one sentence for the user."""


@dataclass(frozen=True)
class MatchSettings:
    """When the matcher answers, suggests, or stays quiet.

    Scores run 0-100. The defaults were calibrated on ``tests/dev_set.yaml``
    (people's phrasings, not the FAQ's); try others through the QWEN_* variables with ``bench/score.py``.
    """

    answer_threshold: float = 40.0  # at or above: answer, if...
    answer_threshold_off_topic: float = 50.0  # (this, in a message naming none of the FAQ's topic words;
    answer_threshold_no_topic: float = 50.0  # this, in any message, for an FAQ that has no topic words)
    answer_margin: float = 2.0  # ...this far ahead of the runner-up (else: a close call)...
    runner_up_ratio: float = 0.85  # ...whose score is at most this share of the best (below sure_threshold)
    tie_threshold: float = 65.0  # at or above: answer whatever the runner-up scores (two entries this sure are kin)
    suggest_threshold: float = 25.0  # at or above (and no answer): did-you-mean
    max_suggestions: int = 3
    unknown_word_weight: float = 2.5  # weight of a word the FAQ never uses...
    unknown_word_weight_off_topic: float = 12.0  # ...in a question that names none of the topic words...
    unknown_common_share_off_topic: float = 0.7  # ...where a common word still weighs at least this share of that
    unknown_words_damping: float = 0.75  # ...though n of them together weigh only n ** 0.25 times one
    rare_word_zipf: float = 3.0  # a word this rare in the language at large (Zipf scale) weighs in full...
    common_word_zipf: float = 6.5  # ...one this common weighs nothing if the FAQ lacks it...
    common_word_share: float = 0.6  # ...and at least this share of its weight if the FAQ has it
    min_evidence: float = 1.5  # a match on less weight than this (about one rare FAQ word) scores less
    unexplained_weight: float = 1.25  # a real word the FAQ lacks, this heavy in an on-topic question: not covered...
    sure_threshold: float = 50.0  # ...unless the answer scores at least this...
    named_sure_threshold: float = 60.0  # ...or, when the unexplained word is a name ("DingTalk", "ollama"), this
    min_term_weight: float = 0.05  # words in (nearly) every entry count for nothing
    answer_text_credit: float = 0.6  # a word found only in an entry's answer counts this much
    coverage_exponent: float = 1.0  # how much the share of the question explained counts...
    phrasing_exponent: float = 0.5  # ...and the share of the best phrasing touched
    ngram_share: float = 0.5  # the share of a score from character n-gram similarity...
    rerank_depth: int = 5  # ...computed for this many of the best entries by the term score
    avoided_weight: float = 0.3  # a word of what a message wants to avoid ("rather not run our own GPUs") weighs this
    max_question_chars: int = 1000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MatchSettings:
        """Defaults, overridden by ``QWEN_ANSWER_THRESHOLD`` and friends where set."""
        environ = os.environ if environ is None else environ
        values: dict[str, float | int] = {}
        for name, default in cls().__dict__.items():
            variable = f"QWEN_{name.upper()}"
            if variable in environ:
                low, high = _MATCH_RANGES.get(name, (0, math.inf))
                values[name] = _number(variable, environ[variable], type(default), low=low, high=high)
        return cls(**values)  # type: ignore[arg-type]


# What makes sense for each setting (scores run 0-100; shares and damping 0-1); the rest: any number from 0.
_MATCH_RANGES: dict[str, tuple[float, float]] = {
    "answer_threshold": (0, 100),
    "answer_threshold_off_topic": (0, 100),
    "answer_threshold_no_topic": (0, 100),
    "answer_margin": (0, 100),
    "suggest_threshold": (0, 100),
    "max_suggestions": (1, 10),
    "unknown_words_damping": (0, 1),
    "runner_up_ratio": (0, 1),
    "tie_threshold": (0, 100),
    "common_word_share": (0, 1),
    "unknown_common_share_off_topic": (0, 1),
    "sure_threshold": (0, 100),
    "named_sure_threshold": (0, 100),
    "answer_text_credit": (0, 1),
    "ngram_share": (0, 1),
    "avoided_weight": (0, 1),
    "rerank_depth": (1, 1000),
    "max_question_chars": (1, 40_000),
}


def load_env_file() -> None:
    """Load ``.env`` from the working directory into the environment, never overriding what is set."""
    path = Path.cwd() / ".env"
    if not path.is_file():
        return  # nothing to load, and python-dotenv's import is a good part of a cold start
    from dotenv import load_dotenv

    load_dotenv(path, override=False)


def faq_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The FAQ folder: ``FAQ_DIR`` if set, else the ``faq/`` folder shipped with the bot."""
    environ = os.environ if environ is None else environ
    return Path(environ["FAQ_DIR"]) if environ.get("FAQ_DIR") else DEFAULT_FAQ_DIR


def index_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """``QWEN_INDEX_DIR``: where the matcher's built index is kept per FAQ version (default ``var/index`` in
    the project folder, beside the default database); empty or ``off``: nowhere, the matcher is built each time."""
    raw = (os.environ if environ is None else environ).get("QWEN_INDEX_DIR")
    if raw is None:
        return DEFAULT_INDEX_DIR
    raw = raw.strip()
    return None if not raw or raw.lower() == "off" else Path(raw)


def review_days(environ: Mapping[str, str] | None = None) -> int:
    """``FAQ_REVIEW_DAYS``: after how many days since its ``reviewed:`` date an entry is due for review."""
    raw = (os.environ if environ is None else environ).get("FAQ_REVIEW_DAYS", "").strip()
    return _whole({"FAQ_REVIEW_DAYS": raw}, "FAQ_REVIEW_DAYS", DEFAULT_REVIEW_DAYS, low=1, high=3650)


def _number(variable: str, raw: str, kind: type, *, low: float, high: float) -> float | int:
    try:
        value = kind(raw)
    except ValueError:
        value = math.nan
    whole = "whole " if kind is int else ""
    if not math.isfinite(value):
        raise ConfigError(f"{variable} must be a {whole}number, not {raw!r}.")
    if not low <= value <= high:
        limits = f"from {low:g} to {high:g}" if math.isfinite(high) else f"of at least {low:g}"
        raise ConfigError(f"{variable} must be a {whole}number {limits}, not {raw!r}.")
    return value  # type: ignore[no-any-return]


SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_DIR / 'var' / 'qwen-bot.sqlite3'}"  # whatever the working directory
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")  # a Slack user id
_WHERE = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "copy it from your app's Basic Information page, under App Credentials",
    "SLACK_APP_TOKEN": "create an app-level token (xapp-...) with connections:write under Basic Information",
}


@dataclass(frozen=True)
class Settings:
    """Everything ``serve`` and ``report`` need, validated. Build with :meth:`from_env`."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str | None = field(repr=False)
    api_url: str
    host: str
    port: int
    web_concurrency: int
    pin_workers: bool
    listener_threads: int
    faq_dir: Path
    watched_channels: frozenset[str]
    admin_user_ids: frozenset[str]
    experts_channel: str | None
    expert_user_ids: frozenset[str]
    database_url: str = field(repr=False)
    retention_days: int
    reload_interval: float
    review_days: int
    log_format: str
    log_level: str
    match: MatchSettings

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is set, else HTTP."""
        return self.app_token is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, load_dotenv_file: bool = True) -> Settings:
        """Read the environment (and ``.env``, without overriding what is set). Raises :class:`ConfigError`."""
        if environ is None:
            if load_dotenv_file:
                load_env_file()
            environ = os.environ
        env = {key: value.strip() for key, value in environ.items()}
        for oauth in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
            if env.get(oauth):
                raise ConfigError(
                    f"{oauth} is set, which would switch Bolt into multi-workspace OAuth mode; this bot runs with "
                    "one bot token, so unset SLACK_CLIENT_ID and SLACK_CLIENT_SECRET."
                )
        app_token = env.get("SLACK_APP_TOKEN") or None
        bot_token = _required(env, "SLACK_BOT_TOKEN")
        _prefixed("SLACK_BOT_TOKEN", bot_token, "xoxb-")
        if app_token is not None:
            _prefixed("SLACK_APP_TOKEN", app_token, "xapp-")
            signing_secret = env.get("SLACK_SIGNING_SECRET", "")
        else:
            signing_secret = _required(env, "SLACK_SIGNING_SECRET")
        directory = faq_dir(env)
        if not directory.is_dir():
            raise ConfigError(f"FAQ_DIR {str(directory)!r} is not a folder; point it at a folder like faq/.")
        return cls(
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=app_token,
            api_url=_api_url(env.get("SLACK_API_URL") or SLACK_API_URL),
            host=env.get("HOST") or "0.0.0.0",  # noqa: S104 (a server: Heroku and containers need all interfaces)
            port=_whole(env, "PORT", 3000, low=1, high=65535),
            web_concurrency=_whole(env, "WEB_CONCURRENCY", 1, low=1, high=64),
            pin_workers=_choice(env, "PIN_WORKERS", ("on", "off"), "off") == "on",
            listener_threads=_whole(env, "LISTENER_THREADS", 32, low=1, high=512),
            faq_dir=directory,
            watched_channels=_ids(env, "QWEN_CHANNELS", _CHANNEL_ID, "channel ids like C0123ABCD"),
            admin_user_ids=_ids(env, "SLACK_ADMIN_USER_IDS", USER_ID, "user ids like U0123ABCD"),
            experts_channel=_channel(env, "QWEN_EXPERTS_CHANNEL"),
            expert_user_ids=_ids(env, "QWEN_EXPERT_USER_IDS", USER_ID, "user ids like U0123ABCD"),
            database_url=database_url(env),
            retention_days=_whole(env, "RETENTION_DAYS", 90, low=1, high=3650),
            reload_interval=float(_whole(env, "FAQ_RELOAD_SECONDS", 2, low=1, high=3600)),
            review_days=review_days(env),
            log_format=_choice(env, "LOG_FORMAT", ("text", "json"), "text"),
            log_level=_choice(env, "LOG_LEVEL", ("debug", "info", "warning", "error"), "info"),
            match=MatchSettings.from_env(env),
        )


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "")
    if not value:
        raise ConfigError(f"{name} is not set: {_WHERE[name]} (see README, 'Create the Slack app').")
    return value


def _prefixed(name: str, value: str, prefix: str) -> None:
    if not value.startswith(prefix) or len(value) < len(prefix) + 4:
        raise ConfigError(f"{name} must start with {prefix}: {_WHERE[name]}.")


def _whole(env: Mapping[str, str], name: str, default: int, *, low: int, high: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {raw!r}.")
    return int(raw)


def _ids(env: Mapping[str, str], name: str, pattern: re.Pattern[str], kind: str) -> frozenset[str]:
    ids = [part.strip() for part in env.get(name, "").split(",") if part.strip()]
    for value in ids:
        if not pattern.fullmatch(value):
            raise ConfigError(
                f"{name} must be comma-separated {kind} (in Slack: open its details; the id is at the bottom), "
                f"not {value!r}."
            )
    return frozenset(ids)


def _channel(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name) or None
    if value is not None and not _CHANNEL_ID.fullmatch(value):
        raise ConfigError(
            f"{name} must be one channel id like C0123ABCD (in Slack: open the channel's details; the id is at "
            f"the bottom), not {value!r}."
        )
    return value


def _api_url(raw: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", raw):
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL such as {SLACK_API_URL}, not {raw!r}.")
    return raw if raw.endswith("/") else raw + "/"


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """``DATABASE_URL``, or ``var/qwen-bot.sqlite3`` in the project folder. Raises :class:`ConfigError`."""
    environ = os.environ if environ is None else environ
    raw = (environ.get("DATABASE_URL") or "").strip() or DEFAULT_DATABASE_URL
    if not re.match(r"(sqlite|postgres|postgresql)(\+psycopg)?://", raw):
        raise ConfigError(
            "DATABASE_URL must be a sqlite:/// or postgresql:// URL (Heroku's postgres:// works too), "
            f"not one starting {raw.split(':', maxsplit=1)[0]!r}."
        )
    return raw


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value
