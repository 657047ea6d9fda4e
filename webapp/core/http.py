"""HTTP helpers every feature shares: errors, get-or-404, request parsing, downloads, htmx."""

from __future__ import annotations

import unicodedata
from typing import TypeVar
from urllib.parse import quote, urlsplit, urlunsplit

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask.json.provider import DefaultJSONProvider
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import IntegerConverter

from webapp.core.access import storage_scope
from webapp.core.db import get_db
from webapp.core.messages import N_, Message, _l
from webapp.core.models import MAX_ID

T = TypeVar("T")


# What each error says to a person on a page, in place of werkzeug's English descriptions
# (the API keeps werkzeug's): the status's meaning, for an error raised without its own text.
PAGE_ERRORS = {
    400: N_("The request was not understood; reload the page and try again."),
    401: N_("Log in first."),
    403: N_("You may not do this."),
    404: N_("This page does not exist; the link may be out of date."),
    405: N_("This address does not take this kind of request."),
    409: N_("Someone changed this meanwhile; reload the page."),
    413: N_("The request is larger than this server accepts."),
    415: N_("This kind of file or request is not supported here."),
    422: N_("The request could not be carried out."),
    429: N_("Too many requests; wait a moment and try again."),
    500: N_("The server failed; nothing was changed."),
}

# What each error says to a script, in a word that never changes with the prose: one per
# status, unless the error (or the domain exception it was raised from) names its own.
STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
    422: "unprocessable", 429: "too_many_requests", 500: "server_error",
}


class ApiError(Exception):
    """An error answered as JSON with a status code, a stable `code` and a message."""

    def __init__(self, status: int, message: str, code: str | None = None, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra
        self.code = code

    def error_code(self) -> str:
        """Return the stable code: the one given, the domain exception's, or the status's."""
        # `raise ApiError(...) from exc` (or from None) keeps exc as the context.
        cause = self.__cause__ or self.__context__
        return (self.code or getattr(cause, "error_code", None)
                or STATUS_CODES.get(self.status, "error"))


def error_json(status: int, message: str, code: str | None = None, error: str | None = None,
               **extra) -> tuple[Response, int]:
    """Answer an error as the API's JSON: a stable code, the message, and any extra fields."""
    return jsonify({"error": error or message, "message": message,
                    "code": code or STATUS_CODES.get(status, "error"), **extra}), status


class DatabaseIdConverter(IntegerConverter):
    """Match `<int:…>` only up to the largest INTEGER (PostgreSQL's is 32-bit), so huge ids 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def is_api() -> bool:
    """Return whether this request is for the JSON API."""
    return request.path.startswith("/api/")


def get_or_404(model: type[T], ident: int, noun: str | None = None) -> T:
    """Return the row of `model` with id `ident`, or answer 404 ("There is no segment 7.")."""
    return found_or_404(get_db().get(model, ident), noun or model.__name__.lower(), ident)


# "There is no segment 7." for each noun get_or_404 is called with: one sentence each, as
# German needs its own article and case per noun; any other noun gets the generic sentence.
NOT_FOUND = {
    "document": N_("There is no document %(id)s."),
    "segment": N_("There is no segment %(id)s."),
    "job": N_("There is no job %(id)s."),
    "user": N_("There is no user %(id)s."),
    "glossary entry": N_("There is no glossary entry %(id)s."),
    "proposal": N_("There is no proposal %(id)s."),
    "replace": N_("There is no replace %(id)s."),
}


def not_found_message(noun: str, ident: int) -> Message:
    """Return "There is no segment 7." in the reader's language."""
    # The id as written in the URL: no thousands separator.
    if noun in NOT_FOUND:
        return Message(NOT_FOUND[noun], id=str(ident))
    return _l("There is no %(noun)s %(id)s.", noun=noun, id=str(ident))


def found_or_404(row: T | None, noun: str, ident: int) -> T:
    """Return a row looked up some other way, or answer 404 ("There is no segment 7.") for None."""
    if row is None:
        message = not_found_message(noun, ident)
        if is_api():
            raise ApiError(404, message)
        raise NotFound(message)
    return row


def json_body() -> dict:
    """Return the request's JSON object or raise a 400 ApiError."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def int_arg(name: str, default: int, lo: int = 0, hi: int = MAX_ID, *, strict: bool = False) -> int:
    """Return an integer query parameter clamped to [lo, hi]; with strict, refuse it (400) instead."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        if strict:
            raise ApiError(400, f"{name} must be a whole number.") from None
        return default
    if strict and not lo <= value <= hi:
        raise ApiError(400, f"{name} must be between {lo} and {hi}.")
    return max(lo, min(hi, value))


def uploaded_file(limit: int, missing: Exception) -> tuple[str, bytes]:
    """Return the name and bytes of the request's file, read to one byte past `limit` so the
    reader can refuse it as too big; raise `missing` when no file was chosen."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise missing
    return upload.filename, upload.read(limit + 1)


def content_disposition(filename: str) -> str:
    """Return an attachment header for any file name: an ASCII fallback and RFC 5987 UTF-8."""
    name = " ".join(filename.replace("\\", "/").split("/")[-1].split()) or "download"
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in folded).strip()
    if not ascii_name.strip("._ ") or ascii_name.startswith("."):
        ascii_name = "download" + ("." + name.rsplit(".", 1)[1] if "." in name else "")
        ascii_name = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in ascii_name)
    header = f'attachment; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def download(data: bytes | str, filename: str, mimetype: str, **headers: str) -> Response:
    """Return `data` as a file download named `filename` (any script), with extra headers."""
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = content_disposition(filename)
    for key, value in headers.items():
        resp.headers[key.replace("_", "-")] = value
    return resp


def page_or_fragment(page: str, fragments: dict[str | None, str], /, **context) -> Response:
    """Render the fragment an htmx request targets (key None: any target), else the page."""
    template = page
    if request.headers.get("HX-Request"):
        target = request.headers.get("HX-Target")
        template = fragments.get(target) or fragments.get(None) or page
    resp = make_response(render_template(template, **context))
    resp.vary.add("HX-Request")
    return resp


def retarget(resp: Response, target: str) -> Response:
    """Make htmx put `resp` in place of the element `target` (a CSS selector), not the asker."""
    resp.headers["HX-Retarget"] = target
    resp.headers["HX-Reswap"] = "outerHTML"
    return resp


def _error_message(err: HTTPException) -> str:
    if err.code == 413:
        limit = request.max_content_length or current_app.config["MAX_UPLOAD_BYTES"]
        upload = request.mimetype == "multipart/form-data"
        if limit >= 1024 * 1024:
            size = _l("%(size)s MB", size=limit // (1024 * 1024))
        else:
            size = _l("%(size)s KB", size=limit // 1024)
        if upload:
            return _l("The upload is larger than this server accepts (%(size)s).", size=size)
        return _l("The request is larger than this server accepts (%(size)s).", size=size)
    # Our own texts (a Message) as they are; werkzeug's stock English description, which an
    # abort() without a text leaves, becomes the status's own sentence on a page.
    if isinstance(err.description, Message) or (
            err.description and err.description != type(err).description):
        return err.description
    if not is_api() and err.code in PAGE_ERRORS:
        return _l(PAGE_ERRORS[err.code])
    return err.description or err.name


def json_error(err: HTTPException) -> tuple[Response, int]:
    """Answer an HTTP error as JSON."""
    return error_json(err.code, _error_message(err), error=err.name)


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply is a bad request, not a crash."""

    def loads(self, s, **kwargs):
        """Parse JSON; nesting past Python's recursion limit is a ValueError (400)."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None


def _limit_body() -> None:
    """Refuse bodies past their limit (413) before anything reads them: files may be large."""
    if request.mimetype != "multipart/form-data":
        request.max_content_length = current_app.config["MAX_BODY_BYTES"]


def _security_headers(resp: Response) -> Response:
    """Forbid inline script and style, framing, MIME sniffing and cross-site referrers."""
    policy = current_app.config.get("CONTENT_SECURITY_POLICY")
    if policy:
        resp.headers.setdefault("Content-Security-Policy", policy)
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    return resp


def local_path(target: str | None) -> str:
    """Return `target` as a path on this site to redirect to (after login, a language
    switch), or the documents page: parsed, never another site."""
    fallback = url_for("documents.index")
    if not target or "\\" in target:
        return fallback
    # Browsers drop tabs and newlines inside URLs ("/\t/evil" is "//evil") and headers
    # cannot carry them: any control character refuses the target.
    if any(unicodedata.category(c)[0] == "C" for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return fallback
    # "///evil" parses as a path, but browsers read it as another host.
    if parts.path.startswith("//"):
        return fallback
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def init_app(app: Flask) -> None:
    """Install the one set of error handlers: JSON under /api/, a page or fragment elsewhere."""
    app.url_map.converters["int"] = DatabaseIdConverter
    from webapp.core import assets, routes  # the vendored htmx, /api/openapi.json: no feature's

    routes.init_app(app)
    assets.init_app(app)
    app.json = JSONProvider(app)
    app.before_request(_limit_body)
    app.after_request(_security_headers)
    app.jinja_env.globals["storage_scope"] = storage_scope

    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return error_json(err.status, err.message, err.error_code(), **err.extra)

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    @app.errorhandler(422)
    def http_error(err: HTTPException):
        if is_api():
            return json_error(err)
        message = _error_message(err)
        if request.headers.get("HX-Request"):
            return render_template("_partials/_error.html", message=message), err.code
        return render_template("error.html", code=err.code, message=message), err.code

    @app.errorhandler(OperationalError)
    def database_error(err: OperationalError):
        # PostgreSQL cancelled a statement past DB_STATEMENT_TIMEOUT_MS: the request asked
        # for too much (a pattern, a filter), which the person can narrow.
        if type(err.orig).__name__ != "QueryCanceled":
            raise err
        get_db().rollback()
        message = _l("The request took too long and was stopped; narrow the search or filter.")
        if is_api():
            return error_json(422, message, "too_slow", error="Unprocessable Entity")
        if request.headers.get("HX-Request"):
            return render_template("_partials/_error.html", message=message), 422
        return render_template("error.html", code=422, message=message), 422

    @app.errorhandler(500)
    def server_error(_err):
        if is_api():
            return error_json(500, "The server failed; nothing was changed.",
                              error="Internal Server Error")
        # Plain HTML, not the page template: whatever failed may fail again while rendering.
        title, text = _l("Server error"), _l("Nothing was changed. Try again.")
        return f"<h1>{escape(str(title))}</h1><p>{escape(str(text))}</p>", 500
