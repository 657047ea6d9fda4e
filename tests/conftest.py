"""Shared fixtures: an app on a fresh database per test, its client and CLI runner."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import sqlalchemy
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from webapp import create_app
from webapp.auth import users
from webapp.core.db import create_schema, get_sessionmaker
from webapp.core.states import Role

pytest_plugins = ["argos_tiny", "browser"]

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "translations" / "kim-putin.de.txt"
SHARED_TESTDATA = ROOT.parent / "shared" / "testdata"


def database_url(tmp_path: Path) -> str:
    """Return the database for one test: SQLite in tmp_path, or a fresh schema of its own in
    TEST_DATABASE_URL's PostgreSQL database (the same one for the same tmp_path)."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    # A schema per test isolates as well as a database per test, at a fraction of the cost.
    schema = "t_" + hashlib.sha1(str(tmp_path).encode()).hexdigest()[:24]
    with sqlalchemy.create_engine(server, poolclass=NullPool).begin() as conn:
        conn.execute(sqlalchemy.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop a PostgreSQL test schema made by database_url (SQLite files go with tmp_path)."""
    options = make_url(url).query.get("options", "")
    if url.startswith("postgresql") and options.startswith("-csearch_path=t_"):
        schema = options.removeprefix("-csearch_path=")
        server = make_url(url).difference_update_query(["options"])
        try:
            with sqlalchemy.create_engine(server, poolclass=NullPool).begin() as conn:
                # A connection some test left open must not hang the run; `make test`
                # drops the whole database afterwards anyway.
                conn.execute(sqlalchemy.text("SET LOCAL lock_timeout = '5s'"))
                conn.execute(sqlalchemy.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        except sqlalchemy.exc.OperationalError:
            pass


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
        # The same scrypt with a smaller work factor: logins are in almost every test.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        # The suite reads the English interface unless a test asks for another language
        # (the installation's default is German; tests/core/test_i18n*.py cover that).
        "DEFAULT_LOCALE": "en",
    })
    with app.app_context():
        from webapp.core.db import drop_schema
        drop_schema(app)
        create_schema(app)
    yield app
    app.extensions["webapp.jobs"].executor.shutdown(wait=True)
    app.extensions["webapp.engine"].dispose()
    drop_database(app.config["DATABASE_URL"])


class BrowserLikeClient(FlaskClient):
    """A test client that sends the session's CSRF token on unsafe requests, as the page does."""

    def open(self, *args, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if method in {"POST", "PUT", "PATCH", "DELETE"} and self.send_csrf:
            headers = dict(kwargs.pop("headers", None) or {})
            with self.session_transaction() as sess:
                token = sess.get("csrf")
            if token and "X-CSRF-Token" not in headers:
                headers["X-CSRF-Token"] = token
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    send_csrf = True


PASSWORD = "correct horse battery"


def make_user(app, username: str, role: str) -> None:
    """Create an account with the shared test password."""
    with app.app_context(), get_sessionmaker(app)() as db:
        users.create_user(db, username, Role.from_slug(role), PASSWORD)


def login(client, username: str, password: str = PASSWORD):
    """Log a client in through the login form, and return the response."""
    client.get("/login")
    with client.session_transaction() as sess:
        token = sess["csrf"]
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


@pytest.fixture
def anon_client(app):
    """Return a client nobody has logged in with."""
    app.test_client_class = BrowserLikeClient
    return app.test_client()


@pytest.fixture
def client_as(app):
    """Return a factory of clients logged in as a new user with a given role."""
    app.test_client_class = BrowserLikeClient
    made = {}

    def factory(role: str, username: str | None = None):
        username = username or f"{role}{len(made) + 1}"
        make_user(app, username, role)
        c = app.test_client()
        resp = login(c, username)
        assert resp.status_code == 303, resp.get_data(as_text=True)
        made[username] = c
        return c

    return factory


@pytest.fixture
def client(client_as):
    """Return a client logged in as an admin, who may do everything."""
    return client_as("admin", "ada")


@pytest.fixture
def api_headers(app):
    """Return a factory of bearer-token headers for a new user with a given role."""
    count = [0]

    def factory(role: str) -> dict:
        count[0] += 1
        name = f"script-{role}{count[0]}"
        make_user(app, name, role)
        resp = app.test_client().post("/api/login", json={"username": name, "password": PASSWORD})
        assert resp.status_code == 200, resp.get_json()
        return {"Authorization": f"Bearer {resp.get_json()['token']}"}

    return factory


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
