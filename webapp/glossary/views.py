"""The glossary in the app: term highlights and QA beside segments, the glossary page, API, CLI."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import click
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.cli import with_appcontext
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.core import openapi
from webapp.core.access import current_name, require_role
from webapp.core.db import get_db, get_sessionmaker
from webapp.core.http import ApiError
from webapp.core.models import Document, GlossaryEntry, GlossaryImport, Segment
from webapp.core.states import Role
from webapp.documents.views import get_segment_or_404
from webapp.glossary import domain as gl
from webapp.glossary import store as termbase
from webapp.qa import checks as qa

bp = Blueprint("terms", __name__)

MAX_LOOKUP_CHARS = 100_000


def snapshot() -> termbase.Snapshot:
    """Return the glossary for this request: one revision check, then the process's copy."""
    if "glossary" not in g:
        g.glossary = current_app.extensions["webapp.glossary"].get(get_db())
    return g.glossary


def _changed() -> None:
    """Forget this request's copy after an edit, so what is rendered next shows the edit."""
    g.pop("glossary", None)
    g.pop("glossary_matches", None)


def providers() -> list[qa.Provider]:
    """Return the QA checks other features registered."""
    return current_app.extensions.setdefault("webapp.qa_providers", [])


# ---------------------------------------------------------------------------
# Highlighting
# ---------------------------------------------------------------------------


def render_piece(text: str) -> Markup:
    """Return a stretch of segment text as safe HTML.

    Everything that is not a term goes through here, so the XLIFF feature can replace it
    (`terms.render_piece = …`) to show inline-code characters as tag chips.
    """
    return escape(text)


def term_tip(match: gl.Match) -> str:
    """Return the tooltip of a matched term: the other languages' renderings, then the note."""
    return str(_tip(match.entries, match.lang))


@lru_cache(maxsize=4096)
def _tip(entries: tuple[gl.Entry, ...], lang: str) -> Markup:
    # Escaped once per concept and language: a page shows the same few terms many times.
    lines = []
    for entry in entries:
        if entry.dnt:
            head = f"do not translate: keep “{entry.preferred(lang) or entry.key}” as it is"
            avoid = [v for vs in entry.forbidden.values() for v in vs]
            head += f" (not {', '.join(avoid)})" if avoid else ""
        else:
            parts = []
            for other, variants in entry.terms.items():
                if other != lang:
                    avoid = entry.forbidden_in(other)
                    parts.append(f"{other}: {' | '.join(variants)}"
                                 + (f" (not {', '.join(avoid)})" if avoid else ""))
            head = "; ".join(parts) or entry.key
        lines.append(f"{head} — {entry.note}" if entry.note else head)
    return escape("\n".join(lines))


def find(glossary: gl.Glossary, text: str, lang: str) -> list[gl.Match]:
    """Return the terms in text; a language the glossary cannot read has none."""
    try:
        return glossary.find(text, lang)
    except gl.GlossaryError:
        return []


def page_find(text: str, lang: str) -> list[gl.Match]:
    """Return the terms in text, once per request: a row's column and its term list share it."""
    found = g.setdefault("glossary_matches", {})
    key = (lang, text)
    if key not in found:
        found[key] = find(snapshot().glossary, text, lang)
    return found[key]


def highlight(glossary: gl.Glossary, text: str, lang: str,
              matches: list[gl.Match] | None = None) -> Markup:
    """Return text as HTML with each glossary term in a focusable <mark> carrying its tooltip."""
    if matches is None:
        matches = find(glossary, text, lang)
    out, cursor = [], 0
    for m in matches:
        out += (render_piece(text[cursor:m.start]), _open_mark(m.entries, m.lang),
                render_piece(m.text), "</mark>")
        cursor = m.end
    out.append(render_piece(text[cursor:]))
    # Every piece is escaped (render_piece) or built from escaped parts (_open_mark).
    return Markup("".join(out))


@lru_cache(maxsize=4096)
def _open_mark(entries: tuple[gl.Entry, ...], lang: str) -> Markup:
    return Markup('<mark class="term{}" data-entry="{}" title="{}" tabindex="0">').format(
        " dnt" if entries[0].dnt else "", entries[0].key, _tip(entries, lang))


def highlight_terms(text: str, lang: str) -> Markup:
    """Return segment text with its glossary terms highlighted (the editor's Jinja global)."""
    text = text or ""
    return highlight(snapshot().glossary, text, lang, page_find(text, lang))


# ---------------------------------------------------------------------------
# Beside each segment: the other language's terms, and QA warnings
# ---------------------------------------------------------------------------


@dataclass
class TermLine:
    """A term a segment's text contains, with its renderings in the other language."""

    found: str
    key: str
    renderings: tuple[str, ...]
    dnt: bool


@dataclass
class Panel:
    """What the glossary shows beside one segment."""

    from_lang: str
    to_lang: str
    terms: list[TermLine]
    review: qa.Review

    @property
    def empty(self) -> bool:
        """Return whether there is nothing to show."""
        return not (self.terms or self.review.open or self.review.dismissed)


def segment_terms(seg: Segment, doc: Document) -> tuple[str, str, list]:
    """Return the file side's terms with their renderings in the other language."""
    if doc.mode == "review":
        text, lang, other = seg.target or seg.mt, doc.target_lang, doc.source_lang
    else:
        text, lang, other = seg.source, doc.source_lang, doc.target_lang
    lines, seen = [], set()
    for m in page_find(text or "", lang):
        if m.entry.key in seen:
            continue
        seen.add(m.entry.key)
        renderings = tuple(dict.fromkeys(v for e in m.entries for v in e.variants(
            gl.normalize_lang(other))))
        lines.append(TermLine(m.text, m.entry.key, renderings, m.entry.dnt))
    return lang, other, lines


def _dismissals(seg: Segment) -> list:
    """Return a segment's dismissals, loading those of the whole page in one query."""
    cache = g.setdefault("qa_dismissals", {})
    if seg.id not in cache:
        db = get_db()
        # The rows of a page are the segments this request has loaded: ask for all at once.
        ids = {obj.id for obj in db.identity_map.values()
               if isinstance(obj, Segment) and obj.document_id == seg.document_id
               and obj.id not in cache}
        cache.update(qa.dismissals_for(db, ids | {seg.id}))
    return cache[seg.id]


def segment_review(seg: Segment, doc: Document) -> qa.Review:
    """Return a segment's warnings, split into open and dismissed for its current text."""
    warnings = qa.segment_warnings(snapshot().glossary, seg, doc, providers())
    return qa.split_dismissed(warnings, _dismissals(seg), qa.digest(seg.source, seg.target))


def segment_glossary(seg: Segment, doc: Document | None = None) -> Panel:
    """Return the terms and QA of one segment (the segment templates' Jinja global)."""
    doc = doc or seg.document
    from_lang, to_lang, lines = segment_terms(seg, doc)
    return Panel(from_lang, to_lang, lines, segment_review(seg, doc))


def qa_segment_ids(db: Session, doc_id: int) -> list[int]:
    """Return the ids of a document's segments with an open QA warning (the editor's filter)."""
    doc = db.get(Document, doc_id)
    if doc is None:
        return []
    return qa.open_segment_ids(db, doc, snapshot().glossary, providers(),
                               cache=current_app.extensions["webapp.qa_filter_cache"])


def render_panel(seg: Segment, status: int = 200, **extra) -> Response:
    """Return the glossary panel of one segment."""
    g.pop("qa_dismissals", None)
    return make_response(render_template("glossary/_segment_terms.html", seg=seg,
                                         doc=seg.document, **extra), status)


@bp.post("/segments/<int:seg_id>/qa/dismiss")
@require_role(Role.TRANSLATOR)
def dismiss_warning(seg_id: int):
    """Dismiss one QA warning of a segment with a reason, and return the segment's panel."""
    seg = get_segment_or_404(seg_id)
    code, key = request.form.get("code", ""), request.form.get("key", "")
    warning = next((w for w in segment_review(seg, seg.document).open
                    if w.ident == (code, key)), None)
    if warning is None:
        return render_panel(seg, 409, qa_error="That warning is no longer open; "
                                               "here is the segment's QA as it is now.")
    reason = request.form.get(f"reason:{code}:{key}") or request.form.get("reason", "")
    try:
        qa.dismiss(get_db(), seg, warning, reason, current_name())
    except qa.QaError as exc:
        get_db().rollback()
        return render_panel(seg, 422, qa_error=str(exc), qa_failed=warning.ident)
    return render_panel(seg)


@bp.post("/segments/<int:seg_id>/qa/reopen")
@require_role(Role.TRANSLATOR)
def reopen_warning(seg_id: int):
    """Take back a dismissal: the warning shows as open again; return the segment's panel."""
    seg = get_segment_or_404(seg_id)
    try:
        qa.reopen(get_db(), seg, int(request.form.get("dismissal", "0") or 0), current_name())
    except (ValueError, qa.QaError):
        get_db().rollback()
        return render_panel(seg, 409, qa_error="That dismissal is gone already; here is the "
                                               "segment's QA as it is now.")
    return render_panel(seg)


# ---------------------------------------------------------------------------
# The glossary page
# ---------------------------------------------------------------------------


def get_entry_or_404(entry_id: int) -> GlossaryEntry:
    """Return the stored entry or abort with 404."""
    row = get_db().get(GlossaryEntry, entry_id)
    if row is None:
        abort(404, f"There is no glossary entry {entry_id}.")
    return row


def parse_forbidden(cell: str, languages: tuple[str, ...]) -> dict[str, list[str]]:
    """Read "en:Kreml | 38 Nord": a language code before a rendering limits it to that language."""
    out: dict[str, list[str]] = {}
    for item in cell.split("|") if cell.strip() else []:
        head, sep, rest = item.partition(":")
        lang = head.strip().lower()
        if sep and lang in languages and rest.strip():
            out.setdefault(lang, []).append(rest)
        else:
            out.setdefault(gl.ANY_LANG, []).append(item)
    return out


def entry_from_form(form, languages: tuple[str, ...]) -> gl.Entry:
    """Return the entry an edit form describes, or raise GlossaryError saying what is wrong."""
    terms = {}
    for name, value in form.items():
        if name.startswith("terms_"):
            lang = name.removeprefix("terms_")
            if lang not in languages:
                raise gl.GlossaryError(f"unknown language column “{lang}”: this workbench has "
                                       f"{', '.join(languages)}")
            terms[lang] = value
    case = form.get("case_sensitive", "")
    if case not in ("", "yes", "no"):
        raise gl.GlossaryError("case sensitivity is automatic, yes or no")
    return gl.Entry(
        key=form.get("key", ""), terms=terms, note=form.get("note", ""),
        dnt=bool(form.get("dnt")), forbidden=parse_forbidden(form.get("forbidden", ""), languages),
        case_sensitive={"": None, "yes": True, "no": False}[case],
    )


@dataclass
class Row:
    """A stored entry as the glossary page shows it."""

    id: int
    entry: gl.Entry

    @property
    def url(self) -> str:
        """Return the path of this entry's row fragment."""
        return f"/glossary/{self.id}"

    @property
    def shows_key(self) -> bool:
        """Tell whether the key is worth showing: it is not simply the first term."""
        return self.entry.key != next(iter(self.entry.terms.values()))[0]

    def forbidden_text(self) -> str:
        """Return the forbidden renderings as the form writes them."""
        return " | ".join(v if lang == gl.ANY_LANG else f"{lang}:{v}"
                          for lang, vs in self.entry.forbidden.items() for v in vs)

    def forbidden_groups(self) -> list[tuple[str, tuple[str, ...]]]:
        """Return the forbidden renderings by language, "any language" first."""
        return sorted(((("any language" if lang == gl.ANY_LANG else lang.upper()), vs)
                       for lang, vs in self.entry.forbidden.items()),
                      key=lambda item: item[0] != "any language")

    def form_values(self) -> dict:
        """Return the entry as the edit form's field values."""
        e = self.entry
        return {**{f"terms_{lang}": " | ".join(vs) for lang, vs in e.terms.items()},
                "note": e.note, "forbidden": self.forbidden_text(), "dnt": e.dnt,
                "case_sensitive": {None: "", True: "yes", False: "no"}[e.case_sensitive],
                "key": e.key}


def page_rows(query: str = "") -> list[Row]:
    """Return the entries matching a search, in glossary order."""
    snap = snapshot()
    entries = snap.glossary.search(query) if query else snap.glossary.entries
    return [Row(snap.entry_id(e.key), e) for e in entries]


def row_for(row: GlossaryEntry) -> Row:
    """Return the page row of a stored entry."""
    return Row(row.id, termbase.entry_from_row(row))


def page_context(**extra) -> dict:
    """Return what the glossary page and its list need."""
    query = request.args.get("q", "").strip()[:200]
    snap = snapshot()
    return {"rows": page_rows(query), "q": query, "languages": snap.languages,
            "total": len(snap.glossary), "version": snap.glossary.version, "form": {},
            **extra}


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request"))


@bp.get("/glossary")
@require_role(Role.TRANSLATOR)
def glossary_page():
    """Show the glossary, or only its list to an htmx search."""
    ctx = page_context()
    template = "glossary/index.html"
    if _is_htmx() and request.headers.get("HX-Target") == "glossary-list":
        template = "glossary/_list.html"
    resp = make_response(render_template(template, **ctx))
    resp.vary.add("HX-Request")
    return resp


@bp.post("/glossary")
@require_role(Role.ADMIN)
def add_entry():
    """Add an entry; the add form comes back empty, or with what was wrong."""
    db = get_db()
    snap = snapshot()
    try:
        entry = entry_from_form(request.form, snap.languages)
        termbase.add_entry(db, snap, entry, current_name())
    except gl.GlossaryError as exc:
        db.rollback()
        if not _is_htmx():
            return render_template("glossary/index.html", **page_context(
                form=request.form, form_error=str(exc))), 422
        return render_template("glossary/_form.html", languages=snap.languages,
                               form=request.form, form_error=str(exc)), 422
    _changed()
    message = f"Added “{entry.key}”."
    if not _is_htmx():
        flash(message, "ok")
        return redirect(url_for("terms.glossary_page"), code=303)
    resp = make_response(render_template("glossary/_form.html", languages=snap.languages,
                                         form={}, form_message=message))
    resp.headers["HX-Trigger"] = "glossary-changed"
    return resp


@bp.get("/glossary/<int:entry_id>")
@require_role(Role.TRANSLATOR)
def entry_row(entry_id: int):
    """Return an entry's row."""
    return render_template("glossary/_row.html", row=row_for(get_entry_or_404(entry_id)),
                           languages=snapshot().languages)


@bp.get("/glossary/<int:entry_id>/edit")
@require_role(Role.ADMIN)
def entry_edit(entry_id: int):
    """Return an entry's row opened for editing."""
    return render_template("glossary/_edit_row.html", row=row_for(get_entry_or_404(entry_id)),
                           languages=snapshot().languages, form=None)


@bp.post("/glossary/<int:entry_id>")
@require_role(Role.ADMIN)
def entry_save(entry_id: int):
    """Save an edited entry and return its row, or the edit row saying what was wrong."""
    row = get_entry_or_404(entry_id)
    db = get_db()
    snap = snapshot()
    try:
        entry = entry_from_form(request.form, snap.languages)
        termbase.update_entry(db, snap, row, entry, current_name())
    except gl.GlossaryError as exc:
        db.rollback()
        return render_template("glossary/_edit_row.html", row=row_for(get_entry_or_404(entry_id)),
                               languages=snap.languages, form=request.form,
                               form_error=str(exc)), 422
    _changed()
    return render_template("glossary/_row.html", row=row_for(row), languages=snap.languages,
                           saved=True)


@bp.post("/glossary/<int:entry_id>/delete")
@require_role(Role.ADMIN)
def entry_delete(entry_id: int):
    """Delete an entry: the row disappears (htmx), or the page reloads."""
    entry = termbase.delete_entry(get_db(), get_entry_or_404(entry_id), current_name())
    _changed()
    if _is_htmx():
        return ""
    flash(f"Deleted “{entry.key}”.", "ok")
    return redirect(url_for("terms.glossary_page"), code=303)


def _read_upload() -> tuple[gl.Glossary, str]:
    """Parse the uploaded glossary file, or raise GlossaryFormatError naming line and problem."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise gl.GlossaryFormatError("Choose a glossary file (.csv or .tbx) to import.")
    data = upload.read(gl.MAX_IMPORT_BYTES + 1)
    incoming = gl.load(data, filename=upload.filename, languages=snapshot().languages)
    if not len(incoming):
        raise gl.GlossaryFormatError(f"{upload.filename} holds no glossary entry.")
    return incoming, upload.filename


@bp.post("/glossary/import")
@require_role(Role.ADMIN)
def import_preview():
    """Read an uploaded CSV or TBX file and show what importing it would add, change and skip."""
    db = get_db()
    snap = snapshot()
    try:
        incoming, filename = _read_upload()
    except gl.GlossaryError as exc:
        if _is_htmx():
            return render_template("_partials/_error.html", message=str(exc)), 422
        return render_template("glossary/index.html", **page_context(import_error=str(exc))), 422
    upload = termbase.store_upload(db, snap, incoming, filename, current_name())
    ctx = {"preview": gl.preview_import(snap.glossary, incoming), "upload": upload,
           "languages": snap.languages}
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
        abort(404, "That import preview has expired; upload the file again.")
    snap = snapshot()
    preview = gl.preview_import(snap.glossary, termbase.load_upload(upload))
    try:
        if preview.base_version != upload.base_version:
            raise gl.GlossaryError("the glossary changed since this import was previewed; "
                                   "preview it again")
        termbase.apply_import(db, snap, preview, current_name(), upload.filename)
    except gl.GlossaryError as exc:
        db.rollback()
        flash(f"Nothing was imported: {exc}.", "error")
        return redirect(url_for("terms.glossary_page"), code=303)
    db.delete(upload)
    db.commit()
    _changed()
    flash(f"Imported {upload.filename}: {len(preview.added)} added, {len(preview.changed)} "
          f"changed, {len(preview.skipped)} already the same.", "ok")
    return redirect(url_for("terms.glossary_page"), code=303)


def export_response(fmt: str) -> Response:
    """Return the glossary as a CSV or TBX download."""
    glossary = snapshot().glossary
    if fmt == "csv":
        resp = Response(gl.dump_csv(glossary), mimetype="text/csv; charset=utf-8")
    elif fmt == "tbx":
        resp = Response(gl.dump_tbx(glossary), mimetype="application/x-tbx+xml")
    else:
        raise ValueError(fmt)
    resp.headers["Content-Disposition"] = f'attachment; filename="glossary.{fmt}"'
    resp.headers["X-Glossary-Version"] = glossary.version
    return resp


@bp.get("/glossary/export.<fmt>")
@require_role(Role.TRANSLATOR)
def export(fmt: str):
    """Download the glossary as CSV (spreadsheet-safe) or TBX."""
    if fmt not in ("csv", "tbx"):
        abort(404)
    return export_response(fmt)


# ---------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def _api_segment(seg_id: int) -> Segment:
    seg = get_db().get(Segment, seg_id)
    if seg is None:
        raise ApiError(404, f"There is no segment {seg_id}.")
    return seg


@bp.post("/api/glossary/lookup")
@require_role(Role.TRANSLATOR)
def api_lookup():
    """Find the glossary terms in a text."""
    body = _body()
    text, lang = body.get("text"), body.get("lang")
    if not isinstance(text, str) or not isinstance(lang, str):
        raise ApiError(400, "Send {\"text\": …, \"lang\": \"de\"}: both are strings.")
    if len(text) > MAX_LOOKUP_CHARS:
        raise ApiError(413, f"The text may have at most {MAX_LOOKUP_CHARS:,} characters.")
    glossary = snapshot().glossary
    try:
        matches = glossary.find(text, lang)
    except gl.GlossaryError as exc:
        raise ApiError(400, str(exc)) from None
    return jsonify({"version": glossary.version, "lang": gl.normalize_lang(lang),
                    "matches": [m.to_dict() for m in matches]})


@bp.get("/api/segments/<int:seg_id>/qa")
@require_role(Role.TRANSLATOR)
def api_segment_qa(seg_id: int):
    """Return a segment's QA warnings, each marked open or dismissed."""
    seg = _api_segment(seg_id)
    review = segment_review(seg, seg.document)
    warnings = [{**w.to_dict(), "dismissed": None} for w in review.open]
    warnings += [{**w.to_dict(), "dismissed": d.to_dict()} for w, d in review.dismissed]
    return jsonify({"segment_id": seg.id, "version": seg.version,
                    "glossary_version": snapshot().glossary.version,
                    "open": len(review.open), "warnings": warnings})


@bp.post("/api/segments/<int:seg_id>/qa/dismiss")
@require_role(Role.TRANSLATOR)
def api_dismiss(seg_id: int):
    """Dismiss one open QA warning of a segment with a reason."""
    seg = _api_segment(seg_id)
    body = _body()
    ident = (body.get("code"), body.get("key", ""))
    warning = next((w for w in segment_review(seg, seg.document).open if w.ident == ident), None)
    if warning is None:
        raise ApiError(404, "The segment has no such open warning (code and key).")
    try:
        row = qa.dismiss(get_db(), seg, warning, body.get("reason") or "", current_name())
    except qa.QaError as exc:
        get_db().rollback()
        raise ApiError(422, str(exc)) from None
    return jsonify({**warning.to_dict(), "dismissed": row.to_dict()}), 201


@bp.post("/api/segments/<int:seg_id>/qa/reopen")
@require_role(Role.TRANSLATOR)
def api_reopen(seg_id: int):
    """Take back the dismissal of a QA warning, so it is open again."""
    seg = _api_segment(seg_id)
    dismissal = _body().get("dismissal")
    if not isinstance(dismissal, int) or isinstance(dismissal, bool):
        raise ApiError(400, "'dismissal' must be the id of one of the segment's dismissals.")
    try:
        row = qa.reopen(get_db(), seg, dismissal, current_name())
    except qa.QaError as exc:
        get_db().rollback()
        raise ApiError(404, str(exc)) from None
    return jsonify({"reopened": row.to_dict()})


@bp.get("/api/glossary")
@require_role(Role.TRANSLATOR)
def api_glossary():
    """Return the glossary's entries, optionally those matching `q`."""
    snap = snapshot()
    query = request.args.get("q", "").strip()[:200]
    entries = snap.glossary.search(query) if query else snap.glossary.entries
    return jsonify({"version": snap.glossary.version, "languages": list(snap.languages),
                    "entries": [{"id": snap.entry_id(e.key), **e.to_dict()} for e in entries]})


@bp.get("/api/glossary/export")
@require_role(Role.TRANSLATOR)
def api_export():
    """Download the glossary as CSV or TBX."""
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "tbx"):
        raise ApiError(400, f"Unknown format {fmt!r}; use csv or tbx.")
    return export_response(fmt)


@bp.post("/api/glossary/import")
@require_role(Role.ADMIN)
def api_import():
    """Preview an uploaded CSV or TBX glossary, or apply it with apply=true."""
    db = get_db()
    snap = snapshot()
    try:
        incoming, filename = _read_upload()
    except gl.GlossaryError as exc:
        raise ApiError(422, str(exc)) from None
    preview = gl.preview_import(snap.glossary, incoming)
    result = {
        "base_version": preview.base_version,
        "added": [e.to_dict() for e in preview.added],
        "changed": [{"before": c.before.to_dict(), "after": c.after.to_dict(),
                     "fields": c.fields} for c in preview.changed],
        "skipped": [e.to_dict() for e in preview.skipped],
        "applied": False,
    }
    if request.form.get("apply", "").lower() not in ("1", "true", "yes"):
        return jsonify(result)
    base = request.form.get("base_version")
    if base and base != preview.base_version:
        raise ApiError(409, "The glossary changed since that preview; preview it again.")
    try:
        termbase.apply_import(db, snap, preview, current_name(), filename)
    except gl.GlossaryError as exc:
        db.rollback()
        raise ApiError(409, str(exc)) from None
    _changed()
    return jsonify({**result, "applied": True, "version": snapshot().glossary.version})


_ENTRY = {"$ref": "#/components/schemas/GlossaryEntry"}
_ERR = {"$ref": "#/components/schemas/Error"}
_WARNING = {"$ref": "#/components/schemas/QaWarning"}


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _seg_param() -> dict:
    return {"name": "seg_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1}}


_FILE = {"description": "The file", "content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/x-tbx+xml": {"schema": {"type": "string"}}}}

openapi.register({
    "/api/glossary/lookup": {"post": {
        "summary": "Find glossary terms in a text, inflected forms included",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["text", "lang"],
            "properties": {"text": {"type": "string"},
                           "lang": {"type": "string", "description": "e.g. de or en"}}}}}},
        "responses": {
            "200": _ok({"type": "object", "properties": {
                "version": {"type": "string"}, "lang": {"type": "string"},
                "matches": {"type": "array", "items": {
                    "$ref": "#/components/schemas/GlossaryMatch"}}}}),
            "400": _ok(_ERR, "Malformed body or language code"),
            "413": _ok(_ERR, "Text too long")}}},
    "/api/segments/{seg_id}/qa": {"get": {
        "summary": "A segment's QA warnings: glossary, numbers, punctuation, spaces, "
                   "untranslated, and any registered checks",
        "parameters": [_seg_param()],
        "responses": {"200": _ok({"type": "object", "properties": {
            "segment_id": {"type": "integer"}, "version": {"type": "integer"},
            "glossary_version": {"type": "string"}, "open": {"type": "integer"},
            "warnings": {"type": "array", "items": _WARNING}}}),
            "404": _ok(_ERR, "No such segment")}}},
    "/api/segments/{seg_id}/qa/dismiss": {"post": {
        "summary": "Dismiss an open QA warning for the segment's current text, with a reason",
        "parameters": [_seg_param()],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["code", "reason"],
            "properties": {"code": {"type": "string"}, "key": {"type": "string"},
                           "reason": {"type": "string"}}}}}},
        "responses": {"201": _ok(_WARNING, "Dismissed"), "400": _ok(_ERR, "Malformed body"),
                      "404": _ok(_ERR, "No such segment or open warning"),
                      "422": _ok(_ERR, "No reason given")}}},
    "/api/segments/{seg_id}/qa/reopen": {"post": {
        "summary": "Take back the dismissal of a QA warning, so it shows as open again",
        "parameters": [_seg_param()],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["dismissal"],
            "properties": {"dismissal": {"type": "integer",
                                         "description": "the id of one of its dismissals"}}}}}},
        "responses": {"200": _ok({"type": "object"}, "Reopened"),
                      "400": _ok(_ERR, "Malformed body"),
                      "404": _ok(_ERR, "No such segment or dismissal")}}},
    "/api/glossary": {"get": {
        "summary": "The glossary's entries",
        "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
        "responses": {"200": _ok({"type": "object", "properties": {
            "version": {"type": "string"},
            "languages": {"type": "array", "items": {"type": "string"}},
            "entries": {"type": "array", "items": _ENTRY}}})}}},
    "/api/glossary/export": {"get": {
        "summary": "The glossary as CSV (formula-safe) or TBX",
        "parameters": [{"name": "format", "in": "query",
                        "schema": {"type": "string", "enum": ["csv", "tbx"]}}],
        "responses": {"200": _FILE, "400": _ok(_ERR, "Unknown format")}}},
    "/api/glossary/import": {"post": {
        "summary": "Preview a CSV or TBX glossary import (added, changed, skipped); "
                   "apply=true applies it. Admins only; an import never deletes entries",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"},
                           "apply": {"type": "boolean"},
                           "base_version": {"type": "string",
                                            "description": "Refuse unless the glossary is "
                                                           "still at this version"}}}}}},
        "responses": {
            "200": _ok({"type": "object", "properties": {
                "base_version": {"type": "string"}, "applied": {"type": "boolean"},
                "added": {"type": "array", "items": _ENTRY},
                "changed": {"type": "array", "items": {"type": "object", "properties": {
                    "before": _ENTRY, "after": _ENTRY,
                    "fields": {"type": "array", "items": {"type": "string"}}}}},
                "skipped": {"type": "array", "items": _ENTRY}}}),
            "403": _ok(_ERR, "Not an admin"),
            "409": _ok(_ERR, "The glossary changed since the preview"),
            "422": _ok(_ERR, "Unreadable file: the message names the line and the problem")}}},
}, {
    "GlossaryEntry": {"type": "object", "required": ["key", "terms"], "properties": {
        "id": {"type": ["integer", "null"]}, "key": {"type": "string"},
        "terms": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "string"}},
            "description": "Accepted variants per language, the preferred one first"},
        "note": {"type": "string"}, "dnt": {"type": "boolean"},
        "forbidden": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "string"}},
            "description": "Forbidden renderings per target language; \"*\" for every one"},
        "case_sensitive": {"type": ["boolean", "null"]}}},
    "GlossaryMatch": {"type": "object", "required": ["start", "end", "text", "entry"],
                      "properties": {
        "start": {"type": "integer"}, "end": {"type": "integer"}, "text": {"type": "string"},
        "term": {"type": "string", "description": "The glossary variant that matched"},
        "lang": {"type": "string"}, "entry": _ENTRY,
        "others": {"type": "array", "items": _ENTRY,
                   "description": "Other senses matching exactly the same span"}}},
    "QaWarning": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "description": ", ".join(qa.CODES) + ", or a code of a "
                                                            "registered check"},
        "message": {"type": "string"}, "key": {"type": "string"},
        "span": {"type": ["array", "null"], "items": {"type": "integer"}},
        "source_span": {"type": ["array", "null"], "items": {"type": "integer"}},
        "dismissed": {"type": ["object", "null"], "properties": {
            "id": {"type": "integer", "description": "what POST …/qa/reopen takes back"},
            "reason": {"type": "string"}, "author": {"type": "string"},
            "created_at": {"type": "string"}}}}},
})


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def seed_glossary() -> str:
    """Load the curated glossary into a database that never had one; say what happened."""
    path = current_app.config.get("GLOSSARY_PATH")
    with get_sessionmaker()() as db:
        added = termbase.seed(db, path)
        total = len(termbase.read_snapshot(db).glossary)
    if added:
        return f"Loaded the glossary from {Path(path).name}: {added} entries."
    return f"The glossary has {total} entries."


@click.command("glossary-import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only show what would be added and changed.")
def glossary_import_command(path: Path, dry_run: bool) -> None:
    """Import a glossary CSV or TBX file: new concepts are added, changed ones updated."""
    factory = get_sessionmaker()
    with factory() as db:
        snap = current_app.extensions["webapp.glossary"].get(db)
        try:
            incoming = gl.load(path.read_bytes(), filename=path.name, languages=snap.languages)
        except gl.GlossaryError as exc:
            raise click.ClickException(f"{path.name}: {exc}") from None
        preview = gl.preview_import(snap.glossary, incoming)
        for entry in preview.added:
            click.echo(f"+ {entry.key}")
        for change in preview.changed:
            click.echo(f"~ {change.before.key} ({', '.join(change.fields)})")
        summary = (f"{len(preview.added)} added, {len(preview.changed)} changed, "
                   f"{len(preview.skipped)} already the same")
        if dry_run:
            click.echo(f"Dry run: {summary}; nothing was changed.")
            return
        try:
            termbase.apply_import(db, snap, preview, "cli", path.name)
        except gl.GlossaryError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Imported {path.name}: {summary}.")


@click.command("glossary-export")
@with_appcontext
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: glossary.FORMAT in the current folder).")
@click.option("--format", "fmt", type=click.Choice(["csv", "tbx"]), default="csv")
def glossary_export_command(output: Path | None, fmt: str) -> None:
    """Write the glossary as CSV (safe to open in a spreadsheet) or TBX."""
    with get_sessionmaker()() as db:
        glossary = current_app.extensions["webapp.glossary"].get(db).glossary
    out = output or Path(f"glossary.{fmt}")
    if fmt == "csv":
        out.write_text(gl.dump_csv(glossary), encoding="utf-8")
    else:
        out.write_bytes(gl.dump_tbx(glossary))
    click.echo(f"Wrote {len(glossary)} entries to {out}.")


def init_app(app: Flask) -> None:
    """Register the glossary page, API, editor hooks and commands (after editor.init_app)."""
    app.extensions["webapp.glossary"] = termbase.GlossaryCache(app.config.get("GLOSSARY_PATH"))
    app.extensions.setdefault("webapp.qa_providers", [])
    app.extensions["webapp.qa_segment_ids"] = qa_segment_ids
    # Per process: document id -> (what it was computed from, ids with open warnings).
    app.extensions["webapp.qa_filter_cache"] = {}
    app.register_blueprint(bp)
    app.jinja_env.globals.update(highlight_terms=highlight_terms,
                                 segment_glossary=segment_glossary)
    app.cli.add_command(glossary_import_command)
    app.cli.add_command(glossary_export_command)
