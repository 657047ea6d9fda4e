"""An index on segment (document, state, position, words): progress, next in a state, filters.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the index."""
    op.create_index("ix_segment_doc_state", "segment",
                    ["document_id", "state", "position", "words"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_segment_doc_state", table_name="segment")
