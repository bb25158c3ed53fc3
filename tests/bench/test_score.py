"""bench/score.py: what counts as right, quiet and honest, on the shipped matcher."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.score import language, score_questions
from bot.knowledge.matcher import Matcher
from tests.conftest import ROOT


def test_sections_are_scored_as_documented(shipped_matcher: Matcher) -> None:
    data = {
        "in_scope": [
            {"q": "is there an SLA for the hosted qwen api?", "id": ["model-studio-sla", "licence"], "style": "casual"},
            {"q": "is there an SLA for the hosted qwen api?", "id": "model-studio-sla", "layer": "hugging-face"},
            {"q": "is there an SLA for the hosted qwen api?", "id": "licence"},
        ],
        "off_topic": ["lunch at 12:30?", {"q": "thanks for the SLA info!", "style": "thanks"}],
        "near_domain": [{"q": "is there an SLA for the hosted qwen api?", "ok": ["model-studio-sla"]}, "qwen sla?"],
    }
    score = score_questions(shipped_matcher, data, source="inline")
    sections = score.sections
    assert (sections["in_scope"].passed, sections["in_scope"].total) == (1, 3)  # a wrong layer or entry fails
    assert (sections["off_topic"].passed, sections["off_topic"].total) == (2, 2)
    assert (sections["near_domain"].passed, sections["near_domain"].total) == (1, 2)  # only `ok` ids may answer
    assert score.by_style["in_scope/casual"].passed == 1
    assert {failure["section"] for failure in score.failures} == {"in_scope", "near_domain"}


def test_language_is_detected() -> None:
    assert language("who builds qwen?") == "en"
    assert language("千问是谁做的？") == "zh"
    assert language("千问的 license 能商用吗") == "mixed"


def test_command_line_pools_several_files(tmp_path: Path) -> None:
    one = tmp_path / "one.yaml"
    one.write_text('in_scope:\n  - q: "who builds qwen?"\n    id: who-builds-qwen\n', encoding="utf-8")
    two = tmp_path / "two.yaml"
    two.write_text('off_topic:\n  - "lunch?"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "bench/score.py", str(one), str(two), "--json"],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout)
    assert report["pooled"]["in_scope"]["total"] == 1
    assert report["pooled"]["off_topic"]["passed"] == 1
    bad = subprocess.run(
        [sys.executable, "bench/score.py", str(tmp_path / "missing.yaml")],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0
    assert "Traceback" not in bad.stderr
