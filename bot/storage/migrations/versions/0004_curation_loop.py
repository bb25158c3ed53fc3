"""The curation loop: questions sent to the experts, their posts, and FAQ proposals (drafts and alternates).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expert_requests",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("asked_at", sa.Float(), nullable=False),
        sa.Column("asker", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("expert_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_requests_asked_at"), ["asked_at"], unique=False)

    op.create_table(
        "expert_threads",
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("posted_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "ts"),
    )
    with op.batch_alter_table("expert_threads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_expert_threads_posted_at"), ["posted_at"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("proposed_at", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("entry_id", sa.String(length=128), nullable=True),
        sa.Column("question", sa.String(length=500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answer_zh", sa.Text(), nullable=False),
        sa.Column("layers", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("alternates", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "entry_id", "question", name="uq_proposals_alternate"),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proposals_proposed_at"), ["proposed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_proposed_at"))

    op.drop_table("proposals")
    with op.batch_alter_table("expert_threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_threads_posted_at"))

    op.drop_table("expert_threads")
    with op.batch_alter_table("expert_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_expert_requests_asked_at"))

    op.drop_table("expert_requests")
