"""Who is working: the name recorded on revisions and change-log rows."""

from __future__ import annotations

from flask import g, request


def current_name() -> str:
    """Return the name of the person making this request."""
    user = g.get("user")
    if user is not None:
        return user.username
    # Until accounts exist (see the roles issue) a translator may name themselves.
    name = request.headers.get("X-Translator", "").strip()
    return name[:80] if name.isprintable() and name else "translator"
