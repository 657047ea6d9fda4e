"""The translation memory's units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.models.base import Base, person, utcnow


class MemoryUnit(Base):
    """One translation unit of the translation memory, from an approval or a TMX import."""

    __tablename__ = "tm_unit"
    __table_args__ = (Index("ix_tm_unit_pair", "source_key", "target_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    # Tags as written (BCP 47 case: "de-DE"), and their language subtag, which the
    # per-pair fuzzy index is keyed on.
    source_lang: Mapped[str] = mapped_column(String(35))
    target_lang: Mapped[str] = mapped_column(String(35))
    source_key: Mapped[str] = mapped_column(String(8))
    target_key: Mapped[str] = mapped_column(String(8))
    codes_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The document's name or the TMX file's name.
    origin: Mapped[str] = mapped_column(String(255), default="")
    author: Mapped[str] = person(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # The approved segment it mirrors (replaced when that segment changes), or the TMX
    # import job that brought it in (undone when the import fails).
    segment_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    import_job_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # sha1 of pair, source and target: a TMX imported twice adds nothing the second time.
    digest: Mapped[str] = mapped_column(String(40), index=True)

    api_fields = ("id", "source", "target", "source_lang", "target_lang", "origin", "author",
                  "created_at", "changed_at", "document_id")
