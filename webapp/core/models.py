"""Database tables: documents, segments, their revisions, the change log and jobs."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from webapp.core.states import Action, Role, State


def utcnow() -> datetime:
    """Return the current time in UTC, without tzinfo so SQLite and PostgreSQL agree."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of every table."""


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
    created_by: Mapped[str] = mapped_column(String(80), default="")

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

    def to_dict(self) -> dict:
        """Return the JSON API representation."""
        return {
            "id": self.id,
            "name": self.name,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "mode": self.mode,
            "source_kind": self.source_kind,
            "created_at": self.created_at.isoformat() + "Z",
        }


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
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
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
    updated_by: Mapped[str] = mapped_column(String(80), default="")
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

    def to_dict(self) -> dict:
        """Return the JSON API representation."""
        return {
            "id": self.id,
            "document_id": self.document_id,
            "index": self.position,
            "paragraph": self.paragraph,
            "source": self.source,
            "target": self.target,
            "mt": self.mt,
            "state": self.state_enum.slug,
            "version": self.version,
            "updated_at": self.updated_at.isoformat() + "Z",
            "updated_by": self.updated_by,
        }


class Revision(Base):
    """A saved target text; rows are only ever added, never changed."""

    __tablename__ = "revision"
    __table_args__ = (UniqueConstraint("segment_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    replaced_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[int] = mapped_column(Integer)
    # "import", "mt", "edit", "restore", "split", "merge"
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Seconds from opening the segment to this save, for post-editing effort.
    seconds: Mapped[float | None] = mapped_column(nullable=True)
    # The author's role when saving, so review can tell the translator's pass from the editor's.
    role: Mapped[int | None] = mapped_column(Integer, nullable=True)

    segment: Mapped[Segment] = relationship(back_populates="revisions")

    def to_dict(self) -> dict:
        """Return the JSON API representation."""
        return {
            "id": self.id,
            "version": self.version,
            "replaced_version": self.replaced_version,
            "text": self.text,
            "state": State(self.state).slug,
            "kind": self.kind,
            "author": self.author,
            "created_at": self.created_at.isoformat() + "Z",
            "seconds": self.seconds,
            "role": self.role,
        }


class Change(Base):
    """An append-only log row: who did what to which document or segment, and when."""

    __tablename__ = "change"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True, nullable=True
    )
    segment_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    action: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    details_json: Mapped[str] = mapped_column(Text, default="{}")

    @property
    def details(self) -> dict:
        """Return the decoded details."""
        return json.loads(self.details_json or "{}")

    def to_dict(self) -> dict:
        """Return the JSON API representation."""
        return {
            "id": self.id,
            "segment_id": self.segment_id,
            "action": Action(self.action).name.lower(),
            "author": self.author,
            "created_at": self.created_at.isoformat() + "Z",
            "details": self.details,
        }


class Job(Base):
    """A background task (pre-translation, back-translation) and its progress."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # "queued", "running", "done", "failed"
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
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

    def to_dict(self) -> dict:
        """Return the JSON API representation."""
        return {
            "id": self.id,
            "kind": self.kind,
            "document_id": self.document_id,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "message": self.message,
        }


class Comment(Base):
    """A remark on a segment; a rejection always carries one. Never edited or deleted."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"),
                                            index=True)
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    # "comment" or "rejection"
    kind: Mapped[str] = mapped_column(String(16), default="comment")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_dict(self) -> dict:
        """Return the JSON API representation."""
        return {"id": self.id, "segment_id": self.segment_id, "author": self.author,
                "text": self.text, "kind": self.kind,
                "created_at": self.created_at.isoformat() + "Z"}


class Presence(Base):
    """A soft lock: who has a segment open, until the heartbeat stops."""

    __tablename__ = "presence"

    segment_id: Mapped[int] = mapped_column(ForeignKey("segment.id", ondelete="CASCADE"),
                                            primary_key=True)
    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class User(Base):
    """A person who works in the workbench, with one role."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_dict(self) -> dict:
        """Return the JSON API representation (never the password hash)."""

        return {"id": self.id, "username": self.username, "role": Role(self.role).slug,
                "active": self.active}


class ApiToken(Base):
    """A bearer token for scripts; only its hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    user: Mapped[User] = relationship()


class SegmentScore(Base):
    """Cached sentence BLEU, chrF and TER of a segment's MT draft against its target texts."""

    __tablename__ = "segment_score"

    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True
    )
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

    revision_id: Mapped[int] = mapped_column(
        ForeignKey("revision.id", ondelete="CASCADE"), primary_key=True
    )
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

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    figures_json: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    seconds: Mapped[float] = mapped_column(default=0.0)


class ReferenceText(Base):
    """An uploaded reference translation aligned with a document's segments; newest counts."""

    __tablename__ = "reference_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    # The segment ids it was aligned with: a later split or merge breaks the alignment.
    segment_ids_json: Mapped[str] = mapped_column(Text)
    texts_json: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(80), default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentFormat(Base):
    """Where an imported XLIFF document came from: its version and the file's language tags."""

    __tablename__ = "document_format"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    # "xliff12" or "xliff20"
    format: Mapped[str] = mapped_column(String(16))
    # The tags as the file wrote them ("de-DE"); the document keeps the language ("de").
    source_tag: Mapped[str] = mapped_column(String(35))
    target_tag: Mapped[str] = mapped_column(String(35))


class SegmentUnit(Base):
    """The XLIFF unit a segment was read from, so that an export writes it back the same."""

    __tablename__ = "segment_unit"

    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[str] = mapped_column(String(255))
    # The <file original="…"> it belongs to.
    file: Mapped[str] = mapped_column(String(255), default="")
    # translate="no": kept for the export, shown, never edited.
    translate: Mapped[bool] = mapped_column(default=True)


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
    author: Mapped[str] = mapped_column(String(80), default="")
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

    def to_dict(self) -> dict:
        """Return the JSON API representation."""
        return {
            "id": self.id,
            "source": self.source,
            "target": self.target,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "origin": self.origin,
            "author": self.author,
            "created_at": self.created_at.isoformat() + "Z",
            "changed_at": self.changed_at.isoformat() + "Z",
            "document_id": self.document_id,
        }


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
    updated_by: Mapped[str] = mapped_column(String(80), default="")

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
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class QaDismissal(Base):
    """A QA warning someone judged harmless, for one text of a segment; never changed.

    Reopening the warning deletes the row; the change log keeps both the dismissal and
    the reopening, with the reason.
    """

    __tablename__ = "qa_dismissal"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segment.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    # Which warning of that code: the glossary entry's key, or "" for text checks.
    key: Mapped[str] = mapped_column(String(255), default="")
    # Hash of the source and target it was dismissed for: new text, new judgement.
    digest: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def to_dict(self) -> dict:
        """Return the JSON API representation."""
        return {"id": self.id, "code": self.code, "key": self.key, "reason": self.reason,
                "author": self.author, "created_at": self.created_at.isoformat() + "Z"}
