"""Find interface text that bypassed the catalogue: in the pseudo-locale all of it is ⟦…⟧."""

from __future__ import annotations

import re

import lxml.html

# Latin letters (with their accented forms): the interface's English. The pseudo-locale's
# own text sits inside ⟦…⟧; the test data is Cyrillic, and names and codes are marked
# translate="no", so a Latin letter anywhere else is a string that skipped the catalogue.
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
# Attributes a person reads or hears (tooltips, screen readers, placeholders, buttons).
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "aria-description",
                   "aria-roledescription", "aria-valuetext", "data-confirm", "label")
SKIPPED_TAGS = ("script", "style", "template", "noscript")
# Cyrillic article text for the tests' documents: never mistaken for interface English.
ARTICLE = ("Ким Чен Ын встретился с Путиным во Владивостоке.\n\n"
           "Совет Безопасности ООН обсудил санкции 38 раз.\n\n"
           "Агентство Интерфакс сообщило об этом «в понедельник».\n")


def strip_pseudo(text: str) -> str:
    """Return `text` without its ⟦…⟧ spans (which may nest: a label inside a sentence)."""
    out, depth = [], 0
    for ch in text:
        if ch == "⟦":
            depth += 1
        elif ch == "⟧":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def leftovers(text: str) -> list[str]:
    """Return the Latin words in `text` outside ⟦…⟧."""
    return LATIN.findall(strip_pseudo(text))


def untranslated(html: str, titles: tuple[str, ...] = ()) -> list[str]:
    """Return every piece of visible or spoken text in `html` that is not ⟦…⟧, with context.

    `titles` are data the <title> may name (a document's file name): a title holds only
    text, so it cannot mark them translate="no"; everywhere else they must be marked.
    """
    if not html.strip():
        return []
    root = lxml.html.fromstring(html)
    for el in root.xpath("//*[@translate='no'] | " + " | ".join(f"//{t}" for t in SKIPPED_TAGS)):
        el.drop_tree()  # its tail (the text after it) stays
    found = []
    for title in root.xpath("//title"):
        text = title.text_content()
        for data in titles:
            text = text.replace(data, "")
        if leftovers(text):
            found.append(f"<title>{title.text_content()!r}")
        title.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in READ_ATTRIBUTES:
            value = el.get(attr)
            if value and leftovers(value):
                found.append(f"<{el.tag} {attr}={value!r}>")
        if el.tag == "input" and el.get("type") in ("submit", "button", "reset"):
            value = el.get("value") or ""
            if leftovers(value):
                found.append(f"<input value={value!r}>")
    # The text left once ⟦…⟧ is gone, in the runs the page shows (a line, a cell).
    for chunk in re.split(r"\s*\n\s*|\s{2,}", strip_pseudo(root.text_content())):
        if LATIN.search(chunk) and f"text {chunk!r}" not in found:
            found.append(f"text {chunk!r}")
    return found


def untranslated_in_page(page, titles: tuple[str, ...] = ()) -> list[str]:
    """Return the text a Playwright page shows or speaks that is not ⟦…⟧ (JS-made text too)."""
    return untranslated(page.content(), titles)
