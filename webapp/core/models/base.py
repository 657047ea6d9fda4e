"""Declarative base, the one clock every table uses, and the columns many tables share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import DeclarativeBase, MappedColumn, mapped_column
from sqlalchemy.types import TypeDecorator

from webapp.core import messages
from webapp.core.states import Code

# The largest id (and INTEGER) the database holds: PostgreSQL's INTEGER is 32-bit, and a
# larger number sent to it is an error, not a row that is missing.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    """Return the current time in UTC, without tzinfo so SQLite and PostgreSQL agree."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    # What the JSON API shows of a row, in order: attribute names, or "key=attribute" where
    # the API's name differs. Times go out as ISO 8601 UTC with a "Z"; the fields named in
    # `api_codes` hold a code (core.states) and go out as its slug ("approved").
    api_fields: ClassVar[tuple[str, ...]] = ()
    api_codes: ClassVar[dict[str, type[Code]]] = {}

    def to_dict(self) -> dict:
        """Return the JSON API representation: the row's `api_fields`."""
        data = {}
        for field in self.api_fields:
            key, _, attribute = field.partition("=")
            value = getattr(self, attribute or key)
            if key in self.api_codes:
                value = self.api_codes[key](value).slug
            data[key] = value.isoformat() + "Z" if isinstance(value, datetime) else value
        return data


def owned_by(table: str, **options) -> MappedColumn:
    """Return a column holding the id of a row of `table`; deleting that row deletes this one."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), **options)


def person(**options) -> MappedColumn:
    """Return a column holding a user name (who made, changed or holds the row), as wide as
    User.username."""
    return mapped_column(String(80), **options)


class MessageText(TypeDecorator):
    """Text that may hold a Message: stored with its id and parameters, read back as one, so
    the API reads English and a page the reader's language."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Store a Message by id and parameters."""
        return messages.dump(value) if value is not None else None

    def process_result_value(self, value, dialect):
        """Read a stored Message back as one."""
        return messages.load(value) if value else value
