"""The segment row's htmx fragments: show, edit, save, history, restore, split and merge."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, abort, current_app, make_response, render_template, request
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import found_or_404, get_or_404, retarget
from webapp.core.messages import _l
from webapp.core.models import Document, Segment
from webapp.core.states import Role, State
from webapp.core.text import mark_spans
from webapp.documents.importing import DocumentError
from webapp.interchange import exchange as interchange
from webapp.review import workflow as review
from webapp.segments import editing, listing, replace, rows

bp = Blueprint("segments", __name__)


def render_row(seg: Segment, status: int = 200, go_next: bool = False, **extra) -> Response:
    """Return the display row of a segment, as the editor or the review view shows it; with
    `go_next` and "go=next" in the form, the segment after it opens once the row is in place.
    The review feature's fragments answer with this too (app.extensions[rows.RENDER_ROW])."""
    context = rows.row_context(get_db(), seg, request.values.get("view", "edit"), current_name())
    resp = make_response(render_template(rows.ROW, **context, **extra), status)
    if go_next and request.form.get("go") == "next" and (trigger := rows.open_next(get_db(), seg)):
        resp.headers["HX-Trigger-After-Swap"] = trigger
    return resp


def locked_segment(seg_id: int) -> tuple[Segment, bool]:
    """Return a segment and whether its unit is locked, with one query (saves ask); or 404."""
    seg, locked = interchange.segment_and_lock(get_db(), seg_id)
    return found_or_404(seg, "segment", seg_id), locked


@bp.get("/segments/<int:seg_id>")
@require_role(Role.TRANSLATOR)
def segment_row(seg_id: int):
    """Return the segment's display row."""
    return render_row(get_or_404(Segment, seg_id))


@bp.get("/segments/<int:seg_id>/edit")
@require_role(Role.TRANSLATOR)
def segment_edit(seg_id: int):
    """Return the segment's row opened for editing, and say who else has it open."""
    seg = get_or_404(Segment, seg_id)
    review.touch(get_db(), seg.id, current_name())
    return render_row(seg, row_kind="edit")


@bp.post("/segments/<int:seg_id>")
@require_role(Role.TRANSLATOR)
def segment_save(seg_id: int):
    """Save the target as a new revision; on a stale version show both texts."""
    seg, locked = locked_segment(seg_id)
    db = get_db()
    form = request.form
    try:
        version = int(form.get("version", ""))
    except ValueError:
        abort(400, _l("The save did not say which version it was based on."))
    # Saved and closed: others should not see "being edited" until the next heartbeat. The
    # soft lock ends in the save's own transaction, and stays if the save is refused.
    review.release(db, seg.id, current_name(), commit=False)
    try:
        seg = editing.save_edit(
            db, seg, form.get("target"), version, current_name(), current_role(),
            seconds=_seconds(form.get("seconds")),
            max_chars=current_app.config["MAX_SEGMENT_CHARS"], locked=locked,
        )
    except editing.ConflictError as exc:
        return conflict_row(exc)
    except review.ForbiddenError as exc:
        abort(403, str(exc))
    except DocumentError as exc:
        db.rollback()
        return make_response(render_template(
            rows.ROW, row_kind="edit", seg=seg, doc=seg.document, States=State, error=str(exc),
            typed=form.get("target", ""),
        ), 422)
    return render_row(seg, saved=True, go_next=True)


def conflict_row(exc: editing.ConflictError) -> Response:
    """Return the conflict row: what was saved meanwhile and the text this request carried."""
    return make_response(render_template(
        rows.ROW, row_kind="conflict", seg=exc.segment, doc=exc.segment.document,
        mine=exc.attempted, States=State,
    ), 409)


def _seconds(raw: str | None) -> float | None:
    """Return the edit time sent by the browser, ignoring nonsense."""
    try:
        value = float(raw or "")
    except ValueError:
        return None
    return value if 0 <= value < 86400 else None


@bp.get("/segments/<int:seg_id>/history")
@require_role(Role.TRANSLATOR)
def segment_history(seg_id: int):
    """Return the segment's revisions and change log."""
    seg = get_or_404(Segment, seg_id)
    revisions, changes = editing.history(get_db(), seg)
    return render_template("segments/_history.html", seg=seg, revisions=revisions,
                           changes=changes, States=State)


@bp.post("/segments/<int:seg_id>/restore/<int:version>")
@require_role(Role.TRANSLATOR)
def segment_restore(seg_id: int, version: int):
    """Make an earlier revision current again, as a new revision."""
    seg = get_or_404(Segment, seg_id)
    try:
        base = int(request.form["base"]) if request.form.get("base") else None
    except ValueError:
        abort(400, _l("The restore did not say which version it was based on."))
    try:
        seg = editing.restore_revision(get_db(), seg, version, current_name(), current_role(),
                                       base_version=base)
    except editing.ConflictError as exc:
        return conflict_row(exc)
    except review.ForbiddenError as exc:
        abort(403, str(exc))
    except DocumentError as exc:
        abort(404, str(exc))
    return render_row(seg, saved=True)


def _restructure(seg: Segment, change: Callable[..., object], *args) -> Response:
    """Split or merge at `seg`, then return the segment list as the page had it (its offset,
    filter and loaded rows, which the page sends), focused on `seg`; if refused, the row
    again with the reason."""
    db = get_db()
    try:
        change(db, seg, *args, current_name(), current_role())
    except (review.ForbiddenError, DocumentError) as exc:
        db.rollback()
        # The row stays where it is, open, with what was typed and why nothing changed.
        resp = render_row(seg, 422, row_kind="edit", error=str(exc),
                          **({"typed": request.form["target"]} if "target" in request.form else {}))
        return retarget(resp, f"#seg-{seg.id}")
    # The page sends its list's query as `list` (offset, filter, rows loaded); without it,
    # the list starts near the segment and offers the rows before it.
    shown = request.form.get("list")
    view = "review" if request.form.get("view") == "review" else "edit"
    qa_finder = current_app.extensions.get(listing.QA_FINDER)

    def context_for(args, goto: int) -> dict:
        return listing.list_context(db, seg.document, args, request.headers, current_app.config,
                                    current_name(), qa_finder, view=view, goto=goto)

    context = None
    if shown is not None:
        try:
            context = context_for(MultiDict(parse_qsl(shown[:4000], keep_blank_values=True)), 0)
        except listing.ListError:
            pass  # a list query the list cannot follow: the change is made all the same
    if context is None:
        context = context_for(MultiDict(), seg.number)
    resp = retarget(make_response(render_template("segments/_list.html", **context)),
                    "#segment-list")
    # The count of segments and the progress change too; the focus stays on this segment.
    resp.headers["HX-Trigger"] = "segment-saved"
    resp.headers["HX-Trigger-After-Settle"] = json.dumps({"focus-segment": {"id": seg.id}})
    return resp


@bp.post("/segments/<int:seg_id>/split")
@require_role(Role.TRANSLATOR)
def segment_split(seg_id: int):
    """Split a segment in two at a character offset."""
    try:
        offset = int(request.form.get("offset", ""))
    except ValueError:
        offset = None
    return _restructure(get_or_404(Segment, seg_id), editing.split_segment, offset)


@bp.post("/segments/<int:seg_id>/merge")
@require_role(Role.TRANSLATOR)
def segment_merge(seg_id: int):
    """Merge a segment with the next one."""
    return _restructure(get_or_404(Segment, seg_id), editing.merge_segments)


def _replace_form() -> tuple[replace.Matcher, str]:
    """Return the search and the replacement the replace bar's form asks for."""
    form = request.form
    matcher = replace.matcher_for(form.get("q", ""), bool(form.get("regex")),
                                  bool(form.get("case")), bool(form.get("word")))
    return matcher, form.get("replace", "")


def _replace_fragment(template: str, status: int = 200, segments_changed: bool = False,
                      **context) -> Response:
    """Return a fragment of the replace bar; after a write the segment list reloads."""
    resp = make_response(render_template(template, **context), status)
    if segments_changed:
        resp.headers["HX-Trigger"] = "segments-changed"
    return resp


@bp.post("/documents/<int:doc_id>/replace/preview")
@require_role(Role.TRANSLATOR)
def replace_preview(doc_id: int):
    """Show every change a replace in the targets would make, each segment ticked."""
    doc = get_or_404(Document, doc_id)
    try:
        matcher, replacement = _replace_form()
        planned = replace.plan(get_db(), doc, matcher, replacement, current_role(),
                               current_app.config["MAX_SEGMENT_CHARS"])
    except replace.ReplaceError as exc:
        return _replace_fragment("segments/_replace_result.html", exc.status, error=str(exc))
    return _replace_fragment("segments/_replace_preview.html", doc=doc, planned=planned,
                             query=matcher.query, replacement=replacement)


@bp.post("/documents/<int:doc_id>/replace")
@require_role(Role.TRANSLATOR)
def replace_apply(doc_id: int):
    """Replace in the ticked segments; list what changed meanwhile and offer the undo."""
    doc = get_or_404(Document, doc_id)
    chosen = {}
    for value in request.form.getlist("seg"):
        seg_id, _, version = value.partition(":")
        if not (seg_id.isdigit() and version.isdigit()):
            abort(400, _l("The replace named a segment it cannot read."))
        chosen[int(seg_id)] = int(version)
    try:
        matcher, replacement = _replace_form()
        outcome = replace.apply(get_db(), doc, matcher, replacement, chosen, current_name(),
                                current_role(), current_app.config["MAX_SEGMENT_CHARS"])
    except replace.ReplaceError as exc:
        get_db().rollback()
        return _replace_fragment("segments/_replace_result.html", exc.status, error=str(exc))
    return _replace_fragment("segments/_replace_result.html", doc=doc, outcome=outcome,
                             segments_changed=bool(outcome.done))


@bp.post("/documents/<int:doc_id>/replace/<int:batch_id>/undo")
@require_role(Role.TRANSLATOR)
def replace_undo(doc_id: int, batch_id: int):
    """Undo a replace as one action and say which segments were left as they are."""
    doc = get_or_404(Document, doc_id)
    batch = found_or_404(replace.batch_of(get_db(), doc, batch_id), "replace", batch_id)
    try:
        outcome = replace.undo(get_db(), batch, current_name(), current_role())
    except review.ForbiddenError as exc:
        abort(403, str(exc))
    except replace.ReplaceError as exc:
        return _replace_fragment("segments/_replace_result.html", exc.status, error=str(exc))
    return _replace_fragment("segments/_replace_result.html", doc=doc, outcome=outcome,
                             undone=True, segments_changed=bool(outcome.done))


@pass_context
def marked_text(ctx, seg: Segment, field: str, lang: str) -> Markup:
    """Return a segment's text with the list's search hits marked, else its glossary terms."""
    text = getattr(seg, field)
    spans = (ctx.get("hits") or {}).get(seg.id, {}).get(field)
    if spans:
        return mark_spans(text, spans)
    return ctx.environment.globals["highlight_terms"](text, lang)


def plain_text(text: str, _lang: str) -> str:
    """Return text as it is, for Jinja to escape; the glossary replaces this with highlighting."""
    return text


def init_app(app: Flask) -> None:
    """Register the segment fragments, the row for other features' fragments, and the plain
    stand-in for term highlighting."""
    app.register_blueprint(bp)
    app.extensions[rows.RENDER_ROW] = render_row
    app.jinja_env.globals.setdefault("highlight_terms", plain_text)
    app.jinja_env.globals.update(marked_text=marked_text, mark_spans=mark_spans,
                                 revision_kind=editing.revision_kind)
