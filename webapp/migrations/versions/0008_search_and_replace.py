"""Search and replace: the replace batches, and the batch a revision was written by.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the replace_batch table and revision.batch_id."""
    op.create_table(
        "replace_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("find", sa.Text(), nullable=False),
        sa.Column("options", sa.String(length=32), nullable=False),
        sa.Column("replacement", sa.Text(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_replace_batch_document_id", "replace_batch", ["document_id"])
    with op.batch_alter_table("revision") as batch:
        batch.add_column(sa.Column("batch_id", sa.Integer(), nullable=True))
        batch.create_index("ix_revision_batch_id", ["batch_id"])


def downgrade() -> None:
    """Drop revision.batch_id and the replace_batch table."""
    with op.batch_alter_table("revision") as batch:
        batch.drop_index("ix_revision_batch_id")
        batch.drop_column("batch_id")
    op.drop_index("ix_replace_batch_document_id", table_name="replace_batch")
    op.drop_table("replace_batch")
