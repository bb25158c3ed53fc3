"""What must never be stored or logged: anything shaped like a credential."""

from __future__ import annotations

import re

# Slack bot, user and app tokens; OpenAI-style secret keys; AWS access key ids.
SECRETS = re.compile(r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+|\bsk-[A-Za-z0-9_-]{16,}|\bAKIA[0-9A-Z]{16}\b")
# Slack's response URLs and webhooks (hooks.slack.com/actions/T.../..., /commands/, /app/, /services/,
# /triggers/, /workflows/): whoever holds one can post into that conversation as the app. Their host and kind
# stay, for the reader; a path of the same words on another site without a team id ("/services/passports") stays.
CAPABILITY_URLS = re.compile(
    r"""(\bhttps?://[^\s/]+/(?:actions|app|commands|services|triggers|workflows)/)[TE][A-Z0-9]+/[^\s'"<>)|]+"""
)


def redact_secrets(text: str) -> str:
    """``text`` with every credential-shaped string and the secret part of every Slack response URL replaced
    by ``[redacted]``."""
    if "xox" in text or "xapp-" in text or "sk-" in text or "AKIA" in text:  # in every match (case-sensitive)
        text = SECRETS.sub("[redacted]", text)
    if "://" in text:  # most text: these substring checks cost a fraction of the patterns' search
        text = CAPABILITY_URLS.sub(r"\1[redacted]", text)
    return text
