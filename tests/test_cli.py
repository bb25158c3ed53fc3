"""The command line, run as a newcomer runs it: ``python -m bot ...`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bot.config import DEFAULT_FAQ_DIR
from bot.knowledge.loader import load_faq
from bot.mrkdwn import plain
from tests.conftest import ROOT, entry_yaml, small_faq, with_chinese


def bot(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot ARGS`` without Slack settings, from an empty folder (so no ./.env) by default."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QWEN_", "FAQ_DIR", "DATABASE_URL"))}
    with tempfile.TemporaryDirectory() as empty:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=cwd or empty,
            env={**clean, "PYTHONPATH": str(ROOT), **(env or {})},
            timeout=60,
            check=False,
        )


def test_ask_prints_answer_layer_and_source() -> None:
    """A plain ask prints the answer, the layer's name and the source."""
    result = bot("ask", "who", "actually", "trains", "qwen?")
    assert result.returncode == 0, result.stderr
    assert "Layer: Tongyi research group" in result.stdout
    assert "Source: " in result.stdout


def test_ask_json_shape() -> None:
    """--json prints exactly the documented keys."""
    result = bot("ask", "--json", "is there an SLA for the hosted qwen api?")
    record = json.loads(result.stdout)
    assert set(record) == {
        "question",
        "lang",
        "answered",
        "not_covered",
        "id",
        "layers",
        "answer",
        "score",
        "suggestions",
    }
    assert record["answered"] is True
    assert record["layers"][0] == "alibaba-cloud"
    assert 0 <= record["score"] <= 100


def test_ask_json_abstains_cleanly() -> None:
    """Off-topic chatter: answered false, id and answer null, no layers."""
    record = json.loads(bot("ask", "--json", "anyone up for lunch?").stdout)
    assert (record["answered"], record["id"], record["answer"], record["layers"]) == (False, None, None, [])


def test_ask_reads_stdin_one_json_line_per_question_in_order() -> None:
    """`ask --json -` answers each line of stdin, in order, including odd lines."""
    questions = ["who builds qwen?", "", "thanks!", "千问可以商用吗？", "x" * 5000]
    result = bot("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in records] == questions
    assert records[0]["answered"]
    assert not records[2]["answered"]


def test_ask_with_another_faq_folder(tmp_path: Path) -> None:
    """--faq DIR and FAQ_DIR both answer from another folder of the same shape."""
    folder = small_faq(
        tmp_path,
        entry_yaml("lunch", "Where do we order lunch?", ["lunch place", "food order", "canteen", "menu", "catering"]),
    )
    by_option = json.loads(bot("ask", "--json", "--faq", str(folder), "where is the lunch menu?").stdout)
    by_env = json.loads(bot("ask", "--json", "where is the lunch menu?", env={"FAQ_DIR": str(folder)}).stdout)
    assert by_option["id"] == "lunch"
    assert by_option == by_env


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (("ask", "--faq", "/nonexistent", "hi"), {}, 1, "FAQ folder not found"),
        (("ask", "   "), {}, 2, "ask needs a question"),
        (("ask", "hi"), {"QWEN_ANSWER_THRESHOLD": "high"}, 2, "QWEN_ANSWER_THRESHOLD must be a number"),
    ],
)
def test_bad_input_is_one_line_without_traceback(
    args: tuple[str, ...], env: dict[str, str], code: int, message: str
) -> None:
    """Known errors: one line on stderr, a documented exit code, never a traceback."""
    result = bot(*args, env=env)
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_faq_file_is_reported_with_file_and_line(faq_folder: Path) -> None:
    """`faq check` on a broken file exits 1 and prints file:line."""
    (faq_folder / "models.yaml").write_text("entries:\n  - id: [unclosed\n", encoding="utf-8")
    result = bot("faq", "check", "--faq", str(faq_folder))
    assert result.returncode == 1
    assert "models.yaml:" in result.stdout
    assert "YAML error" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_faq_check_passes_on_the_shipped_faq() -> None:
    """The shipped FAQ passes `faq check` (CI runs it too)."""
    result = bot("faq", "check")
    assert result.returncode == 0, result.stdout
    assert "retrieve their own entry)" in result.stdout.splitlines()[-1]


@pytest.mark.parametrize("command", [(), ("ask",), ("faq",), ("faq", "check"), ("faq", "fidelity")])
def test_every_command_explains_itself(command: tuple[str, ...]) -> None:
    """`--help` works for the program and every subcommand."""
    result = bot(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m bot")


def test_ask_imports_neither_slack_nor_sql() -> None:
    """The knowledge core does not depend on Slack or storage (and `ask` stays fast)."""
    code = (
        "import sys; from bot.cli import main; main(['ask', 'who builds qwen?']);"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'slack_bolt', 'slack_sdk', 'slack', 'sqlalchemy'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.splitlines()[-1] == "[]"


def test_settings_come_from_a_dotenv_file_in_the_working_directory(tmp_path: Path) -> None:
    """`./.env` is read by every command (the environment still wins)."""
    folder = small_faq(
        tmp_path,
        entry_yaml("lunch", "Where do we order lunch?", ["lunch place", "food order", "canteen", "menu", "catering"]),
    )
    (tmp_path / ".env").write_text(f"FAQ_DIR={folder}\n", encoding="utf-8")
    record = json.loads(bot("ask", "--json", "where is the lunch menu?", cwd=tmp_path).stdout)
    assert record["id"] == "lunch"


def test_ask_in_chinese_answers_in_chinese_with_the_chinese_layer_name(faq_folder: Path) -> None:
    """A question written in Chinese gets the entry's answer_zh and the primary layer's name_zh."""
    folder = with_chinese(faq_folder)
    faq = load_faq(folder)
    entry = faq.entry("licence")
    assert entry is not None
    result = bot("ask", "--faq", str(folder), "千问的开源协议是什么？")
    assert result.returncode == 0, result.stderr
    assert plain(entry.answer_zh) in result.stdout
    assert f"层级：{faq.layers[entry.layer].name_zh}" in result.stdout
    assert entry.answer.splitlines()[0] not in result.stdout


def test_ask_json_names_the_language(faq_folder: Path) -> None:
    """--json carries lang: zh with the Chinese answer for Chinese, en and the English answer otherwise."""
    folder = with_chinese(faq_folder)
    entry = load_faq(folder).entry("licence")
    assert entry is not None
    chinese = json.loads(bot("ask", "--json", "--faq", str(folder), "千问的开源协议是什么？").stdout)
    english = json.loads(bot("ask", "--json", "--faq", str(folder), "What licence is Qwen under?").stdout)
    assert (chinese["lang"], chinese["id"], chinese["answer"]) == ("zh", "licence", entry.answer_zh)
    assert (english["lang"], english["id"], english["answer"]) == ("en", "licence", entry.answer)


def test_chinese_no_match_is_in_chinese() -> None:
    """Chatter in Chinese gets the no-answer line in Chinese."""
    result = bot("ask", "今天中午吃什么？")
    assert result.returncode == 0, result.stderr
    assert "FAQ 里没有这个问题的答案" in result.stdout


def test_faq_check_warns_about_stale_entries_and_exits_0(tmp_path: Path) -> None:
    """An entry older than FAQ_REVIEW_DAYS is a warning line; the check still passes."""
    five = ["one way", "two way", "three way", "four way", "five way"]
    folder = small_faq(tmp_path, entry_yaml("old", "Old question?", five) + "    reviewed: 2020-01-01\n")
    result = bot("faq", "check", "--faq", str(folder))
    assert result.returncode == 0, result.stdout
    assert "warning: entry 'old' was last reviewed 2020-01-01" in result.stdout
    assert "1 due for review (FAQ_REVIEW_DAYS=180)" in result.stdout
    relaxed = bot("faq", "check", "--faq", str(folder), env={"FAQ_REVIEW_DAYS": "100000"})
    assert relaxed.returncode == 2
    assert relaxed.stderr == "Error: FAQ_REVIEW_DAYS must be a whole number from 1 to 3650, not '100000'.\n"


def test_ask_shows_the_review_date_beside_the_source(tmp_path: Path) -> None:
    """The answer's source line carries the entry's review date."""
    five = ["lunch place", "food order", "canteen", "menu", "catering"]
    folder = small_faq(tmp_path, entry_yaml("lunch", "Where do we order lunch?", five) + "    reviewed: 2026-11-02\n")
    result = bot("ask", "--faq", str(folder), "where is the lunch menu?")
    assert "Source: " in result.stdout
    assert "(reviewed 2026-11-02)" in result.stdout.split("Source: ")[1]


def test_the_shipped_faq_answers_a_chinese_question_in_chinese() -> None:
    """`python -m bot ask "千问的开源协议是什么？"` prints the matched entry's answer_zh and its layer's name_zh."""
    faq = load_faq(DEFAULT_FAQ_DIR)
    record = json.loads(bot("ask", "--json", "千问的开源协议是什么？").stdout)
    entry = faq.entry(record["id"])
    assert entry is not None
    assert (record["lang"], record["answer"]) == ("zh", entry.answer_zh)
    result = bot("ask", "千问的开源协议是什么？")
    assert plain(entry.answer_zh) in result.stdout
    assert f"层级：{faq.layers[entry.layer].name_zh}" in result.stdout
