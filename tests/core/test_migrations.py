"""Alembic migrations: they build exactly the models' schema and upgrade older databases."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from conftest import database_url, drop_database
from sqlalchemy import column, insert, inspect, select, table, text

from webapp import create_app
from webapp.core.db import FIRST_REVISION, alembic_config, head_revision, schema_differences, upgrade_schema
from webapp.core.models import Document, Revision, Segment

HOW_TO_ADD = (
    "webapp/core/models/ and webapp/migrations/ disagree. If you changed the models, write the "
    "migration: `.venv/bin/flask --app wsgi make-migration \"what changed\"`, read the file "
    "it prints (add a data step when a new NOT NULL column needs values for existing rows), "
    "and run the tests on SQLite and PostgreSQL (`make test`). Differences:\n"
)


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """Return an app whose database has no tables at all."""
    monkeypatch.setenv("WEBAPP_INSTANCE", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                      "DATABASE_URL": database_url(tmp_path)})
    yield app
    app.extensions["webapp.engine"].dispose()
    drop_database(app.config["DATABASE_URL"])


def differences(app) -> list:
    """Return what separates the app's database schema from the models."""
    with app.extensions["webapp.engine"].connect() as conn:
        return schema_differences(conn)


def revision_of(app) -> str | None:
    """Return the revision Alembic recorded in the app's database."""
    with app.extensions["webapp.engine"].connect() as conn:
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def test_migrations_on_an_empty_database_build_exactly_the_models(empty_app):
    upgrade_schema(empty_app)
    diffs = differences(empty_app)
    assert not diffs, HOW_TO_ADD + "\n".join(map(repr, diffs))
    assert revision_of(empty_app) == head_revision()


def test_the_migrations_form_one_line_of_history():
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, (
        f"The migrations have several heads {heads}: two migrations revise the same one. "
        "Point the newer one's down_revision at the other (and renumber it)."
    )


def first_release_with_a_document(app) -> None:
    """Build the first release's schema and store a document the way that release did."""
    command.upgrade(alembic_config(app.config["DATABASE_URL"]), FIRST_REVISION)
    # Tables as that release had them, not today's models (which have more columns).
    document = table("document", *map(column, (
        "id", "name", "source_lang", "target_lang", "mode", "source_kind", "leading",
        "encoding", "created_at", "created_by")))
    segment = table("segment", *map(column, (
        "id", "document_id", "position", "paragraph", "source", "target", "mt", "trailing",
        "state", "version", "updated_at", "updated_by")))
    revision = table("revision", *map(column, (
        "segment_id", "version", "replaced_version", "text", "state", "kind", "author",
        "created_at")))
    when = datetime(2026, 1, 2, 3, 4, 5)
    with app.extensions["webapp.engine"].begin() as conn:
        conn.execute(insert(document).values(
            id=1, name="old.txt", source_lang="de", target_lang="en", mode="translate",
            source_kind="original", leading="", encoding="utf-8", created_at=when,
            created_by="seed"))
        sources = ["Ein kurzer Satz.", "Die Übersetzung ist fertig, z. B. das Glossar-Update."]
        for i, source in enumerate(sources):
            conn.execute(insert(segment).values(
                id=i + 1, document_id=1, position=i, paragraph=0, source=source,
                target="A sentence.", mt="", trailing=" ", state=20, version=1,
                updated_at=when, updated_by="anna"))
            conn.execute(insert(revision).values(
                segment_id=i + 1, version=1, replaced_version=0, text="A sentence.", state=20,
                kind="edit", author="anna", created_at=when))


def test_a_first_release_database_upgrades_to_head_keeping_its_documents(empty_app):
    first_release_with_a_document(empty_app)
    assert revision_of(empty_app) == FIRST_REVISION

    upgrade_schema(empty_app)

    assert revision_of(empty_app) == head_revision()
    assert not differences(empty_app), HOW_TO_ADD + repr(differences(empty_app))
    factory = empty_app.extensions["webapp.sessionmaker"]
    with factory() as db:
        doc = db.get(Document, 1)
        assert doc.name == "old.txt"
        segs = db.scalars(select(Segment).order_by(Segment.position)).all()
        assert [s.target for s in segs] == ["A sentence.", "A sentence."]
        # Columns added later are filled for the rows that were already there.
        assert [s.words for s in segs] == [3, 8]
        assert db.scalar(select(Revision.author).where(Revision.segment_id == 1)) == "anna"


def test_init_db_adopts_a_database_the_first_release_made_without_migrations(empty_app):
    first_release_with_a_document(empty_app)
    # The first release made its tables with create_all: no alembic_version table.
    with empty_app.extensions["webapp.engine"].begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))

    result = empty_app.test_cli_runner().invoke(args=["init-db"])

    assert result.exit_code == 0, result.output
    assert f"revision {head_revision()}" in result.output
    assert revision_of(empty_app) == head_revision()
    assert not differences(empty_app)
    with empty_app.extensions["webapp.sessionmaker"]() as db:
        assert db.get(Document, 1).name == "old.txt"


def test_init_db_adopts_a_database_create_all_made_from_the_current_models(empty_app):
    from webapp.core.db import create_schema

    create_schema(empty_app)
    result = empty_app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert revision_of(empty_app) == head_revision()


def test_init_db_runs_twice_and_reset_empties_the_database(empty_app):
    runner = empty_app.test_cli_runner()
    first_release_with_a_document(empty_app)
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert runner.invoke(args=["init-db"]).exit_code == 0
    with empty_app.extensions["webapp.sessionmaker"]() as db:
        assert db.get(Document, 1) is not None

    result = runner.invoke(args=["init-db", "--reset"])

    assert result.exit_code == 0, result.output
    assert revision_of(empty_app) == head_revision()
    with empty_app.extensions["webapp.sessionmaker"]() as db:
        assert db.get(Document, 1) is None


def test_every_migration_downgrades_to_an_empty_database_and_up_again(empty_app):
    cfg = alembic_config(empty_app.config["DATABASE_URL"])
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    assert set(inspect(empty_app.extensions["webapp.engine"]).get_table_names()) <= {
        "alembic_version"}
    command.upgrade(cfg, "head")
    assert not differences(empty_app)
