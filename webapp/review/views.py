"""The review page and the review fragments: a segment's state, its comments, who has it open."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, current_app, request

from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import get_or_404, page_or_fragment
from webapp.core.models import Document, Segment
from webapp.core.states import Role, State
from webapp.core.text import word_diff
from webapp.review import workflow as review
from webapp.segments import listing, rows

bp = Blueprint("review", __name__)


def render_row(seg: Segment, status: int = 200, **extra) -> Response:
    """Return a segment's row after a state change or comment, as the asking view shows it
    (the segments feature draws every row)."""
    return current_app.extensions[rows.RENDER_ROW](seg, status, **extra)


@bp.get("/documents/<int:doc_id>/review")
@require_role(Role.TRANSLATOR)
def review_page(doc_id: int):
    """Show the review view: diffs from MT to translator to editor, comments, approve/reject."""
    doc = get_or_404(Document, doc_id)
    context = listing.list_context(
        get_db(), doc, request.args, request.headers, current_app.config, current_name(),
        current_app.extensions.get(listing.QA_FINDER), view="review")
    return page_or_fragment("documents/editor.html", listing.FRAGMENTS, **context)


@bp.post("/segments/<int:seg_id>/state")
@require_role(Role.TRANSLATOR)
def segment_state(seg_id: int):
    """Mark a segment translated, approved or rejected (with a comment)."""
    seg = get_or_404(Segment, seg_id)
    db = get_db()
    try:
        state = State.from_slug(request.form.get("state", ""))
        review.set_state(db, seg, state, current_name(), current_role(),
                         request.form.get("comment"))
    except review.ForbiddenError as exc:
        db.rollback()
        abort(403, str(exc))
    except ValueError as exc:
        db.rollback()
        return render_row(seg, 422, error=str(exc))
    return render_row(seg, saved=True, go_next=True)


@bp.post("/segments/<int:seg_id>/comments")
@require_role(Role.TRANSLATOR)
def segment_comment(seg_id: int):
    """Add a comment to a segment and return its row."""
    seg = get_or_404(Segment, seg_id)
    try:
        review.add_comment(get_db(), seg, current_name(), request.form.get("text", ""))
    except review.ReviewError as exc:
        get_db().rollback()
        return render_row(seg, 422, error=str(exc))
    return render_row(seg)


@bp.post("/segments/<int:seg_id>/presence")
@require_role(Role.TRANSLATOR)
def segment_presence(seg_id: int):
    """Keep (or with `leave`, drop) this person's soft lock on an open segment."""
    seg = get_or_404(Segment, seg_id)
    if request.form.get("leave"):
        review.release(get_db(), seg.id, current_name())
    else:
        review.touch(get_db(), seg.id, current_name())
    return "", 204


def init_app(app: Flask) -> None:
    """Register the review page and fragments, and the word diff its rows show."""
    app.register_blueprint(bp)
    app.jinja_env.globals["review_diff"] = word_diff
