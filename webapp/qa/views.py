"""The QA panel beside each segment, with its dismiss and reopen actions, and the QA filter."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, make_response, render_template, request
from sqlalchemy.orm import Session

from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import get_or_404
from webapp.core.messages import _l
from webapp.core.models import Document, Segment
from webapp.core.states import Role
from webapp.glossary.store import Snapshot
from webapp.qa import checks, panel, slips, wordlists

bp = Blueprint("qa", __name__)


def glossary_snapshot(db: Session | None = None) -> Snapshot:
    """Return the glossary the checks use, checked once per request."""
    return current_app.extensions["webapp.glossary"].current(db or get_db())


def providers() -> list[checks.Provider]:
    """Return the QA checks other features registered."""
    return current_app.extensions.setdefault("webapp.qa_providers", [])


def document_context(doc: Document) -> slips.DocContext:
    """Return the document's context for the checks of the target alone, once per request."""
    contexts = g.setdefault("qa_contexts", {})
    if doc.id not in contexts:
        db = get_db()
        contexts[doc.id] = checks.document_context(db, doc, glossary_snapshot(db).glossary,
                                                   wordlists.words(db, doc))
    return contexts[doc.id]


def segment_review(seg: Segment, doc: Document) -> checks.Review:
    """Return a segment's warnings, split into open and dismissed for its current text."""
    return panel.segment_review(get_db(), glossary_snapshot().glossary, seg, doc, providers(),
                                g.setdefault("qa_dismissals", {}), document_context(doc))


def segment_panel(seg: Segment, doc: Document | None = None) -> panel.Panel:
    """Return the terms and QA of one segment (the segment templates' `segment_glossary`)."""
    doc = doc or seg.document
    return panel.segment_panel(glossary_snapshot(), segment_review(seg, doc), seg, doc)


def open_warnings(seg: Segment) -> list[dict]:
    """Return a segment's open QA warnings as JSON-ready dicts (what a save answers with)."""
    return [w.to_dict() for w in segment_review(seg, seg.document).open]


def qa_segment_ids(db: Session, doc_id: int) -> list[int]:
    """Return the ids of a document's segments with an open QA warning (the editor's filter)."""
    doc = db.get(Document, doc_id)
    if doc is None:
        return []
    return checks.open_segment_ids(db, doc, glossary_snapshot(db).glossary, providers(),
                                   cache=current_app.extensions["webapp.qa_filter_cache"],
                                   words=wordlists.words(db, doc))


def render_panel(seg: Segment, status: int = 200, **extra) -> Response:
    """Return the panel of one segment."""
    g.pop("qa_dismissals", None)
    g.pop("qa_contexts", None)
    return make_response(render_template("glossary/_segment_terms.html", seg=seg,
                                         doc=seg.document, **extra), status)


@bp.post("/segments/<int:seg_id>/qa/dismiss")
@require_role(Role.TRANSLATOR)
def dismiss_warning(seg_id: int):
    """Dismiss one QA warning of a segment with a reason, and return the segment's panel."""
    seg = get_or_404(Segment, seg_id)
    code, key = request.form.get("code", ""), request.form.get("key", "")
    warning = next((w for w in segment_review(seg, seg.document).open
                    if w.ident == (code, key)), None)
    if warning is None:
        return render_panel(seg, 409, qa_error=_l("That warning is no longer open; "
                                                  "here is the segment's QA as it is now."))
    reason = request.form.get(f"reason:{code}:{key}") or request.form.get("reason", "")
    try:
        checks.dismiss(get_db(), seg, warning, reason, current_name())
    except checks.QaError as exc:
        get_db().rollback()
        return render_panel(seg, 422, qa_error=str(exc), qa_failed=warning.ident)
    return render_panel(seg)


@bp.post("/segments/<int:seg_id>/qa/reopen")
@require_role(Role.TRANSLATOR)
def reopen_warning(seg_id: int):
    """Take back a dismissal: the warning shows as open again; return the segment's panel."""
    seg = get_or_404(Segment, seg_id)
    try:
        checks.reopen(get_db(), seg, int(request.form.get("dismissal", "0") or 0),
                      current_name())
    except (ValueError, checks.QaError):
        get_db().rollback()
        return render_panel(seg, 409, qa_error=_l("That dismissal is gone already; here is "
                                                  "the segment's QA as it is now."))
    return render_panel(seg)


@bp.post("/segments/<int:seg_id>/qa/words")
@require_role(Role.TRANSLATOR)
def add_word(seg_id: int):
    """Add a word the spelling check flagged to the document's or the team's word list, and
    return the segment's panel."""
    seg = get_or_404(Segment, seg_id)
    try:
        wordlists.add(get_db(), seg.document, request.form.get("word", ""),
                      request.form.get("list", "document"), current_name(), current_role())
    except wordlists.WordListForbidden as exc:
        get_db().rollback()
        return render_panel(seg, 403, qa_error=str(exc))
    except checks.QaError as exc:
        get_db().rollback()
        return render_panel(seg, 422, qa_error=str(exc))
    return render_panel(seg)
