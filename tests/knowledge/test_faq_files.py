"""What `faq check`, the loader and the hot-reload watcher refuse alike: `.yml` files, links Slack would not render."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import MatchSettings
from bot.knowledge.check import check_faq
from bot.knowledge.faq import Faq
from bot.knowledge.live import LiveKnowledge
from bot.knowledge.loader import FaqError, load_faq
from bot.slack.blocks import answer_message
from tests.conftest import entry_yaml, small_faq

FIVE = ["one way", "two way", "three way", "four way", "five way"]


def test_a_yml_file_is_a_problem_for_faq_check_and_the_loader(faq_folder: Path) -> None:
    """An entry file named .yml would be silently ignored; instead it is named, with the fix."""
    (faq_folder / "extra.yml").write_text("entries: []\n", encoding="utf-8")
    result = check_faq(faq_folder)
    assert [str(problem) for problem in result.problems] == [
        f"{faq_folder / 'extra.yml'}: not read: FAQ files end in .yaml; rename it to extra.yaml"
    ]
    with pytest.raises(FaqError, match=r"extra\.yml"):
        load_faq(faq_folder)


def test_the_watcher_sees_a_new_yml_file_and_refuses_it(faq_folder: Path) -> None:
    """A .yml file dropped into the folder in service is noticed, refused, and the last good FAQ kept."""
    knowledge = LiveKnowledge(faq_folder, MatchSettings())
    version = knowledge.faq.version
    (faq_folder / "extra.yml").write_text("entries: []\n", encoding="utf-8")
    result = knowledge.reload_if_changed()
    assert result is not None
    assert not result.ok
    assert "rename it to extra.yaml" in result.problems[0]
    assert knowledge.faq.version == version


@pytest.mark.parametrize(
    "answer",
    [
        "See <https://qwenlm.github.io|the blog>.",
        "See <https://qwenlm.github.io>.",
        "Mail <mailto:team@example.com|the team>.",
        "See [the blog](https://qwenlm.github.io).",
    ],
)
def test_links_slack_would_show_as_raw_text_are_refused(tmp_path: Path, answer: str) -> None:
    """Answers are escaped before posting, so Slack link markup would arrive as raw text: refuse it."""
    folder = small_faq(tmp_path, entry_yaml("blog", "Where is the blog?", FIVE, answer=answer))
    problems = [str(problem) for problem in check_faq(folder).problems]
    assert any("entry 'blog': answer links with <...> or [label](...)" in problem for problem in problems), problems


def test_a_bare_address_passes_and_is_posted_for_slack_to_link(tmp_path: Path) -> None:
    """The advice holds: a bare address passes the check and reaches Slack intact in a mrkdwn section."""
    answer = "See https://qwenlm.github.io/blog/?a=1&b=2 for the posts."
    folder = small_faq(tmp_path, entry_yaml("blog", "Where is the blog?", FIVE, answer=answer))
    faq: Faq = load_faq(folder)
    section = answer_message(faq.entries[0], faq)["blocks"][0]["text"]
    assert section["type"] == "mrkdwn"
    assert not section.get("verbatim")  # Slack links addresses in such text
    assert "https://qwenlm.github.io/blog/?a=1&amp;b=2" in section["text"]  # & escaped, as Slack expects
