"""Each document's kept progress: segments and words per state and its last edit, kept by triggers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Integer, event, inspect
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.models.base import Base, owned_by, person
from webapp.core.states import State


def _count() -> Mapped[int]:
    """Return a counter column that starts at zero, also for rows the database inserts itself."""
    return mapped_column(Integer, default=0, server_default="0")


class DocumentProgress(Base):
    """How many segments and words of a document are in each state, and who edited it last.

    The database keeps these rows itself (triggers on `segment` and `document`, below), in
    the transaction of every write: ORM flushes, Core statements such as the save and the
    bulk import, cascading deletes alike. `flask --app wsgi recount` rebuilds them.
    """

    __tablename__ = "document_progress"

    document_id: Mapped[int] = owned_by("document", primary_key=True)
    new_segments: Mapped[int] = _count()
    new_words: Mapped[int] = _count()
    mt_segments: Mapped[int] = _count()
    mt_words: Mapped[int] = _count()
    rejected_segments: Mapped[int] = _count()
    rejected_words: Mapped[int] = _count()
    translated_segments: Mapped[int] = _count()
    translated_words: Mapped[int] = _count()
    approved_segments: Mapped[int] = _count()
    approved_words: Mapped[int] = _count()
    # The newest segment write (import, MT, edit, verdict) and who made it.
    last_edit_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_edit_by: Mapped[str | None] = person(nullable=True)

    def by_state(self) -> dict[State, tuple[int, int]]:
        """Return (segments, words) for every state, in state order."""
        return {s: (getattr(self, f"{s.slug}_segments"), getattr(self, f"{s.slug}_words"))
                for s in State}


# A state without its two columns would be counted nowhere: fail at import, not in a figure.
assert all(hasattr(DocumentProgress, f"{s.slug}_{k}") for s in State for k in ("segments", "words"))

STATES = tuple((int(s), s.slug) for s in State)
_COLUMNS = "segments", "words"


def _state_sums(states: Iterable[tuple[int, str]], n: str, w: str) -> str:
    """Return SELECT items summing `n` and `w` per state into the progress columns' names."""
    return ", ".join(
        f"COALESCE(SUM(CASE WHEN state = {v} THEN {n} ELSE 0 END), 0) AS {slug}_segments, "
        f"COALESCE(SUM(CASE WHEN state = {v} THEN {w} ELSE 0 END), 0) AS {slug}_words"
        for v, slug in states)


def _sqlite_triggers(states: tuple[tuple[int, str], ...]) -> list[str]:
    """Return SQLite's row triggers that keep document_progress."""
    def adjust(row: str, sign: str) -> str:
        return ", ".join(
            f"{slug}_segments = {slug}_segments {sign} ({row}.state = {v}), "
            f"{slug}_words = {slug}_words {sign} CASE WHEN {row}.state = {v} "
            f"THEN {row}.words ELSE 0 END" for v, slug in states)

    newer = "(last_edit_at IS NULL OR NEW.updated_at > last_edit_at)"
    edit = (f"last_edit_by = CASE WHEN {newer} THEN NEW.updated_by ELSE last_edit_by END, "
            f"last_edit_at = CASE WHEN {newer} THEN NEW.updated_at ELSE last_edit_at END")
    add = f"UPDATE document_progress SET {adjust('NEW', '+')}, {edit} " \
          "WHERE document_id = NEW.document_id;"
    remove = f"UPDATE document_progress SET {adjust('OLD', '-')} " \
             "WHERE document_id = OLD.document_id;"
    return [
        "CREATE TRIGGER document_progress_open AFTER INSERT ON document BEGIN "
        "INSERT INTO document_progress (document_id) VALUES (NEW.id); END",
        f"CREATE TRIGGER segment_progress_insert AFTER INSERT ON segment BEGIN {add} END",
        f"CREATE TRIGGER segment_progress_delete AFTER DELETE ON segment BEGIN {remove} END",
        # Not OF position: shifting the segments after a split or merge changes no count.
        "CREATE TRIGGER segment_progress_update AFTER UPDATE OF state, words, document_id, "
        f"updated_at, updated_by ON segment BEGIN {remove} {add} END",
    ]


def _postgresql_triggers(states: tuple[tuple[int, str], ...]) -> list[str]:
    """Return PostgreSQL's statement triggers (one UPDATE per statement, however many rows)."""
    sums = _state_sums(states, "n", "w")
    changed = " OR ".join(f"d.{slug}_{k} <> 0" for _v, slug in states for k in _COLUMNS)
    newer = "(d.edit_at IS NOT NULL AND (p.last_edit_at IS NULL OR d.edit_at > p.last_edit_at))"
    sets = ", ".join(f"{slug}_{k} = p.{slug}_{k} + d.{slug}_{k}"
                     for _v, slug in states for k in _COLUMNS)
    added = ("SELECT document_id, state, 1 AS n, words AS w, updated_at AS edit_at, "
             "updated_by AS edit_by FROM new_rows")
    removed = ("SELECT document_id, state, -1 AS n, -words AS w, NULL::timestamp AS edit_at, "
               "NULL::varchar AS edit_by FROM old_rows")

    def function(name: str, rows: str) -> str:
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE document_progress p SET {sets}, "
            f"last_edit_by = CASE WHEN {newer} THEN d.edit_by ELSE p.last_edit_by END, "
            f"last_edit_at = CASE WHEN {newer} THEN d.edit_at ELSE p.last_edit_at END "
            f"FROM (SELECT document_id, {sums}, MAX(edit_at) AS edit_at, "
            "(ARRAY_AGG(edit_by ORDER BY edit_at DESC NULLS LAST))[1] AS edit_by "
            f"FROM ({rows}) x GROUP BY document_id) d "
            f"WHERE p.document_id = d.document_id AND ({changed} OR {newer}); "
            "RETURN NULL; END $$"
        )

    return [
        "CREATE OR REPLACE FUNCTION document_progress_open() RETURNS trigger LANGUAGE plpgsql "
        "AS $$ BEGIN INSERT INTO document_progress (document_id) VALUES (NEW.id); "
        "RETURN NULL; END $$",
        "CREATE TRIGGER document_progress_open AFTER INSERT ON document FOR EACH ROW "
        "EXECUTE FUNCTION document_progress_open()",
        function("segment_progress_insert", added),
        function("segment_progress_delete", removed),
        function("segment_progress_update", f"{added} UNION ALL {removed}"),
        "CREATE TRIGGER segment_progress_insert AFTER INSERT ON segment "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION segment_progress_insert()",
        "CREATE TRIGGER segment_progress_delete AFTER DELETE ON segment "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION segment_progress_delete()",
        "CREATE TRIGGER segment_progress_update AFTER UPDATE ON segment "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION segment_progress_update()",
    ]


TRIGGERS = (("document", "document_progress_open"), ("segment", "segment_progress_insert"),
            ("segment", "segment_progress_delete"), ("segment", "segment_progress_update"))


def trigger_statements(dialect: str, states: tuple[tuple[int, str], ...] = STATES) -> list[str]:
    """Return the statements that (re)create the triggers keeping document_progress.

    `states` are (value, slug) pairs: a migration passes the states of its time.
    """
    drop = (f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == "postgresql" else "")
            for table, name in TRIGGERS)
    make = _postgresql_triggers if dialect == "postgresql" else _sqlite_triggers
    return [*drop, *make(states)]


def recount_statements(dialect: str, doc_id: int | None = None,
                       states: tuple[tuple[int, str], ...] = STATES) -> list[str]:
    """Return the statements that rebuild document_progress from the segments (one or all)."""
    where_doc = "" if doc_id is None else f" WHERE d.id = {int(doc_id)}"
    columns = ", ".join(f"{slug}_{k}" for _v, slug in states for k in _COLUMNS)
    latest = ("(SELECT {col} FROM segment l WHERE l.document_id = d.id "
              "ORDER BY l.updated_at DESC, l.id DESC LIMIT 1)")
    statements = []
    if dialect == "postgresql":
        # Writers wait meanwhile, so no change made during the count is lost or counted twice.
        statements.append("LOCK TABLE document_progress IN SHARE ROW EXCLUSIVE MODE")
    statements += [
        "DELETE FROM document_progress" + ("" if doc_id is None
                                           else f" WHERE document_id = {int(doc_id)}"),
        f"INSERT INTO document_progress (document_id, {columns}, last_edit_at, last_edit_by) "
        f"SELECT d.id, {_state_sums(states, '1', 's.words')}, "
        f"{latest.format(col='updated_at')}, {latest.format(col='updated_by')} "
        f"FROM document d LEFT JOIN segment s ON s.document_id = d.id{where_doc} GROUP BY d.id",
    ]
    return statements


def _install_triggers(_metadata, connection, **_kw) -> None:
    """Create the triggers whenever create_all made the tables (tests, a new install)."""
    have = inspect(connection)
    if not all(have.has_table(t) for t in ("document", "segment", "document_progress")):
        return
    for statement in trigger_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


event.listen(Base.metadata, "after_create", _install_triggers)
