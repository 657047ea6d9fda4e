"""The translation memory's pages: language pairs, TMX import, concordance, the editor's matches."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.core.access import current_name, require_role
from webapp.core.db import get_db
from webapp.core.http import int_arg, page_or_fragment
from webapp.core.messages import _l
from webapp.core.models import Document, Job, Segment
from webapp.core.patterns import PatternError, parse_query
from webapp.core.states import Role
from webapp.core.text import primary_language
from webapp.interchange import exchange as interchange
from webapp.tm import importing, store
from webapp.tm.importing import ImportRefused

bp = Blueprint("tm", __name__)


def cache() -> store.MemoryCache:
    """Return this process's fuzzy indexes."""
    return store.cache_of(current_app)


def threshold() -> float:
    """Return the least fuzzy score (0..1) offered."""
    return float(current_app.config.get("TM_THRESHOLD", 0.70))


def glossary_terms(db: Session, query: str, lang: str) -> list:
    """Return glossary entries containing the query (for the concordance)."""
    return store.glossary_hits(current_app.extensions.get("webapp.glossary"), db, query, lang)


def start_import() -> Job:
    """Store the request's TMX upload and queue its import; raise ImportRefused if it is refused."""
    limit = current_app.config["TM_MAX_UPLOAD_BYTES"]
    # A memory is bigger than a document: this upload alone may use the larger cap.
    request.max_content_length = limit + 1024 * 1024
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise ImportRefused(_l("The TMX file is larger than the limit of %(limit)s MB.",
                               limit=limit // 1048576), 413) from None
    job = importing.store_upload(
        get_db(), upload, importing.upload_dir(current_app.instance_path), limit,
        source_lang=request.form.get("source_lang"), target_lang=request.form.get("target_lang"),
        author=current_name(),
    )
    current_app.extensions["webapp.jobs"].submit(job.id)
    return job


@bp.get("/tm")
@require_role(Role.TRANSLATOR)
def tm_page():
    """Show the memory's language pairs, its import form and the concordance search."""
    db = get_db()
    job = db.get(Job, int_arg("job", 0))
    if job is not None and job.kind != importing.JOB_KIND:
        job = None
    return render_template("tm/index.html", pairs=store.pairs(db), job=job, error=None,
                           search=_search_context(db))


@bp.get("/tm/pairs")
@require_role(Role.TRANSLATOR)
def tm_pairs():
    """Return the table of language pairs and unit counts."""
    return render_template("tm/_pairs.html", pairs=store.pairs(get_db()))


@bp.post("/tm/import")
@require_role(Role.EDITOR)
def tm_import():
    """Start importing an uploaded TMX file, then show its progress."""
    try:
        job = start_import()
    except ImportRefused as exc:
        db = get_db()
        return render_template("tm/index.html", pairs=store.pairs(db), job=None,
                               error=str(exc), search=_search_context(db)), exc.status
    return redirect(url_for("tm.tm_page", job=job.id), code=303)


def _search_context(db: Session) -> dict:
    """Return what the concordance panel needs from the query string."""
    args = request.args
    doc = db.get(Document, int_arg("doc", 0))
    pairs = store.pairs(db)
    if doc is not None:
        source_lang, target_lang = interchange.language_tags(db, doc)
    else:
        default = pairs[0] if pairs else None
        source_lang = args.get("source_lang") or (default.source_key if default else "")
        target_lang = args.get("target_lang") or (default.target_key if default else "")
    side = args.get("side", "source")
    if side not in ("source", "target"):
        abort(400, _l("Search the source or the target side."))
    query = args.get("q", "").strip()[:500]
    hits, terms, error = [], [], None
    # The editor guesses the side from where the words were selected; with `fallback`, a
    # guess that finds nothing gives way to the other side.
    sides = [side] + ([{"source": "target", "target": "source"}[side]]
                      if args.get("fallback") else [])
    for tried in sides if query and source_lang and target_lang else ():
        try:
            hits = store.concordance(db, cache(), query, source_lang, target_lang, tried)
        except PatternError as exc:
            error = str(exc)
            break
        # The glossary is searched for the words themselves, in the searched side's language.
        words = parse_query(query)
        terms = [] if words.regex else glossary_terms(
            db, words.body, target_lang if tried == "target" else source_lang)
        if hits or terms:
            side = tried
            break
    return {"query": query, "side": side, "source_lang": source_lang,
            "target_lang": target_lang, "hits": hits, "terms": terms, "doc": doc,
            "pairs": pairs, "error": error}


@bp.get("/tm/concordance")
@require_role(Role.TRANSLATOR)
def concordance_page():
    """Search the memory (and glossary) for a word or phrase; htmx gets the panel alone."""
    return page_or_fragment("tm/concordance.html", {None: "tm/_concordance.html"},
                            search=_search_context(get_db()))


def tm_matches(seg: Segment, doc: Document) -> dict:
    """Return up to three fuzzy matches for the open segment, ready for tm/_matches.html."""
    if not seg.source.strip() or (doc.mode == "review" and doc.source_kind != "original"):
        return {"matches": [], "indexing": False}
    db = get_db()
    source_lang, target_lang = interchange.language_tags(db, doc)
    matches = store.segment_matches(db, cache(), seg, source_lang, target_lang, threshold())
    indexing = not cache().ready(primary_language(source_lang), primary_language(target_lang))
    return {"matches": matches, "indexing": indexing}


def init_app(app: Flask) -> None:
    """Register the memory's pages and the editor's match panel helper."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(tm_matches=tm_matches)
