"""A stand-in for Slack's Socket Mode WebSocket endpoint, on a loopback port.

`apps.connections.open` on the fake Web API returns this server's URL. Once the
bot connects, the test pushes envelopes (as Slack would) and reads the bot's
acknowledgements, each matched by ``envelope_id``.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class FakeSocketMode:
    def __init__(self) -> None:
        self.connected = threading.Event()
        self.acks: queue.Queue[dict[str, Any]] = queue.Queue()
        self._acks_by_id: dict[Any, dict[str, Any]] = {}
        self._connection: ServerConnection | None = None
        self._server: Server = serve(self._handle, "127.0.0.1", 0)
        self.port = self._server.socket.getsockname()[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link"

    def _handle(self, connection: ServerConnection) -> None:
        self._connection = connection
        connection.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}}))
        self.connected.set()
        with contextlib.suppress(ConnectionClosed):  # the bot may go away without a close frame
            for message in connection:
                self.acks.put(json.loads(message))

    def send(self, envelope: dict[str, Any]) -> None:
        assert self._connection is not None, "the bot is not connected"
        self._connection.send(json.dumps(envelope))

    def ack_for(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The bot's acknowledgement of one envelope (others received meanwhile are kept)."""
        while envelope_id not in self._acks_by_id:
            ack = self.acks.get(timeout=timeout)
            self._acks_by_id[ack.get("envelope_id")] = ack
        return self._acks_by_id[envelope_id]

    def stop(self) -> None:
        self._server.shutdown()
