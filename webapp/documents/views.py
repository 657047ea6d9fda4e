"""The document pages: the list and upload, the side-by-side editor, progress, export, alignment."""

from __future__ import annotations

from babel.dates import format_skeleton
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from werkzeug.exceptions import BadRequest, Forbidden, UnprocessableEntity

from webapp.core.access import current_name, current_role, require_role
from webapp.core.db import get_db
from webapp.core.http import download, get_or_404, int_arg, page_or_fragment, uploaded_file
from webapp.core.i18n import date_filter
from webapp.core.messages import _l
from webapp.core.models import Document, Segment
from webapp.core.states import Role, State
from webapp.documents import dashboard, export, importing, originals, queries, reading, textio
from webapp.interchange import exchange as interchange
from webapp.jobs import runner as jobs
from webapp.mt import engine as mt
from webapp.segments import listing
from webapp.tm import feed as tm_feed
from webapp.tm import store as tm_store

bp = Blueprint("documents", __name__)


def segment_list(doc: Document) -> dict:
    """Return what the editor's segment list shows for this request's query string."""
    return listing.list_context(
        get_db(), doc, request.args, request.headers, current_app.config, current_name(),
        current_app.extensions.get(listing.QA_FINDER))


@bp.get("/")
@bp.get("/documents", endpoint="document_list")
@require_role(Role.TRANSLATOR)
def index():
    """Show the documents dashboard and the upload form."""
    return render_template("documents/index.html", **dashboard_context())


def dashboard_context(error: str | None = None, form=None) -> dict:
    """Return what the dashboard page shows for this request's query string."""
    db = get_db()
    show_archived = request.args.get("archived") == "1"
    found = dashboard.rows(db, current_name(), archived=show_archived)
    mine = [r for r in found if r.mine and not r.doc.archived_at]
    rest = [r for r in found if not r.mine and not r.doc.archived_at]
    groups = [(_l("My documents"), mine),
              (_l("Other documents") if mine else _l("Documents"), rest),
              (_l("Archived"), [r for r in found if r.doc.archived_at])]
    # ?edit=7 and ?confirm=7 open a row's form without JavaScript, as its button does with.
    modes = {request.args.get("edit", type=int): "edit",
             request.args.get("confirm", type=int): "confirm"}
    undo = request.args.get("undo", type=int)
    undo_doc = db.get(Document, undo) if undo else None
    return {"groups": [(label, rows) for label, rows in groups if rows], "count": len(found),
            "overdue": sum(r.overdue for r in found), "show_archived": show_archived,
            "archived_count": dashboard.archived_count(db), "modes": modes,
            "people": dashboard.people(db), "States": State, "error": error,
            "form": form or {},
            "undo_doc": undo_doc if undo_doc and undo_doc.archived_at else None}


def doc_row(doc: Document, mode: str = "view", error: str | None = None, status: int = 200,
            **extra):
    """Answer an htmx request with the document's dashboard row (or the page, without htmx)."""
    if not request.headers.get("HX-Request"):
        if error:
            flash(str(error), "error")
        return redirect(url_for("documents.index", **extra), code=303)
    db = get_db()
    html = render_template(
        "documents/_doc_row.html", r=dashboard.row(db, doc, current_name()), mode=mode,
        error=error, people=dashboard.people(db) if mode == "edit" else [], States=State,
        archived_count=dashboard.archived_count(db), show_archived=request.args.get(
            "archived") == "1", oob=mode in ("archived", "view"))
    return html, status


@bp.get("/documents/<int:doc_id>/row")
@require_role(Role.TRANSLATOR)
def document_row(doc_id: int):
    """Return a document's dashboard row: as shown, or with its edit or delete form."""
    mode = request.args.get("mode", "view")
    if mode not in ("view", "edit", "confirm"):
        raise BadRequest(str(_l("A row is shown as view, edit or confirm.")))
    doc = get_or_404(Document, doc_id)
    if not request.headers.get("HX-Request"):
        key = {"edit": "edit", "confirm": "confirm"}.get(mode)
        return redirect(url_for("documents.index", **({key: doc.id} if key else {}),
                                **({"archived": 1} if doc.archived_at else {})), code=303)
    return doc_row(doc, mode)


@bp.post("/documents/<int:doc_id>/plan")
@require_role(Role.EDITOR)
def plan_document(doc_id: int):
    """Assign a document's translator and editor and set its due date."""
    doc = get_or_404(Document, doc_id)
    form = request.form
    try:
        dashboard.plan(get_db(), doc, current_name(), current_role(),
                       translator=form.get("translator", ...), editor=form.get("editor", ...),
                       due=form.get("due_date", ...))
    except dashboard.DashboardError as exc:
        get_db().rollback()
        return doc_row(doc, "edit", str(exc), 422, edit=doc.id)
    return doc_row(doc)


@bp.post("/documents/<int:doc_id>/archive")
@require_role(Role.TRANSLATOR)
def archive_document(doc_id: int):
    """Archive a document: it leaves the dashboard, with an Undo right there."""
    doc = get_or_404(Document, doc_id)
    try:
        dashboard.archive(get_db(), doc, current_name(), current_role())
    except dashboard.NotAllowed as exc:
        raise Forbidden(str(exc)) from None
    return doc_row(doc, "archived", undo=doc.id)


@bp.post("/documents/<int:doc_id>/unarchive")
@require_role(Role.TRANSLATOR)
def unarchive_document(doc_id: int):
    """Bring an archived document back onto the dashboard."""
    doc = get_or_404(Document, doc_id)
    try:
        dashboard.unarchive(get_db(), doc, current_name(), current_role())
    except dashboard.NotAllowed as exc:
        raise Forbidden(str(exc)) from None
    return doc_row(doc)


@bp.post("/documents/<int:doc_id>/delete")
@require_role(Role.ADMIN)
def delete_document(doc_id: int):
    """Delete an archived document for good."""
    doc = get_or_404(Document, doc_id)
    try:
        gone = dashboard.delete_archived(get_db(), doc, current_name(), current_role())
    except dashboard.DashboardError as exc:
        get_db().rollback()
        return doc_row(doc, "confirm", str(exc), 422, archived=1)
    message = _l("„%(name)s“ and its %(segments)s segments are deleted.",
                 name=gone["name"], segments=gone["segments"])
    if not request.headers.get("HX-Request"):
        flash(str(message), "ok")
        return redirect(url_for("documents.index", archived=1), code=303)
    return render_template("documents/_doc_gone.html", message=message,
                           archived_count=dashboard.archived_count(get_db()),
                           show_archived=True)


@bp.post("/documents")
@require_role(Role.TRANSLATOR)
def upload_document():
    """Import an uploaded text file and open it."""
    form = request.form
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        name, data = uploaded_file(limit,
                                   importing.DocumentError(_l("Choose a text file to import.")))
        doc = interchange.import_document(
            get_db(), data, name, form.get("source_lang", ""), form.get("target_lang", ""),
            form.get("mode", "translate"), limit, author=current_name(),
        )
    except (textio.TextImportError, importing.DocumentError) as exc:
        get_db().rollback()
        return render_template("documents/index.html",
                               **dashboard_context(str(exc), form)), 400
    if request.form.get("tm_prefill"):
        tm_feed.prefill(get_db(), tm_store.cache_of(current_app), doc)
    if request.form.get("pretranslate") and mt.has_route(*mt.mt_pair(doc)):
        jobs.start_pretranslation(current_app._get_current_object(), get_db(), doc)
    return redirect(url_for("documents.document", doc_id=doc.id), code=303)


@bp.get("/documents/<int:doc_id>")
@require_role(Role.TRANSLATOR)
def document(doc_id: int):
    """Show the side-by-side editor, or only its segment list to an htmx request."""
    doc = get_or_404(Document, doc_id)
    return page_or_fragment("documents/editor.html", listing.FRAGMENTS, **segment_list(doc))


@bp.get("/documents/<int:doc_id>/progress")
@require_role(Role.TRANSLATOR)
def document_progress(doc_id: int):
    """Return the progress bar by state."""
    doc = get_or_404(Document, doc_id)
    prog = queries.progress(get_db(), doc.id)
    return render_template("documents/_progress.html", doc=doc, progress=prog,
                           counts={k: v[0] for k, v in prog.items()}, States=State)


@bp.get("/documents/<int:doc_id>/read")
@require_role(Role.TRANSLATOR)
def read(doc_id: int):
    """Show the corrected document as running text, its changes from the MT marked."""
    doc = get_or_404(Document, doc_id)
    return render_template("documents/read.html", doc=doc, reading=reading.read(get_db(), doc))


@bp.get("/documents/<int:doc_id>/export.txt")
@require_role(Role.TRANSLATOR)
def export_txt(doc_id: int):
    """Download the corrected text with the original layout."""
    doc = get_or_404(Document, doc_id)
    exp = interchange.export_document(get_db(), doc, "txt")
    return download(exp.data, exp.filename, exp.mimetype,
                    X_Untranslated_Segments=str(exp.untranslated),
                    X_Export_Warnings=export_warnings_header(export_check(doc)))


def export_check(doc: Document) -> export.ExportCheck:
    """Return what the text export would carry unfinished or with open QA warnings."""
    finder = current_app.extensions.get(listing.QA_FINDER)
    return export.check_export(get_db(), doc, finder(get_db(), doc.id) if finder else None)


def export_warnings_header(check: export.ExportCheck) -> str:
    """Return the warnings as one header value ("" when there are none)."""
    return " | ".join(check.warnings())


@bp.get("/documents/<int:doc_id>/export/check")
@require_role(Role.TRANSLATOR)
def export_check_page(doc_id: int):
    """Return the confirmation step before a text export: what is still unfinished."""
    doc = get_or_404(Document, doc_id)
    return render_template("documents/_export_check.html", doc=doc, check=export_check(doc))


ALIGN_PAGE = 200


def glossary_now():
    """Return the glossary the aligner takes anchors from, when the glossary feature is there."""
    cache = current_app.extensions.get("webapp.glossary")
    return cache.current(get_db()).glossary if cache is not None else None


def alignment_context(doc: Document, error: str | None = None, focus: int = 0) -> dict:
    """Return what the alignment page and its row list show: the page of rows around `focus`."""
    db = get_db()
    proposal = originals.get_proposal(db, doc)
    total = len(proposal.links) if proposal else 0
    page = int_arg("page", focus // ALIGN_PAGE + 1, 1, max(1, -(-total // ALIGN_PAGE)))
    start = (page - 1) * ALIGN_PAGE
    rows = originals.rows(db, proposal, start, start + ALIGN_PAGE) if proposal else []
    return {"doc": doc, "proposal": proposal, "rows": rows, "error": error, "page": page,
            "pages": max(1, -(-total // ALIGN_PAGE)), "total": total,
            "segments": queries.count_segments(db, doc.id),
            "low": sum(r.low for r in rows), "focus": focus}


@bp.get("/documents/<int:doc_id>/alignment")
@require_role(Role.TRANSLATOR)
def alignment_page(doc_id: int):
    """Show the proposed alignment of the uploaded original, or the form to upload one."""
    doc = get_or_404(Document, doc_id)
    return page_or_fragment("documents/alignment.html", {"align-rows": "documents/_align_rows.html"},
                            **alignment_context(doc))


@bp.post("/documents/<int:doc_id>/original")
@require_role(Role.TRANSLATOR)
def upload_original(doc_id: int):
    """Align an uploaded original with a review document's segments, as a proposal to check."""
    doc = get_or_404(Document, doc_id)
    db = get_db()
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        name, data = uploaded_file(
            limit, importing.DocumentError(_l("Choose the original text file to align.")))
        originals.propose(db, doc, data, name, limit, current_name(), glossary_now(),
                          current_app.config["MAX_SEGMENT_CHARS"])
    except (textio.TextImportError, importing.DocumentError) as exc:
        db.rollback()
        return render_template("documents/alignment.html",
                               **alignment_context(doc, error=str(exc))), 400
    return redirect(url_for("documents.alignment_page", doc_id=doc.id), code=303)


@bp.post("/documents/<int:doc_id>/alignment/join", defaults={"edit": "join"})
@bp.post("/documents/<int:doc_id>/alignment/split", defaults={"edit": "split"})
@require_role(Role.TRANSLATOR)
def edit_alignment(doc_id: int, edit: str):
    """Join a row's English with the next row's, or split it; answer with the rows."""
    doc = get_or_404(Document, doc_id)
    db = get_db()
    form = request.form
    row = _form_int("row")
    try:
        proposal = _proposal_or_error(doc)
        version = _form_int("version")
        if edit == "join":
            row = originals.join(db, proposal, row, version, current_name(),
                                 current_app.config["MAX_SEGMENT_CHARS"])
        else:
            at = _form_int("at") if form.get("at", "").strip() else None
            row = originals.split(db, proposal, row, at, version, current_name())
    except importing.DocumentError as exc:
        db.rollback()
        status = 409 if isinstance(exc, originals.AlignmentConflict) else 400
        return _alignment_answer(doc, row, str(exc), status)
    return _alignment_answer(doc, row)


@bp.post("/documents/<int:doc_id>/alignment/accept")
@require_role(Role.TRANSLATOR)
def accept_alignment(doc_id: int):
    """Write the checked alignment into the segments' source column and open the editor."""
    doc = get_or_404(Document, doc_id)
    db = get_db()
    try:
        proposal = _proposal_or_error(doc)
        originals.accept(db, doc, proposal, _form_int("version"), current_name())
    except importing.DocumentError as exc:
        db.rollback()
        status = 409 if isinstance(exc, originals.AlignmentConflict) else 400
        return _alignment_answer(doc, 0, str(exc), status)
    if request.headers.get("HX-Request"):
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = doc.url
        return resp
    return redirect(doc.url, code=303)


def _form_int(name: str) -> int:
    """Return a whole number from the form, or refuse the request (400)."""
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        raise BadRequest(str(_l("The form field %(name)s must be a whole number.",
                                name=repr(name)))) from None


def _proposal_or_error(doc: Document):
    proposal = originals.get_proposal(get_db(), doc)
    if proposal is None:
        raise importing.DocumentError(_l("No original has been uploaded for this document."))
    return proposal


def _alignment_answer(doc: Document, row: int, error: str | None = None, status: int = 200):
    """Answer an edit with the rows (htmx) or the page, keeping the row in view."""
    context = alignment_context(doc, error=error, focus=max(row, 0))
    if request.headers.get("HX-Request"):
        return render_template("documents/_align_rows.html", **context), status
    if error:
        return render_template("documents/alignment.html", **context), status
    return redirect(url_for("documents.alignment_page", doc_id=doc.id, page=context["page"]),
                    code=303)


def document_notices(doc: Document) -> dict:
    """Return what the editor page says above the list: a running job, a missing MT model."""
    src, tgt = mt.mt_pair(doc)
    ready = mt.has_route(src, tgt)
    return {"job": jobs.active_job(get_db(), doc.id), "mt_ready": ready, "mt_pair": (src, tgt),
            "mt_missing": None if ready else mt.missing_pair_message(src, tgt)}


def shared_source_note(seg) -> str:
    """Return "shares the English of #n" for a segment whose accepted original is its neighbour's."""
    doc_id = seg.document_id
    cache = g.setdefault("shared_sources", {})
    if doc_id not in cache:
        db = get_db()
        cache[doc_id] = originals.shared_with(originals.get_proposal(db, db.get(Document, doc_id)))
    lead = cache[doc_id].get(seg.id)
    lead_seg = get_db().get(Segment, lead) if lead else None
    return _l("shares the English of #%(number)s", number=str(lead_seg.number)) if lead_seg else ""


def ago(moment) -> str:
    """Say how long ago a moment was in the reader's language; two weeks and more, the date."""
    return dashboard.ago(moment, write_date=date_filter)


def due_day(due, today) -> str:
    """Write a due date short ("Dec 2", "2. Dez."), with its year when it is not this year's."""
    skeleton = "MMMd" if due.year == today.year else "yMMMd"
    return format_skeleton(skeleton, due, locale=get_locale())


def bad_list_request(exc: listing.ListError):
    """Answer a query string the segment list cannot follow as the app's usual 400 or 422."""
    error = UnprocessableEntity(str(exc)) if exc.status == 422 else BadRequest(str(exc))
    return current_app.handle_http_exception(error)


def init_app(app: Flask) -> None:
    """Register the document pages, the editor's notices and the 400 for a bad list query."""
    app.register_blueprint(bp)
    app.register_error_handler(listing.ListError, bad_list_request)
    app.jinja_env.globals["document_notices"] = document_notices
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["due_label"] = dashboard.due_label
    app.jinja_env.filters["due_day"] = due_day
    app.jinja_env.globals["shared_source_note"] = shared_source_note
