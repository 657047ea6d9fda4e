"""Accounts, their browser sessions and API tokens, and the login rate counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from webapp.core.models.base import Base, owned_by, person, utcnow
from webapp.core.states import Role


class User(Base):
    """A person who works in the workbench, with one role."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = person(unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    # The interface language the person chose ("de", "en"); None: the browser's.
    locale: Mapped[str | None] = mapped_column(String(8), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # The JSON API's fields: never the password hash.
    api_fields = ("id", "username", "role", "active")
    api_codes = {"role": Role}


class _Credential:
    """What a browser session and an API token share: the user it acts for, the hash of its
    random secret (the secret itself is never stored) and when it began."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = owned_by("user_account", index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def user(cls) -> Mapped[User]:
        """The account it acts for."""
        return relationship(User)


class ApiToken(_Credential, Base):
    """A bearer token for scripts; only its hash is stored, and it expires."""

    __tablename__ = "api_token"

    label: Mapped[str] = mapped_column(String(80), default="")
    expires_at: Mapped[datetime] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()

    def to_dict(self, current: bool = False) -> dict:
        """Return the JSON API representation (never the token or its hash)."""
        def when(moment: datetime | None) -> str | None:
            return moment.isoformat(timespec="seconds") + "Z" if moment else None

        return {"id": self.id, "label": self.label, "created_at": when(self.created_at),
                "expires_at": when(self.expires_at), "last_used_at": when(self.last_used_at),
                "current": current}


class LoginSession(_Credential, Base):
    """A browser's login: the signed cookie carries a random id whose hash is kept here, so
    logging out, a password reset or an admin ends it on the server."""

    __tablename__ = "login_session"

    user_agent: Mapped[str] = mapped_column(String(200), default="")
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # A message to show this browser once, on the server because the cookie is only signed:
    # an admin's new password for someone. Read and cleared by the next page that shows it.
    shown_once: Mapped[str | None] = mapped_column(Text)


class RateCounter(Base):
    """A fixed-window counter of the login rate limit when there is no Redis: every worker
    of a server shares it, and it survives restarts. Rows past `expires_at` are stale and
    are deleted as new ones come, so the table holds at most one window of attempts."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as the rate-limit library counts windows.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
