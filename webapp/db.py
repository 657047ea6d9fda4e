"""The database connection: one engine per app, one session per request or job."""

from __future__ import annotations

import click
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from .models import Base


def make_engine(url: str) -> Engine:
    """Create an engine, tuned for SQLite when the URL is a SQLite one."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            # WAL lets the editor read while a background job writes MT drafts.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_sessionmaker(app: Flask | None = None) -> sessionmaker[Session]:
    """Return the app's session factory (for jobs and CLI commands)."""
    app = app or current_app
    return app.extensions["webapp.sessionmaker"]


def get_db() -> Session:
    """Return this request's session, opening it on first use."""
    if "db" not in g:
        g.db = get_sessionmaker()()
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close this request's session, if one was opened."""
    session = g.pop("db", None)
    if session is not None:
        session.close()


def create_schema(app: Flask | None = None) -> None:
    """Create every table that does not exist yet."""
    app = app or current_app
    Base.metadata.create_all(app.extensions["webapp.engine"])


def drop_schema(app: Flask | None = None) -> None:
    """Drop every table (tests and `init-db --reset`)."""
    app = app or current_app
    Base.metadata.drop_all(app.extensions["webapp.engine"])


@click.command("init-db")
@with_appcontext
@click.option("--reset", is_flag=True, help="Drop all tables first (deletes every document).")
def init_db_command(reset: bool) -> None:
    """Create the database tables (safe to run again)."""
    if reset:
        drop_schema()
    create_schema()
    click.echo(f"Database ready: {current_app.config['DATABASE_URL']}")


def init_app(app: Flask) -> None:
    """Create the engine and register the session teardown and the CLI command."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["webapp.engine"] = engine
    app.extensions["webapp.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
