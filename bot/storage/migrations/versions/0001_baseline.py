"""Baseline: the tables as the release before migrations created them (claims, welcomes, votes, questions).

A database that release made has these tables and no ``alembic_version``;
:func:`bot.storage.schema.upgrade` recognises it and stamps it at this revision
instead of running it. Index names are the ones ``create_all`` gave them.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("claimed_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_claims_claimed_at", "claims", ["claimed_at"])
    op.create_table(
        "welcomed_users",
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("welcomed_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "votes",
        sa.Column("entry_id", sa.String(128), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("voted_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_votes_voted_at", "votes", ["voted_at"])
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("asked_at", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("channel_type", sa.String(16), nullable=False),
        sa.Column("entry_id", sa.String(128)),
        sa.Column("layer", sa.String(64)),
        sa.Column("text", sa.Text()),
    )
    op.create_index("ix_questions_asked_at", "questions", ["asked_at"])


def downgrade() -> None:
    for table in ("questions", "votes", "welcomed_users", "claims"):
        op.drop_table(table)
