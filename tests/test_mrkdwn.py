"""Showing user text back in Slack: escaped once, clipped, and without invisible format characters."""

from __future__ import annotations

import pytest

from bot.mrkdwn import echo, show


@pytest.mark.parametrize(
    "hidden",
    [
        "\u202e",  # right-to-left override: "qwen" would read "newq"
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\u200d",  # zero-width joiner
        "\u2060",  # word joiner
        "\ufeff",  # zero-width no-break space
        "\u00ad",  # soft hyphen
        "\ud800",  # a lone surrogate, as JSON's "\\ud800" gives it: no API can encode it
    ],
)
def test_echo_strips_bidi_and_format_characters(hidden: str) -> None:
    """Unicode format characters (category Cf) and lone surrogates never reach a reply."""
    assert echo(f"who {hidden}funds{hidden} qwen?", 200) == "who funds qwen?"


def test_echo_decodes_once_and_escapes_once() -> None:
    """Slack's escaping is undone, then applied again: markup stays literal, nothing is double-escaped."""
    assert echo("&lt;!channel&gt; R&amp;D <@U1>", 200) == "&lt;!channel&gt; R&amp;D &lt;@U1&gt;"


def test_show_escapes_plain_text_and_clips_it() -> None:
    """Text already decoded is escaped once and cut to the limit, format characters gone."""
    assert show("a <b>\u202e & c", 200) == "a &lt;b&gt; &amp; c"
    assert show("x" * 50, 10) == "x" * 9 + "…"


def test_a_message_addressed_to_someone_else() -> None:
    """Another person, a user group, @here or @channel: addressed to someone else; the bot alone is not."""
    from bot.mrkdwn import addresses_someone_else

    assert addresses_someone_else("<@W333> what about hf?", "W23456789")
    assert addresses_someone_else("<!subteam^S123|@legal> thoughts?", "W23456789")
    assert addresses_someone_else("<!here> anyone?", "W23456789")
    assert not addresses_someone_else("<@W23456789> what about hf?", "W23456789")
    assert not addresses_someone_else("what about hf?", "W23456789")
