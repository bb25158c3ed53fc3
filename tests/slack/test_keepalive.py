"""Replies reuse connections to Slack's Web API: keep-alive over TLS, against a local HTTPS stand-in."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.bot_server import BotServer, block_action, mention
from tests.support.fake_slack import FakeSlack

BARE_APP = (str(Path(__file__).resolve().parents[2] / "bench" / "bare_app.py"),)
BURST = 200


@pytest.fixture
def tls_slack(tmp_path: Path) -> Iterator[tuple[FakeSlack, Path]]:
    """The Slack stand-in over HTTPS, with a self-signed certificate for 127.0.0.1 made here."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("the openssl command is needed to make a test certificate", pytrace=False)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    subprocess.run(
        [openssl, *request, "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fake = FakeSlack(tls=context).start()
    yield fake, cert
    fake.stop()


def _new_connections(fake: FakeSlack, send: Callable[[int], int], method: str) -> int:
    """Connections the stand-in accepted for ``BURST`` requests sent 20 at a time, after one to warm up.

    ``send(n)`` sends the n-th request and returns its status; each is answered by one call to ``method``.
    """
    assert send(BURST) == 200
    fake.wait_for(method, count=1)  # warmed up: the first connection is open
    before = fake.connections
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(send, range(BURST)))
    assert statuses == [200] * BURST
    fake.wait_for(method, count=BURST + 1, timeout=60)
    return fake.connections - before


def _mentions(bot: BotServer) -> Callable[[int], int]:
    return lambda number: bot.event(mention(f"who trains qwen? ({number})")).status


def _clicks(bot: BotServer, fake: FakeSlack) -> Callable[[int], int]:
    def click(number: int) -> int:
        url = fake.response_url(f"click{number}")
        return bot.action(block_action("feedback:helpful", "licence", response_url=url, user=f"U{number:08d}")).status

    return click


def test_a_burst_of_replies_reuses_connections(tls_slack: tuple[FakeSlack, Path], tmp_path: Path) -> None:
    """200 mentions answered over HTTPS open at most one new connection per 20 replies."""
    fake, cert = tls_slack
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    # The bot trusts the test certificate the way any deployment adds a CA: SSL_CERT_FILE.
    with BotServer(fake, database, tmp_path / "bot.log", SSL_CERT_FILE=str(cert)) as bot:
        opened = _new_connections(fake, _mentions(bot), "chat.postMessage")
    assert opened <= BURST // 20, f"{opened} new connections for {BURST} replies"


def test_a_burst_of_clicks_answered_through_response_url_reuses_connections(
    tls_slack: tuple[FakeSlack, Path], tmp_path: Path
) -> None:
    """respond() goes over the kept-alive session too: 200 clicks' replies open at most one connection per 20."""
    fake, cert = tls_slack
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    with BotServer(fake, database, tmp_path / "bot.log", SSL_CERT_FILE=str(cert)) as bot:
        opened = _new_connections(fake, _clicks(bot, fake), "response_url")
    assert opened <= BURST // 20, f"{opened} new connections for {BURST} replies through response_url"


@pytest.mark.parametrize("kind", ["mentions", "clicks"])
def test_the_cost_benchmarks_bare_app_keeps_connections_alive_as_the_bot_does(
    tls_slack: tuple[FakeSlack, Path], tmp_path: Path, kind: str
) -> None:
    """bench/bare_app.py, the floor bench/load.py measures the bot against, shares the bot's connection arrangement."""
    fake, cert = tls_slack
    database = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    with BotServer(fake, database, tmp_path / "bare.log", program=BARE_APP, SSL_CERT_FILE=str(cert)) as bare:
        if kind == "mentions":
            opened = _new_connections(fake, _mentions(bare), "chat.postMessage")
        else:
            opened = _new_connections(fake, _clicks(bare, fake), "response_url")
    assert opened <= BURST // 20, f"{opened} new connections for {BURST} {kind} to the bare app"
