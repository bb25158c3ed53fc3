"""Is this HTTP request from Slack? Decided by the HTTP front before Bolt sees anything, failing closed.

Bolt's own check is off: it would only verify again what passed here, and its
verifier raises instead of refusing when ``X-Slack-Request-Timestamp`` is not a
whole number (``x``, ``nan``, ``1,2`` from two headers) or ``X-Slack-Signature``
holds non-ASCII characters, after which Bolt runs the app's error handler on the
unverified body. Here the same verifier (slack_sdk's :class:`SignatureVerifier`)
runs inside a guard: a request is accepted only when exactly one of each header
is present and the verifier says yes; anything else, an exception included, is a
refusal with a short reason.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from slack_sdk.signature import SignatureVerifier

TIMESTAMP = "x-slack-request-timestamp"
SIGNATURE = "x-slack-signature"
log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5 * 60  # slack_sdk's window: older (or future) requests are replays


class Verifier:
    """Checks Slack's request signature; :meth:`refusal` never raises."""

    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)

    def refusal(self, timestamps: Sequence[str], signatures: Sequence[str], body: bytes) -> str | None:
        """Why the request is refused, or None when it is Slack's.

        ``timestamps`` and ``signatures`` are every value the request sent for each header.
        """
        if not timestamps or not signatures:
            return "missing signature headers"
        if len(timestamps) > 1 or len(signatures) > 1:
            return "repeated signature headers"
        timestamp, signature = timestamps[0], signatures[0]
        try:
            if self._verifier.is_valid(body, timestamp, signature):
                return None
            stale = abs(self._verifier.clock.now() - int(timestamp)) > MAX_AGE_SECONDS
        except Exception:  # whatever the verifier raises on malformed headers, the answer is no
            return "malformed signature headers"
        return "stale timestamp" if stale else "bad signature"


def refused(reason: str, size: int, remote: str) -> None:
    """The one log line for a refused request: why, how big, from where; never the body or its headers."""
    log.warning("refused an unverified request", extra={"reason": reason, "bytes": size, "remote": remote[:64]})
