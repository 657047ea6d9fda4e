"""Translation memory and interchange in the app: TM page and API, fuzzy matches, tag chips."""

from __future__ import annotations

import json
import os
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.core import openapi
from webapp.core.access import current_name, may, require_role
from webapp.core.db import get_db, get_sessionmaker
from webapp.core.models import Change, Document, Job, Segment, utcnow
from webapp.core.states import Role, State
from webapp.core.text import primary_language, word_diff
from webapp.documents import domain as documents
from webapp.interchange import codes
from webapp.interchange import exchange as interchange
from webapp.interchange.formats import safexml
from webapp.interchange.formats.safexml import FormatError
from webapp.jobs import runner as jobs
from webapp.tm import store as tmstore

bp = Blueprint("memory", __name__)

JOB_KIND = "tm_import"
_FEED_KEY = "memory.segments"


class _RootSeen(Exception):
    """Stops the quick check of an upload once its root element is known."""


def cache() -> tmstore.MemoryCache:
    """Return this process's fuzzy indexes."""
    return current_app.extensions["webapp.tm_cache"]


def _threshold() -> float:
    return float(current_app.config.get("TM_THRESHOLD", 0.70))


def _pair_of(db: Session, doc: Document) -> tuple[str, str]:
    return interchange.language_tags(db, doc)


# --- Import of TMX files: the upload starts a job ---------------------------------------


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "tm-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check_head(path: Path) -> None:
    """Refuse at once a file that is not XML, not TMX, or declares entities."""
    def root(element) -> None:
        if element.tag != "tmx":
            name = element.tag.rpartition("}")[2]
            raise FormatError(f"not a TMX document: the root element is <{name}>",
                              element.sourceline)
        raise _RootSeen

    with path.open("rb") as stream:
        try:
            for _ in safexml.iterparse(stream, set(), on_root=root):
                break
        except _RootSeen:
            return


class ImportRefused(ValueError):
    """A TMX upload refused before any job starts, with the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


def start_import() -> Job:
    """Store an uploaded TMX file and queue its import; raise ImportRefused if it is refused."""
    limit = current_app.config["TM_MAX_UPLOAD_BYTES"]
    # A memory is bigger than a document: this upload alone may use the larger cap.
    request.max_content_length = limit + 1024 * 1024
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise ImportRefused(f"The TMX file is larger than the limit of {limit // 1048576} MB.",
                            413) from None
    if upload is None or not upload.filename:
        raise ImportRefused("Send the TMX file as the multipart field 'file'.", 400)
    db = get_db()
    job = Job(kind=JOB_KIND, status="queued", message=f"Importing {upload.filename}.")
    db.add(job)
    db.flush()
    folder = _upload_dir()
    path = folder / f"job-{job.id}.tmx"
    upload.save(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImportRefused(
                f"The TMX file is {size / 1048576:.1f} MB; the limit is {limit // 1048576} MB.", 413)
        if size == 0:
            raise ImportRefused("The TMX file is empty.")
        try:
            _check_head(path)
        except FormatError as exc:
            raise ImportRefused(f"The TMX file cannot be imported: {exc}.") from None
    except ImportRefused:
        path.unlink(missing_ok=True)
        db.rollback()
        raise
    options = {
        "origin": os.path.basename(upload.filename.replace("\\", "/"))[:255],
        "source_lang": (request.form.get("source_lang") or "").strip() or None,
        "target_lang": (request.form.get("target_lang") or "").strip() or None,
        "author": current_name(),
    }
    (folder / f"job-{job.id}.json").write_text(json.dumps(options), encoding="utf-8")
    job.total = size
    db.commit()
    current_app.extensions["webapp.jobs"].submit(job.id)
    return job


def run_import(factory: sessionmaker[Session], db: Session, job: Job) -> str:
    """Import a stored TMX upload into the memory, recording progress on the job."""
    folder = Path(current_app.instance_path) / "tm-imports"
    path = folder / f"job-{job.id}.tmx"
    meta = folder / f"job-{job.id}.json"
    if not path.exists():
        raise jobs.JobFailed("The uploaded TMX file is gone; upload it again.")
    options = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
    job.total, job.done = path.stat().st_size, 0
    db.commit()

    def on_batch(done: int, total: int | None, result: tmstore.ImportResult) -> None:
        # In the batch's own transaction: progress and units become visible together.
        job.done, job.total, job.updated_at = done, total or job.total, utcnow()

    try:
        with path.open("rb") as stream:
            result = tmstore.import_tmx(
                db, stream, options.get("origin") or path.name, job_id=job.id,
                source_lang=options.get("source_lang"), target_lang=options.get("target_lang"),
                on_batch=on_batch,
            )
    except FormatError as exc:
        path.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
        raise jobs.JobFailed(f"The TMX file was not imported, nothing was added: {exc}.") from None
    path.unlink(missing_ok=True)
    meta.unlink(missing_ok=True)
    job.done = job.total
    db.commit()
    # Build the indexes now, off the request, so the first lookup after an import is fast.
    tm_cache = current_app.extensions.get("webapp.tm_cache")
    if tm_cache is not None:
        for source_key, target_key in result.pairs:
            tm_cache.index(db, source_key, target_key, wait=True)
    pairs = ", ".join(f"{s}→{t}" for s, t in sorted(result.pairs)) or "no language pair"
    skipped = f" ({result.duplicates} already in the memory)" if result.duplicates else ""
    return f"Imported {result.added} units{skipped} from {options.get('origin', 'the file')} ({pairs})."


# --- Pages -----------------------------------------------------------------------------


@bp.get("/tm")
@require_role(Role.TRANSLATOR)
def tm_page():
    """Show the memory's language pairs, its import form and the concordance search."""
    db = get_db()
    job = db.get(Job, request.args.get("job", type=int) or 0)
    if job is not None and job.kind != JOB_KIND:
        job = None
    return render_template("tm/index.html", pairs=tmstore.pairs(db), job=job, error=None,
                           search=_search_context(db))


@bp.get("/tm/pairs")
@require_role(Role.TRANSLATOR)
def tm_pairs():
    """Return the table of language pairs and unit counts."""
    return render_template("tm/_pairs.html", pairs=tmstore.pairs(get_db()))


@bp.post("/tm/import")
@require_role(Role.EDITOR)
def tm_import():
    """Start importing an uploaded TMX file, then show its progress."""
    try:
        job = start_import()
    except ImportRefused as exc:
        db = get_db()
        return render_template("tm/index.html", pairs=tmstore.pairs(db), job=None,
                               error=str(exc), search=_search_context(db)), exc.status
    return redirect(url_for("memory.tm_page", job=job.id), code=303)


@bp.get("/tm/jobs/<int:job_id>")
@require_role(Role.TRANSLATOR)
def tm_job(job_id: int):
    """Return a TMX import's progress, which polls itself until the job ends."""
    job = get_db().get(Job, job_id)
    if job is None or job.kind != JOB_KIND:
        abort(404, f"There is no memory import {job_id}.")
    resp = make_response(render_template("tm/_import.html", job=job))
    if job.status == "done":
        resp.headers["HX-Trigger"] = json.dumps({"tm-changed": {"job": job.id}})
    return resp


def _search_context(db: Session) -> dict:
    """Return what the concordance panel needs from the query string."""
    args = request.args
    doc = db.get(Document, args.get("doc", type=int) or 0)
    pairs = tmstore.pairs(db)
    if doc is not None:
        source_lang, target_lang = _pair_of(db, doc)
    else:
        default = pairs[0] if pairs else None
        source_lang = args.get("source_lang") or (default.source_key if default else "")
        target_lang = args.get("target_lang") or (default.target_key if default else "")
    side = args.get("side", "source")
    if side not in ("source", "target"):
        abort(400, "Search the source or the target side.")
    query = args.get("q", "").strip()[:500]
    hits, terms = [], []
    if query and source_lang and target_lang:
        hits = tmstore.concordance(db, cache(), query, source_lang, target_lang, side)
        terms = _glossary_terms(db, query, target_lang if side == "target" else source_lang)
    return {"query": query, "side": side, "source_lang": source_lang,
            "target_lang": target_lang, "hits": hits, "terms": terms, "doc": doc,
            "pairs": pairs}


def _glossary_terms(db: Session, query: str, lang: str) -> list:
    """Return glossary entries containing the query, when the glossary feature offers a search."""
    found = current_app.extensions.get("webapp.glossary")
    if found is None or not hasattr(found, "get"):
        return []
    snapshot = found.get(db)
    glossary = getattr(snapshot, "glossary", snapshot)
    search = getattr(glossary, "search", None)
    if search is None:
        return []
    short = primary_language(lang)
    return [(entry, short) for entry in search(query, short)[:20]]


@bp.get("/tm/concordance")
@require_role(Role.TRANSLATOR)
def concordance_page():
    """Search the memory (and glossary) for a word or phrase; htmx gets the panel alone."""
    ctx = _search_context(get_db())
    template = "tm/_concordance.html" if request.headers.get("HX-Request") else "tm/concordance.html"
    resp = make_response(render_template(template, search=ctx))
    resp.vary.add("HX-Request")
    return resp


# --- JSON API --------------------------------------------------------------------------


def _api_error(status: int, message: str):
    from webapp.core.http import ApiError

    return ApiError(status, message)


@bp.post("/api/tm/import")
@require_role(Role.EDITOR)
def api_import():
    """Start importing a TMX file into the memory as a background job."""
    try:
        job = start_import()
    except ImportRefused as exc:
        raise _api_error(exc.status, str(exc)) from None
    return jsonify(job.to_dict()), 202


@bp.get("/api/tm/export")
@require_role(Role.TRANSLATOR)
def api_export():
    """Download the memory, or one language pair of it, as TMX 1.4b."""
    source_lang = request.args.get("source_lang") or None
    target_lang = request.args.get("target_lang") or None
    try:
        data = tmstore.export_tmx(get_db(), source_lang, target_lang)
    except (tmstore.ExportError, ValueError) as exc:
        raise _api_error(400, str(exc)) from None
    name = "memory" + (f".{primary_language(source_lang)}" if source_lang else "") + (
        f"-{primary_language(target_lang)}" if target_lang else "")
    resp = Response(data, mimetype=interchange.MIMETYPES["tmx"])
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.tmx"'
    return resp


def match_dict(match: tmstore.MemoryMatch) -> dict:
    """Return a fuzzy match as the API answers it."""
    return {"score": match.score, "source": match.unit.source, "target": match.unit.target,
            "origin": match.unit.origin, "author": match.unit.author,
            "changed_at": match.unit.changed_at.isoformat() + "Z", "id": match.unit.id,
            "source_lang": match.unit.source_lang, "target_lang": match.unit.target_lang,
            "diff": [{"op": op, "text": text} for op, text in match.diff]}


def _lang_field(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not primary_language(value).isalpha():
        raise _api_error(400, f"'{name}' must be a language code such as 'de' or 'en-US'.")
    return value.strip()


@bp.post("/api/tm/lookup")
@require_role(Role.TRANSLATOR)
def api_lookup():
    """Return the memory's fuzzy matches for a text, best first."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise _api_error(400, "The request body must be a JSON object.")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise _api_error(400, "'text' must be the source text to look up.")
    if len(text) > current_app.config["MAX_SEGMENT_CHARS"]:
        raise _api_error(422, "The text is longer than a segment may be.")
    source_lang, target_lang = _lang_field(body, "source_lang"), _lang_field(body, "target_lang")
    threshold = body.get("threshold", _threshold())
    limit = body.get("limit", 3)
    if not isinstance(threshold, int | float) or isinstance(threshold, bool) \
            or not 0 < threshold <= 1:
        raise _api_error(400, "'threshold' must be a number above 0 and at most 1.")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 50:
        raise _api_error(400, "'limit' must be a whole number from 1 to 50.")
    found = tmstore.lookup(get_db(), cache(), text, source_lang, target_lang, threshold, limit)
    ready = cache().ready(primary_language(source_lang), primary_language(target_lang))
    return jsonify({"matches": [match_dict(m) for m in found], "indexing": not ready})


@bp.get("/api/tm/concordance")
@require_role(Role.TRANSLATOR)
def api_concordance():
    """Search the memory (and the glossary) for a word or phrase on one side."""
    db = get_db()
    query = request.args.get("q", "").strip()
    if not query:
        raise _api_error(400, "Say what to search for with q=.")
    body = {"source_lang": request.args.get("source_lang"),
            "target_lang": request.args.get("target_lang")}
    source_lang, target_lang = _lang_field(body, "source_lang"), _lang_field(body, "target_lang")
    side = request.args.get("side", "source")
    if side not in ("source", "target"):
        raise _api_error(400, "'side' must be source or target.")
    hits = tmstore.concordance(db, cache(), query[:500], source_lang, target_lang, side)
    terms = _glossary_terms(db, query, target_lang if side == "target" else source_lang)
    return jsonify({
        "query": query, "side": side,
        "units": [{**h.unit.to_dict(), "start": h.start, "end": h.end} for h in hits],
        "glossary": [entry.to_dict() for entry, _lang in terms],
    })


@bp.get("/api/tm/pairs")
@require_role(Role.TRANSLATOR)
def api_pairs():
    """List the memory's language pairs with their unit counts."""
    return jsonify([{"source_lang": p.source_key, "target_lang": p.target_key, "units": p.units,
                     "source_tags": p.source_tags, "target_tags": p.target_tags}
                    for p in tmstore.pairs(get_db())])


# --- What the editor's templates call --------------------------------------------------


def tm_matches(seg: Segment, doc: Document) -> dict:
    """Return up to three fuzzy matches for the open segment, ready for tm/_matches.html."""
    if not seg.source.strip() or (doc.mode == "review" and doc.source_kind != "original"):
        return {"matches": [], "indexing": False}
    db = get_db()
    source_lang, target_lang = _pair_of(db, doc)
    found = tmstore.lookup(db, cache(), seg.source, source_lang, target_lang, _threshold(), 3)
    indexing = not cache().ready(primary_language(source_lang),
                                 primary_language(target_lang))
    seg_codes = codes.of(seg)
    out = []
    for n, match in enumerate(found, 1):
        unit_codes = codes.of(match.unit)
        target = codes.carry_over(match.unit.target, match.unit.source, unit_codes,
                                  seg.source, seg_codes) if (unit_codes or seg_codes) \
            else match.unit.target
        diff = [(op, codes.render_codes_html(text, unit_codes if op == "delete" else seg_codes))
                for op, text in word_diff(match.unit.source, seg.source)]
        out.append({
            "n": n, "score": match.score, "diff": diff, "unit": match.unit,
            "target_html": codes.render_codes_html(target, seg_codes),
            "insert": codes.to_tokens(target, seg_codes),
        })
    return {"matches": out, "indexing": indexing}


def segment_locked(seg: Segment) -> bool:
    """Return whether a row's segment is locked, with one query per request and document."""
    from flask import g

    locked = g.setdefault("locked_segments", {})
    if seg.document_id not in locked:
        locked[seg.document_id] = interchange.locked_ids(get_db(), seg.document_id)
    return seg.id in locked[seg.document_id]


def prefill_if_asked(db: Session, doc: Document) -> int | None:
    """Fill a new document's targets from 100 % memory matches when the upload asked for it."""
    if not request.form.get("tm_prefill"):
        return None
    return tmstore.prefill(db, cache(), doc)


# --- The memory is fed on every commit that touched segments ---------------------------


def watch_approvals(factory: sessionmaker[Session]) -> None:
    """Mirror approved segments into the memory in the same transaction that changed them."""
    # Every change to a segment's text or state writes a change-log row, so those rows
    # say which segments to look at; the look happens just before the commit.

    @event.listens_for(factory, "after_flush")
    def _collect(session: Session, _context) -> None:
        for obj in session.new:
            if isinstance(obj, Change) and obj.segment_id is not None:
                session.info.setdefault(_FEED_KEY, set()).add(obj.segment_id)

    @event.listens_for(factory, "before_commit")
    def _feed(session: Session) -> None:
        session.flush()  # before_commit runs before the commit's own flush
        ids = session.info.pop(_FEED_KEY, set())
        # A save (written without the ORM) matters only if the segment is or was approved:
        # only approved segments have units, so the memory need not look at the others.
        for seg_id, states in session.info.get(documents.SAVED, {}).items():
            if State.APPROVED in states:
                ids.add(seg_id)
        if ids:
            tmstore.feed_segments(session, ids)

    @event.listens_for(factory, "after_soft_rollback")
    def _forget(session: Session, _previous) -> None:
        session.info.pop(_FEED_KEY, None)


openapi.register({
    "/api/tm/import": {"post": {
        "summary": "Import a TMX 1.1–1.4b file into the translation memory (editor or admin)",
        "description": "The file is stored and imported by a background job; poll "
                       "GET /api/jobs/{job_id} until `status` is done (percent reaches 100). "
                       "Units already in the memory are skipped. A file that turns out "
                       "malformed fails the job and adds nothing.",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "source_lang": {"type": "string", "description": "Which tuv is the source "
                                "(default: the header's srclang)"},
                "target_lang": {"type": "string", "description": "Keep only targets in this "
                                "language (DE-DE matches de)"},
            }}}}},
        "responses": {
            "202": {"description": "Import started", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Job"}}}},
            "400": {"description": "No file", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
            "403": {"description": "Translators may not import", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "413": {"description": "Over TM_MAX_UPLOAD_BYTES", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "422": {"description": "Not XML, not TMX, or entity declarations", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }},
    "/api/tm/export": {"get": {
        "summary": "The translation memory as TMX 1.4b",
        "parameters": [
            {"name": "source_lang", "in": "query", "schema": {"type": "string"}},
            {"name": "target_lang", "in": "query", "schema": {"type": "string"}},
        ],
        "responses": {
            "200": {"description": "The TMX file", "content": {
                "application/x-tmx+xml": {"schema": {"type": "string"}}}},
            "400": {"description": "Several source languages and none chosen", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }},
    "/api/tm/lookup": {"post": {
        "summary": "Fuzzy matches for a source text, best first",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["text", "source_lang", "target_lang"],
            "properties": {
                "text": {"type": "string"},
                "source_lang": {"type": "string", "example": "en"},
                "target_lang": {"type": "string", "example": "de"},
                "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                              "description": "Least score as a share (default TM_THRESHOLD)"},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 3},
            }}}}},
        "responses": {
            "200": {"description": "Matches", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "matches": {"type": "array",
                                "items": {"$ref": "#/components/schemas/TmMatch"}},
                    "indexing": {"type": "boolean", "description": "True while a big "
                                 "memory is still being indexed: ask again shortly"},
                }}}}},
            "400": {"description": "Malformed body", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }},
    "/api/tm/concordance": {"get": {
        "summary": "Memory units (and glossary entries) containing a word or phrase",
        "parameters": [
            {"name": "q", "in": "query", "required": True, "schema": {"type": "string"}},
            {"name": "source_lang", "in": "query", "required": True,
             "schema": {"type": "string"}},
            {"name": "target_lang", "in": "query", "required": True,
             "schema": {"type": "string"}},
            {"name": "side", "in": "query",
             "schema": {"type": "string", "enum": ["source", "target"]}},
        ],
        "responses": {
            "200": {"description": "Hits", "content": {"application/json": {"schema": {
                "type": "object", "properties": {
                    "query": {"type": "string"}, "side": {"type": "string"},
                    "units": {"type": "array", "items": {"$ref": "#/components/schemas/TmUnit"}},
                    "glossary": {"type": "array", "items": {"type": "object"}},
                }}}}},
            "400": {"description": "Missing query or languages", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }},
    "/api/tm/pairs": {"get": {
        "summary": "The memory's language pairs with unit counts",
        "responses": {"200": {"description": "Pairs", "content": {"application/json": {
            "schema": {"type": "array", "items": {"type": "object", "properties": {
                "source_lang": {"type": "string"}, "target_lang": {"type": "string"},
                "units": {"type": "integer"},
                "source_tags": {"type": "array", "items": {"type": "string"}},
                "target_tags": {"type": "array", "items": {"type": "string"}},
            }}}}}}},
    }},
}, {
    "TmUnit": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"}, "source": {"type": "string"},
            "target": {"type": "string"}, "source_lang": {"type": "string"},
            "target_lang": {"type": "string"},
            "origin": {"type": "string", "description": "Document or TMX file it came from"},
            "author": {"type": "string"}, "created_at": {"type": "string"},
            "changed_at": {"type": "string"}, "document_id": {"type": ["integer", "null"]},
            "start": {"type": "integer"}, "end": {"type": "integer"},
        },
    },
    "TmMatch": {
        "type": "object",
        "required": ["score", "source", "target", "origin"],
        "properties": {
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
            "source": {"type": "string"}, "target": {"type": "string"},
            "origin": {"type": "string"}, "author": {"type": "string"},
            "changed_at": {"type": "string"}, "id": {"type": "integer"},
            "source_lang": {"type": "string"}, "target_lang": {"type": "string"},
            "diff": {"type": "array", "description": "Word diff of the match's source "
                     "against the query: delete = only in the match, insert = only in the query",
                     "items": {"type": "object", "properties": {
                         "op": {"type": "string", "enum": ["equal", "delete", "insert"]},
                         "text": {"type": "string"}}}},
        },
    },
})


def init_app(app: Flask) -> None:
    """Register the memory's pages and API, its job, its template helpers and its feed."""
    app.extensions["webapp.tm_cache"] = tmstore.MemoryCache(get_sessionmaker(app))
    jobs.HANDLERS[JOB_KIND] = run_import
    watch_approvals(get_sessionmaker(app))
    app.register_blueprint(bp)
    app.jinja_env.filters.update(tags=codes.tags_filter, code_tokens=codes.tokens_filter)
    app.jinja_env.globals.update(
        render_codes_html=codes.render_codes_html, code_warnings=codes.code_warnings,
        codes_of=codes.of,
        tm_matches=tm_matches, segment_locked=segment_locked, may_manage_tm=lambda: may(
            Role.EDITOR),
    )
    # The QA of the glossary feature collects other features' checks here (see qa.Provider).
    app.extensions.setdefault("webapp.qa_providers", []).append(codes.code_warnings)
