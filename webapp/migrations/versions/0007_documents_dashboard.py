"""The documents dashboard: people, due date and archive on documents; kept progress counts.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from webapp.core.models.progress import recount_statements, trigger_statements

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The states when this migration was written (value, slug): its columns and triggers are
# made for exactly these, whatever core.states holds later.
STATES = ((0, "new"), (10, "mt"), (15, "rejected"), (20, "translated"), (30, "approved"))


def upgrade() -> None:
    """Add the document columns and the progress table, its triggers, and count every document."""
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("translator", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("editor", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("archived_by", sa.String(length=80), nullable=True))
    counts = [sa.Column(f"{slug}_{kind}", sa.Integer(), nullable=False, server_default="0")
              for _value, slug in STATES for kind in ("segments", "words")]
    op.create_table(
        "document_progress",
        sa.Column("document_id", sa.Integer(), nullable=False),
        *counts,
        sa.Column("last_edit_at", sa.DateTime(), nullable=True),
        sa.Column("last_edit_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )
    dialect = op.get_bind().dialect.name
    for statement in trigger_statements(dialect, STATES) + recount_statements(
            dialect, None, STATES):
        op.execute(statement)


def downgrade() -> None:
    """Drop the triggers, the progress table and the document columns."""
    dialect = op.get_bind().dialect.name
    for table, name in (("document", "document_progress_open"),
                        ("segment", "segment_progress_insert"),
                        ("segment", "segment_progress_delete"),
                        ("segment", "segment_progress_update")):
        op.execute(f"DROP TRIGGER IF EXISTS {name}"
                   + (f" ON {table}" if dialect == "postgresql" else ""))
    op.drop_table("document_progress")
    with op.batch_alter_table("document") as batch:
        for name in ("archived_by", "archived_at", "due_date", "editor", "translator"):
            batch.drop_column(name)
