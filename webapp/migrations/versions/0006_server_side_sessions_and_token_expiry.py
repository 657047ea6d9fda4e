"""Server-side login sessions, API tokens that expire, and the shared login rate counters.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The default API_TOKEN_DAYS when this migration was written: tokens issued before it had no
# expiry, and get the default lifetime from the upgrade on.
TOKEN_DAYS = 90


def upgrade() -> None:
    """Add the session and rate-counter tables and give every existing token an expiry."""
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("shown_once", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_login_session_user_id", "login_session", ["user_id"])
    op.create_index("ix_login_session_expires_at", "login_session", ["expires_at"])
    op.create_table(
        "rate_counter",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_rate_counter_expires_at", "rate_counter", ["expires_at"])

    with op.batch_alter_table("api_token") as batch:
        batch.add_column(sa.Column("label", sa.String(length=80), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
    expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=TOKEN_DAYS)
    token = sa.table("api_token", sa.column("expires_at", sa.DateTime()))
    op.execute(token.update().values(expires_at=expires))
    with op.batch_alter_table("api_token") as batch:
        batch.alter_column("label", server_default=None)
        batch.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)


def downgrade() -> None:
    """Drop the tables and the token columns (tokens then never expire again)."""
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
        batch.drop_column("label")
    op.drop_index("ix_rate_counter_expires_at", table_name="rate_counter")
    op.drop_table("rate_counter")
    op.drop_index("ix_login_session_expires_at", table_name="login_session")
    op.drop_index("ix_login_session_user_id", table_name="login_session")
    op.drop_table("login_session")
