"""The tables as the release before migrations made them (git commit 2b393b8, bot/storage/sql.py), frozen.

Copied, not imported: the bot's own tables move on with each revision, and the
upgrade tests need a database exactly as that release left it.
"""

from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table, Text

metadata = MetaData()
claims = Table(
    "claims",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("claimed_at", Float, nullable=False, index=True),
)
welcomed_users = Table(
    "welcomed_users",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("welcomed_at", Float, nullable=False),
)
votes = Table(
    "votes",
    metadata,
    Column("entry_id", String(128), primary_key=True),
    Column("user_id", String(64), primary_key=True),
    Column("helpful", Boolean, nullable=False),
    Column("voted_at", Float, nullable=False, index=True),
)
questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("asked_at", Float, nullable=False, index=True),
    Column("outcome", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("channel_type", String(16), nullable=False),
    Column("entry_id", String(128)),
    Column("layer", String(64)),
    Column("text", Text),
)
