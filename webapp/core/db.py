"""The database connection: one engine per app, one session per request or job, migrations."""

from __future__ import annotations

import select
import tempfile
from pathlib import Path
from typing import TypeVar

import click
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, g
from flask.cli import with_appcontext
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from webapp.core import patterns
from webapp.core.models import MAX_ID, Base

T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# The schema of the first release, which created its tables without Alembic.
FIRST_REVISION = "0001"


def make_engine(url: str, statement_timeout_ms: int = 0) -> Engine:
    """Create an engine, tuned for SQLite when the URL is a SQLite one."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            # REGEXP runs on RE2, in linear time: a pattern a person types can never stall
            # the process (SQLAlchemy's default is Python's backtracking re).
            dbapi_conn.create_function("regexp", 2, patterns.search, deterministic=True)
            cur = dbapi_conn.cursor()
            # WAL lets the editor read while a background job writes MT drafts.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            # In WAL mode NORMAL writes each commit to the WAL file before COMMIT returns and
            # syncs it at checkpoints: a killed server process loses no committed save (the
            # OS has the data; tests/test_crash.py checks it); only an OS crash or power cut
            # could lose the last commits, never corrupt the database.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    engine = create_engine(url)
    if statement_timeout_ms and engine.dialect.name == "postgresql":
        # A statement that runs longer than this is cancelled by the server: no query a
        # request sends (a search pattern, say) can hold a connection and a worker for
        # minutes. Set per connection, so options in the URL (a search_path) stay as they are.
        @event.listens_for(engine, "connect")
        def _statement_timeout(dbapi_conn, _record):
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
            dbapi_conn.commit()

    @event.listens_for(engine, "checkout")
    def _still_connected(dbapi_conn, _record, _proxy):
        # A connection the server has closed (a restart, a terminated backend, an idle
        # timeout) has a readable socket, with the server's goodbye or the end of the stream;
        # the pool then opens a new one. pool_pre_ping would ask the server instead, a round
        # trip on every request.
        if dbapi_conn.broken or select.select([dbapi_conn.fileno()], [], [], 0)[0]:
            raise DisconnectionError("The database server closed this connection.")

    return engine


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
    engine = app.extensions["webapp.engine"]
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def alembic_config(url: str, connection: Connection | None = None) -> Config:
    """Return Alembic's configuration for our migrations on the database at `url`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser reads % as interpolation; a password may contain one.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """Return the newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def upgrade_schema(app: Flask | None = None, revision: str = "head") -> None:
    """Bring the database to `revision` with the migrations, adopting one made by create_all."""
    app = app or current_app
    url = app.config["DATABASE_URL"]
    engine = app.extensions["webapp.engine"]
    tables = set(inspect(engine).get_table_names())
    if "document" in tables and "alembic_version" not in tables:
        # Made by create_all, not by us: by the first release (its schema is exactly
        # migration 0001), or by a later checkout whose tables match the models.
        with engine.connect() as conn:
            current = not schema_differences(conn)
        command.stamp(alembic_config(url), "head" if current else FIRST_REVISION)
    command.upgrade(alembic_config(url), revision)


def schema_differences(connection: Connection) -> list:
    """Return what separates the database's schema from the models (empty when equal)."""
    return compare_metadata(
        MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
    )


def get_or_fail(db: Session, model: type[T], ident: int, noun: str | None = None) -> T:
    """Return the row of `model` with id `ident`, or stop the command ("There is no document 7.")."""
    row = db.get(model, ident) if 0 < ident <= MAX_ID else None
    if row is None:
        raise click.ClickException(f"There is no {noun or model.__name__.lower()} {ident}.")
    return row


@click.command("init-db")
@with_appcontext
@click.option("--reset", is_flag=True, help="Drop all tables first (deletes every document).")
def init_db_command(reset: bool) -> None:
    """Create or upgrade the database tables with the migrations (safe to run again)."""
    if reset:
        drop_schema()
    upgrade_schema()
    click.echo(f"Database ready at revision {head_revision()}: "
               f"{current_app.config['DATABASE_URL']}")


@click.command("make-migration")
@with_appcontext
@click.argument("message")
def make_migration_command(message: str) -> None:
    """Write a migration for what webapp/core/models/ adds beyond the newest migration."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = scripts.get_current_head()
    number = f"{int(head) + 1:04d}" if head and head.isdigit() else None
    with tempfile.TemporaryDirectory() as tmp:
        # Compared against an empty database brought to head, never the working one.
        url = f"sqlite:///{Path(tmp) / 'head.sqlite'}"
        cfg = alembic_config(url)
        command.upgrade(cfg, "head")
        script = command.revision(cfg, message=message, autogenerate=True, rev_id=number)
    path = Path(script.path)
    click.echo(f"Wrote {path.relative_to(MIGRATIONS.parent.parent)}: review it, then run "
               "`flask --app wsgi init-db` and the tests (tests/test_migrations.py).")


def init_app(app: Flask) -> None:
    """Create the engine and register the session teardown and the CLI command."""
    engine = make_engine(app.config["DATABASE_URL"], app.config["DB_STATEMENT_TIMEOUT_MS"])
    app.extensions["webapp.engine"] = engine
    app.extensions["webapp.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    app.cli.add_command(make_migration_command)
