"""Settings: a value that makes no sense is one sentence naming its variable, never blamed on something else."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, MatchSettings, Settings
from tests.support.cli import assert_one_sentence, run_bot


@pytest.mark.parametrize(
    ("variable", "raw", "words"),
    [
        ("QWEN_ANSWER_THRESHOLD", "500", "from 0 to 100, not '500'"),
        ("QWEN_ANSWER_THRESHOLD", "-1", "from 0 to 100, not '-1'"),
        ("QWEN_ANSWER_THRESHOLD", "abc", "must be a number, not 'abc'"),
        ("QWEN_SUGGEST_THRESHOLD", "inf", "must be a number, not 'inf'"),
        ("QWEN_COMMON_WORD_SHARE", "2", "from 0 to 1"),
        ("QWEN_MAX_SUGGESTIONS", "0", "whole number from 1 to 10"),
        ("QWEN_MAX_QUESTION_CHARS", "2.5", "must be a whole number"),
        ("QWEN_UNKNOWN_WORD_WEIGHT", "-3", "of at least 0"),
    ],
)
def test_an_absurd_match_setting_names_its_variable(variable: str, raw: str, words: str) -> None:
    """Each bad value is refused by name, with what a good one looks like."""
    with pytest.raises(ConfigError, match=f"^{variable} ") as refused:
        MatchSettings.from_env({variable: raw})
    assert words in str(refused.value)


def test_faq_check_blames_the_setting_not_the_faq(tmp_path: Path) -> None:
    """QWEN_ANSWER_THRESHOLD=500 would make every phrasing 'fail'; it is a setting error instead: exit 2."""
    result = run_bot("faq", "check", env={"QWEN_ANSWER_THRESHOLD": "500"}, cwd=tmp_path)
    assert_one_sentence(result, code=2, words="QWEN_ANSWER_THRESHOLD must be a number from 0 to 100")
    assert result.stdout == ""


BASE = {"SLACK_BOT_TOKEN": "xoxb-test-0000-token", "SLACK_SIGNING_SECRET": "secret"}


@pytest.mark.parametrize(
    ("variable", "raw", "words"),
    [
        ("QWEN_EXPERTS_CHANNEL", "#experts", "must be one channel id like C0123ABCD"),
        ("QWEN_EXPERTS_CHANNEL", "C0123,C0456", "must be one channel id"),
        ("QWEN_EXPERT_USER_IDS", "U0123ABCD,alice", "comma-separated user ids like U0123ABCD"),
    ],
)
def test_a_bad_experts_setting_names_its_variable(variable: str, raw: str, words: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable} ") as refused:
        Settings.from_env({**BASE, variable: raw})
    assert words in str(refused.value)
    assert "\n" not in str(refused.value)


def test_experts_settings() -> None:
    settings = Settings.from_env({**BASE, "QWEN_EXPERTS_CHANNEL": "CEXPERTS1", "QWEN_EXPERT_USER_IDS": "U1AB, W2CD"})
    assert (settings.experts_channel, settings.expert_user_ids) == ("CEXPERTS1", frozenset({"U1AB", "W2CD"}))
    assert (Settings.from_env(BASE).experts_channel, Settings.from_env(BASE).expert_user_ids) == (None, frozenset())


def test_workers_are_pinned_only_when_asked() -> None:
    """PIN_WORKERS is off by default, `on` turns it on, and anything else is refused by name."""
    assert Settings.from_env(BASE).pin_workers is False
    assert Settings.from_env({**BASE, "PIN_WORKERS": "on"}).pin_workers is True
    with pytest.raises(ConfigError, match=r"^PIN_WORKERS ") as refused:
        Settings.from_env({**BASE, "PIN_WORKERS": "sometimes"})
    assert "\n" not in str(refused.value)
