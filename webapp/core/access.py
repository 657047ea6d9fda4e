"""Who is asking and what they may do: the person the auth feature put on `g`, and role checks."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable

from flask import abort, current_app, g, session

from webapp.core.messages import _l
from webapp.core.states import Role


def current_name() -> str:
    """Return the name of the person making this request."""
    user = g.get("user")
    return user.username if user is not None else "anonymous"


def current_role() -> Role | None:
    """Return the role of the person making this request, if logged in."""
    user = g.get("user")
    return Role(user.role) if user is not None else None


def may(role: Role) -> bool:
    """Return whether the current person has at least `role`."""
    have = current_role()
    return have is not None and have >= role


def require_role(role: Role) -> Callable:
    """Refuse the view with 403 unless the person has at least `role`."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.get("user") is None:
                abort(401)
            if not may(role):
                abort(403, _l("This needs the %(role)s role; you are %(current)s.",
                              role=role.label, current=current_role().label))
            return view(*args, **kwargs)
        # Recorded so the access-matrix test can check every route against its role.
        wrapped.required_role = role
        return wrapped
    return decorator


def csrf_token() -> str:
    """Return this session's CSRF token, creating it once."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_ok(sent: str | None) -> bool:
    """Return whether `sent` is this session's CSRF token; an empty or missing one never is
    (without a cookie both sides are empty, and compare_digest("", "") is True)."""
    expected = session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not sent or not expected:
        return False
    return secrets.compare_digest(sent.encode(), expected.encode())


def storage_scope() -> str:
    """Return the key under which the browser keeps this person's drafts on this installation."""
    user = g.get("user")
    if user is None:
        return ""
    # The installation part tells two servers on one origin history apart without revealing
    # the secret key: a short HMAC of a fixed word.
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    installation = hmac.new(key, b"draft-storage", hashlib.sha256).hexdigest()[:12]
    return f"{installation}-{user.id}"
