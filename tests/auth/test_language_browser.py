"""The header's language switch and My account's language setting in Chromium: compact in
the top bar, the current language bold and underlined (not colour alone), at 390 px too."""

from __future__ import annotations

import pytest
from browser import screenshot
from conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


def german_phone(browser):
    """A 390 px wide page whose browser asks for German."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="de-DE")
    return context, context.new_page()


def switch_state(page) -> dict:
    """Return how the switch's buttons look and where the switch sits."""
    return page.evaluate("""() => {
        const form = document.querySelector('.language-switch');
        const box = form.getBoundingClientRect();
        const out = {right: box.right, top: box.top, width: window.innerWidth,
                     overflow: document.scrollingElement.scrollWidth > window.innerWidth};
        for (const b of form.querySelectorAll('button')) {
            const s = getComputedStyle(b);
            out[b.value] = {pressed: b.getAttribute('aria-pressed'), weight: s.fontWeight,
                            line: s.textDecorationLine, visible: b.offsetWidth > 0};
        }
        return out;
    }""")


def test_the_switch_on_the_login_page_at_390_px(app, live_server, browser):
    context, page = german_phone(browser)
    try:
        page.goto(live_server.url + "/login")
        assert page.locator("html").get_attribute("lang") == "de"
        state = switch_state(page)
        screenshot(page, "language-switch-login-390")
        assert not state["overflow"] and state["right"] <= state["width"]
        assert state["de"]["pressed"] == "true" and state["en"]["pressed"] == "false"
        # The current one is marked by weight and underline, the other by neither.
        assert int(state["de"]["weight"]) >= 700 and "underline" in state["de"]["line"]
        assert int(state["en"]["weight"]) < 700 and "underline" not in state["en"]["line"]
        page.get_by_role("button", name="English").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"
    finally:
        context.close()


def test_the_account_setting_beats_the_browser_and_the_bar_fits(app, live_server, browser):
    make_user(app, "ann", "translator")
    context, page = german_phone(browser)
    try:
        page.goto(live_server.url + "/login")
        page.locator("input[name=username]").fill("ann")
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("form:not(.language-switch) button[type=submit]").click()
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(live_server.url + "/account")
        assert page.locator("html").get_attribute("lang") == "de"
        state = switch_state(page)
        screenshot(page, "language-setting-account-390")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(
            e => e.getBoundingClientRect().right > window.innerWidth + 1).map(
            e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8)""")
        assert not state["overflow"] and state["right"] <= state["width"], wide
        page.locator("#language-setting select").select_option("en")
        page.locator("#language-setting button").click()
        page.wait_for_function("document.documentElement.lang === 'en'")
        # A German-asking browser, yet the person's choice rules.
        page.goto(live_server.url + "/documents")
        assert page.locator("html").get_attribute("lang") == "en"
        page.goto(live_server.url + "/account")
        page.locator("#language-setting select").select_option("")
        page.locator("#language-setting button").click()
        page.wait_for_function("document.documentElement.lang === 'de'")
        assert page.locator("#language-setting select").input_value() == ""
    finally:
        context.close()
