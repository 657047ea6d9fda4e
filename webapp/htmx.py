"""The app's one htmx rule: a URL that serves a page and its fragments says so with Vary."""

from __future__ import annotations

from flask import Response, make_response, render_template, request


def page_or_fragment(page: str, fragments: dict[str | None, str], /, **context) -> Response:
    """Render the fragment an htmx request targets (key None: any target), else the page."""
    template = page
    if request.headers.get("HX-Request"):
        target = request.headers.get("HX-Target")
        template = fragments.get(target) or fragments.get(None) or page
    resp = make_response(render_template(template, **context))
    resp.vary.add("HX-Request")
    return resp
