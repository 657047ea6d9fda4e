"""Accounts and API tokens, scores, reference texts, comments, presence, word counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# documents.count_words as of this migration, frozen here: a later change to how words are
# counted must not change what this migration wrote.
WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def upgrade() -> None:
    """Create the new tables and count the words of existing segments."""
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])
    op.create_table(
        "document_score",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("figures_json", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_table(
        "reference_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("segment_ids_json", sa.Text(), nullable=False),
        sa.Column("texts_json", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=80), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reference_text_document_id", "reference_text", ["document_id"])
    op.create_table(
        "comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comment_segment_id", "comment", ["segment_id"])
    op.create_table(
        "presence",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("segment_id", "username"),
    )
    op.create_index("ix_presence_expires_at", "presence", ["expires_at"])
    op.create_table(
        "segment_score",
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("bleu", sa.Double(), nullable=False),
        sa.Column("chrf", sa.Double(), nullable=False),
        sa.Column("ter", sa.Double(), nullable=False),
        sa.Column("approved_digest", sa.String(length=64), nullable=True),
        sa.Column("approved_bleu", sa.Double(), nullable=True),
        sa.Column("approved_chrf", sa.Double(), nullable=True),
        sa.Column("approved_ter", sa.Double(), nullable=True),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["segment_id"], ["segment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("segment_id"),
    )
    op.create_table(
        "revision_score",
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prev_bleu", sa.Double(), nullable=False),
        sa.Column("prev_chrf", sa.Double(), nullable=False),
        sa.Column("prev_ter", sa.Double(), nullable=False),
        sa.Column("mt_bleu", sa.Double(), nullable=False),
        sa.Column("mt_chrf", sa.Double(), nullable=False),
        sa.Column("mt_ter", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["revision_id"], ["revision.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("revision_id"),
    )
    with op.batch_alter_table("revision") as batch:
        batch.add_column(sa.Column("role", sa.Integer(), nullable=True))
    # NOT NULL needs a value for the rows already there: 0 first, then the real count.
    with op.batch_alter_table("segment") as batch:
        batch.add_column(sa.Column("words", sa.Integer(), nullable=False, server_default="0"))
    _count_words()
    with op.batch_alter_table("segment") as batch:
        batch.alter_column("words", server_default=None)


def _count_words() -> None:
    """Fill segment.words from the text that came from the file (source, or MT in review)."""
    conn = op.get_bind()
    segment = sa.table("segment", sa.column("id", sa.Integer), sa.column("document_id"),
                       sa.column("source"), sa.column("mt"), sa.column("words"))
    document = sa.table("document", sa.column("id"), sa.column("mode"))
    rows = conn.execute(
        sa.select(segment.c.id, segment.c.source, segment.c.mt, document.c.mode)
        .join(document, document.c.id == segment.c.document_id)
    ).all()
    update = (sa.update(segment).where(segment.c.id == sa.bindparam("sid"))
              .values(words=sa.bindparam("n")))
    batch = []
    for sid, source, mt, mode in rows:
        text = mt if mode == "review" else source
        batch.append({"sid": sid, "n": len(WORD.findall(text or ""))})
        if len(batch) == 1000:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)


def downgrade() -> None:
    """Drop what this migration added."""
    with op.batch_alter_table("segment") as batch:
        batch.drop_column("words")
    with op.batch_alter_table("revision") as batch:
        batch.drop_column("role")
    for table in ("revision_score", "segment_score", "presence", "comment", "reference_text",
                  "document_score", "api_token", "user_account"):
        op.drop_table(table)
