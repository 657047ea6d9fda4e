"""Documents and their segments, revisions, change log, comments, presence and jobs."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.models.base import Base, MessageText, owned_by, person, utcnow
from webapp.core.states import Action, State


class Document(Base):
    """An imported text, its language pair and how its columns are filled."""

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    source_lang: Mapped[str] = mapped_column(String(16))
    target_lang: Mapped[str] = mapped_column(String(16))
    # "translate": the file is the source; "review": the file is an MT to correct.
    mode: Mapped[str] = mapped_column(String(16), default="translate")
    # What the source column holds in review mode: "none", "back_translation" or "original".
    source_kind: Mapped[str] = mapped_column(String(32), default="original")
    # Whitespace before the first segment, so an export gives back the layout exactly.
    leading: Mapped[str] = mapped_column(Text, default="")
    encoding: Mapped[str] = mapped_column(String(32), default="utf-8")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = person(default="")
    # Who works on it, assigned by an editor from the accounts (user names, as elsewhere).
    translator: Mapped[str | None] = person(nullable=True)
    editor: Mapped[str | None] = person(nullable=True)
    due_date: Mapped[date | None] = mapped_column(nullable=True)
    # Archived documents leave the dashboard's default view; only they may be deleted.
    archived_at: Mapped[datetime | None] = mapped_column(nullable=True)
    archived_by: Mapped[str | None] = person(nullable=True)

    segments: Mapped[list[Segment]] = relationship(
        back_populates="document", order_by="Segment.position", cascade="all, delete-orphan"
    )

    @property
    def url(self) -> str:
        """Return the editor's path for this document."""
        return f"/documents/{self.id}"

    @property
    def file_lang(self) -> str:
        """Return the language of the imported file itself."""
        return self.target_lang if self.mode == "review" else self.source_lang

    api_fields = ("id", "name", "source_lang", "target_lang", "mode", "source_kind", "created_at")


class Segment(Base):
    """One sentence (or heading) of a document with its current target."""

    __tablename__ = "segment"
    __table_args__ = (
        Index("ix_segment_doc_pos", "document_id", "position"),
        # Covers the progress bar's counts and words by state, and finds the next segment in
        # a state ("next untranslated") and a state filter's page, without reading the rows
        # of a long document.
        Index("ix_segment_doc_state", "document_id", "state", "position", "words"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = owned_by("document")
    position: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(Text, default="")
    # The machine translation the target started from (the imported text in review mode).
    mt: Mapped[str] = mapped_column(Text, default="")
    # The exact whitespace after this segment, up to the next one.
    trailing: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[int] = mapped_column(Integer, default=int(State.NEW), index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    # Words of the text that came from the file, for progress and effort figures.
    words: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = person(default="")
    # The inline codes that the placeholders U+E000+i in source and target stand for
    # (webapp.interchange); None for segments that came from plain text.
    codes_json: Mapped[str | None] = mapped_column(Text, nullable=True)

    document: Mapped[Document] = relationship(back_populates="segments")
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="segment", order_by="Revision.version", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> int:
        """Return the 1-based number a person sees."""
        return self.position + 1

    @property
    def state_enum(self) -> State:
        """Return the state as the ordered enum."""
        return State(self.state)

    @property
    def url(self) -> str:
        """Return the path of this segment's row fragment."""
        return f"/segments/{self.id}"

    api_fields = ("id", "document_id", "index=position", "paragraph", "source", "target", "mt",
                  "state", "version", "updated_at", "updated_by")
    api_codes = {"state": State}


class Revision(Base):
    """A saved target text; rows are only ever added, never changed."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("segment_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = owned_by("segment", index=True)
    version: Mapped[int] = mapped_column(Integer)
    replaced_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[int] = mapped_column(Integer)
    # "import", "mt", "edit", "restore", "split", "merge"
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = person(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Seconds from opening the segment to this save, for post-editing effort.
    seconds: Mapped[float | None] = mapped_column(nullable=True)
    # The author's role when saving, so review can tell the translator's pass from the editor's.
    role: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # The search-and-replace (ReplaceBatch) that wrote this revision ("replace") or undid it.
    batch_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    segment: Mapped[Segment] = relationship(back_populates="revisions")

    api_fields = ("id", "version", "replaced_version", "text", "state", "kind", "author",
                  "created_at", "seconds", "role", "batch_id")
    api_codes = {"state": State}


class Change(Base):
    """An append-only log row: who did what to which document or segment, and when."""

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int | None] = owned_by("document", index=True, nullable=True)
    segment_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    action: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = person(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    details_json: Mapped[str] = mapped_column(Text, default="{}")

    @property
    def details(self) -> dict:
        """Return the decoded details."""
        return json.loads(self.details_json or "{}")

    api_fields = ("id", "segment_id", "action", "author", "created_at", "details")
    api_codes = {"action": Action}


class ReplaceBatch(Base):
    """One search and replace over a document's targets, undone as one; never deleted."""

    __tablename__ = "replace_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = owned_by("document", index=True)
    author: Mapped[str] = person()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The query as typed (a regex between slashes) and its toggles, "case" and "word".
    find: Mapped[str] = mapped_column(Text)
    options: Mapped[str] = mapped_column(String(32), default="")
    replacement: Mapped[str] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None] = mapped_column(nullable=True)
    undone_by: Mapped[str | None] = person(nullable=True)

    api_fields = ("id", "document_id", "author", "created_at", "find", "options", "replacement",
                  "segments", "undone_at", "undone_by")


class Job(Base):
    """A background task (pre-translation, back-translation) and its progress."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[int | None] = owned_by("document", nullable=True, index=True)
    # "queued", "running", "done", "failed"
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # A Message (core.messages) is kept by id, so the progress line shows in each reader's
    # language and the API's in English.
    message: Mapped[str] = mapped_column(MessageText, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def percent(self) -> int:
        """Return progress as a whole percentage."""
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        """Return whether the job has stopped, well or badly."""
        return self.status in ("done", "failed")

    api_fields = ("id", "kind", "document_id", "status", "done", "total", "percent", "message")


class Comment(Base):
    """A remark on a segment; a rejection always carries one. Never edited or deleted."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = owned_by("segment", index=True)
    author: Mapped[str] = person()
    text: Mapped[str] = mapped_column(Text)
    # "comment" or "rejection"
    kind: Mapped[str] = mapped_column(String(16), default="comment")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    api_fields = ("id", "segment_id", "author", "text", "kind", "created_at")


class Presence(Base):
    """A soft lock: who has a segment open, until the heartbeat stops."""

    __tablename__ = "presence"

    segment_id: Mapped[int] = owned_by("segment", primary_key=True)
    username: Mapped[str] = person(primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
