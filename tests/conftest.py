"""Shared fixtures: an app on a fresh database per test, its client and CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from webapp import create_app
from webapp.db import create_schema

pytest_plugins = ["argos_tiny", "browser"]

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "translations" / "kim-putin.de.txt"
SHARED_TESTDATA = ROOT.parent / "shared" / "testdata"


def database_url(tmp_path: Path) -> str:
    """Return the database for one test: TEST_DATABASE_URL's server if set, else SQLite."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def app(tmp_path, argos_packages_dir, monkeypatch):
    """Return an app with an empty database and an empty Argos packages folder."""
    monkeypatch.setenv("WEBAPP_INSTANCE", str(tmp_path / "instance"))
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url(tmp_path),
        "ARGOS_PACKAGES_DIR": str(argos_packages_dir),
        "TRANSLATIONS_DIR": str(tmp_path),
    })
    with app.app_context():
        from webapp.db import drop_schema
        drop_schema(app)
        create_schema(app)
    yield app
    app.extensions["webapp.jobs"].executor.shutdown(wait=True)
    app.extensions["webapp.engine"].dispose()


@pytest.fixture
def client(app):
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner."""
    return app.test_cli_runner()


@pytest.fixture
def seed_bytes() -> bytes:
    """Return the seed article as shipped."""
    return SEED.read_bytes()


@pytest.fixture
def shared_testdata() -> Path:
    """Return ../shared/testdata, failing loudly when it is not beside the clone."""
    if not SHARED_TESTDATA.is_dir():
        pytest.fail(f"{SHARED_TESTDATA} is missing: tests of real-world files need shared/ "
                    "beside the clone, as CI lays it out.")
    return SHARED_TESTDATA
