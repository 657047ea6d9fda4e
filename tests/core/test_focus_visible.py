"""Focus is always visible: Tab through each page, and every stop shows an outline or ring."""

from __future__ import annotations

import pytest
from browser import person_page, screenshot  # noqa: F401  (fixtures)

# Enough Tab presses to pass the navigation, the filters and the first rows of a page.
PRESSES = 45
INDICATOR = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
    || (s.boxShadow && s.boxShadow !== 'none');
  // A row may draw its ring on its first cell (the roving focus of the segment list).
  const cell = el.querySelector(':scope > td');
  const cs = cell ? getComputedStyle(cell) : null;
  const cellRing = cs && cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '')
    + ' "' + (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 30) + '"';
  return {name, visible: !!(ring || cellRing)};
}"""


@pytest.mark.parametrize("path", ["/", "/glossary", "/tm", "/models", "/admin/users",
                                  "/account", "EDITOR"])
def test_every_tab_stop_shows_where_the_focus_is(browser, live_server, app, doc_url, path):
    """No element reached by Tab hides its focus (outline: none without a replacement)."""
    page = person_page(browser, live_server, app, "fritz", "admin")
    page.goto(doc_url if path == "EDITOR" else live_server.url + path)
    page.wait_for_load_state("networkidle")
    hidden = []
    for _ in range(PRESSES):
        page.keyboard.press("Tab")
        found = page.evaluate(INDICATOR)
        if found and not found["visible"] and found["name"] not in hidden:
            hidden.append(found["name"])
    if hidden:
        screenshot(page, "focus-hidden-" + (path.strip("/").replace("/", "-") or "home"))
    assert not hidden, f"{path}: focus not visible on {hidden}"
    page.context.close()


def test_the_check_sees_a_hidden_focus(browser):
    """The check is real: a button whose outline is removed is reported."""
    page = browser.new_context().new_page()
    page.set_content("<style>button:focus { outline: none; }</style><button>Go</button>"
                     "<a href='#x'>Link</a>")
    page.keyboard.press("Tab")
    assert page.evaluate(INDICATOR) == {"name": 'button "Go"', "visible": False}
    page.keyboard.press("Tab")
    assert page.evaluate(INDICATOR)["visible"] is True
    page.context.close()
