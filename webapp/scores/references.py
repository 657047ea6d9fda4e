"""Reference translations of a document: reading an upload, storing it, finding the newest."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core.messages import _l
from webapp.core.models import ReferenceText, Segment
from webapp.documents import textio
from webapp.interchange.formats import inline, xliff_read
from webapp.scores.metrics import ReferenceMismatchError

XLIFF_SUFFIXES = (".xlf", ".xliff", ".sdlxliff")


@dataclass
class Reference:
    """The newest uploaded reference of a document and whether it still lines up."""

    id: int
    name: str
    texts: list[str]
    uploaded_by: str
    uploaded_at: datetime
    aligned: bool


def parse_reference(text: str, expected_segments: int) -> list[str]:
    """Split a plain-text reference into one segment per line, or refuse a miscount."""
    text = text.removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text) if text else []
    # A final line break ends the last line rather than starting an empty segment.
    if lines and lines[-1] == "":
        lines.pop()
    # Editors often leave blank lines at the end of a file; forgive them, but never drop text.
    while len(lines) > expected_segments and lines[-1].strip() == "":
        lines.pop()
    if len(lines) != expected_segments:
        raise ReferenceMismatchError(found=len(lines), expected=expected_segments)
    return lines


def read_reference(name: str, data: bytes, expected: int, limit: int) -> list[str]:
    """Return an uploaded reference's segments: XLIFF targets, or one line of text each."""
    if name.lower().endswith(XLIFF_SUFFIXES):
        if len(data) > limit:
            raise textio.TextImportError(_l("The file is over the limit of %(limit)s bytes.",
                                            limit=limit))
        units = xliff_read.read_xliff(data).units
        lines = [inline.strip_codes(unit.target or "") for unit in units]
        if len(lines) != expected:
            raise ReferenceMismatchError(found=len(lines), expected=expected)
        return lines
    return parse_reference(textio.decode_text(data, limit).text, expected)


def segment_ids(db: Session, doc_id: int) -> list[int]:
    """Return the ids of a document's segments in order."""
    return list(db.scalars(select(Segment.id).where(Segment.document_id == doc_id)
                           .order_by(Segment.position)))


def latest_reference(db: Session, doc_id: int,
                     current: Sequence[int] | None = None) -> Reference | None:
    """Return the newest reference of a document, saying whether it lines up with it still.

    `current` is the document's segment ids in order, when the caller has them already."""
    row = db.scalar(select(ReferenceText).where(ReferenceText.document_id == doc_id)
                    .order_by(ReferenceText.id.desc()).limit(1))
    if row is None:
        return None
    if current is None:
        current = segment_ids(db, doc_id)
    return Reference(row.id, row.name, json.loads(row.texts_json), row.uploaded_by,
                     row.uploaded_at, aligned=json.loads(row.segment_ids_json) == list(current))


def store_reference_lines(db: Session, doc_id: int, name: str, lines: Sequence[str],
                          author: str, ids: Sequence[int] | None = None) -> Reference:
    """Store reference segments aligned with the document's, or raise ReferenceMismatchError."""
    if ids is None:
        ids = segment_ids(db, doc_id)
    if len(lines) != len(ids):
        raise ReferenceMismatchError(found=len(lines), expected=len(ids))
    # References are kept, never replaced: the newest is used, the older ones stay on record.
    row = ReferenceText(document_id=doc_id, name=name[:255], uploaded_by=author,
                        segment_ids_json=json.dumps(list(ids)),
                        texts_json=json.dumps(list(lines), ensure_ascii=False))
    db.add(row)
    db.commit()
    return Reference(row.id, row.name, list(lines), author, row.uploaded_at, aligned=True)
