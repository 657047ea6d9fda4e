"""The editor's pages and htmx fragments: document list, side-by-side segments, history."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import page_or_fragment
from webapp.core.models import Document, Segment
from webapp.core.states import Role, State
from webapp.core.text import word_diff
from webapp.documents import domain as documents
from webapp.documents import textio
from webapp.interchange import exchange as interchange
from webapp.jobs import runner as jobs
from webapp.mt import engine as mt
from webapp.review import workflow as review
from webapp.tm import views as memory

bp = Blueprint("editor", __name__)


def get_document_or_404(doc_id: int) -> Document:
    """Return the document or abort with 404."""
    doc = documents.get_document(get_db(), doc_id)
    if doc is None:
        abort(404, f"There is no document {doc_id}.")
    return doc


def get_segment_or_404(seg_id: int) -> Segment:
    """Return the segment or abort with 404."""
    seg = get_db().get(Segment, seg_id)
    if seg is None:
        abort(404, f"There is no segment {seg_id}.")
    return seg


def segment_filter(doc: Document, default_states: tuple = ()) -> documents.SegmentFilter:
    """Return the segment filter named by the query string."""
    args = request.args
    states = []
    for slug in args.getlist("state"):
        if not slug:
            continue
        try:
            states.append(State.from_slug(slug))
        except ValueError:
            abort(400, f"Unknown state {slug!r}.")
    if "state" not in args:
        states = list(default_states)
    ids = None
    if args.get("qa"):
        # The glossary registers how to find segments with open QA warnings.
        finder = current_app.extensions.get("webapp.qa_segment_ids")
        if finder is None:
            abort(400, "QA warnings are not available.")
        ids = finder(get_db(), doc.id)
    flt = documents.SegmentFilter(
        states=states, query=args.get("q", "").strip()[:500],
        field=args.get("in", "both"), regex=bool(args.get("regex")),
        author=args.get("author", "").strip()[:80], has_comment=bool(args.get("commented")),
        ids=ids,
    )
    try:
        flt.check()
    except documents.DocumentError as exc:
        abort(400, str(exc))
    return flt


def row_context(segs: list[Segment]) -> dict:
    """Return who else is editing and the comments, for a set of rows."""
    db = get_db()
    ids = [s.id for s in segs]
    return {"present": review.present(db, ids, current_name()),
            "notes": review.comments(db, ids)}


def filter_query(flt: documents.SegmentFilter, view: str) -> str:
    """Return the filter as query-string parameters (each after a "&"), for links."""
    params: list[tuple[str, str]] = [("state", st.slug) for st in flt.states]
    if not flt.states and view == "review":
        params.append(("state", ""))  # "all states", where the review view defaults to some
    params += [(k, v) for k, v in (("q", flt.query), ("author", flt.author)) if v]
    if flt.field != "both":
        params.append(("in", flt.field))
    params += [(k, "1") for k, on in (("regex", flt.regex), ("commented", flt.has_comment),
                                      ("qa", flt.ids is not None)) if on]
    return "".join(f"&{k}={quote(v, safe='')}" for k, v in params)


def _int_arg(name: str, default: int, lo: int = 0, hi: int = 10**9) -> int:
    """Return an integer query argument clamped to [lo, hi], or abort with 400."""
    raw = request.args.get(name, "")
    if not raw:
        return default
    try:
        return max(lo, min(hi, int(raw)))
    except ValueError:
        abort(400, f"{name} must be a whole number.")


# The segment list, and the next chunk of its rows (asked for by the "more" row).
LIST_FRAGMENTS = {"segment-list": "segments/_list.html", "seg-more": "segments/_rows.html"}


def editor_context(doc: Document, view: str = "edit", goto: int = 0) -> dict:
    """Return what the editor page (or the review page) and its segment list need."""
    db = get_db()
    size = current_app.config["PAGE_SIZE"]
    flt = segment_filter(doc, (State.TRANSLATED,) if view == "review" else ())
    goto = goto or _int_arg("goto", 0, 0)
    offset = _int_arg("offset", 0, 0)
    first_rows = current_app.config["FIRST_ROWS"]
    if goto:
        # The page starts at a round number just before the segment, close enough for it
        # to be among the first rows served.
        step = max(1, min(10, first_rows))
        offset = (goto - 1) // step * step
    # `until` ends the page whose next rows a "more" request asks for; `rows` asks for more
    # rows at once (a list refreshed in place keeps the rows the translator had loaded).
    until = _int_arg("until", offset + size, offset, offset + size)
    if "until" in request.args:
        first = current_app.config["MORE_ROWS"]
    else:
        first = size if request.args.get("open") == "last" else first_rows
    want = min(_int_arg("rows", first, 1, size), until - offset)
    more_rows = request.headers.get("HX-Target") == "seg-more"
    # One row beyond those wanted tells whether the page goes on, without counting.
    segments, total = documents.page_segments(db, doc.id, offset, want + 1, flt,
                                              with_total=not more_rows)
    end = offset + min(len(segments), want)
    list_url = f"{doc.url}/review" if view == "review" else doc.url
    more_url = None
    if len(segments) > want and end < until:
        more_url = f"{list_url}?offset={end}&until={until}"
    segments = segments[:want]
    fragment = more_rows or (request.headers.get("HX-Request")
                             and request.headers.get("HX-Target") == "segment-list")
    context = {
        **row_context(segments),
        "chains": review.chains(db, segments) if view == "review" else {},
        "view": view,
        "list_url": list_url,
        "doc": doc,
        "segments": segments,
        "total": total,
        "offset": offset,
        "page_size": size,
        "more_url": more_url,
        "flt": flt,
        "sq": filter_query(flt, view),
        "goto": goto,
        "States": State,
        "qa_available": "webapp.qa_segment_ids" in current_app.extensions,
    }
    if fragment:
        # The list alone shows no job or model notice: skip their queries.
        return context
    src, tgt = mt.mt_pair(doc)
    return {
        **context,
        "job": jobs.active_job(db, doc.id),
        "mt_ready": mt.has_route(src, tgt),
        "mt_missing": None if mt.has_route(src, tgt) else mt.missing_pair_message(src, tgt),
        "mt_pair": (src, tgt),
    }


@bp.get("/")
@require_role(Role.TRANSLATOR)
def index():
    """Open the newest document, or the document list when there is none."""
    docs = documents.list_documents(get_db())
    if docs:
        return redirect(url_for("editor.document", doc_id=docs[0].id))
    return redirect(url_for("editor.document_list"))


@bp.get("/documents")
@require_role(Role.TRANSLATOR)
def document_list():
    """Show every document and the upload form."""
    return render_template("documents/index.html", docs=documents.list_documents(get_db()),
                           error=None, form={})


@bp.post("/documents")
@require_role(Role.TRANSLATOR)
def upload_document():
    """Import an uploaded text file and open it."""
    form = request.form
    upload = request.files.get("file")
    error = None
    if upload is None or not upload.filename:
        error = "Choose a text file to import."
    else:
        try:
            doc = interchange.import_document(
                get_db(), upload.read(current_app.config["MAX_UPLOAD_BYTES"] + 1),
                upload.filename, form.get("source_lang", ""), form.get("target_lang", ""),
                form.get("mode", "translate"), current_app.config["MAX_UPLOAD_BYTES"],
                author=current_name(),
            )
        except (textio.TextImportError, documents.DocumentError) as exc:
            error = str(exc)
    if error:
        get_db().rollback()
        return render_template("documents/index.html", docs=documents.list_documents(get_db()),
                               error=error, form=form), 400
    memory.prefill_if_asked(get_db(), doc)
    if request.form.get("pretranslate") and mt.has_route(*mt.mt_pair(doc)):
        jobs.start_pretranslation(current_app._get_current_object(), get_db(), doc)
    return redirect(url_for("editor.document", doc_id=doc.id), code=303)


@bp.get("/documents/<int:doc_id>")
@require_role(Role.TRANSLATOR)
def document(doc_id: int):
    """Show the side-by-side editor, or only its segment list to an htmx request."""
    doc = get_document_or_404(doc_id)
    return page_or_fragment("documents/editor.html", LIST_FRAGMENTS, **editor_context(doc))


@bp.get("/documents/<int:doc_id>/review")
@require_role(Role.TRANSLATOR)
def review_page(doc_id: int):
    """Show the review view: diffs from MT to translator to editor, comments, approve/reject."""
    doc = get_document_or_404(doc_id)
    return page_or_fragment("documents/editor.html", LIST_FRAGMENTS,
                            **editor_context(doc, "review"))


@bp.get("/documents/<int:doc_id>/progress")
@require_role(Role.TRANSLATOR)
def document_progress(doc_id: int):
    """Return the progress bar by state."""
    doc = get_document_or_404(doc_id)
    prog = documents.progress(get_db(), doc.id)
    return render_template("documents/_progress.html", doc=doc, progress=prog,
                           counts={k: v[0] for k, v in prog.items()}, States=State)


@bp.get("/documents/<int:doc_id>/export.txt")
@require_role(Role.TRANSLATOR)
def export_txt(doc_id: int):
    """Download the corrected text with the original layout."""
    doc = get_document_or_404(doc_id)
    return download(interchange.export_document(get_db(), doc, "txt"))


def download(exp: interchange.ExportFile) -> Response:
    """Return an exported document as a file download that says how much was untranslated."""
    resp = Response(exp.data, mimetype=exp.mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{exp.filename}"'
    resp.headers["X-Untranslated-Segments"] = str(exp.untranslated)
    return resp


@bp.post("/documents/<int:doc_id>/original")
@require_role(Role.TRANSLATOR)
def upload_original(doc_id: int):
    """Align an uploaded original with a review document's segments."""
    doc = get_document_or_404(doc_id)
    upload = request.files.get("file")
    db = get_db()
    try:
        if upload is None or not upload.filename:
            raise documents.DocumentError("Choose the original text file to align.")
        documents.set_source_from_original(
            db, doc, upload.read(current_app.config["MAX_UPLOAD_BYTES"] + 1),
            current_app.config["MAX_UPLOAD_BYTES"], current_name(),
        )
    except (textio.TextImportError, documents.DocumentError) as exc:
        db.rollback()
        ctx = editor_context(doc)
        return render_template("documents/editor.html", error=str(exc), **ctx), 400
    return redirect(url_for("editor.document", doc_id=doc.id), code=303)


def render_row(seg: Segment, status: int = 200, **extra) -> Response:
    """Return the display row of a segment, as the editor or the review view shows it."""
    view = request.values.get("view", "edit")
    template = "segments/_review_row.html" if view == "review" else "segments/_row.html"
    if view == "review":
        extra.setdefault("chain", review.chain(get_db(), seg))
    return make_response(render_template(template, seg=seg, doc=seg.document, States=State,
                                         view=view, **row_context([seg]), **extra), status)


@bp.get("/segments/<int:seg_id>")
@require_role(Role.TRANSLATOR)
def segment_row(seg_id: int):
    """Return the segment's display row."""
    return render_row(get_segment_or_404(seg_id))


@bp.get("/segments/<int:seg_id>/edit")
@require_role(Role.TRANSLATOR)
def segment_edit(seg_id: int):
    """Return the segment's row opened for editing, and say who else has it open."""
    seg = get_segment_or_404(seg_id)
    review.touch(get_db(), seg.id, current_name())
    return render_template("segments/_edit.html", seg=seg, doc=seg.document, States=State,
                           view=request.values.get("view", "edit"), **row_context([seg]))


@bp.post("/segments/<int:seg_id>/presence")
@require_role(Role.TRANSLATOR)
def segment_presence(seg_id: int):
    """Keep (or with `leave`, drop) this person's soft lock on an open segment."""
    seg = get_segment_or_404(seg_id)
    if request.form.get("leave"):
        review.release(get_db(), seg.id, current_name())
    else:
        review.touch(get_db(), seg.id, current_name())
    return "", 204


@bp.post("/segments/<int:seg_id>/state")
@require_role(Role.TRANSLATOR)
def segment_state(seg_id: int):
    """Mark a segment translated, approved or rejected (with a comment)."""
    seg = get_segment_or_404(seg_id)
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
    resp = render_row(seg, saved=True)
    if request.form.get("go") == "next":
        nxt = documents.neighbour(db, seg, 1)
        if nxt is not None:
            resp.headers["HX-Trigger-After-Swap"] = json.dumps({"open-segment": {"id": nxt.id}})
    return resp


@bp.post("/segments/<int:seg_id>/comments")
@require_role(Role.TRANSLATOR)
def segment_comment(seg_id: int):
    """Add a comment to a segment and return its row."""
    seg = get_segment_or_404(seg_id)
    try:
        review.add_comment(get_db(), seg, current_name(), request.form.get("text", ""))
    except review.ReviewError as exc:
        get_db().rollback()
        return render_row(seg, 422, error=str(exc))
    return render_row(seg)


@bp.post("/segments/<int:seg_id>")
@require_role(Role.TRANSLATOR)
def segment_save(seg_id: int):
    """Save the target as a new revision; on a stale version show both texts."""
    db = get_db()
    seg, locked = interchange.segment_and_lock(db, seg_id)
    if seg is None:
        abort(404, f"There is no segment {seg_id}.")
    form = request.form
    try:
        version = int(form.get("version", ""))
    except ValueError:
        abort(400, "The save did not say which version it was based on.")
    seconds = _seconds(form.get("seconds"))
    role = current_role()
    try:
        review.check_may_edit(seg, role, locked)
    except review.ForbiddenError as exc:
        abort(403, str(exc))
    # Saved and closed: others should not see "being edited" until the next heartbeat. The
    # soft lock ends in the save's own transaction, and stays if the save is refused.
    review.release(db, seg.id, current_name(), commit=False)
    try:
        seg = documents.save_target(
            db, seg, form.get("target", ""), version, current_name(), save_state(seg, role),
            seconds=seconds, max_chars=current_app.config["MAX_SEGMENT_CHARS"], role=int(role),
        )
    except documents.ConflictError as exc:
        return make_response(render_template(
            "segments/_conflict.html", seg=exc.segment, doc=exc.segment.document,
            mine=exc.attempted, States=State,
        ), 409)
    except documents.DocumentError as exc:
        db.rollback()
        return make_response(render_template(
            "segments/_edit.html", seg=seg, doc=seg.document, States=State, error=str(exc),
            typed=form.get("target", ""),
        ), 422)
    resp = render_row(seg, saved=True)
    if form.get("go") == "next":
        nxt = documents.neighbour(db, seg, 1)
        if nxt is not None:
            resp.headers["HX-Trigger-After-Swap"] = json.dumps({"open-segment": {"id": nxt.id}})
    return resp


def save_state(seg: Segment, role: Role) -> State:
    """Return the state a save leaves: an editor's fix keeps a segment approved."""
    if seg.state == State.APPROVED and role >= Role.EDITOR:
        return State.APPROVED
    return State.TRANSLATED


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
    seg = get_segment_or_404(seg_id)
    revisions, changes = documents.history(get_db(), seg)
    return render_template("segments/_history.html", seg=seg, revisions=revisions,
                           changes=changes, States=State)


@bp.post("/segments/<int:seg_id>/restore/<int:version>")
@require_role(Role.TRANSLATOR)
def segment_restore(seg_id: int, version: int):
    """Make an earlier revision current again, as a new revision."""
    seg = get_segment_or_404(seg_id)
    try:
        review.check_may_edit(seg, current_role())
        seg = documents.restore_revision(get_db(), seg, version, current_name(),
                                         role=int(current_role()))
    except review.ForbiddenError as exc:
        abort(403, str(exc))
    except documents.DocumentError as exc:
        abort(404, str(exc))
    return render_row(seg, saved=True)


def _check_edit(seg: Segment) -> None:
    """Abort with 403 when the person may not change this segment."""
    try:
        review.check_may_edit(seg, current_role())
    except review.ForbiddenError as exc:
        abort(403, str(exc))


def _list_after_change(seg: Segment) -> Response:
    """Return the segment list around a segment after a structural change."""
    resp = make_response(render_template("segments/_list.html",
                                         **editor_context(seg.document, goto=seg.number)))
    resp.headers["HX-Retarget"] = "#segment-list"
    resp.headers["HX-Reswap"] = "outerHTML"
    return resp


@bp.post("/segments/<int:seg_id>/split")
@require_role(Role.TRANSLATOR)
def segment_split(seg_id: int):
    """Split a segment in two at a character offset."""
    seg = get_segment_or_404(seg_id)
    _check_edit(seg)
    try:
        offset = int(request.form.get("offset", ""))
        documents.split_segment(get_db(), seg, offset, current_name())
    except ValueError as exc:
        get_db().rollback()
        abort(422, str(exc) if isinstance(exc, documents.DocumentError)
              else "Say where to split: a character offset.")
    return _list_after_change(seg)


@bp.post("/segments/<int:seg_id>/merge")
@require_role(Role.TRANSLATOR)
def segment_merge(seg_id: int):
    """Merge a segment with the next one."""
    seg = get_segment_or_404(seg_id)
    _check_edit(seg)
    try:
        documents.merge_segments(get_db(), seg, current_name())
    except documents.DocumentError as exc:
        get_db().rollback()
        abort(422, str(exc))
    return _list_after_change(seg)


@bp.get("/vendor/<path:name>")
def vendor(name: str):
    """Serve a front-end package installed from the npm registry at set-up time."""
    allowed = {"htmx.min.js": "htmx.org/dist/htmx.min.js"}
    if name not in allowed:
        abort(404)
    path = Path(current_app.config["VENDOR_DIR"]) / allowed[name]
    return send_from_directory(path.parent, path.name, max_age=3600)


def plain_text(text: str, _lang: str) -> str:
    """Return text as it is, for Jinja to escape; the glossary replaces this with highlighting."""
    return text


def init_app(app: Flask) -> None:
    """Register the editor's pages."""
    app.register_blueprint(bp)
    app.jinja_env.globals.setdefault("highlight_terms", plain_text)
    app.jinja_env.globals["review_diff"] = word_diff
    app.jinja_env.globals["job_may_retry"] = lambda job: jobs.may_retry(
        job, current_app.config["JOB_STALE_SECONDS"])
