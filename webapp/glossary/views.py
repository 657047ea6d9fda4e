"""The glossary pages (search, edit, import, export) and the term highlights in segment text."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import select

from webapp.core.access import current_name, may, require_role
from webapp.core.db import get_db
from webapp.core.http import download, get_or_404, page_or_fragment, uploaded_file
from webapp.core.messages import _l
from webapp.core.models import (
    MAX_ID,
    Document,
    GlossaryEntry,
    GlossaryImport,
    GlossaryProposal,
    Segment,
)
from webapp.core.states import Role
from webapp.glossary import dictionary, exchange, highlight, proposals, store
from webapp.glossary.entries import (
    MAX_IMPORT_BYTES,
    Glossary,
    GlossaryError,
    GlossaryFormatError,
    reason,
)
from webapp.glossary.forms import entry_from_form, page_rows, row_for
from webapp.glossary.merge import MERGE, preview_import

bp = Blueprint("glossary", __name__)

# The most of a text the dictionary panel looks up (a word or a short phrase).
MAX_LOOKUP_CHARS = 200


def snapshot() -> store.Snapshot:
    """Return the glossary for this request: one revision check, then the process's copy."""
    return current_app.extensions["webapp.glossary"].current(get_db())


def highlight_terms(text: str, lang: str) -> Markup:
    """Return segment text with its glossary terms highlighted (the editor's Jinja global)."""
    text = text or ""
    return highlight.highlight(text, snapshot().find(text, lang))


def page_context(**extra) -> dict:
    """Return what the glossary page and its list need."""
    query = request.args.get("q", "").strip()[:200]
    snap = snapshot()
    return {"rows": page_rows(snap, query), "q": query, "languages": snap.languages,
            "total": len(snap.glossary), "version": snap.glossary.version, "form": {},
            "proposals": proposals.open_proposals(get_db()),
            "decided": proposals.recently_decided(get_db()), **extra}


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request"))


def _entry(entry_id: int) -> GlossaryEntry:
    return get_or_404(GlossaryEntry, entry_id, "glossary entry")


@bp.get("/glossary")
@require_role(Role.TRANSLATOR)
def glossary_page():
    """Show the glossary, or only its list to an htmx search."""
    return page_or_fragment("glossary/index.html", {"glossary-list": "glossary/_list.html"},
                            **page_context())


@bp.post("/glossary")
@require_role(Role.ADMIN)
def add_entry():
    """Add an entry; the add form comes back empty, or with what was wrong."""
    db = get_db()
    snap = snapshot()
    try:
        entry = entry_from_form(request.form, snap.languages)
        store.add_entry(db, snap, entry, current_name())
    except GlossaryError as exc:
        db.rollback()
        if not _is_htmx():
            return render_template("glossary/index.html", **page_context(
                form=request.form, form_error=str(exc))), 422
        return render_template("glossary/_form.html", languages=snap.languages,
                               form=request.form, form_error=str(exc)), 422
    message = _l("Added “%(key)s”.", key=entry.key)
    if not _is_htmx():
        flash(str(message), "ok")
        return redirect(url_for("glossary.glossary_page"), code=303)
    resp = make_response(render_template("glossary/_form.html", languages=snap.languages,
                                         form={}, form_message=message))
    resp.headers["HX-Trigger"] = "glossary-changed"
    return resp


@bp.get("/glossary/<int:entry_id>")
@require_role(Role.TRANSLATOR)
def entry_row(entry_id: int):
    """Return an entry's row."""
    return render_template("glossary/_row.html", row=row_for(_entry(entry_id)),
                           languages=snapshot().languages)


@bp.get("/glossary/<int:entry_id>/edit")
@require_role(Role.ADMIN)
def entry_edit(entry_id: int):
    """Return an entry's row opened for editing."""
    return render_template("glossary/_edit_row.html", row=row_for(_entry(entry_id)),
                           languages=snapshot().languages, form=None)


@bp.post("/glossary/<int:entry_id>")
@require_role(Role.ADMIN)
def entry_save(entry_id: int):
    """Save an edited entry and return its row, or the edit row saying what was wrong."""
    row = _entry(entry_id)
    db = get_db()
    snap = snapshot()
    try:
        entry = entry_from_form(request.form, snap.languages)
        store.update_entry(db, snap, row, entry, current_name())
    except GlossaryError as exc:
        db.rollback()
        return render_template("glossary/_edit_row.html", row=row_for(_entry(entry_id)),
                               languages=snap.languages, form=request.form,
                               form_error=str(exc)), 422
    return render_template("glossary/_row.html", row=row_for(row), languages=snap.languages,
                           saved=True)


@bp.post("/glossary/<int:entry_id>/delete")
@require_role(Role.ADMIN)
def entry_delete(entry_id: int):
    """Delete an entry: the row disappears (htmx), or the page reloads."""
    entry = store.delete_entry(get_db(), _entry(entry_id), current_name())
    if _is_htmx():
        return ""
    flash(str(_l("Deleted “%(key)s”.", key=entry.key)), "ok")
    return redirect(url_for("glossary.glossary_page"), code=303)


def read_upload() -> tuple[store.Snapshot, Glossary, str]:
    """Return the glossary as it is and the uploaded file parsed for its languages, with the
    file's name; or raise GlossaryFormatError naming line and problem."""
    snap = snapshot()
    name, data = uploaded_file(
        MAX_IMPORT_BYTES, GlossaryFormatError(_l("Choose a glossary file (.csv or .tbx) to import.")))
    incoming = exchange.load(data, filename=name, languages=snap.languages)
    if not len(incoming):
        raise GlossaryFormatError(_l("%(file)s holds no glossary entry.", file=name))
    return snap, incoming, name


@bp.post("/glossary/import")
@require_role(Role.ADMIN)
def import_preview():
    """Read an uploaded CSV or TBX file and show what importing it would add, change and skip."""
    try:
        snap, incoming, filename = read_upload()
    except GlossaryError as exc:
        if _is_htmx():
            return render_template("_partials/_error.html", message=str(exc)), 422
        return render_template("glossary/index.html", **page_context(import_error=str(exc))), 422
    try:
        preview = preview_import(snap.glossary, incoming, request.form.get("mode", MERGE))
    except GlossaryError as exc:
        abort(400, reason(exc))
    upload = store.store_upload(get_db(), snap, incoming, filename, current_name())
    ctx = {"preview": preview, "upload": upload, "languages": snap.languages}
    if _is_htmx():
        return render_template("glossary/_import_preview.html", **ctx)
    return render_template("glossary/index.html", **page_context(**ctx))


@bp.post("/glossary/import/<token>")
@require_role(Role.ADMIN)
def import_apply(token: str):
    """Apply a previewed import, unless the glossary changed since the preview."""
    db = get_db()
    upload = db.scalar(select(GlossaryImport).where(GlossaryImport.token == token))
    if upload is None:
        abort(404, _l("That import preview has expired; upload the file again."))
    snap = snapshot()
    try:
        preview = preview_import(snap.glossary, store.load_upload(upload),
                                 request.form.get("mode", MERGE))
        if preview.base_version != upload.base_version:
            raise GlossaryError(_l("the glossary changed since this import was previewed; "
                                   "preview it again"))
        store.apply_import(db, snap, preview, current_name(), upload.filename)
    except GlossaryError as exc:
        db.rollback()
        flash(str(_l("Nothing was imported: %(error)s.", error=reason(exc))), "error")
        return redirect(url_for("glossary.glossary_page"), code=303)
    db.delete(upload)
    db.commit()
    flash(str(_l("Imported %(file)s: %(added)s added, %(changed)s changed, %(skipped)s already "
                 "the same.", file=upload.filename, added=len(preview.added),
                 changed=len(preview.changed), skipped=len(preview.skipped))), "ok")
    return redirect(url_for("glossary.glossary_page"), code=303)


def export_response(fmt: str) -> Response:
    """Return the glossary as a CSV or TBX download."""
    glossary = snapshot().glossary
    return download(exchange.dump(glossary, fmt), f"glossary.{fmt}", exchange.MEDIA_TYPES[fmt],
                    X_Glossary_Version=glossary.version)


@bp.get("/glossary/export.<fmt>")
@require_role(Role.TRANSLATOR)
def export(fmt: str):
    """Download the glossary as CSV (spreadsheet-safe) or TBX."""
    if fmt not in exchange.FORMATS:
        abort(404)
    return export_response(fmt)


# ---------------------------------------------------------------------------
# The English column's source terms, the dictionary panel, and proposed entries
# ---------------------------------------------------------------------------


def source_terms(seg: Segment, doc: Document) -> list[highlight.TermLine]:
    """Return the glossary concepts in a segment's text with their other-language renderings."""
    return highlight.segment_terms(snapshot(), seg, doc)[2]


def dictionary_of() -> dictionary.Dictionary:
    """Return the process's German–English dictionary."""
    return current_app.extensions["webapp.dictionary"]


def lookup_context(word: str, doc_id: int | None) -> dict:
    """Return what the dictionary panel shows for a word: glossary entries, then FreeDict."""
    word = " ".join(word.split())[:MAX_LOOKUP_CHARS]
    snap = snapshot()
    found: dict[str, object] = {}
    if word:
        for match in snap.find(word, "de"):
            found.setdefault(match.entry.key.casefold(), match.entry)
        # "Sicherheitsrates" alone is no whole term, but its stem is part of one.
        for cand in dictionary.candidates(word)[:3]:
            if len(cand) >= 4:
                for entry in snap.glossary.search(cand, "de")[:5]:
                    found.setdefault(entry.key.casefold(), entry)
    hits, missing, error = [], None, None
    book = dictionary_of()
    if word and not book.available:
        missing = _l(dictionary.INSTALL_HINT)
    elif word:
        try:
            hits = book.lookup(word)
        except (OSError, ValueError, dictionary.DictionaryMissing) as exc:
            error = _l("The dictionary could not be read: %(error)s", error=reason(exc))
    senses = [s for h in hits for s in h.senses if s.translations]
    first = next((s for s in senses if not s.plural), senses[0] if senses else None)
    form = {"terms_de": first.headword if first else word,
            "terms_en": first.translations[0] if first else "",
            "origin": f"FreeDict: {first.headword} → {first.english}" if first else ""}
    return {"word": word, "glossary_hits": list(found.values())[:8], "hits": hits,
            "missing": missing, "error": error, "doc_id": doc_id, "form": form,
            "languages": snap.languages}


@bp.get("/dictionary")
@require_role(Role.TRANSLATOR)
def dictionary_lookup():
    """Return the dictionary panel's answer for one German word or phrase."""
    doc_id = request.args.get("doc", type=int)
    return render_template("glossary/_dictionary.html",
                           **lookup_context(request.args.get("q", ""), doc_id))


@bp.post("/dictionary/term")
@require_role(Role.TRANSLATOR)
def dictionary_term():
    """Add a glossary entry from the dictionary panel (admins), or propose one (others)."""
    db = get_db()
    snap = snapshot()
    form = request.form
    doc_id = form.get("doc", type=int)
    try:
        entry = proposals.require_terms(entry_from_form(
            {k: form.get(k, "") for k in ("terms_de", "terms_en", "note", "dnt")},
            snap.languages), "de")
        if may(Role.ADMIN):
            store.add_entry(db, snap, entry, current_name())
            message = _l("Added “%(key)s” to the glossary.", key=entry.key)
        else:
            known = doc_id if doc_id and 0 < doc_id <= MAX_ID and db.get(Document, doc_id) else None
            proposals.propose(db, snap, entry, current_name(), form.get("origin", ""), known)
            message = _l("Proposed “%(key)s”; an admin decides on the glossary page.",
                         key=entry.key)
    except GlossaryError as exc:
        db.rollback()
        return render_template("glossary/_dictionary_form.html", form=form, doc_id=doc_id,
                               form_error=_l("Not saved: %(error)s.", error=reason(exc))), 422
    resp = make_response(render_template("glossary/_dictionary_form.html", form=form,
                                         doc_id=doc_id, form_message=message))
    resp.headers["HX-Trigger"] = "glossary-changed"
    return resp


def _proposal(proposal_id: int) -> GlossaryProposal:
    return get_or_404(GlossaryProposal, proposal_id, "proposal")


@bp.post("/glossary/proposals/<int:proposal_id>/accept")
@require_role(Role.ADMIN)
def proposal_accept(proposal_id: int):
    """Add a proposed entry to the glossary."""
    db = get_db()
    proposal = _proposal(proposal_id)
    try:
        proposals.accept(db, snapshot(), proposal, current_name())
    except GlossaryError as exc:
        db.rollback()
        flash(str(_l("Not accepted: %(error)s.", error=reason(exc))), "error")
    else:
        flash(str(_l("Accepted “%(key)s” from %(name)s.", key=proposals.entry_of(proposal).key,
                     name=proposal.proposed_by)), "ok")
    return redirect(url_for("glossary.glossary_page") + "#proposals", code=303)


@bp.post("/glossary/proposals/<int:proposal_id>/decline")
@require_role(Role.ADMIN)
def proposal_decline(proposal_id: int):
    """Turn a proposed entry down, with a reason."""
    db = get_db()
    proposal = _proposal(proposal_id)
    try:
        proposals.decline(db, proposal, current_name(), request.form.get("reason", ""))
    except GlossaryError as exc:
        db.rollback()
        flash(str(_l("Not declined: %(error)s.", error=reason(exc))), "error")
    else:
        flash(str(_l("Declined “%(key)s”.", key=proposals.entry_of(proposal).key)), "ok")
    return redirect(url_for("glossary.glossary_page") + "#proposals", code=303)
