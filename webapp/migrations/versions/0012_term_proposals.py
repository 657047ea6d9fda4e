"""Glossary entries proposed from the dictionary panel, waiting for an admin's decision.

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the glossary_proposal table."""
    op.create_table(
        "glossary_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_json", sa.Text(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposed_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_glossary_proposal_document_id", "glossary_proposal", ["document_id"])
    op.create_index("ix_glossary_proposal_status", "glossary_proposal", ["status"])


def downgrade() -> None:
    """Drop the glossary_proposal table."""
    op.drop_index("ix_glossary_proposal_status", table_name="glossary_proposal")
    op.drop_index("ix_glossary_proposal_document_id", table_name="glossary_proposal")
    op.drop_table("glossary_proposal")
