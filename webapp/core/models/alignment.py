"""An uploaded original's alignment with a document's segments, proposed until a person accepts it."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.models.base import Base, owned_by, person, utcnow


class AlignmentProposal(Base):
    """The links between a document's segments and an original's sentences; one per document."""

    __tablename__ = "alignment_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A new upload replaces the document's proposal, so there is at most one.
    document_id: Mapped[int] = owned_by("document", unique=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    # "open" while a person checks it, "accepted" once the segments' source holds it.
    status: Mapped[str] = mapped_column(String(16), default="open")
    # Bumped by every join and split, so a page showing an older state is told, not obeyed.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # [{"de": [segment ids], "en": [sentences], "confidence": 0..1, "edited": bool}, ...] in
    # document order; "de" holds 0 (English with nothing), 1, or 2 ids (the second shares).
    links_json: Mapped[str] = mapped_column(Text, default="[]")
    sentences: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = person(default="")
    accepted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    accepted_by: Mapped[str | None] = person(nullable=True)

    @property
    def links(self) -> list[dict]:
        """Return the decoded links."""
        return json.loads(self.links_json or "[]")

    api_fields = ("id", "document_id", "filename", "status", "version", "sentences",
                  "created_at", "created_by", "accepted_at", "accepted_by")
