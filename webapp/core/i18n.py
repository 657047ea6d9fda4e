"""The interface language: Flask-Babel, the reader's choice, locale formats and the JS catalogue."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from babel import Locale
from babel.messages.extract import extract
from flask import Flask, Response, current_app, g, has_request_context, redirect, request, session, url_for
from flask_babel import (
    Babel,
    format_date,
    format_datetime,
    format_decimal,
    format_number,
    format_percent,
    format_timedelta,
    get_locale,
    get_translations,
)

from webapp.core import messages
from webapp.core.access import csrf_ok
from webapp.core.http import local_path

# The interface languages, the first the fallback for the seed's German installation.
LANGUAGES = ("de", "en")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# What the JavaScript calls its strings through (static/i18n.js), as pybabel's keywords.
JS_KEYWORDS = {"t": None, "nt": (1, 2)}


def select_locale() -> str:
    """Return the interface language: the API's is English; pages follow the person's
    setting, then this browser's choice, then Accept-Language, then the installation's."""
    if request.path.startswith("/api/"):
        return "en"
    user = g.get("user")
    if user is not None and getattr(user, "locale", None) in LANGUAGES:
        return user.locale
    if session.get("locale") in LANGUAGES:
        return session["locale"]
    return (request.accept_languages.best_match(LANGUAGES)
            or current_app.config["DEFAULT_LOCALE"])


def locale_name() -> str:
    """Return the current interface language's code ("de", "en")."""
    return str(get_locale() or current_app.config["DEFAULT_LOCALE"])


# ---------------------------------------------------------------------------
# Translation, with the pseudo-locale that shows what never went through it
# ---------------------------------------------------------------------------

# Kept as they are: %(name)s and %s placeholders, markup, entities.
_KEEP = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[sdif%]|<[^>]*>|&#?\w+;")
_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķĺɱñöþǫŕšŧüṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŦÜṼŴẊÝŽ")
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"


def pseudo(text: str) -> str:
    """Return `text` wrapped and lengthened by about 40 %, placeholders and markup kept."""
    parts, last = [], 0
    for m in _KEEP.finditer(text):
        parts.append(text[last:m.start()].translate(_ACCENTED))
        parts.append(m.group())
        last = m.end()
    parts.append(text[last:].translate(_ACCENTED))
    body = "".join(parts)
    padding = "·" * max(1, (len(text) * 2) // 5)
    return f"{PSEUDO_OPEN}{body}{padding}{PSEUDO_CLOSE}"


def translate(singular: str, plural: str | None = None, n: int | None = None) -> str:
    """Return the text in the current request's language (English outside a request)."""
    if not has_request_context():
        return messages.english(singular, plural, n)
    if current_app.config.get("I18N_PSEUDO") and not request.path.startswith("/api/"):
        return pseudo(messages.english(singular, plural, n))
    catalogue = get_translations()
    if plural is None:
        return catalogue.gettext(singular)
    return catalogue.ngettext(singular, plural, n if n is not None else 1)


def format_param(value) -> str:
    """Write a message's parameter as the current language does (1.000 in German)."""
    if not has_request_context():
        return messages.english_param(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, float):
        return format_decimal(value, "#,##0.##")
    return str(value)


def gettext(text: str) -> str:
    """Translate `text` (the templates' _ and gettext)."""
    return translate(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate `singular` or `plural` for `n` (the templates' ngettext)."""
    return translate(singular, plural, n)


# ---------------------------------------------------------------------------
# Formats for the templates
# ---------------------------------------------------------------------------

def _aware(value: datetime) -> datetime:
    # Stored times are naive UTC; Babel converts aware ones to the reader's time zone.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def datetime_filter(value: datetime | None, width: str = "short") -> str:
    """Write a stored (UTC) time in the reader's language and time zone."""
    return format_datetime(_aware(value), width) if value else "—"


def date_filter(value: date | datetime | None, width: str = "medium") -> str:
    """Write a date in the reader's language."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        value = _aware(value)
    return format_date(value, width)


def number_filter(value, decimals: int | None = None) -> str:
    """Write a number with the reader's separators; `decimals` fixes the places."""
    if value is None:
        return "—"
    if decimals is not None:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, pattern)
    return format_number(value) if isinstance(value, int) else format_decimal(value)


def percent_filter(value, decimals: int = 0) -> str:
    """Write a share (0..1) as a percentage in the reader's language ("12 %", "12%")."""
    if value is None:
        return "—"
    pattern = get_locale().percent_formats[None].pattern
    if decimals:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
    return format_percent(value, pattern)


def timedelta_filter(value: timedelta, direction: bool = True) -> str:
    """Write a span of time in words ("vor 3 Stunden", "in 2 days")."""
    return format_timedelta(value, add_direction=direction, threshold=1)


def language_filter(code: str | None) -> str:
    """Name a language code in the reader's language ("de" → "Deutsch" / "German")."""
    if not code:
        return "—"
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(locale_name()) or code
    except (ValueError, TypeError):
        return code


def autonym(code: str) -> str:
    """Name a language in itself, for the switch ("Deutsch", "English")."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


# ---------------------------------------------------------------------------
# The JavaScript's strings, from the same catalogue
# ---------------------------------------------------------------------------

@functools.cache
def js_msgids() -> tuple[tuple[str, str | None], ...]:
    """Return the (singular, plural) strings the static JS passes to t() and nt()."""
    found: dict[tuple[str, str | None], None] = {}
    for path in sorted(STATIC_DIR.glob("*.js")):
        with path.open("rb") as fh:
            for _lineno, msg, _comments, _context in extract(
                    "javascript", fh, keywords=JS_KEYWORDS, comment_tags=()):
                if isinstance(msg, tuple):
                    found[(msg[0], msg[1])] = None
                elif msg:
                    found[(msg, None)] = None
    return tuple(found)


def js_catalogue() -> dict:
    """Return the JS strings in the current language: singular → text or [one, other]."""
    out: dict[str, object] = {}
    for singular, plural in js_msgids():
        if plural is None:
            out[singular] = translate(singular)
        else:
            out[singular] = [translate(singular, plural, 1), translate(singular, plural, 2)]
    return out


def _catalogue_version() -> str:
    """Return a short hash that changes when a compiled catalogue or a script changes."""
    digest = hashlib.sha256()
    for path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.mo")) + sorted(
            STATIC_DIR.glob("*.js")):
        stat = path.stat()
        digest.update(f"{path.name}{stat.st_mtime_ns}{stat.st_size}".encode())
    digest.update(str(bool(current_app.config.get("I18N_PSEUDO"))).encode())
    return digest.hexdigest()[:12]


def catalogue_url() -> str:
    """Return the versioned URL of the JS strings for the current language."""
    return url_for("i18n_catalogue", lang=locale_name(), v=_catalogue_version())


def catalogue_script(lang: str) -> Response:
    """Serve the JS strings for `lang` as a script setting window.I18N (CSP: no inline)."""
    if lang not in LANGUAGES:
        return Response("Unknown language.", 404, mimetype="text/plain")
    from flask_babel import force_locale

    with force_locale(lang):
        body = json.dumps({"locale": lang, "messages": js_catalogue()}, ensure_ascii=False)
    resp = Response(f"window.I18N = {body};\n", mimetype="text/javascript")
    if request.args.get("v"):
        resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return resp


# ---------------------------------------------------------------------------
# Choosing the language
# ---------------------------------------------------------------------------

def choose_language() -> Response:
    """Set the interface language for this browser and, when logged in, the person."""
    if not csrf_ok(request.form.get("csrf_token")):
        return Response(translate("The form has expired; reload the page and try again."),
                        400, mimetype="text/plain")
    lang = request.form.get("locale", "")
    if lang not in LANGUAGES:
        return Response(translate("Unknown language."), 400, mimetype="text/plain")
    session["locale"] = lang
    user = g.get("user")
    if user is not None and hasattr(user, "locale"):
        from webapp.core.db import get_db

        user.locale = lang
        get_db().commit()
    return redirect(local_path(request.form.get("next")), 303)


def init_app(app: Flask) -> None:
    """Install Flask-Babel, the translators, the template formats and the language routes."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(LOCALE_DIR))
    app.config["BABEL_DEFAULT_LOCALE"] = app.config["DEFAULT_LOCALE"]
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["TIMEZONE"])
    Babel(app, locale_selector=select_locale)
    messages.set_translator(translate, format_param)
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.jinja_env.globals.update(
        locale_name=locale_name, catalogue_url=catalogue_url,
        LANGUAGES=LANGUAGES, autonym=autonym)
    app.jinja_env.filters.update(
        datetime=datetime_filter, date=date_filter, number=number_filter,
        percent=percent_filter, timedelta=timedelta_filter, language=language_filter)
    app.add_url_rule("/i18n/<lang>.js", "i18n_catalogue", catalogue_script)
    app.add_url_rule("/language", "choose_language", choose_language, methods=["POST"])
