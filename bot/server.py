"""``python -m bot serve``: run the Slack app over HTTP (gunicorn) or Socket Mode.

Start-up checks everything it can before serving, so that a mistake is one
sentence and exit 2 rather than a crash loop: the settings (:mod:`bot.config`),
the FAQ (``faq check``) and the bot token (``auth.test``). Each process (each
gunicorn worker) then builds its own services and Bolt app after the fork. On
SIGTERM, in-flight requests and replies finish before the process exits.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import logs
from bot.config import ConfigError, Settings
from bot.knowledge.live import LiveKnowledge
from bot.services import Services
from bot.slack.app import build_app
from bot.slack.verification import Verifier
from bot.slack.wsgi import SlackWsgiApp
from bot.storage import StoreConfigError, open_store

log = logging.getLogger(__name__)
HOUSEKEEPING_SECONDS = 3600


class Process:
    """Everything one serving process owns, so it can all be shut down in order."""

    def __init__(self, settings: Settings, knowledge: LiveKnowledge) -> None:
        self.services = Services(settings, knowledge, open_store(settings.database_url))
        self.executor = ThreadPoolExecutor(max_workers=settings.listener_threads, thread_name_prefix="listener")
        self.app = build_app(self.services, self.executor)
        self._stop = threading.Event()
        self.services.knowledge.watch(settings.reload_interval)
        threading.Thread(target=self._housekeeping, name="housekeeping", daemon=True).start()

    def _housekeeping(self) -> None:
        while True:
            self.services.store.purge(now=time.time(), retention_days=self.services.settings.retention_days)
            if self._stop.wait(HOUSEKEEPING_SECONDS):
                return

    def shutdown(self) -> None:
        """Let running listeners finish their replies, then release everything."""
        self._stop.set()
        self.services.knowledge.stop()
        self.executor.shutdown(wait=True)
        self.services.store.close()


def serve(*, log_format: str | None = None) -> int:
    settings = Settings.from_env()
    if log_format:  # --log-format wins over LOG_FORMAT
        settings = dataclasses.replace(settings, log_format=log_format)
    for secret in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        os.environ.pop(secret, None)  # held in Settings only: not inherited, not read again by Bolt
    logs.configure(settings.log_format, settings.log_level)
    knowledge = LiveKnowledge(settings.faq_dir, settings.match)  # refuses a FAQ that fails `faq check`
    check_database(settings)
    identity = check_token(settings)
    log.info("starting as %s in %s mode", identity, "Socket Mode" if settings.socket_mode else "HTTP")
    if settings.socket_mode:
        return run_socket_mode(settings, knowledge)
    HttpServer(settings, knowledge).run()  # the workers inherit the checked FAQ
    return 0


def check_database(settings: Settings) -> None:
    """Open and close the store once, so that a DATABASE_URL it cannot use is one sentence, not a worker crash.

    An unreachable database is not an error here: the bot answers without one.
    """
    try:
        open_store(settings.database_url).close()
    except StoreConfigError as error:
        raise ConfigError(f"DATABASE_URL cannot be used: {error}.") from None


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


class HttpServer(BaseApplication):  # type: ignore[misc]
    """gunicorn, configured in code: threaded workers, each with its own app, graceful on SIGTERM."""

    def __init__(self, settings: Settings, knowledge: LiveKnowledge) -> None:
        self.settings = settings
        self.knowledge = knowledge
        self.process: Process | None = None
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.web_concurrency,
            "worker_class": "gthread",
            "threads": 16,
            "timeout": 30,
            "graceful_timeout": 20,
            "accesslog": None,
            "errorlog": "-",
            "logger_class": GunicornLogs,
            "loglevel": self.settings.log_level,
            "proc_name": "qwen-sourcing-bot",
            "control_socket_disable": True,  # not needed, and two instances on one host would share its path
            "worker_exit": self._worker_exit,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> SlackWsgiApp:
        logs.configure(self.settings.log_format, self.settings.log_level)
        self.process = Process(self.settings, self.knowledge)
        return SlackWsgiApp(self.process.app, self.process.services.health, Verifier(self.settings.signing_secret))

    def _worker_exit(self, _server: Any, _worker: Any) -> None:
        if self.process is not None:
            self.process.shutdown()


def run_socket_mode(settings: Settings, knowledge: LiveKnowledge) -> int:
    """One Socket Mode connection; run several processes for several connections."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    process = Process(settings, knowledge)
    handler = SocketModeHandler(process.app, settings.app_token, concurrency=settings.listener_threads)
    stopped = threading.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stopped.set())
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as error:
        process.shutdown()
        reason = error.response.get("error", "rejected")
        raise ConfigError(
            f"Slack rejected SLACK_APP_TOKEN ({reason}): create it again under Basic Information."
        ) from None
    log.info("connected to Slack in Socket Mode")
    stopped.wait()
    log.info("shutting down")
    handler.close()  # type: ignore[no-untyped-call]
    process.shutdown()
    return 0
