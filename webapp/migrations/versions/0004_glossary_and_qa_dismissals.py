"""The glossary in the database (entries, revision, pending imports) and QA dismissals.

The glossary itself is loaded from glossary.csv on first use, not here: an upgraded
database gets the curated glossary the same way a new one does.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create glossary_entry, glossary_meta, glossary_import and qa_dismissal."""
    op.create_table(
        "glossary_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("key_folded", sa.String(length=255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("terms_json", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("dnt", sa.Boolean(), nullable=False),
        sa.Column("forbidden_json", sa.Text(), nullable=False),
        sa.Column("case_sensitive", sa.Boolean(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_folded"),
    )
    op.create_table(
        "glossary_meta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("languages", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "glossary_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("entries_json", sa.Text(), nullable=False),
        sa.Column("base_version", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    op.create_index("ix_glossary_import_created_at", "glossary_import", ["created_at"])
    op.create_table(
        "qa_dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_qa_dismissal_segment_id", "qa_dismissal", ["segment_id"])


def downgrade() -> None:
    """Drop the glossary and dismissal tables."""
    op.drop_index("ix_qa_dismissal_segment_id", table_name="qa_dismissal")
    op.drop_table("qa_dismissal")
    op.drop_index("ix_glossary_import_created_at", table_name="glossary_import")
    op.drop_table("glossary_import")
    op.drop_table("glossary_meta")
    op.drop_table("glossary_entry")
