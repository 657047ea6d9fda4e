"""What the segment templates ask of interchange: whether an XLIFF unit is locked."""

from __future__ import annotations

from flask import g

from webapp.core.db import get_db
from webapp.core.models import Segment
from webapp.interchange import exchange


def segment_locked(seg: Segment) -> bool:
    """Return whether a row's segment is locked, with one query per request and document."""
    locked = g.setdefault("locked_segments", {})
    if seg.document_id not in locked:
        locked[seg.document_id] = exchange.locked_ids(get_db(), seg.document_id)
    return seg.id in locked[seg.document_id]
