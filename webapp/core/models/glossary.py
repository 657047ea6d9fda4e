"""The glossary's entries, revision, pending imports, proposals, and dismissed QA warnings."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.models.base import Base, owned_by, person, utcnow


class GlossaryEntry(Base):
    """One glossary concept as stored; each process builds its Glossary from these rows."""

    __tablename__ = "glossary_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255))
    # The glossary treats keys case-insensitively ("UNSC" and "unsc" are one concept).
    key_folded: Mapped[str] = mapped_column(String(255), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # {"de": ["UN-Sicherheitsrat", …], "en": […]}; the first variant is the preferred one.
    terms_json: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    dnt: Mapped[bool] = mapped_column(default=False)
    # {"en": ["UN Safety Council"], "*": ["38 Nord"]}; "*" applies to every target language.
    forbidden_json: Mapped[str] = mapped_column(Text, default="{}")
    # None: automatic (all-capitals variants match only in capitals).
    case_sensitive: Mapped[bool | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = person(default="")

    @property
    def url(self) -> str:
        """Return the path of this entry's row fragment."""
        return f"/glossary/{self.id}"


class GlossaryMeta(Base):
    """The glossary's revision, bumped by every edit so each worker knows its copy is stale."""

    __tablename__ = "glossary_meta"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    # Comma-separated language codes a glossary file may have columns for ("de,en").
    languages: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GlossaryImport(Base):
    """An uploaded glossary file, parsed and waiting for an admin to apply its preview."""

    __tablename__ = "glossary_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    entries_json: Mapped[str] = mapped_column(Text)
    # The glossary version the preview was computed against; applying needs it unchanged.
    base_version: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = person(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class QaDismissal(Base):
    """A QA warning someone judged harmless, for one text of a segment; never changed.

    Reopening the warning deletes the row; the change log keeps both the dismissal and
    the reopening, with the reason.
    """

    __tablename__ = "qa_dismissal"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = owned_by("segment", index=True)
    code: Mapped[str] = mapped_column(String(32))
    # Which warning of that code: the glossary entry's key, or "" for text checks.
    key: Mapped[str] = mapped_column(String(255), default="")
    # Hash of the source and target it was dismissed for: new text, new judgement.
    digest: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = person()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    api_fields = ("id", "code", "key", "reason", "author", "created_at")


class GlossaryProposal(Base):
    """A glossary entry someone without the admin role proposed; an admin accepts or declines it.

    Only its status and the decision are ever filled in later; the change log records the
    proposal and the decision with their authors.
    """

    __tablename__ = "glossary_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The proposed entry as Entry.to_dict() gives it.
    entry_json: Mapped[str] = mapped_column(Text)
    # Where it came from: the word looked up and the dictionary sense, for the admin.
    origin: Mapped[str] = mapped_column(Text, default="")
    document_id: Mapped[int | None] = owned_by("document", nullable=True, index=True)
    # "open", "accepted" or "declined"
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    proposed_by: Mapped[str] = person()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by: Mapped[str | None] = person(nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    api_fields = ("id", "entry", "origin", "document_id", "status", "proposed_by",
                  "created_at", "decided_by", "decided_at", "reason")

    @property
    def entry(self) -> dict:
        """Return the proposed entry's data."""
        return json.loads(self.entry_json)
