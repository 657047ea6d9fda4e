"""The login rate limit's store when there is no Redis: counters in the app's database.

Flask-Limiter counts login attempts in a `limits` storage. Its memory storage is one process's
own (each gunicorn worker would count separately, and a restart forgets); Redis is shared but
optional here. This storage keeps the fixed-window counters in the `rate_counter` table, which
every worker and every restart shares, and increments them in one atomic upsert, so parallel
attempts can never pass the limit between a read and a write.
"""

from __future__ import annotations

import hashlib
import time

from limits.storage import Storage
from sqlalchemy import case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from webapp.core.models import RateCounter

SCHEME = "webapp-db"
_KEY_CHARS = 255


def client_key(username: str, address: str | None) -> str:
    """Return the rate-limit key of a login attempt: the user name (as looked up) and address."""
    # Names are at most 80 characters; a longer one matches no account, and keys stay short.
    return f"{(username or '').strip().lower()[:100]}|{address or 'unknown'}"


def name_key(username: str) -> str:
    """Return the rate-limit key of a user name, from any address."""
    return f"{(username or '').strip().lower()[:100]}|*"


class DatabaseStorage(Storage):
    """Fixed-window counters in the app's database (SQLite or PostgreSQL): `webapp-db://`."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 engine: Engine | None = None, **options):
        if engine is None:
            raise ValueError("The webapp-db rate-limit storage needs the app's engine.")
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.engine = engine
        dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(engine.dialect.name)
        if dialect is None:
            raise ValueError(f"No rate-limit storage for {engine.dialect.name}; set REDIS_URL.")
        self._insert = dialect.insert

    @property
    def base_exceptions(self) -> type[Exception]:
        """Return what a failing database raises."""
        return SQLAlchemyError

    @staticmethod
    def _key(key: str) -> str:
        return key if len(key) <= _KEY_CHARS else hashlib.sha256(key.encode()).hexdigest()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the counter, starting a new window when the old one has passed;
        return the new count. One statement: the database serialises parallel attempts."""
        now = time.time()
        table = RateCounter.__table__
        stale = table.c.expires_at <= now
        stmt = self._insert(table).values(key=self._key(key), count=amount,
                                          expires_at=now + expiry)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": case((stale, amount), else_=table.c.count + amount),
                  "expires_at": case((stale, now + expiry), else_=table.c.expires_at)},
        ).returning(table.c.count)
        with self.engine.begin() as conn:
            count = conn.execute(stmt).scalar_one()
            # Forget windows that have passed, so the table holds one window of attempts at most.
            conn.execute(delete(table).where(table.c.expires_at < now))
        return count

    def get(self, key: str) -> int:
        """Return the counter of the current window (0 when it has passed)."""
        table = RateCounter.__table__
        with self.engine.connect() as conn:
            count = conn.scalar(select(table.c.count).where(
                table.c.key == self._key(key), table.c.expires_at > time.time()))
        return count or 0

    def get_expiry(self, key: str) -> float:
        """Return when the current window ends (seconds since the epoch)."""
        table = RateCounter.__table__
        with self.engine.connect() as conn:
            expires = conn.scalar(select(table.c.expires_at).where(table.c.key == self._key(key)))
        return max(expires or 0.0, time.time())

    def check(self) -> bool:
        """Return whether the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        """Forget every counter; return how many there were."""
        table = RateCounter.__table__
        with self.engine.begin() as conn:
            count = conn.scalar(select(func.count()).select_from(table))
            conn.execute(delete(table))
        return count

    def clear(self, key: str) -> None:
        """Forget one counter."""
        table = RateCounter.__table__
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.key == self._key(key)))
