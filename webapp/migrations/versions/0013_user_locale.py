"""The interface language each person chose.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add user_account.locale (NULL: follow the browser)."""
    op.add_column("user_account", sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade() -> None:
    """Drop user_account.locale."""
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("locale")
