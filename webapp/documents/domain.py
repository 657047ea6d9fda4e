"""Documents and segments: import, save with version check, split, merge, export."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import (
    Float,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    event,
    func,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.core.changelog import log
from webapp.core.models import Change, Comment, Document, Revision, Segment, utcnow
from webapp.core.states import Action, State
from webapp.documents import segmentation, textio
from webapp.interchange import codes
from webapp.interchange.formats.inline import strip_codes

MODES = ("translate", "review")


# Saves write with Core statements, which the ORM's flush events never see, so they note
# here, per session, which segments they changed: {segment id: (state before, state after)}.
# Commit hooks (the memory's, the scores') read it in before_commit; it is gone afterwards.
SAVED = "documents.saved"


@event.listens_for(Session, "after_commit")
def _forget_saved(session: Session) -> None:
    session.info.pop(SAVED, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_unsaved(session: Session, _previous) -> None:
    session.info.pop(SAVED, None)


class ConflictError(Exception):
    """A save was based on a version that is no longer current; nothing was written."""

    def __init__(self, segment: Segment, attempted: str):
        super().__init__(
            f"Segment {segment.number} was changed meanwhile (now version {segment.version})."
        )
        self.segment = segment
        self.attempted = attempted


class DocumentError(ValueError):
    """A request about a document that cannot be carried out, said for a person."""


def _add_revision(
    db: Session, seg: Segment, kind: str, author: str, seconds: float | None = None,
    replaced: int | None = None, role: int | None = None,
) -> Revision:
    """Store the segment's current target as a new revision."""
    rev = Revision(
        segment=seg,
        version=seg.version,
        replaced_version=replaced,
        text=seg.target,
        state=seg.state,
        kind=kind,
        author=author,
        seconds=seconds,
        role=role,
    )
    db.add(rev)
    return rev


def check_langs(source_lang: str, target_lang: str, mode: str) -> tuple[str, str, str]:
    """Return normalised language codes and mode, or raise DocumentError."""
    src, tgt = (source_lang or "").strip().lower(), (target_lang or "").strip().lower()
    for code in (src, tgt):
        if not (2 <= len(code) <= 8 and code.replace("-", "").isalpha()):
            raise DocumentError(f"{code!r} is not a language code such as 'de' or 'en'.")
    if src == tgt:
        raise DocumentError("Source and target language are the same.")
    if mode not in MODES:
        raise DocumentError(f"Mode must be one of {', '.join(MODES)}, not {mode!r}.")
    return src, tgt, mode


def import_text(
    db: Session,
    data: bytes,
    name: str,
    source_lang: str,
    target_lang: str,
    mode: str,
    max_bytes: int,
    author: str = "",
) -> Document:
    """Decode, segment and store a plain-text file; nothing is stored if it is refused."""
    src, tgt, mode = check_langs(source_lang, target_lang, mode)
    decoded = textio.decode_text(data, max_bytes)
    file_lang = tgt if mode == "review" else src
    leading, spans = segmentation.split_text(decoded.text, file_lang)
    if not spans:
        raise textio.TextImportError("The file holds no text to translate.")
    doc = Document(
        name=_clean_name(name),
        source_lang=src,
        target_lang=tgt,
        mode=mode,
        source_kind="none" if mode == "review" else "original",
        leading=leading,
        encoding=decoded.encoding,
        created_by=author,
    )
    db.add(doc)
    db.flush()
    now = utcnow()
    rows = []
    for i, span in enumerate(spans):
        if mode == "review":
            # The imported text is the MT to correct: it is the draft and the baseline.
            rows.append(dict(
                document_id=doc.id, position=i, paragraph=span.paragraph, source="",
                target=span.text, mt=span.text, trailing=span.trailing,
                state=int(State.MT), version=1, updated_at=now, updated_by=author,
                words=count_words(span.text),
            ))
        else:
            rows.append(dict(
                document_id=doc.id, position=i, paragraph=span.paragraph, source=span.text,
                target="", mt="", trailing=span.trailing, state=int(State.NEW), version=0,
                updated_at=now, updated_by=author, words=count_words(span.text),
            ))
    # Bulk insert: a 10,000-segment file must not cost 10,000 ORM flushes.
    db.execute(Segment.__table__.insert(), rows)
    if mode == "review":
        ids = db.scalars(
            select(Segment.id).where(Segment.document_id == doc.id).order_by(Segment.position)
        ).all()
        db.execute(Revision.__table__.insert(), [
            dict(segment_id=sid, version=1, replaced_version=None, text=r["target"],
                 state=int(State.MT), kind="import", author=author, created_at=now)
            for sid, r in zip(ids, rows, strict=True)
        ])
    log(db, Action.IMPORT, author, doc.id, name=doc.name, segments=len(spans),
        encoding=decoded.encoding, mode=mode)
    db.commit()
    return doc


WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def count_words(text: str) -> int:
    """Return the number of words, a hyphenated compound counting once."""
    return len(WORD.findall(text))


def _clean_name(name: str) -> str:
    """Return a display name from an uploaded file name, without any directory part."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return (base or "untitled.txt")[:255]


def get_document(db: Session, doc_id: int) -> Document | None:
    """Return the document, or None."""
    return db.get(Document, doc_id)


def list_documents(db: Session) -> list[Document]:
    """Return every document, newest first."""
    return list(db.scalars(select(Document).order_by(Document.id.desc())))


def count_segments(db: Session, doc_id: int) -> int:
    """Return how many segments the document has."""
    return db.scalar(select(func.count()).where(Segment.document_id == doc_id)) or 0


@dataclass
class SegmentFilter:
    """What the segment list is narrowed to."""

    states: Sequence[State] = ()
    query: str = ""
    # "both", "source" or "target"
    field: str = "both"
    regex: bool = False
    author: str = ""
    has_comment: bool = False
    # Restrict to these segment ids (e.g. those with QA warnings), when set.
    ids: Sequence[int] | None = None

    def check(self) -> None:
        """Refuse a regular expression that does not compile, naming the error."""
        if self.regex and self.query:
            try:
                re.compile(self.query)
            except re.error as exc:
                raise DocumentError(f"The regular expression is not valid: {exc}.") from None
        if self.field not in ("both", "source", "target"):
            raise DocumentError("Search in source, target or both.")

    def apply(self, stmt):
        """Return the statement narrowed by this filter."""
        if self.states:
            stmt = stmt.where(Segment.state.in_([int(s) for s in self.states]))
        if self.query:
            cols = {"both": (Segment.source, Segment.target), "source": (Segment.source,),
                    "target": (Segment.target,)}[self.field]
            if self.regex:
                conds = [c.regexp_match(self.query) for c in cols]
            else:
                like = f"%{_escape_like(self.query)}%"
                conds = [c.ilike(like, escape="\\") for c in cols]
            stmt = stmt.where(or_(*conds))
        if self.author:
            stmt = stmt.where(Segment.updated_by == self.author)
        if self.has_comment:
            stmt = stmt.where(Segment.id.in_(select(Comment.segment_id)))
        if self.ids is not None:
            stmt = stmt.where(Segment.id.in_(list(self.ids)))
        return stmt


def _escape_like(text: str) -> str:
    """Escape LIKE wildcards so a search for '50%' finds '50%'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def page_segments(
    db: Session, doc_id: int, offset: int = 0, limit: int = 100,
    flt: SegmentFilter | None = None, with_total: bool = True,
) -> tuple[list[Segment], int]:
    """Return one page of segments in order, and how many match in all (-1: not asked)."""
    if flt is not None and flt.ids is not None:
        return _page_of_ids(db, doc_id, offset, limit, flt, with_total)
    base = select(Segment).where(Segment.document_id == doc_id)
    count = select(func.count()).select_from(Segment).where(Segment.document_id == doc_id)
    # Whatever the filter's fields, it narrows the list exactly when it adds a condition.
    narrowed = flt is not None and flt.apply(select(Segment.id)).whereclause is not None
    if narrowed:
        flt.check()
        base, count = flt.apply(base), flt.apply(count)
        base = base.order_by(Segment.position).offset(max(offset, 0))
    else:
        # Positions run 0..n-1 without gaps, so a page is a range of them: an index seek,
        # where OFFSET would step over every row before it (thousands, deep in a book).
        base = base.where(Segment.position >= max(offset, 0)).order_by(Segment.position)
    rows = db.scalars(base.limit(limit)).all()
    if not with_total:
        return list(rows), -1
    if not narrowed:
        # Without gaps, the last position says how many there are: one index seek, where
        # COUNT(*) reads every entry of the document.
        last = db.scalar(select(func.max(Segment.position)).where(Segment.document_id == doc_id))
        return list(rows), 0 if last is None else last + 1
    return list(rows), db.scalar(count) or 0


def _page_of_ids(db: Session, doc_id: int, offset: int, limit: int, flt: SegmentFilter,
                 with_total: bool) -> tuple[list[Segment], int]:
    """Return a page of the segments among flt.ids that match the rest of the filter."""
    # The ids can be thousands (every segment with a QA warning): sent as an IN list twice
    # per page they cost more than ordering the document's ids here and slicing.
    flt.check()
    wanted = set(flt.ids)
    rest = replace(flt, ids=None)
    ordered = [i for i in db.scalars(rest.apply(select(Segment.id).where(
        Segment.document_id == doc_id)).order_by(Segment.position)) if i in wanted]
    page = ordered[max(offset, 0):max(offset, 0) + limit]
    rows = db.scalars(select(Segment).where(Segment.id.in_(page))
                      .order_by(Segment.position)).all() if page else []
    return list(rows), len(ordered) if with_total else -1


def state_counts(db: Session, doc_id: int) -> dict[State, int]:
    """Return how many segments are in each state."""
    return {s: n for s, (n, _w) in progress(db, doc_id).items()}


def progress(db: Session, doc_id: int) -> dict[State, tuple[int, int]]:
    """Return (segments, words) in each state."""
    rows = db.execute(
        select(Segment.state, func.count(), func.coalesce(func.sum(Segment.words), 0))
        .where(Segment.document_id == doc_id).group_by(Segment.state)
    ).all()
    out = {s: (0, 0) for s in State}
    for state, n, words in rows:
        out[State(state)] = (n, int(words))
    return out


def neighbour(db: Session, seg: Segment, step: int) -> Segment | None:
    """Return the segment `step` positions after (or before) this one."""
    return db.scalar(
        select(Segment).where(
            Segment.document_id == seg.document_id, Segment.position == seg.position + step
        )
    )


def next_matching(db: Session, doc_id: int, after: int, states: Sequence[State]) -> Segment | None:
    """Return the first segment after position `after` in one of `states`, wrapping around."""
    def first(*where) -> int | None:
        # One MIN per state is one seek in the (document, state, position) index, however
        # many segments lie before the match; ORDER BY position would walk them all.
        per_state = union_all(*(
            select(func.min(Segment.position).label("p")).where(
                Segment.document_id == doc_id, Segment.state == int(s), *where)
            for s in states
        )).subquery()
        return db.scalar(select(func.min(per_state.c.p)))

    position = first(Segment.position > after)
    if position is None:
        position = first(Segment.position <= after)
    if position is None:
        return None
    return db.scalar(select(Segment).where(Segment.document_id == doc_id,
                                           Segment.position == position))


_SEGMENT = Segment.__table__
# The version check and the write happen in one UPDATE, so two concurrent saves based on the
# same version cannot both succeed, whatever the database. It checks the state the caller
# decided on too: a review that approved the segment meanwhile is a change as well.
_SAVE = (
    _SEGMENT.update()
    .where(_SEGMENT.c.id == bindparam("seg_id"), _SEGMENT.c.version == bindparam("base_version"),
           _SEGMENT.c.state == bindparam("before"))
    .values(target=bindparam("new_target"), version=bindparam("new_version"),
            state=bindparam("new_state"), updated_at=bindparam("now"),
            updated_by=bindparam("author"))
)
_INSERT_REVISION = Revision.__table__.insert()
_INSERT_CHANGE = Change.__table__.insert()


def _save_in_one_statement():
    """Return the save as one statement (PostgreSQL): the UPDATE feeds both INSERTs."""
    rev, chg = Revision.__table__, Change.__table__
    saved = _SAVE.returning(_SEGMENT.c.id, _SEGMENT.c.document_id, _SEGMENT.c.version,
                            _SEGMENT.c.target, _SEGMENT.c.state, _SEGMENT.c.updated_at,
                            _SEGMENT.c.updated_by).cte("saved")
    revision = rev.insert().from_select(
        ["segment_id", "version", "replaced_version", "text", "state", "kind", "author",
         "created_at", "seconds", "role"],
        select(saved.c.id, saved.c.version, cast(bindparam("base_version"), Integer),
               saved.c.target, saved.c.state, cast(bindparam("kind"), String),
               saved.c.updated_by, saved.c.updated_at, cast(bindparam("seconds"), Float),
               cast(bindparam("role"), Integer)),
    ).cte("revision_added")
    return chg.insert().from_select(
        ["document_id", "segment_id", "action", "author", "created_at", "details_json"],
        select(saved.c.document_id, saved.c.id, cast(bindparam("action"), Integer),
               saved.c.updated_by, saved.c.updated_at, cast(bindparam("details_json"), Text)),
    ).add_cte(revision).returning(chg.c.id)


_SAVE_ONE_STATEMENT = _save_in_one_statement()


def save_target(
    db: Session,
    seg: Segment,
    text: str,
    base_version: int,
    author: str,
    state: State = State.TRANSLATED,
    seconds: float | None = None,
    max_chars: int = 20000,
    role: int | None = None,
) -> Segment:
    """Store a new target as a revision, or raise ConflictError if the segment moved on."""
    text = normalise_segment_text(text, max_chars)
    if seg.codes_json:
        # The edit box spells inline codes as ⟨1⟩ tokens; the segment stores placeholders.
        try:
            text = codes.from_tokens(text, codes.of(seg), seg.source)
        except codes.TagError as exc:
            raise DocumentError(str(exc)) from None
    if not 0 <= base_version < 2**31 - 1:
        # No segment has this version, and the database's integer column could not hold it.
        db.refresh(seg)
        raise ConflictError(seg, text)
    before, now, version = seg.state, utcnow(), base_version + 1
    # Core statements built once, on the session's connection: a save is the hottest write.
    conn = db.connection()
    params = {
        "seg_id": seg.id, "base_version": base_version, "before": before, "new_target": text,
        "new_version": version, "new_state": int(state), "now": now, "author": author,
        "kind": "edit", "seconds": seconds, "role": role, "action": int(Action.EDIT),
        "details_json": json.dumps({"version": version, "state": State(state).slug},
                                   ensure_ascii=False),
    }
    if conn.dialect.name == "postgresql":
        # One round trip instead of three: PostgreSQL runs the INSERTs on what the UPDATE
        # returns, so they write nothing when the version check fails.
        saved = conn.execute(_SAVE_ONE_STATEMENT, params).first() is not None
    else:
        saved = conn.execute(_SAVE, params).rowcount == 1
        if saved:
            conn.execute(_INSERT_REVISION, {
                "segment_id": seg.id, "version": version, "replaced_version": base_version,
                "text": text, "state": int(state), "kind": "edit", "author": author,
                "created_at": now, "seconds": seconds, "role": role,
            })
            conn.execute(_INSERT_CHANGE, {
                "document_id": seg.document_id, "segment_id": seg.id,
                "action": int(Action.EDIT), "author": author, "created_at": now,
                "details_json": params["details_json"],
            })
    if not saved:
        db.rollback()
        db.refresh(seg)
        raise ConflictError(seg, text)
    # The object shows what was written without another SELECT, and is not dirty.
    for name, value in (("target", text), ("version", version), ("state", int(state)),
                        ("updated_at", now), ("updated_by", author)):
        set_committed_value(seg, name, value)
    db.expire(seg, ["revisions"])
    db.info.setdefault(SAVED, {})[seg.id] = (State(before), State(state))
    db.commit()
    return seg


def normalise_segment_text(text: str, max_chars: int) -> str:
    """Return the target as stored: LF line ends, no outer whitespace; refuse huge input."""
    if text is None:
        raise DocumentError("The target text is missing.")
    if not isinstance(text, str):
        raise DocumentError("The target text must be a string.")
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > max_chars:
        raise DocumentError(
            f"The target is {len(text):,} characters long; a segment holds at most {max_chars:,}."
        )
    if "\x00" in text:
        raise DocumentError("The target contains a NUL character.")
    return text


def history(db: Session, seg: Segment) -> tuple[list[Revision], list[Change]]:
    """Return the segment's revisions (newest first) and its change-log rows."""
    revs = db.scalars(
        select(Revision).where(Revision.segment_id == seg.id).order_by(Revision.version.desc())
    ).all()
    changes = db.scalars(
        select(Change).where(Change.segment_id == seg.id).order_by(Change.id.desc())
    ).all()
    return list(revs), list(changes)


def _shift_positions(db: Session, doc_id: int, after: int, delta: int) -> None:
    """Move every segment after position `after` by `delta`."""
    db.execute(
        update(Segment)
        .where(Segment.document_id == doc_id, Segment.position > after)
        .values(position=Segment.position + delta)
    )


def split_segment(db: Session, seg: Segment, offset: int, author: str) -> tuple[Segment, Segment]:
    """Split a segment's file-side text at a character offset into two segments."""
    doc = seg.document
    # Split the text that came from the file: the source in translate mode, the MT in review.
    field = "mt" if doc.mode == "review" else "source"
    span = segmentation.Span(getattr(seg, field), seg.trailing, seg.paragraph)
    try:
        first, second = segmentation.split_span(span, offset)
    except ValueError as exc:
        raise DocumentError(str(exc)) from None
    _shift_positions(db, seg.document_id, seg.position, 1)
    new = Segment(
        document_id=seg.document_id, position=seg.position + 1, paragraph=seg.paragraph,
        trailing=second.trailing, updated_by=author, codes_json=seg.codes_json,
    )
    seg.trailing = first.trailing
    if doc.mode == "review":
        seg.mt, new.mt = first.text, second.text
        # An unedited draft splits with its text; an edited one keeps its target on the
        # first part so that nothing typed is lost, and the second starts from its MT.
        if seg.target == span.text:
            seg.target, new.target = first.text, second.text
        else:
            new.target = second.text
        new.state, new.version = int(State.MT), 1
    else:
        seg.source, new.source = first.text, second.text
        new.state, new.version = int(State.NEW), 0
    seg.words, new.words = count_words(first.text), count_words(second.text)
    seg.version += 1
    db.add(new)
    db.flush()
    _add_revision(db, seg, "split", author, replaced=seg.version - 1)
    if new.version:
        _add_revision(db, new, "split", author)
    log(db, Action.SPLIT, author, seg.document_id, seg.id, offset=offset, new_segment=new.id)
    db.commit()
    return seg, new


def merge_segments(db: Session, seg: Segment, author: str) -> Segment:
    """Merge a segment with the one after it in the same document."""
    nxt = neighbour(db, seg, 1)
    if nxt is None:
        raise DocumentError("The last segment has nothing after it to merge with.")
    joiner = seg.trailing if seg.trailing.strip("\n") == seg.trailing else " "
    if seg.codes_json or nxt.codes_json:
        # The next segment's tags are renumbered to follow this one's in the merged list.
        seg.codes_json, shift = codes.merge(seg, nxt)
        nxt.source, nxt.mt, nxt.target = shift(nxt.source), shift(nxt.mt), shift(nxt.target)
    seg.source = _join(seg.source, joiner, nxt.source)
    seg.mt = _join(seg.mt, joiner, nxt.mt)
    seg.target = _join(seg.target, joiner, nxt.target)
    seg.trailing = nxt.trailing
    seg.words += nxt.words
    seg.state = min(seg.state, nxt.state)
    seg.version += 1
    seg.updated_by = author
    seg.updated_at = utcnow()
    merged_id = nxt.id
    db.delete(nxt)
    db.flush()
    _shift_positions(db, seg.document_id, seg.position + 1, -1)
    _add_revision(db, seg, "merge", author, replaced=seg.version - 1)
    log(db, Action.MERGE, author, seg.document_id, seg.id, merged_segment=merged_id)
    db.commit()
    return seg


def _join(a: str, joiner: str, b: str) -> str:
    """Join two texts with the whitespace that stood between them, skipping empty sides."""
    if a and b:
        return a + joiner + b
    return a or b


def restore_revision(db: Session, seg: Segment, version: int, author: str,
                     role: int | None = None) -> Segment:
    """Make an earlier revision's text current again, as a new revision."""
    rev = db.scalar(
        select(Revision).where(Revision.segment_id == seg.id, Revision.version == version)
    )
    if rev is None:
        raise DocumentError(f"Segment {seg.number} has no revision {version}.")
    seg.target = rev.text
    seg.version += 1
    seg.state = int(State.TRANSLATED) if rev.text else int(State.NEW)
    seg.updated_by, seg.updated_at = author, utcnow()
    _add_revision(db, seg, "restore", author, replaced=seg.version - 1, role=role)
    log(db, Action.RESTORE, author, seg.document_id, seg.id, restored=version,
        version=seg.version)
    db.commit()
    return seg


@dataclass
class Export:
    """A document's corrected text and what it had to fill in."""

    text: str
    untranslated: int
    filename: str


def export_text(db: Session, doc: Document) -> Export:
    """Return the corrected text in the original paragraph layout."""
    parts = [doc.leading]
    untranslated = 0
    for target, source, trailing in db.execute(
        select(Segment.target, Segment.source, Segment.trailing)
        .where(Segment.document_id == doc.id).order_by(Segment.position)
    ):
        if not target:
            untranslated += 1
            target = source
        parts.append(target)
        parts.append(trailing)
    stem = doc.name.rsplit(".", 1)[0]
    for suffix in (f".{doc.source_lang}", f".{doc.target_lang}"):
        stem = stem.removesuffix(suffix)
    # Inline codes of an XLIFF document have no place in plain text.
    text = strip_codes("".join(parts))
    return Export(text, untranslated, f"{stem}.{doc.target_lang}.txt")


def file_side_texts(db: Session, doc: Document) -> list[tuple[int, str]]:
    """Return (segment id, text from the imported file) in order, for MT input."""
    col = Segment.mt if doc.mode == "review" else Segment.source
    # An engine would garble an inline-code placeholder; the drafts come without tags and
    # tag QA asks the translator to place them.
    return [(i, strip_codes(text)) for i, text in db.execute(
        select(Segment.id, col).where(Segment.document_id == doc.id).order_by(Segment.position)
    )]


def store_machine_translations(
    db: Session, doc: Document, outputs: Sequence[tuple[int, str]], author: str
) -> int:
    """Store engine output: MT drafts in translate mode, back-translations in review mode."""
    stored = 0
    if doc.mode == "review":
        for seg_id, text in outputs:
            db.execute(update(Segment).where(Segment.id == seg_id).values(source=text))
            stored += 1
        doc.source_kind = "back_translation"
        log(db, Action.BACK_TRANSLATION, author, doc.id, segments=stored)
        db.commit()
        return stored
    segs = {
        s.id: s for s in db.scalars(
            select(Segment).where(Segment.id.in_([i for i, _ in outputs]))
        )
    }
    for seg_id, text in outputs:
        seg = segs.get(seg_id)
        # Only fill segments nobody has worked on; a retried job must not add duplicates.
        if seg is None or seg.state != State.NEW or not text:
            continue
        seg.mt = seg.target = text
        seg.state = int(State.MT)
        seg.version += 1
        seg.updated_by, seg.updated_at = author, utcnow()
        _add_revision(db, seg, "mt", author, replaced=seg.version - 1)
        stored += 1
    log(db, Action.MT, author, doc.id, segments=stored)
    db.commit()
    return stored


def set_source_from_original(db: Session, doc: Document, data: bytes, max_bytes: int,
                             author: str) -> int:
    """Align an uploaded original to a review document's segments, one for one."""
    decoded = textio.decode_text(data, max_bytes)
    _, spans = segmentation.split_text(decoded.text, doc.source_lang)
    segs = db.scalars(
        select(Segment).where(Segment.document_id == doc.id).order_by(Segment.position)
    ).all()
    if len(spans) != len(segs):
        raise DocumentError(
            f"The original has {len(spans)} segments; the document has {len(segs)}. "
            "Split or merge segments until they line up, or upload an aligned original."
        )
    for seg, span in zip(segs, spans, strict=True):
        seg.source = span.text
    doc.source_kind = "original"
    log(db, Action.ALIGN_SOURCE, author, doc.id, segments=len(segs))
    db.commit()
    return len(segs)


ProgressFn = Callable[[int, int], None]
