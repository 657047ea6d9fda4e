"""The document pages: the list and upload, the side-by-side editor, progress, export, original."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, UnprocessableEntity

from webapp.core.access import current_name, require_role
from webapp.core.db import get_db
from webapp.core.http import download, get_or_404, page_or_fragment, uploaded_file
from webapp.core.models import Document
from webapp.core.states import Role, State
from webapp.documents import export, importing, queries, textio
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
@require_role(Role.TRANSLATOR)
def index():
    """Open the newest document, or the document list when there is none."""
    docs = queries.list_documents(get_db())
    if docs:
        return redirect(url_for("documents.document", doc_id=docs[0].id))
    return redirect(url_for("documents.document_list"))


@bp.get("/documents")
@require_role(Role.TRANSLATOR)
def document_list():
    """Show every document and the upload form."""
    return render_template("documents/index.html", docs=queries.list_documents(get_db()),
                           error=None, form={})


@bp.post("/documents")
@require_role(Role.TRANSLATOR)
def upload_document():
    """Import an uploaded text file and open it."""
    form = request.form
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        name, data = uploaded_file(limit, importing.DocumentError("Choose a text file to import."))
        doc = interchange.import_document(
            get_db(), data, name, form.get("source_lang", ""), form.get("target_lang", ""),
            form.get("mode", "translate"), limit, author=current_name(),
        )
    except (textio.TextImportError, importing.DocumentError) as exc:
        get_db().rollback()
        return render_template("documents/index.html", docs=queries.list_documents(get_db()),
                               error=str(exc), form=form), 400
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


@bp.post("/documents/<int:doc_id>/original")
@require_role(Role.TRANSLATOR)
def upload_original(doc_id: int):
    """Align an uploaded original with a review document's segments."""
    doc = get_or_404(Document, doc_id)
    db = get_db()
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        _name, data = uploaded_file(
            limit, importing.DocumentError("Choose the original text file to align."))
        importing.set_source_from_original(db, doc, data, limit, current_name())
    except (textio.TextImportError, importing.DocumentError) as exc:
        db.rollback()
        return render_template("documents/editor.html", error=str(exc), **segment_list(doc)), 400
    return redirect(url_for("documents.document", doc_id=doc.id), code=303)


def document_notices(doc: Document) -> dict:
    """Return what the editor page says above the list: a running job, a missing MT model."""
    src, tgt = mt.mt_pair(doc)
    ready = mt.has_route(src, tgt)
    return {"job": jobs.active_job(get_db(), doc.id), "mt_ready": ready, "mt_pair": (src, tgt),
            "mt_missing": None if ready else mt.missing_pair_message(src, tgt)}


def bad_list_request(exc: listing.ListError):
    """Answer a query string the segment list cannot follow as the app's usual 400 or 422."""
    error = UnprocessableEntity(str(exc)) if exc.status == 422 else BadRequest(str(exc))
    return current_app.handle_http_exception(error)


def init_app(app: Flask) -> None:
    """Register the document pages, the editor's notices and the 400 for a bad list query."""
    app.register_blueprint(bp)
    app.register_error_handler(listing.ListError, bad_list_request)
    app.jinja_env.globals["document_notices"] = document_notices
