"""Words the spelling check accepts: a document's own list, and the team's list per language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.models.base import Base, owned_by, person, utcnow


class WordListEntry(Base):
    """One accepted word: of one document (document_id set) or of the whole team (None)."""

    __tablename__ = "word_list_entry"
    __table_args__ = (Index("ix_word_list_entry_lang_doc", "lang", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int | None] = owned_by("document", nullable=True)
    # The primary language subtag the word is spelled in ("de").
    lang: Mapped[str] = mapped_column(String(16))
    word: Mapped[str] = mapped_column(String(100))
    added_by: Mapped[str] = person(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def scope(self) -> str:
        """Return which list the word is on: "document" or "team"."""
        return "team" if self.document_id is None else "document"

    api_fields = ("id", "word", "lang", "scope", "document_id", "added_by", "created_at")
