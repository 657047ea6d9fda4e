"""Settings: defaults for a translator's laptop, overridden from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def defaults(instance_path: str) -> dict:
    """Return the settings used when nothing overrides them."""
    return {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'workbench.sqlite'}",
        "ARGOS_PACKAGES_DIR": None,
        "GLOSSARY_PATH": str(ROOT / "glossary.csv"),
        # A dictd German–English dictionary (without .index/.dict.dz): Debian's FreeDict.
        "DICTIONARY_PATH": "/usr/share/dictd/freedict-deu-eng",
        "TRANSLATIONS_DIR": str(ROOT / "translations"),
        "VENDOR_DIR": str(ROOT / "node_modules"),
        # MateCat allows 60 MB; an article workbench needs far less, and a smaller cap
        # keeps a mistaken upload from tying up a worker.
        "MAX_UPLOAD_BYTES": 5 * 1024 * 1024,
        "MAX_SEGMENT_CHARS": 20_000,
        # Any request that is not a file upload (JSON, forms): a segment's text and a
        # comment fit many times over; a 100 MB login is refused before it is read.
        "MAX_BODY_BYTES": 1024 * 1024,
        # PostgreSQL cancels any statement running longer (ms; 0: never). The longest
        # statements the app sends (a page of 100 rows, a batch of 1,000 memory units)
        # take well under a second.
        "DB_STATEMENT_TIMEOUT_MS": 30_000,
        # A page holds at most PAGE_SIZE segment rows. FIRST_ROWS (a screenful) come with
        # it, the rest MORE_ROWS at a time as they scroll into view or the keyboard moves
        # on, so the first screen is served as fast for a book as for a short article.
        "PAGE_SIZE": 100,
        "FIRST_ROWS": 10,
        "MORE_ROWS": 30,
        "SEED_DOCUMENT": str(ROOT / "translations" / "kim-putin.de.txt"),
        "SEED_LANGS": ("en", "de"),
        # The interface language when neither the person, the browser's choice nor its
        # Accept-Language names German or English: the seed's newsroom works in German.
        "DEFAULT_LOCALE": "de",
        # Times are stored in UTC and shown in this zone.
        "TIMEZONE": "Europe/Berlin",
        # Every interface string wrapped and lengthened (⟦…⟧): shows text that bypasses
        # the catalogue, and layouts that break with longer words (tests/core/test_i18n*).
        "I18N_PSEUDO": False,
        # "production" makes a missing or well-known SECRET_KEY fatal (see check_secret).
        "WEBAPP_ENV": "development",
        # Background jobs: in this process unless REDIS_URL names a Redis for RQ workers.
        "REDIS_URL": None,
        "RQ_QUEUE": "webapp",
        # A running job writes progress after every batch; one silent this long is dead.
        "JOB_STALE_SECONDS": 300,
        # Pre-translation commits its drafts every this many segments, so a killed worker
        # loses at most one chunk and a retry picks up where it stopped.
        "PRETRANSLATE_CHUNK": 256,
        # Translation memory: the least fuzzy score (0..1) the editor offers, like OmegaT's
        # and MateCat's 70 %; and the cap on a TMX upload, which is streamed by a job.
        "TM_THRESHOLD": 0.70,
        "TM_MAX_UPLOAD_BYTES": 64 * 1024 * 1024,
        # Accounts. Failed logins are limited per user name and client address, and per user
        # name from any address (Flask-Limiter rate strings); a success clears both. The
        # counters live in Redis when REDIS_URL is set, else in the database: either way
        # every worker shares them (RATELIMIT_STORAGE_URI overrides, e.g. memory:// for one
        # process only).
        "LOGIN_LIMIT": "5 per minute; 20 per hour",
        "LOGIN_NAME_LIMIT": "50 per hour",
        "RATELIMIT_STORAGE_URI": None,
        # How many proxies in front of the app set X-Forwarded-For (0: none, trust nobody).
        "PROXY_COUNT": 0,
        # API tokens stop working this many days after they were issued.
        "API_TOKEN_DAYS": 90,
        # None: Secure in production (WEBAPP_ENV=production), not on a laptop's plain http.
        "SESSION_COOKIE_SECURE": None,
        # No inline script or style anywhere: htmx, the app's JS and CSS are files of ours.
        "CONTENT_SECURITY_POLICY": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
    }


class ConfigError(RuntimeError):
    """The configuration is unsafe or malformed; the app refuses to start."""


def from_environment() -> dict:
    """Return the settings that the environment sets."""
    env = {}
    for key in ("SECRET_KEY", "DATABASE_URL", "ARGOS_PACKAGES_DIR", "REDIS_URL", "RQ_QUEUE",
                "GLOSSARY_PATH", "DICTIONARY_PATH", "TRANSLATIONS_DIR", "WEBAPP_ENV",
                "LOGIN_LIMIT", "LOGIN_NAME_LIMIT", "RATELIMIT_STORAGE_URI", "DEFAULT_LOCALE",
                "TIMEZONE"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    for key in ("MAX_UPLOAD_BYTES", "JOB_STALE_SECONDS", "PRETRANSLATE_CHUNK",
                "DB_STATEMENT_TIMEOUT_MS", "MAX_MODEL_BYTES",
                "PROXY_COUNT", "API_TOKEN_DAYS"):
        raw = os.environ.get(key, "").strip()
        if raw:
            try:
                env[key] = int(raw)
            except ValueError:
                raise ConfigError(f"{key} must be a whole number, not {raw!r}.") from None
    secure = os.environ.get("SESSION_COOKIE_SECURE", "").strip().lower()
    if secure:
        if secure not in ("0", "1", "true", "false", "yes", "no"):
            raise ConfigError(f"SESSION_COOKIE_SECURE must be 1 or 0, not {secure!r}.")
        env["SESSION_COOKIE_SECURE"] = secure in ("1", "true", "yes")
    return env


# Keys that appear in tutorials, examples and our own tests: anyone can forge sessions with them.
KNOWN_SECRETS = frozenset({
    "", "dev", "development", "secret", "secret-key", "secret_key", "changeme", "change-me",
    "change_me", "test", "test-secret", "testing", "default", "please-change-me", "xxx",
})
MIN_SECRET_CHARS = 32


def secret_key(config: dict, instance_path: str) -> str:
    """Return the SECRET_KEY to use; in production refuse a missing, default or short one."""
    key = config.get("SECRET_KEY") or ""
    if config.get("WEBAPP_ENV") != "production":
        # A laptop gets a random key kept in instance/, so nobody has to set one.
        return key or instance_secret(instance_path)
    hint = ("Set SECRET_KEY in the environment, the same on every server, e.g. "
            "SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_hex(32))')\".")
    if not key:
        # Not generated here: each server of a team would make its own and log people out.
        raise ConfigError("WEBAPP_ENV=production needs a SECRET_KEY. " + hint)
    if key.strip().lower() in KNOWN_SECRETS:
        raise ConfigError(f"SECRET_KEY is the well-known value {key!r}. " + hint)
    if len(key) < MIN_SECRET_CHARS:
        raise ConfigError(f"SECRET_KEY has {len(key)} characters; production needs at least "
                          f"{MIN_SECRET_CHARS}. " + hint)
    return key


def instance_secret(instance_path: str) -> str:
    """Return a secret key kept in the instance folder, creating it once."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
