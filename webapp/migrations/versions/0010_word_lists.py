"""Word lists of the spelling check: a document's own words and the team's.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the word_list_entry table."""
    op.create_table(
        "word_list_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("word", sa.String(length=100), nullable=False),
        sa.Column("added_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_word_list_entry_lang_doc", "word_list_entry", ["lang", "document_id"])


def downgrade() -> None:
    """Drop the word_list_entry table."""
    op.drop_index("ix_word_list_entry_lang_doc", table_name="word_list_entry")
    op.drop_table("word_list_entry")
