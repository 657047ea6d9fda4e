"""People and roles: accounts, password checks, browser sessions and API tokens (no Flask here)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.core.messages import _l
from webapp.core.models import ApiToken, LoginSession, User, utcnow
from webapp.core.states import Role

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
MIN_PASSWORD = 10

T = TypeVar("T", LoginSession, ApiToken)


class UserError(ValueError):
    """A request about an account that cannot be carried out, said for a person."""

    error_code = "user_invalid"


def _check_password(password: str) -> None:
    """Refuse a password too short to resist guessing."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(_l("A password needs at least %(min)s characters.", min=MIN_PASSWORD))
    if len(password) > 1024:
        raise UserError(_l("A password may have at most 1024 characters."))


# Werkzeug's scrypt defaults (N=2**15, r=8, p=1); tests lower N through the app config.
HASH_METHOD = "scrypt"


def create_user(db: Session, username: str, role: Role, password: str,
                method: str | None = None) -> User:
    """Create an account; the password is stored only as a scrypt hash."""
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise UserError(_l("A user name is 1–80 letters, digits, dots, dashes or underscores, "
                           "starting with a letter or digit."))
    _check_password(password)
    if db.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise UserError(_l("There is already a user called %(name)s.", name=username))
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


def set_password(db: Session, user: User, password: str, method: str | None = None,
                 keep: LoginSession | None = None) -> User:
    """Set a new password, end the user's sessions (but `keep`) and revoke their API tokens."""
    _check_password(password)
    user.password_hash = generate_password_hash(password, method=method or HASH_METHOD)
    _end_everything(db, user, keep)
    db.commit()
    return user


def set_active(db: Session, user: User, active: bool) -> User:
    """(De)activate an account; deactivating ends its sessions and revokes its API tokens."""
    user.active = active
    if not active:
        _end_everything(db, user, None)
    db.commit()
    return user


def end_sessions(db: Session, user: User, keep: LoginSession | None = None) -> int:
    """End the user's browser sessions but `keep` (logging out other browsers); return how many."""
    query = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    ended = db.execute(query).rowcount
    db.commit()
    return ended


def log_out_everywhere(db: Session, user: User) -> int:
    """End all the user's browser sessions and revoke their API tokens; return how many."""
    ended = _end_everything(db, user, None)
    db.commit()
    return ended


def _end_everything(db: Session, user: User, keep: LoginSession | None) -> int:
    sessions = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        sessions = sessions.where(LoginSession.id != keep.id)
    return (db.execute(sessions).rowcount
            + db.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount)


def random_password() -> str:
    """Return a password to hand out once."""
    return secrets.token_urlsafe(15)


def _hash_token(token: str) -> str:
    """Return the stored form of a token or session id."""
    return hashlib.sha256(token.encode()).hexdigest()


# Last-used times are written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=5)


# --- Browser sessions: the cookie holds a random id, the server its hash and its end.

def start_session(db: Session, user: User, lifetime: timedelta,
                  user_agent: str = "") -> tuple[str, LoginSession]:
    """Record a new login of the user; return the id for the cookie and the record."""
    now = utcnow()
    # Sessions past their end are dead anyway; dropping them here keeps the table small.
    db.execute(delete(LoginSession).where(LoginSession.expires_at <= now))
    db.execute(delete(ApiToken).where(ApiToken.expires_at <= now))
    return _issue(db, LoginSession, user, lifetime, user_agent=(user_agent or "")[:200],
                  last_seen_at=now)


def _issue(db: Session, model: type[T], user: User, lifetime: timedelta, **fields) -> tuple[str, T]:
    """Store a new `model` row of the user under a fresh random secret, kept only as its hash;
    return the secret (for the cookie or the script) and the row."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    row = model(user_id=user.id, token_hash=_hash_token(secret), created_at=now,
                expires_at=now + lifetime, **fields)
    db.add(row)
    db.commit()
    return secret, row


def _live_rows(db: Session, model: type[T], user: User, newest) -> list[T]:
    """Return the user's unexpired `model` rows, ordered by the column `newest`, newest first."""
    return list(db.scalars(select(model).where(
        model.user_id == user.id, model.expires_at > utcnow(),
    ).order_by(newest.desc(), model.id.desc())))


def _live_query(model: type[T]):
    """Return the query of the unexpired `model` row with a given hash whose user is active."""
    # Every request asks, so the row and its user come in one query built once.
    return select(model, User).join(User, model.user_id == User.id).where(
        model.token_hash == bindparam("token_hash"), model.expires_at > bindparam("now"),
        User.active.is_(True))


_SESSION = _live_query(LoginSession)
_TOKEN = _live_query(ApiToken)


def _live(db: Session, query, secret: str, stamp: str) -> T | None:
    """Return the live row that `secret` opens, or None; note its use in `stamp` now and then."""
    now = utcnow()
    row = db.execute(query, {"token_hash": _hash_token(secret), "now": now}).first()
    if row is None:
        return None
    found = row[0]
    last = getattr(found, stamp)
    if last is None or now - last > TOUCH_EVERY:
        setattr(found, stamp, now)
        db.commit()
    return found


def session_for(db: Session, sid: str) -> LoginSession | None:
    """Return the live session with this cookie id (its user active), or None."""
    return _live(db, _SESSION, sid, "last_seen_at")


def end_session(db: Session, sid: str) -> None:
    """End the session with this cookie id (logging out)."""
    db.execute(delete(LoginSession).where(LoginSession.token_hash == _hash_token(sid)))
    db.commit()


def sessions_of(db: Session, user: User) -> list[LoginSession]:
    """Return the user's live sessions, the latest seen first."""
    return _live_rows(db, LoginSession, user, LoginSession.last_seen_at)


def show_once(db: Session, record: LoginSession, message: str) -> None:
    """Keep a message for this session's next page (never in the cookie: it is only signed)."""
    record.shown_once = message
    db.commit()


def pop_shown_once(db: Session, record: LoginSession | None) -> str | None:
    """Return the session's message to show once, and forget it."""
    if record is None or record.shown_once is None:
        return None
    message, record.shown_once = record.shown_once, None
    db.commit()
    return message


# --- API tokens: random, stored hashed, expiring, listed and revocable by their owner.

def issue_token(db: Session, user: User, lifetime: timedelta,
                label: str = "") -> tuple[str, ApiToken]:
    """Create an API token for the user; return it (it is not stored in clear) and its row."""
    return _issue(db, ApiToken, user, lifetime, label=(label or "")[:80])


def token_for(db: Session, token: str) -> ApiToken | None:
    """Return the live API token row for a bearer token (its user active), or None."""
    return _live(db, _TOKEN, token, "last_used_at")


def tokens_of(db: Session, user: User) -> list[ApiToken]:
    """Return the user's live API tokens, the newest first."""
    return _live_rows(db, ApiToken, user, ApiToken.created_at)


def revoke_token(db: Session, user: User, token_id: int) -> bool:
    """Revoke one of the user's own API tokens; return whether there was one."""
    done = db.execute(delete(ApiToken).where(ApiToken.id == token_id,
                                             ApiToken.user_id == user.id)).rowcount
    db.commit()
    return bool(done)


def count(db: Session) -> int:
    """Return how many accounts exist."""
    return db.scalar(select(func.count()).select_from(User)) or 0


_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def ensure_admin(db: Session) -> str | None:
    """Create the first admin with a random password when there is no account; return it."""
    if count(db):
        return None
    password = random_password()
    create_user(db, "admin", Role.ADMIN, password)
    return password
