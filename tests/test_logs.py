"""Log lines: one per record, whatever the logged values hold."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot import logs
from bot.redaction import redact_secrets


@pytest.fixture
def configured() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_newlines_from_input_cannot_forge_a_line(
    configured: None, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    """A value with a newline and a fake record: still one line, the newline escaped."""
    logs.configure(log_format)
    forged = "x\n2026-01-01 00:00:00,000 INFO bot.requests: handled forged\r\u2028"
    logging.getLogger("bot.test").warning("saw %s", forged, extra={"kind": forged})
    out = capsys.readouterr().err
    assert out.count("\n") == 1
    assert "\\n2026-01-01" in out


def test_a_value_cannot_pass_for_another_field(configured: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Values holding a space, a quote or an equals sign are quoted, logfmt-style; plain ones are left bare."""
    logs.configure("text")
    forged = 'W222 kind=forged "outcome"=x'
    logging.getLogger("bot.test").warning("refused", extra={"user": forged, "command": "reload", "empty": ""})
    out = capsys.readouterr().err
    assert out.rstrip("\n").endswith('refused user="W222 kind=forged \\"outcome\\"=x" command=reload empty=""')


def test_traceback_lines_are_indented(configured: None, capsys: pytest.CaptureFixture[str]) -> None:
    """An exception message carrying a newline cannot start a line that passes for a record."""
    logs.configure("text")
    try:
        raise ValueError("bad\n2026-01-01 00:00:00,000 INFO bot.requests: handled forged")
    except ValueError:
        logging.getLogger("bot.test").exception("failed")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) > 2
    assert all(line.startswith("    | ") for line in lines[1:])


def test_bolt_signature_failures_are_dropped(configured: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Bolt's 'Invalid request signature detected (... body: ...)' never reaches the log."""
    logs.configure("text")
    logging.getLogger("slack_bolt.AsyncRequestVerification").info("Invalid request signature detected (body: secret)")
    logging.getLogger("slack_bolt.RequestVerification").info("Invalid request signature detected (body: secret)")
    assert capsys.readouterr().err == ""


def test_bolt_payload_dumps_are_replaced_and_long_messages_cut(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bolt's "Unhandled request ({payload})" and its sample code become one fixed line; any message is bounded."""
    logs.configure("text")
    logging.getLogger("slack_bolt.AsyncApp").warning("Unhandled request ({'value': 'typed secret'})\n---\n[Suggestion]")
    logging.getLogger("bot.test").warning("x" * 100_000)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert "typed secret" not in lines[0]
    assert "no listener" in lines[0]
    assert len(lines[1]) < logs.MAX_MESSAGE_CHARS + 200
    assert lines[1].endswith("... (100000 characters)")


@pytest.mark.parametrize(
    "secret",
    ["xoxb-1234-abcd", "xoxp-99-x", "xapp-1-A0B-77", "sk-abcdefghijklmnop1234", "AKIAABCDEFGHIJKLMNOP"],
)
def test_every_token_shape_is_redacted_in_the_message_and_its_arguments(
    configured: None, capsys: pytest.CaptureFixture[str], secret: str
) -> None:
    """Whatever shape a credential has, neither the message nor an argument lets it through."""
    logs.configure("text")
    logging.getLogger("bot.test").warning(f"token {secret} and %s", f"({secret})")
    out = capsys.readouterr().err
    assert secret not in out
    assert out.count("[redacted]") == 2


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_response_urls_lose_their_secret_part_in_messages_and_tracebacks(
    configured: None, capsys: pytest.CaptureFixture[str], log_format: str
) -> None:
    """As slack_sdk logs a retry, and as an exception quotes the URL it failed on: host and kind stay."""
    logs.configure(log_format)
    url = "https://hooks.slack.com/actions/T0001/1234/AbCdEfSecret"
    logging.getLogger("slack_sdk.webhook.async_client").info("A retry handler found: X for POST %s", url)
    try:
        raise ValueError(f"cannot post to {url.replace('actions', 'commands')}")
    except ValueError:
        logging.getLogger("bot.test").exception("failed")
    out = capsys.readouterr().err
    assert "AbCdEfSecret" not in out
    assert "https://hooks.slack.com/actions/[redacted]" in out
    assert "https://hooks.slack.com/commands/[redacted]" in out


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("POST https://hooks.slack.com/app/T012AB0A1/123456789/JpmKSecret", "https://hooks.slack.com/app/[redacted]"),
        ("https://hooks.slack.com/workflows/T1/A2/3/Secret)", "https://hooks.slack.com/workflows/[redacted])"),
        ("https://hooks.slack.com/services/T000/B000/XXXXSecret", "https://hooks.slack.com/services/[redacted]"),
        (
            "<https://hooks.slack-gov.com/triggers/E01/2/Secret|a link>",
            "hooks.slack-gov.com/triggers/[redacted]|a link>",
        ),
    ],
)
def test_every_kind_of_response_url_is_redacted(text: str, kept: str) -> None:
    assert redact_secrets(text).endswith(kept)


def test_paths_of_other_sites_are_left_alone() -> None:
    """The same words in another site's path, without Slack's team id, are a link, not a capability."""
    text = "see https://example.gov/services/passport-renewal and https://docs.example.com/app/T-shirts"
    assert redact_secrets(text) == text


def test_extra_fields_are_written_once_each_in_order_and_escaped(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The handled line: message, then each field as key=value in the order given, control characters escaped."""
    logs.configure("text")
    logs.request_line("message.im", "answered", 0.0, entry="licence", note="a\nb")
    line = capsys.readouterr().err
    assert line.count("\n") == 1
    head, _, fields = line.rstrip("\n").partition(" INFO bot.requests: handled message.im ")
    assert head
    assert fields.startswith("kind=message.im outcome=answered latency_ms=")
    assert fields.endswith(" entry=licence note=a\\nb")
