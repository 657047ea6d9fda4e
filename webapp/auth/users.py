"""People and roles: accounts, password checks, browser sessions and API tokens (no Flask here)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.core.models import ApiToken, LoginSession, User, utcnow
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
    sid = secrets.token_urlsafe(32)
    record = LoginSession(user_id=user.id, token_hash=_hash_token(sid),
                          user_agent=(user_agent or "")[:200], created_at=now,
                          last_seen_at=now, expires_at=now + lifetime)
    db.add(record)
    db.commit()
    return sid, record


_SESSION = select(LoginSession, User).join(User, LoginSession.user_id == User.id).where(
    LoginSession.token_hash == bindparam("token_hash"), LoginSession.expires_at > bindparam("now"),
    User.active.is_(True))


def session_for(db: Session, sid: str) -> LoginSession | None:
    """Return the live session with this cookie id (its user active), or None."""
    now = utcnow()
    row = db.execute(_SESSION, {"token_hash": _hash_token(sid), "now": now}).first()
    if row is None:
        return None
    record, _user = row
    if now - record.last_seen_at > TOUCH_EVERY:
        record.last_seen_at = now
        db.commit()
    return record


def end_session(db: Session, sid: str) -> None:
    """End the session with this cookie id (logging out)."""
    db.execute(delete(LoginSession).where(LoginSession.token_hash == _hash_token(sid)))
    db.commit()


def sessions_of(db: Session, user: User) -> list[LoginSession]:
    """Return the user's live sessions, the latest seen first."""
    return list(db.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.expires_at > utcnow(),
    ).order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


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
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(user_id=user.id, token_hash=_hash_token(token), label=(label or "")[:80],
                   created_at=now, expires_at=now + lifetime)
    db.add(row)
    db.commit()
    return token, row


# Every API request asks, so the token and its user come in one query built once.
_TOKEN = select(ApiToken, User).join(User, ApiToken.user_id == User.id).where(
    ApiToken.token_hash == bindparam("token_hash"), ApiToken.expires_at > bindparam("now"),
    User.active.is_(True))


def token_for(db: Session, token: str) -> ApiToken | None:
    """Return the live API token row for a bearer token (its user active), or None."""
    now = utcnow()
    row = db.execute(_TOKEN, {"token_hash": _hash_token(token), "now": now}).first()
    if row is None:
        return None
    found, _user = row
    if found.last_used_at is None or now - found.last_used_at > TOUCH_EVERY:
        found.last_used_at = now
        db.commit()
    return found


def tokens_of(db: Session, user: User) -> list[ApiToken]:
    """Return the user's live API tokens, the newest first."""
    return list(db.scalars(select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.expires_at > utcnow(),
    ).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


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
