"""Where an XLIFF document and its segments came from, to write them back the same."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.models.base import Base, owned_by


class DocumentFormat(Base):
    """Where an imported XLIFF document came from: its version and the file's language tags."""

    __tablename__ = "document_format"

    document_id: Mapped[int] = owned_by("document", primary_key=True)
    # "xliff12" or "xliff20"
    format: Mapped[str] = mapped_column(String(16))
    # The tags as the file wrote them ("de-DE"); the document keeps the language ("de").
    source_tag: Mapped[str] = mapped_column(String(35))
    target_tag: Mapped[str] = mapped_column(String(35))


class SegmentUnit(Base):
    """The XLIFF unit a segment was read from, so that an export writes it back the same."""

    __tablename__ = "segment_unit"

    segment_id: Mapped[int] = owned_by("segment", primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(255))
    # The <file original="…"> it belongs to.
    file: Mapped[str] = mapped_column(String(255), default="")
    # translate="no": kept for the export, shown, never edited.
    translate: Mapped[bool] = mapped_column(default=True)
