"""Cached scores and uploaded reference translations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.models.base import Base, owned_by, person, utcnow


class SegmentScore(Base):
    """Cached sentence BLEU, chrF and TER of a segment's MT draft against its target texts."""

    __tablename__ = "segment_score"

    segment_id: Mapped[int] = owned_by("segment", primary_key=True)
    # Hash of the (MT, target) pair scored; a different hash means the scores are stale.
    digest: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    bleu: Mapped[float] = mapped_column()
    chrf: Mapped[float] = mapped_column()
    ter: Mapped[float] = mapped_column()
    # Against the last approved text, once there is one; its own hash for the same reason.
    approved_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    approved_bleu: Mapped[float | None] = mapped_column(nullable=True)
    approved_chrf: Mapped[float | None] = mapped_column(nullable=True)
    approved_ter: Mapped[float | None] = mapped_column(nullable=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class RevisionScore(Base):
    """Cached scores of one revision against the revision before it and against the MT draft."""

    __tablename__ = "revision_score"

    revision_id: Mapped[int] = owned_by("revision", primary_key=True)
    # Hash of the MT draft and previous text scored against: a merge or split changes them.
    digest: Mapped[str] = mapped_column(String(64))
    prev_bleu: Mapped[float] = mapped_column()
    prev_chrf: Mapped[float] = mapped_column()
    prev_ter: Mapped[float] = mapped_column()
    mt_bleu: Mapped[float] = mapped_column()
    mt_chrf: Mapped[float] = mapped_column()
    mt_ter: Mapped[float] = mapped_column()


class DocumentScore(Base):
    """A document's cached corpus figures, valid while its fingerprint matches the texts."""

    __tablename__ = "document_score"

    document_id: Mapped[int] = owned_by("document", primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    figures_json: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    seconds: Mapped[float] = mapped_column(default=0.0)


class ReferenceText(Base):
    """An uploaded reference translation aligned with a document's segments; newest counts."""

    __tablename__ = "reference_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = owned_by("document", index=True)
    name: Mapped[str] = mapped_column(String(255))
    # The segment ids it was aligned with: a later split or merge breaks the alignment.
    segment_ids_json: Mapped[str] = mapped_column(Text)
    texts_json: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = person(default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
