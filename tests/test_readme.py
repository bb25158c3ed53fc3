"""The README stays honest: its quick start is the CI command, and every command is documented."""

from __future__ import annotations

import re

import pytest

from bot.cli import build_parser
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    """Two commands under Quick start; .ci/run calls the second."""
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick_start, flags=re.DOTALL)
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    assert "python -m bot ask" in commands[0]
    assert commands[1].strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace('"$(dirname "$0")/../', "")


@pytest.mark.parametrize("command", sorted(build_parser()._subparsers._group_actions[0].choices))  # type: ignore[union-attr]
def test_every_cli_command_is_in_the_readme(command: str) -> None:
    assert f"python -m bot {command}" in README


@pytest.mark.parametrize("sub", ["help", "layers", "list", "onboard", "report", "reload"])
def test_every_qwen_subcommand_is_in_the_readme_and_the_help(sub: str) -> None:
    from bot.slack.blocks import help_message

    assert f"/qwen {sub}" in README
    assert f"/qwen {sub}" in help_message(admin=True)["text"]


def test_no_placeholders_left() -> None:
    assert not re.search(r"\b(BENCH_[A-Z]+|REPORT_EXAMPLE|TODO|FIXME)\b", README)
