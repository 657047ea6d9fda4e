"""Documents in: check the languages, decode and segment a text file, store it."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core.changelog import log
from webapp.core.messages import _l
from webapp.core.models import Document, Revision, Segment, utcnow
from webapp.core.states import Action, State
from webapp.documents import segmentation, textio

MODES = ("translate", "review")
# The most a segment may hold, as a save allows (MAX_SEGMENT_CHARS in the settings).
MAX_SEGMENT_CHARS = 20_000


class DocumentError(ValueError):
    """A request about a document that cannot be carried out, said for a person."""

    error_code = "document_refused"


def check_langs(source_lang: str, target_lang: str, mode: str) -> tuple[str, str, str]:
    """Return normalised language codes and mode, or raise DocumentError."""
    src, tgt = (source_lang or "").strip().lower(), (target_lang or "").strip().lower()
    for code in (src, tgt):
        if not (2 <= len(code) <= 8 and code.replace("-", "").isalpha()):
            raise DocumentError(_l("%(code)s is not a language code such as 'de' or 'en'.",
                                   code=repr(code)))
    if src == tgt:
        raise DocumentError(_l("Source and target language are the same."))
    if mode not in MODES:
        raise DocumentError(_l("Mode must be one of %(modes)s, not %(mode)s.",
                               modes=", ".join(MODES), mode=repr(mode)))
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
    max_segment_chars: int = MAX_SEGMENT_CHARS,
) -> Document:
    """Decode, segment and store a plain-text file; nothing is stored if it is refused."""
    src, tgt, mode = check_langs(source_lang, target_lang, mode)
    decoded = textio.decode_text(data, max_bytes)
    file_lang = tgt if mode == "review" else src
    leading, spans = segmentation.split_text(decoded.text, file_lang)
    if not spans:
        raise textio.TextImportError(_l("The file holds no text to translate."))
    check_segment_lengths(decoded.text, leading, spans, max_segment_chars)
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


def check_segment_lengths(text: str, leading: str, spans: list[segmentation.Span],
                          limit: int) -> None:
    """Refuse a file with a sentence longer than a segment may be, naming its line."""
    offset = len(leading)
    for span in spans:
        if len(span.text) > limit:
            line = text.count("\n", 0, offset) + 1
            raise textio.TextImportError(_l(
                "Line %(line)s holds a sentence of %(length)s characters; a segment holds at "
                "most %(limit)s. Break that line into sentences or paragraphs and upload the "
                "file again.", line=line, length=len(span.text), limit=limit))
        offset += len(span.text) + len(span.trailing)


def count_words(text: str) -> int:
    """Return the number of words, a hyphenated compound counting once."""
    return len(WORD.findall(text))


def _clean_name(name: str) -> str:
    """Return a display name from an uploaded file name, without any directory part."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return (base or "untitled.txt")[:255]
