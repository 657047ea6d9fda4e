"""Settings: defaults for a translator's laptop, overridden from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def defaults(instance_path: str) -> dict:
    """Return the settings used when nothing overrides them."""
    return {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'workbench.sqlite'}",
        "ARGOS_PACKAGES_DIR": None,
        "GLOSSARY_PATH": str(ROOT / "glossary.csv"),
        "TRANSLATIONS_DIR": str(ROOT / "translations"),
        "VENDOR_DIR": str(ROOT / "node_modules"),
        # MateCat allows 60 MB; an article workbench needs far less, and a smaller cap
        # keeps a mistaken upload from tying up a worker.
        "MAX_UPLOAD_BYTES": 5 * 1024 * 1024,
        "MAX_SEGMENT_CHARS": 20_000,
        "PAGE_SIZE": 100,
        "SEED_DOCUMENT": str(ROOT / "translations" / "kim-putin.de.txt"),
        "SEED_LANGS": ("en", "de"),
    }


def from_environment() -> dict:
    """Return the settings that the environment sets."""
    env = {}
    for key in ("SECRET_KEY", "DATABASE_URL", "ARGOS_PACKAGES_DIR", "REDIS_URL",
                "GLOSSARY_PATH", "TRANSLATIONS_DIR"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    if os.environ.get("MAX_UPLOAD_BYTES"):
        env["MAX_UPLOAD_BYTES"] = int(os.environ["MAX_UPLOAD_BYTES"])
    return env


def instance_secret(instance_path: str) -> str:
    """Return a secret key kept in the instance folder, creating it once."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
