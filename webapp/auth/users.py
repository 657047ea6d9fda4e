"""People and roles: accounts, password checks, API tokens (no Flask here)."""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.core.models import ApiToken, User
from webapp.core.states import Role

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
MIN_PASSWORD = 10


class UserError(ValueError):
    """A request about an account that cannot be carried out, said for a person."""


def _check_password(password: str) -> None:
    """Refuse a password too short to resist guessing."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > 1024:
        raise UserError("A password may have at most 1024 characters.")


# Werkzeug's scrypt defaults (N=2**15, r=8, p=1); tests lower N through the app config.
HASH_METHOD = "scrypt"


def create_user(db: Session, username: str, role: Role, password: str,
                method: str | None = None) -> User:
    """Create an account; the password is stored only as a scrypt hash."""
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise UserError("A user name is 1–80 letters, digits, dots, dashes or underscores, "
                        "starting with a letter or digit.")
    _check_password(password)
    if db.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise UserError(f"There is already a user called {username}.")
    user = User(username=username, role=int(role),
                password_hash=generate_password_hash(password, method=method or HASH_METHOD))
    db.add(user)
    db.commit()
    return user


def find(db: Session, username: str) -> User | None:
    """Return the user with this name, any case."""
    return db.scalar(select(User).where(func.lower(User.username) == (username or "").lower()))


def authenticate(db: Session, username: str, password: str) -> User | None:
    """Return the active user whose password this is, or None."""
    user = find(db, username)
    if user is None or not user.active:
        # Hash anyway so a missing account takes as long to refuse as a wrong password.
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def set_role(db: Session, user: User, role: Role) -> User:
    """Change a user's role."""
    user.role = int(role)
    db.commit()
    return user


def set_password(db: Session, user: User, password: str, method: str | None = None) -> User:
    """Set a new password and revoke the user's API tokens."""
    _check_password(password)
    user.password_hash = generate_password_hash(password, method=method or HASH_METHOD)
    db.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.commit()
    return user


def random_password() -> str:
    """Return a password to hand out once."""
    return secrets.token_urlsafe(15)


def _hash_token(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Session, user: User) -> str:
    """Create an API token for the user and return it (it is not stored in clear)."""
    token = secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, token_hash=_hash_token(token)))
    db.commit()
    return token


# Every API request asks, so the token and its user come in one query built once.
_USER_FOR_TOKEN = select(User).join(ApiToken, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("token_hash"), User.active.is_(True))


def user_for_token(db: Session, token: str) -> User | None:
    """Return the active user a bearer token belongs to, or None."""
    return db.scalar(_USER_FOR_TOKEN, {"token_hash": _hash_token(token)})


def count(db: Session) -> int:
    """Return how many accounts exist."""
    return db.scalar(select(func.count()).select_from(User)) or 0


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")
