"""What a segment row shows beside the segment: who else has it open, its comments, its review chain."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from webapp.core.models import Segment
from webapp.core.states import State
from webapp.documents.queries import neighbour
from webapp.review import workflow as review

# The one row template; the list, the edit row, the review row and the conflict include it.
ROW = "segments/_row.html"
# Where segments.views puts its render_row, which the review fragments answer with too.
RENDER_ROW = "webapp.render_row"
# Where the QA feature puts its function segment -> open warnings as dicts (a save's answer).
QA_WARNINGS = "webapp.qa_open_warnings"


def notes_and_presence(db: Session, segs: list[Segment], person: str) -> dict:
    """Return who else is editing and the comments, for a set of rows."""
    ids = [s.id for s in segs]
    return {"present": review.present(db, ids, person), "notes": review.comments(db, ids)}


def row_context(db: Session, seg: Segment, view: str, person: str) -> dict:
    """Return what one row needs, as the editor (`view` "edit") or the review view shows it."""
    chain = {"chain": review.chain(db, seg)} if view == "review" else {}
    return {"seg": seg, "doc": seg.document, "States": State, "view": view,
            **notes_and_presence(db, [seg], person), **chain}


def open_next(db: Session, seg: Segment) -> str | None:
    """Return the HX-Trigger-After-Swap value that opens the segment after this one, if any."""
    nxt = neighbour(db, seg, 1)
    return None if nxt is None else json.dumps({"open-segment": {"id": nxt.id}})
