"""An upgrade over real HTTP: two `serve` instances starting at once on a PostgreSQL database made by the
release before migrations; the members welcomed before the upgrade are not welcomed again."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from bot.storage.schema import head
from bot.storage.sql import engine_url
from tests.slack.test_onboarding import team_join
from tests.storage.test_migrations import OLD_ROWS, make_pre_migration_database, old_rows, recorded_revisions
from tests.support.bot_server import BotServer
from tests.support.fake_slack import FakeSlack
from tests.support.postgres import PostgresServer


def test_two_instances_start_on_an_old_database_and_keep_what_it_knew(
    fake_slack: FakeSlack, postgres: PostgresServer, tmp_path: Path
) -> None:
    url = postgres.create_database(f"upgrade_{int(time.time() * 1000)}")
    engine = create_engine(engine_url(url), poolclass=NullPool)
    make_pre_migration_database(engine)
    fake_slack.reset()
    bots = [BotServer(fake_slack, url, tmp_path / f"bot{n}.log") for n in (1, 2)]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(BotServer.start, bots))
        logs = "".join(bot.log() for bot in bots)
        assert logs.count("database schema recognised a database made before migrations as revision 0001") == 1
        assert logs.count(f"database schema up to date at revision {head()}") == 1

        bots[0].event(team_join("U1"))  # welcomed before the upgrade
        bots[1].event(team_join("U0AFTER01"))
        fake_slack.wait_for("chat.postMessage")
        assert [call.args["channel"] for call in fake_slack.quiet(1.0)] == ["U0AFTER01"]
        assert recorded_revisions(engine) == [head()]
        rows = old_rows(engine)
        assert rows["questions"] == OLD_ROWS["questions"]
        assert rows["votes"] == OLD_ROWS["votes"]
    finally:
        for bot in bots:
            bot.stop()
        engine.dispose()
        fake_slack.reset()
