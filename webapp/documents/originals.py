"""An uploaded original: aligned into a proposal, joined and split by a person, accepted into the source."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from webapp.core.changelog import log
from webapp.core.messages import _l
from webapp.core.models import AlignmentProposal, Document, Segment, utcnow
from webapp.core.states import Action
from webapp.documents import alignment, segmentation, textio
from webapp.documents.importing import (
    MAX_SEGMENT_CHARS,
    DocumentError,
    _clean_name,
    check_segment_lengths,
)
from webapp.glossary.entries import Glossary, GlossaryError
from webapp.glossary.matching import find_terms
from webapp.interchange.formats.inline import strip_codes


class AlignmentConflict(DocumentError):
    """The proposal changed since the page that asked was shown."""

    error_code = "alignment_conflict"


@dataclass(frozen=True)
class Row:
    """One link as the alignment view shows it."""

    index: int
    german: list[Segment]
    english: list[str]
    confidence: float
    edited: bool

    @property
    def kind(self) -> str:
        """Return "German:English" counts, such as "1:2"."""
        return f"{len(self.german)}:{len(self.english)}"

    @property
    def low(self) -> bool:
        """Tell whether a person should look at this link before accepting."""
        return not self.edited and (self.confidence < alignment.LOW_CONFIDENCE
                                    or not self.german or not self.english)

    @property
    def text(self) -> str:
        """Return the English as one text, as a segment's source would hold it."""
        return " ".join(self.english)


def _term_finder(glossary: Glossary | None):
    """Return a function giving the glossary entries found in a text, or None."""
    if glossary is None or not len(glossary):
        return None

    def terms(text: str, lang: str) -> list[str]:
        try:
            return [match.entry.key for match in find_terms(glossary, text, lang)]
        except GlossaryError:
            return []

    return terms


def get_proposal(db: Session, doc: Document) -> AlignmentProposal | None:
    """Return the document's alignment proposal, if an original was uploaded."""
    return db.scalar(select(AlignmentProposal).where(AlignmentProposal.document_id == doc.id))


def propose(db: Session, doc: Document, data: bytes, name: str, max_bytes: int, author: str,
            glossary: Glossary | None = None,
            max_segment_chars: int = MAX_SEGMENT_CHARS) -> AlignmentProposal:
    """Align an original with a review document's segments; store it as the one proposal."""
    # Nothing is stored when the file is refused; an earlier proposal is replaced.
    if doc.mode != "review":
        raise DocumentError(_l("Only a review document (an MT to correct) takes an original; "
                               "a translation's source is the file it was imported from."))
    decoded = textio.decode_text(data, max_bytes)
    leading, spans = segmentation.split_text(decoded.text, doc.source_lang)
    if not spans:
        raise textio.TextImportError(_l("The file holds no sentences."))
    check_segment_lengths(decoded.text, leading, spans, max_segment_chars)
    segs = db.execute(
        select(Segment.id, Segment.target, Segment.mt, Segment.source)
        .where(Segment.document_id == doc.id).order_by(Segment.position)
    ).all()
    german = [strip_codes(target or mt) for _, target, mt, _ in segs]
    back = ([source for *_, source in segs] if doc.source_kind == "back_translation" else None)
    english = [span.text for span in spans]
    links = alignment.align(german, english, terms=_term_finder(glossary), back=back)
    stored = [{"de": [segs[i].id for i in link.de], "en": [english[j] for j in link.en],
               "confidence": link.confidence, "edited": False} for link in links]
    db.execute(delete(AlignmentProposal).where(AlignmentProposal.document_id == doc.id))
    proposal = AlignmentProposal(
        document_id=doc.id, filename=_clean_name(name), status="open", version=1,
        links_json=json.dumps(stored, ensure_ascii=False), sentences=len(english),
        created_by=author)
    db.add(proposal)
    kinds = Counter(link.kind for link in links)
    log(db, Action.ALIGN_PROPOSAL, author, doc.id, file=proposal.filename,
        sentences=len(english), segments=len(segs), links=dict(sorted(kinds.items())),
        low_confidence=sum(link.low for link in links))
    db.commit()
    return proposal


def rows(db: Session, proposal: AlignmentProposal, start: int = 0,
         stop: int | None = None) -> list[Row]:
    """Return the proposal's links from start to stop with their German segments."""
    links = proposal.links[start:stop]
    ids = {i for link in links for i in link["de"]}
    query = select(Segment).where(Segment.document_id == proposal.document_id)
    # A page of rows names a few hundred segments; the whole proposal may name more than a
    # database takes as parameters of one IN list, and then the document's rows are read.
    if len(ids) <= 1000:
        query = query.where(Segment.id.in_(ids))
    segs = {s.id: s for s in db.scalars(query)} if ids else {}
    return [Row(start + n, [segs[i] for i in link["de"] if i in segs], link["en"],
                link["confidence"], link.get("edited", False))
            for n, link in enumerate(links)]


def _editable(proposal: AlignmentProposal, version: int) -> list[dict]:
    """Return the links to change, refusing an accepted or stale proposal."""
    if proposal.status != "open":
        raise DocumentError(
            _l("This alignment was accepted; upload the original again to change it."))
    if version != proposal.version:
        raise AlignmentConflict(_l(
            "The alignment was changed meanwhile (in another tab or by someone else); "
            "reload the page to see it, then try again."))
    return proposal.links


def _store(db: Session, proposal: AlignmentProposal, links: list[dict], author: str,
           what: str, row: int) -> None:
    proposal.links_json = json.dumps(links, ensure_ascii=False)
    proposal.version += 1
    log(db, Action.ALIGN_EDIT, author, proposal.document_id, edit=what, row=row + 1)
    db.commit()


def _row(links: list[dict], row: int) -> dict:
    if not 0 <= row < len(links):
        raise DocumentError(_l("There is no row %(row)s; the alignment has %(rows)s.",
                               row=row + 1, rows=len(links)))
    return links[row]


def join(db: Session, proposal: AlignmentProposal, row: int, version: int, author: str,
         max_chars: int = MAX_SEGMENT_CHARS) -> int:
    """Join a row's English with the next row's; return the joined row's index."""
    # The next row's German keeps its place with no English, unless it had none: then the two
    # German segments share this English (2:1). A row without German goes into its neighbour.
    links = _editable(proposal, version)
    first = _row(links, row)
    if row + 1 >= len(links):
        raise DocumentError(_l("The last row has no next row to join with."))
    second = links[row + 1]
    english = first["en"] + second["en"]
    if len(" ".join(english)) > max_chars:
        raise DocumentError(_l("The joined English would be %(length)s characters; a segment "
                               "holds at most %(limit)s.", length=len(" ".join(english)),
                               limit=max_chars))
    if first["de"] and second["de"] and second["en"]:
        first["en"], second["en"] = english, []
        second["confidence"], second["edited"] = 1.0, True
    elif first["de"] and second["de"]:
        if len(first["de"]) + len(second["de"]) > 2:
            raise DocumentError(_l("A row pairs at most two German segments with one English "
                                   "text; split this row first."))
        first["de"] = first["de"] + second["de"]
        del links[row + 1]
    elif not first["de"] and second["de"]:
        second["en"] = english
        second["confidence"], second["edited"] = 1.0, True
        del links[row]
        first = second
    else:
        first["en"] = english
        del links[row + 1]
    first["confidence"], first["edited"] = 1.0, True
    _store(db, proposal, links, author, "join", row)
    return row


def split(db: Session, proposal: AlignmentProposal, row: int, at: int | None, version: int,
          author: str) -> int:
    """Split a row's English at character `at` of its text; return the first part's row."""
    # `at` may be a sentence boundary, inside a sentence, or the start. The second part goes
    # with the row's second German segment, else into a new row of English with nothing below.
    links = _editable(proposal, version)
    link = _row(links, row)
    sentences = link["en"]
    if at is None:
        if len(sentences) < 2:
            raise DocumentError(_l("Say where to split: this row's English is one sentence."))
        at = len(sentences[0]) + 1
    if not sentences:
        raise DocumentError(_l("This row has no English to split."))
    head, tail = _cut(sentences, at)
    # At the very start the English goes on with the second German segment (or to a row of
    # its own), leaving the first with none; at the very end only a shared row changes.
    if not tail and len(link["de"]) < 2:
        raise DocumentError(_l("Put the split point inside the English or at its start, "
                               "not at its end: nothing would be split off."))
    if len(link["de"]) == 2:
        links[row: row + 1] = [
            {"de": link["de"][:1], "en": head, "confidence": 1.0, "edited": True},
            {"de": link["de"][1:], "en": tail, "confidence": 1.0, "edited": True}]
    else:
        link["en"], link["confidence"], link["edited"] = head, 1.0, True
        links.insert(row + 1, {"de": [], "en": tail, "confidence": 1.0, "edited": True})
    _store(db, proposal, links, author, "split", row)
    return row


def _cut(sentences: list[str], at: int) -> tuple[list[str], list[str]]:
    """Return the sentences before and after character `at` of their text joined by spaces."""
    offset = 0
    for k, sentence in enumerate(sentences):
        end = offset + len(sentence)
        if at <= offset:
            return sentences[:k], sentences[k:]
        if at < end:
            local = at - offset
            first, second = sentence[:local].rstrip(), sentence[local:].lstrip()
            head = sentences[:k] + ([first] if first else [])
            tail = ([second] if second else []) + sentences[k + 1:]
            return head, tail
        offset = end + 1
    return list(sentences), []


@dataclass(frozen=True)
class Accepted:
    """What accepting an alignment changed."""

    segments: int
    without_english: int
    shared: int
    unpaired: int


def accept(db: Session, doc: Document, proposal: AlignmentProposal, version: int,
           author: str) -> Accepted:
    """Write the accepted English into the segments' source; targets and states stay as they are."""
    # A row's English goes to its first German segment; a second one shares it (empty source),
    # German with no English gets an empty source, and English with nothing stays in the proposal.
    links = _editable(proposal, version)
    ids = set(db.scalars(select(Segment.id).where(Segment.document_id == doc.id)))
    linked = [i for link in links for i in link["de"]]
    if set(linked) != ids or len(linked) != len(ids):
        raise DocumentError(_l("The document's segments were split or merged since the "
                               "original was uploaded; upload it again to align the segments "
                               "as they are."))
    values = []
    shared = without = unpaired = 0
    for link in links:
        if not link["de"]:
            unpaired += len(link["en"])
            continue
        text = " ".join(link["en"])
        values.append({"sid": link["de"][0], "text": text})
        without += not text
        for other in link["de"][1:]:
            values.append({"sid": other, "text": ""})
            shared += 1
    if values:
        db.connection().execute(
            update(Segment.__table__).where(Segment.__table__.c.id == bindparam("sid"))
            .values(source=bindparam("text")), values)
    doc.source_kind = "original"
    proposal.status, proposal.accepted_at, proposal.accepted_by = "accepted", utcnow(), author
    proposal.version += 1
    result = Accepted(len(values), without, shared, unpaired)
    log(db, Action.ALIGN_SOURCE, author, doc.id, file=proposal.filename, segments=len(values),
        without_english=without, shared=shared, english_unpaired=unpaired, links=len(links))
    db.commit()
    return result


def shared_with(proposal: AlignmentProposal | None) -> dict[int, int]:
    """Return, for each segment that shares the English of the one before it, that one's id."""
    if proposal is None or proposal.status != "accepted":
        return {}
    return {other: link["de"][0] for link in proposal.links for other in link["de"][1:]}


def proposal_data(db: Session, proposal: AlignmentProposal) -> dict:
    """Return the proposal and its links as the JSON API gives them."""
    data = proposal.to_dict()
    data["links"] = [{
        "index": row.index, "kind": row.kind, "confidence": row.confidence,
        "low_confidence": row.low, "edited": row.edited,
        "de": [{"id": s.id, "index": s.position, "text": s.target} for s in row.german],
        "en": row.english,
    } for row in rows(db, proposal)]
    data["low_confidence"] = sum(link["low_confidence"] for link in data["links"])
    return data
