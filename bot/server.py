"""``python -m bot serve``: run the Slack app over HTTP (uvicorn under gunicorn) or Socket Mode.

Start-up checks everything it can before serving, so that a mistake is one
sentence and exit 2 rather than a crash loop: the settings (:mod:`bot.config`),
the FAQ (``faq check``) and the bot token (``auth.test``). gunicorn then runs
WEB_CONCURRENCY worker processes, each an asyncio event loop served by uvicorn
(so slow clients cost a coroutine each, not a thread), building its own
services and Bolt app after the fork. On SIGTERM, each worker stops accepting,
lets in-flight requests and the replies they started finish, then exits.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import aiohttp
from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from slack_bolt.async_app import AsyncApp
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import SQLAlchemyError
from uvicorn_worker import UvicornWorker

from bot import logs
from bot.config import ConfigError, Settings
from bot.http_protocol import BoundedHeadProtocol
from bot.knowledge.index_store import default_store
from bot.knowledge.live import LiveKnowledge
from bot.services import Services
from bot.slack.app import build_app, web_client, web_session
from bot.slack.asgi import SlackAsgiApp
from bot.slack.listeners.common import Background
from bot.slack.verification import Verifier
from bot.storage import SqlStore, StoreConfigError, open_store
from bot.storage.schema import SchemaError, upgrade
from bot.storage.sql import describe_error

log = logging.getLogger(__name__)


HOUSEKEEPING_SECONDS = 3600
CONNECTIONS_GRACE_SECONDS = 8  # on shutdown: requests still being received or answered...
REPLIES_GRACE_SECONDS = 10  # ...then replies still being posted; gunicorn's graceful_timeout (20 s) covers both


class Process:
    """Everything one serving process owns, so it can all be shut down in order."""

    def __init__(self, settings: Settings, knowledge: LiveKnowledge) -> None:
        self.settings = settings
        self.services = Services(settings, knowledge, open_store(settings.database_url))
        self.background = Background()
        self._session: aiohttp.ClientSession | None = None
        self._stop = threading.Event()
        self.services.knowledge.watch(settings.reload_interval)
        threading.Thread(target=self._housekeeping, name="housekeeping", daemon=True).start()

    async def start(self) -> AsyncApp:
        """On the event loop: the pool for blocking work, the Web API session, and the Bolt app."""
        pool = ThreadPoolExecutor(max_workers=self.settings.listener_threads, thread_name_prefix="blocking")
        asyncio.get_running_loop().set_default_executor(pool)  # what asyncio.to_thread uses: store calls
        self._session = web_session()
        app = build_app(self.services, self.background, web_client(self.settings, self._session))
        gc.freeze()  # what start-up built lives as long as the process: no collection needs to scan it again
        return app

    async def stop(self) -> None:
        """Let replies under way finish, then release everything."""
        await self.background.drain(REPLIES_GRACE_SECONDS)
        if self._session is not None:
            await self._session.close()
        self._stop.set()
        await asyncio.to_thread(self._release)

    def _release(self) -> None:
        self.services.knowledge.stop()
        self.services.store.close()

    def _housekeeping(self) -> None:
        while True:
            self.services.store.purge(now=time.time(), retention_days=self.services.settings.retention_days)
            if self._stop.wait(HOUSEKEEPING_SECONDS):
                return


def serve(*, log_format: str | None = None) -> int:
    settings = Settings.from_env()
    if log_format:  # --log-format wins over LOG_FORMAT
        settings = dataclasses.replace(settings, log_format=log_format)
    for secret in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        os.environ.pop(secret, None)  # held in Settings only: not inherited, not read again by Bolt
    logs.configure(settings.log_format, settings.log_level)
    # refuses a FAQ that fails `faq check`; loads the matcher's index stored for this FAQ version, if any
    knowledge = LiveKnowledge(settings.faq_dir, settings.match, store=default_store())
    check_database(settings)
    identity = check_token(settings)
    log.info("starting as %s in %s mode", identity, "Socket Mode" if settings.socket_mode else "HTTP")
    if settings.socket_mode:
        return run_socket_mode(settings, knowledge)
    HttpServer(settings, knowledge).run()  # the workers inherit the checked FAQ
    return 0


def check_database(settings: Settings) -> None:
    """Open the store once, so that a DATABASE_URL it cannot use is one sentence, not a worker crash,
    and bring the schema to the newest migration before the workers start.

    An unreachable database, or one this release cannot upgrade, is not an error
    here: the bot answers without one (and the store tries again on first use).
    """
    try:
        store = SqlStore(settings.database_url)
    except StoreConfigError as error:
        raise ConfigError(f"DATABASE_URL cannot be used: {error}.") from None
    try:
        log.info("database schema %s", upgrade(store.engine))
    except (SchemaError, SQLAlchemyError) as error:
        log.warning("database schema not upgraded at start-up (%s)", describe_error(error))
    finally:
        store.close()


def check_token(settings: Settings) -> str:
    """Ask Slack who the bot token belongs to; a rejected token or an unreachable Slack is a ConfigError."""
    client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10)
    try:
        response = client.auth_test()
    except SlackApiError as error:
        reason = error.response.get("error", "rejected")
        raise ConfigError(
            f"Slack rejected SLACK_BOT_TOKEN ({reason}): copy it again from OAuth & Permissions."
        ) from None
    except (SlackClientError, OSError) as error:
        raise ConfigError(
            f"could not reach Slack at SLACK_API_URL {settings.api_url} ({type(error).__name__})."
        ) from None
    return f"{response.get('user')} ({response.get('user_id')}) in {response.get('team')}"


class GunicornLogs(glogging.Logger):  # type: ignore[misc]
    """gunicorn's own messages, sent through the bot's log handler (text or JSON, secrets scrubbed)."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log_ in (self.error_log, self.access_log):
            log_.handlers.clear()
            log_.propagate = True


class Worker(UvicornWorker):  # type: ignore[misc]
    """A gunicorn worker running uvicorn's event loop; its logs go through the bot's handler too."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "auto",  # uvloop
        "http": BoundedHeadProtocol,  # httptools, with a deadline and a size cap on each request's head
        "lifespan": "on",  # the app starts and stops with the worker; a failed start stops the worker
        "access_log": False,  # one line per handled request comes from bot.requests instead
        "timeout_graceful_shutdown": CONNECTIONS_GRACE_SECONDS,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        logging.getLogger("uvicorn.error").handlers.clear()
        logging.getLogger("uvicorn.error").propagate = True


def pin_worker(arbiter: Any, worker: Any) -> None:
    """gunicorn's ``post_fork`` hook (``PIN_WORKERS=on``): keep the new worker's threads on one CPU, the one
    fewest of its live siblings keep to (round the CPUs by the worker's age when that ties).

    A worker's event loop and its store writer thread take turns on the interpreter
    lock; on two CPUs, every turn moves the objects both touch from one CPU's caches to
    the other's. Measured: the writer used 2 to 3 times the CPU per row while the loop
    was busy on another CPU, and the whole worker over a tenth more per request
    (README, "Cost per request"). One CPU loses a worker little, since its Python runs
    one thread at a time anyway. Counting the siblings keeps a worker started again
    (after a crash) off a CPU that a live one holds. Off by default: the spread is per
    server, so several servers sharing one host's CPUs would crowd onto the same ones.
    """
    if not hasattr(os, "sched_setaffinity"):  # Linux only; elsewhere the OS places the threads
        return
    cpus = sorted(os.sched_getaffinity(0))
    held = Counter(cpu for pid in arbiter.WORKERS if pid != os.getpid() for cpu in _sole_cpu(pid))
    start = worker.age % len(cpus)
    chosen = min(range(len(cpus)), key=lambda n: (held[cpus[n]], (n - start) % len(cpus)))
    os.sched_setaffinity(0, {cpus[chosen]})


def _sole_cpu(pid: int) -> set[int]:
    """The one CPU process ``pid`` keeps to, if it keeps to one (a sibling not yet pinned, or gone: none)."""
    try:
        cpus = os.sched_getaffinity(pid)
    except OSError:
        return set()
    return cpus if len(cpus) == 1 else set()


class HttpServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured in code: uvicorn workers, each with its own app, graceful on SIGTERM."""

    def __init__(self, settings: Settings, knowledge: LiveKnowledge) -> None:
        self.settings = settings
        self.knowledge = knowledge
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.web_concurrency,
            "worker_class": Worker,
            "timeout": 30,
            "graceful_timeout": CONNECTIONS_GRACE_SECONDS + REPLIES_GRACE_SECONDS + 2,
            "accesslog": None,
            "errorlog": "-",
            "logger_class": GunicornLogs,
            "loglevel": self.settings.log_level,
            "proc_name": "qwen-sourcing-bot",
            "control_socket_disable": True,  # not needed, and two instances on one host would share its path
        }
        if self.settings.pin_workers:
            options["post_fork"] = pin_worker
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> SlackAsgiApp:
        logs.configure(self.settings.log_format, self.settings.log_level)
        process = Process(self.settings, self.knowledge)
        verifier = Verifier(self.settings.signing_secret)
        return SlackAsgiApp(process.start, process.stop, process.services.health, verifier)


def run_socket_mode(settings: Settings, knowledge: LiveKnowledge) -> int:
    """One Socket Mode connection; run several processes for several connections."""
    return asyncio.run(_socket_mode(settings, knowledge))


async def _socket_mode(settings: Settings, knowledge: LiveKnowledge) -> int:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    process = Process(settings, knowledge)
    handler = AsyncSocketModeHandler(await process.start(), settings.app_token)
    stopped = asyncio.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(number, stopped.set)
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        await handler.close_async()  # type: ignore[no-untyped-call]
        await process.stop()
        reason = error.response.get("error", "rejected")
        raise ConfigError(
            f"Slack rejected SLACK_APP_TOKEN ({reason}): create it again under Basic Information."
        ) from None
    log.info("connected to Slack in Socket Mode")
    await stopped.wait()
    log.info("shutting down")
    await handler.close_async()  # type: ignore[no-untyped-call]
    await process.stop()  # replies already started still finish
    return 0
