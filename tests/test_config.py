"""Settings: a value that makes no sense is one sentence naming its variable, never blamed on something else."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, MatchSettings
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
