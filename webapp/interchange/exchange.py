"""Documents in and out of XLIFF 1.2/2.0 and TMX: import as segments, export with codes (no Flask)."""

# An XLIFF unit becomes one segment: its source and target (inline codes as placeholders, the
# codes in ``Segment.codes_json``), its state (new, mt, translated, approved map to the states
# of the same name), its notes as comments of kind ``note``, and its id, file and
# ``translate`` flag in a ``SegmentUnit`` row. A unit marked ``translate="no"`` is kept so the
# export gives it back, but it is locked: review.workflow.check_may_edit refuses every change to it.
# The file's own language tags ("de-DE") are kept for the export; the document has the
# language ("de"), which is what MT and the glossary work with.

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, object_session

from webapp.core.changelog import log
from webapp.core.messages import _l
from webapp.core.models import Comment, Document, DocumentFormat, Revision, Segment, SegmentUnit, utcnow
from webapp.core.states import Action, State
from webapp.core.text import language_tag, primary_language
from webapp.documents import export, importing
from webapp.interchange import codes as tags
from webapp.interchange.formats import tmx, xliff, xliff_read, xliff_write
from webapp.interchange.formats.inline import strip_codes
from webapp.interchange.formats.safexml import FormatError
from webapp.tm import feed as tm_feed

XLIFF_SUFFIXES = (".xlf", ".xliff", ".sdlxliff", ".mqxliff", ".xlf2")
EXPORT_FORMATS = ("txt", "xliff12", "xliff20", "tmx")
MIMETYPES = {
    "txt": "text/plain; charset=utf-8",
    "xliff12": "application/xliff+xml",
    "xliff20": "application/xliff+xml",
    "tmx": "application/x-tmx+xml",
}

STATE_FROM_XLIFF = {
    "new": State.NEW,
    "mt": State.MT,
    "rejected": State.REJECTED,
    "translated": State.TRANSLATED,
    "approved": State.APPROVED,
}
# XLIFF has no "rejected": a rejected segment goes out as needing translation (1.2) or
# initial with a subState (2.0), its text kept and the rejection as a note.
XLIFF_FROM_STATE = {
    State.NEW: "new",
    State.MT: "mt",
    State.REJECTED: "rejected",
    State.TRANSLATED: "translated",
    State.APPROVED: "approved",
}
_SPACE = re.compile(r"\s*")
_ELEMENT_NAME = re.compile(r"<([\w:.-]+)")


def _root_name(text: str) -> str | None:
    """Return the first element's name after the XML declaration, comments and DOCTYPE."""
    # Walked with str.find, never one backtracking pattern: "<!---->" * 30 before a
    # missing root took a pattern 2**30 tries (minutes for one 210-byte upload).
    pos = _SPACE.match(text).end()
    if text.startswith("<?xml", pos):
        pos = text.find(">", pos)
        if pos < 0:
            return None
        pos = _SPACE.match(text, pos + 1).end()
    while True:
        if text.startswith("<!--", pos):
            pos = text.find("-->", pos + 4)
            if pos < 0:
                return None
            pos += 3
        elif text.startswith("<!DOCTYPE", pos):
            pos = text.find(">", pos)
            if pos < 0:
                return None
            pos += 1
        else:
            match = _ELEMENT_NAME.match(text, pos)
            return match.group(1) if match else None
        pos = _SPACE.match(text, pos).end()


class XliffRefused(importing.DocumentError):
    """An XLIFF file refused for what it holds (not for its size), saying what and where."""

    error_code = "xliff_refused"


def is_xliff(filename: str, data: bytes) -> bool:
    """Tell whether an upload is meant as XLIFF: by its extension, or by its root element."""
    if (filename or "").lower().endswith(XLIFF_SUFFIXES):
        return True
    head = data[:4096]
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                          (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(encoding, errors="ignore")
            break
    else:
        text = head.decode("latin-1")
    root = _root_name(text)
    return root is not None and root.rpartition(":")[2] == "xliff"


def import_document(
    db: Session, data: bytes, name: str, source_lang: str, target_lang: str, mode: str,
    max_bytes: int, author: str = "",
) -> Document:
    """Import an upload as XLIFF when it is one, else as plain text; nothing is stored if refused."""
    if is_xliff(name, data):
        return import_xliff(db, data, name, max_bytes, author, target_lang=target_lang)
    return importing.import_text(db, data, name, source_lang, target_lang, mode, max_bytes,
                                 author=author)


def _size(n: int):
    if n >= 1_048_576:
        mb = round(n / 1_048_576, 1)
        return _l("%(mb)s MB", mb=int(mb) if mb.is_integer() else mb)
    return _l("%(count)s bytes", count=n)


def document_langs(source_tag: str, target_tag: str) -> tuple[str, str]:
    """Return the document's languages for the file's tags: de-DE → de, unless that loses the pair."""
    src, tgt = primary_language(source_tag), primary_language(target_tag)
    if src == tgt:  # en-US → en-GB: the regions are the whole point
        src, tgt = source_tag.lower(), target_tag.lower()
    return src, tgt


def check_unit_lengths(units: list[xliff.Unit], limit: int) -> None:
    """Refuse a file with a unit whose source or target is longer than a segment may be,
    naming the unit (the plain-text import's check_segment_lengths names the line)."""
    for unit in units:
        for side, text in (("source", unit.source), ("target", unit.target or "")):
            if len(text) > limit:
                params = {"unit": repr(unit.id[:255]), "count": len(text), "most": limit}
                if side == "source":
                    raise XliffRefused(_l(
                        "Unit %(unit)s has a source of %(count)s characters; a segment holds at "
                        "most %(most)s. Split that unit in the tool that made the file and "
                        "import it again.", **params))
                raise XliffRefused(_l(
                    "Unit %(unit)s has a target of %(count)s characters; a segment holds at "
                    "most %(most)s. Split that unit in the tool that made the file and "
                    "import it again.", **params))


def import_xliff(
    db: Session, data: bytes, name: str, max_bytes: int, author: str = "",
    target_lang: str | None = None, max_segment_chars: int = importing.MAX_SEGMENT_CHARS,
) -> Document:
    """Store an XLIFF file's units as a translate-mode document, or raise DocumentError."""
    if len(data) > max_bytes:
        raise importing.DocumentError(
            _l("The XLIFF file is larger than the limit of %(size)s.", size=_size(max_bytes)))
    try:
        parsed = xliff_read.read_xliff(data, target_lang=(target_lang or "").strip() or None)
    except FormatError as exc:
        raise XliffRefused(_l("The XLIFF file cannot be imported: %(problem)s.",
                              problem=exc.args[0] if exc.args else str(exc))) from None
    check_unit_lengths(parsed.units, max_segment_chars)
    src, tgt = document_langs(parsed.source_lang, parsed.target_lang)
    src, tgt, _ = importing.check_langs(src, tgt, "translate")
    doc = Document(
        name=importing._clean_name(name), source_lang=src, target_lang=tgt, mode="translate",
        source_kind="original", leading="", encoding="utf-8", created_by=author,
    )
    db.add(doc)
    db.flush()
    fmt = "xliff20" if parsed.version.startswith("2") else "xliff12"
    db.add(DocumentFormat(document_id=doc.id, format=fmt,
                          source_tag=language_tag(parsed.source_lang),
                          target_tag=language_tag(parsed.target_lang)))
    now = utcnow()
    rows = []
    for position, unit in enumerate(parsed.units):
        target = unit.target or ""
        state = STATE_FROM_XLIFF.get(unit.state, State.NEW) if target else State.NEW
        rows.append(dict(
            document_id=doc.id, position=position, paragraph=position, source=unit.source,
            target=target, mt=target if state == State.MT else "", trailing="\n",
            state=int(state), version=1 if target else 0, updated_at=now, updated_by=author,
            words=importing.count_words(strip_codes(unit.source)),
            codes_json=tags.dumps(unit.codes),
        ))
    # Bulk inserts, as import_text does: a 10,000-unit file must not cost 10,000 flushes.
    db.execute(Segment.__table__.insert(), rows)
    ids = db.scalars(
        select(Segment.id).where(Segment.document_id == doc.id).order_by(Segment.position)
    ).all()
    db.execute(SegmentUnit.__table__.insert(), [
        dict(segment_id=sid, unit_id=unit.id[:255], file=(unit.file or "")[:255],
             translate=unit.translate)
        for sid, unit in zip(ids, parsed.units, strict=True)
    ])
    revisions = [
        dict(segment_id=sid, version=1, replaced_version=None, text=row["target"],
             state=row["state"], kind="import", author=author, created_at=now)
        for sid, row in zip(ids, rows, strict=True) if row["target"]
    ]
    if revisions:
        db.execute(Revision.__table__.insert(), revisions)
    notes = [
        dict(segment_id=sid, author="note", text=note, kind="note", created_at=now)
        for sid, unit in zip(ids, parsed.units, strict=True) for note in unit.notes
    ]
    if notes:
        db.execute(Comment.__table__.insert(), notes)
    # Units the file brings in approved are approved here too, so the memory learns them.
    tm_feed.feed_segments(db, [sid for sid, row in zip(ids, rows, strict=True)
                               if row["state"] == int(State.APPROVED)])
    log(db, Action.IMPORT, author, doc.id, name=doc.name, segments=len(rows),
                  format=fmt, notes=len(notes),
                  locked=sum(not u.translate for u in parsed.units))
    db.commit()
    return doc


# --- Export ----------------------------------------------------------------------------


@dataclass
class ExportFile:
    """An exported document: its bytes, a file name and a media type."""

    data: bytes
    filename: str
    mimetype: str
    untranslated: int = 0


def _stem(doc: Document) -> str:
    stem = doc.name
    for suffix in (".txt", *XLIFF_SUFFIXES):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    for suffix in (f".{doc.source_lang}", f".{doc.target_lang}"):
        stem = stem.removesuffix(suffix)
    return stem or "document"


def language_tags(db: Session, doc: Document) -> tuple[str, str]:
    """Return the language tags to write: the imported file's, else the document's."""
    fmt = db.get(DocumentFormat, doc.id)
    if fmt is not None:
        return fmt.source_tag, fmt.target_tag
    return doc.source_lang, doc.target_lang


def _comments_by_segment(db: Session, doc_id: int) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    rows = db.execute(
        select(Comment.segment_id, Comment.author, Comment.kind, Comment.text)
        .join(Segment, Segment.id == Comment.segment_id)
        .where(Segment.document_id == doc_id).order_by(Comment.id)
    )
    for seg_id, author, kind, text in rows:
        if kind == "note":
            out.setdefault(seg_id, []).append(text)
        elif kind == "rejection":
            out.setdefault(seg_id, []).append(f"{author} (rejected): {text}")
        else:
            out.setdefault(seg_id, []).append(f"{author}: {text}")
    return out


def xliff_document(db: Session, doc: Document) -> xliff.XliffDocument:
    """Return a document as XLIFF units: states mapped, comments as notes, codes kept."""
    source_tag, target_tag = language_tags(db, doc)
    notes = _comments_by_segment(db, doc.id)
    units: list[xliff.Unit] = []
    rows = db.execute(
        select(Segment, SegmentUnit)
        .outerjoin(SegmentUnit, SegmentUnit.segment_id == Segment.id)
        .where(Segment.document_id == doc.id).order_by(Segment.position)
    )
    taken: set[str] = set()
    for seg, unit in rows:
        unit_id = unit.unit_id if unit is not None else f"s{seg.position + 1}"
        while unit_id in taken:  # a split segment's second half has no unit of its own
            unit_id += "-split"
        taken.add(unit_id)
        # In review mode the file was the MT; its source column is the original, when aligned.
        units.append(xliff.Unit(
            id=unit_id,
            source=seg.source,
            source_note=source_note(doc, seg),
            target=seg.target or None,
            state=XLIFF_FROM_STATE[State(seg.state)] if seg.target else "new",
            notes=notes.get(seg.id, []),
            translate=unit.translate if unit is not None else True,
            file=(unit.file if unit is not None and unit.file else doc.name),
            codes=list(tags.of(seg)),
        ))
    return xliff.XliffDocument(source_tag, target_tag, units)


def source_note(doc: Document, seg: Segment) -> str:
    """Return what an exported unit's source is when it is not an original; "" when it is."""
    if doc.mode != "review":
        return ""
    if not seg.source:
        return (f"No {doc.source_lang} source: this {doc.target_lang} machine translation was "
                "reviewed without its original; the source is empty.")
    if doc.source_kind == "back_translation":
        return (f"The source is a machine back-translation of the {doc.target_lang} text "
                f"into {doc.source_lang}, not an original.")
    return ""


def approved_units(db: Session, doc: Document) -> list[tmx.TranslationUnit]:
    """Return a document's approved segments as translation units, for TMX."""
    source_tag, target_tag = language_tags(db, doc)
    out = []
    for seg in db.scalars(
        select(Segment).where(Segment.document_id == doc.id, Segment.state == int(State.APPROVED))
        .order_by(Segment.position)
    ):
        if not seg.source.strip() or not seg.target.strip():
            continue
        when = seg.updated_at.replace(tzinfo=UTC)
        out.append(tmx.TranslationUnit(
            source_lang=source_tag, target_lang=target_tag, source=seg.source,
            target=seg.target, props=[("x-origin", doc.name)], creation_date=when,
            creation_id=seg.updated_by or None, change_date=when,
            change_id=seg.updated_by or None, codes=list(tags.of(seg)),
        ))
    return out


def export_document(db: Session, doc: Document, fmt: str) -> ExportFile:
    """Export a document as txt, xliff12, xliff20 or tmx (its approved segments)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(_l("Unknown export format %(fmt)s; use format=%(formats)s.",
                            fmt=repr(fmt), formats=", ".join(EXPORT_FORMATS)))
    stem = _stem(doc)
    if fmt == "txt":
        exp = export.export_text(db, doc)
        # export_text has already dropped the inline codes, which plain text cannot hold.
        return ExportFile(exp.text.encode("utf-8"), exp.filename, MIMETYPES[fmt],
                          exp.untranslated)
    if fmt == "tmx":
        source_tag, target_tag = language_tags(db, doc)
        data = tmx.write_tmx(approved_units(db, doc), source_tag)
        return ExportFile(data, f"{stem}.{doc.source_lang}-{doc.target_lang}.tmx",
                          MIMETYPES[fmt])
    units = xliff_document(db, doc)
    untranslated = sum(1 for u in units.units if not u.target)
    if fmt == "xliff12":
        return ExportFile(xliff_write.write_xliff12(units), f"{stem}.{doc.target_lang}.xlf",
                          MIMETYPES[fmt], untranslated)
    return ExportFile(xliff_write.write_xliff20(units), f"{stem}.{doc.target_lang}.xliff2.xlf",
                      MIMETYPES[fmt], untranslated)


# --- Locked units ----------------------------------------------------------------------


def is_locked(seg: Segment) -> bool:
    """Tell whether a segment came from a translate="no" unit, which nobody may change."""
    db = object_session(seg)
    if db is None or seg.id is None:
        return False
    return db.scalar(
        select(SegmentUnit.translate).where(SegmentUnit.segment_id == seg.id)
    ) is False


_SEGMENT_AND_LOCK = (
    select(Segment, SegmentUnit.translate)
    .outerjoin(SegmentUnit, SegmentUnit.segment_id == Segment.id)
    .where(Segment.id == bindparam("seg_id"))
)


def segment_and_lock(db: Session, seg_id: int) -> tuple[Segment | None, bool]:
    """Return a segment (or None) and whether it is locked, with one query (saves ask)."""
    row = db.execute(_SEGMENT_AND_LOCK, {"seg_id": seg_id}).first()
    return (None, False) if row is None else (row[0], row[1] is False)


def locked_ids(db: Session, doc_id: int) -> set[int]:
    """Return the ids of a document's locked segments (usually none)."""
    return set(db.scalars(
        select(SegmentUnit.segment_id).join(Segment, Segment.id == SegmentUnit.segment_id)
        .where(Segment.document_id == doc_id, SegmentUnit.translate.is_(False))
    ))
