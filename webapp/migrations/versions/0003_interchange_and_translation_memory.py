"""XLIFF units and inline codes of segments, documents' file languages, the translation memory.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add segment.codes_json and the document_format, segment_unit and tm_unit tables."""
    # Nullable: segments imported from plain text have no inline codes.
    with op.batch_alter_table("segment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("codes_json", sa.Text(), nullable=True))
    op.create_table(
        "document_format",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("source_tag", sa.String(length=35), nullable=False),
        sa.Column("target_tag", sa.String(length=35), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_table(
        "segment_unit",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(length=255), nullable=False),
        sa.Column("file", sa.String(length=255), nullable=False),
        sa.Column("translate", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("segment_id"),
    )
    op.create_table(
        "tm_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("source_lang", sa.String(length=35), nullable=False),
        sa.Column("target_lang", sa.String(length=35), nullable=False),
        sa.Column("source_key", sa.String(length=8), nullable=False),
        sa.Column("target_key", sa.String(length=8), nullable=False),
        sa.Column("codes_json", sa.Text(), nullable=True),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("import_job_id", sa.Integer(), nullable=True),
        sa.Column("digest", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_tm_unit_digest", "tm_unit", ["digest"])
    op.create_index("ix_tm_unit_document_id", "tm_unit", ["document_id"])
    op.create_index("ix_tm_unit_import_job_id", "tm_unit", ["import_job_id"])
    op.create_index("ix_tm_unit_pair", "tm_unit", ["source_key", "target_key", "id"])
    op.create_index("ix_tm_unit_segment_id", "tm_unit", ["segment_id"])


def downgrade() -> None:
    """Drop what upgrade added; the translation memory is lost."""
    op.drop_table("tm_unit")
    op.drop_table("segment_unit")
    op.drop_table("document_format")
    with op.batch_alter_table("segment", schema=None) as batch_op:
        batch_op.drop_column("codes_json")
