"""The append-only change log: one row per thing that happened, never updated or deleted."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from webapp.core.models import Change
from webapp.core.states import Action


def log(
    db: Session,
    action: Action,
    author: str,
    document_id: int | None,
    segment_id: int | None = None,
    **details,
) -> Change:
    """Append one row to the change log."""
    row = Change(
        document_id=document_id,
        segment_id=segment_id,
        action=int(action),
        author=author,
        details_json=json.dumps(details, ensure_ascii=False),
    )
    db.add(row)
    return row
