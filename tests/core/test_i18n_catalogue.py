"""The German catalogue: every string of the Python, templates and JS translated, none fuzzy."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from conftest import ROOT

PO = ROOT / "webapp" / "locale" / "de" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# The Makefile's BABEL_KEYWORDS, on top of pybabel's defaults (_, gettext, ngettext, N_ …).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "_ln": (1, 2), "N_": None, "t": None,
            "nt": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]")
TAG = re.compile(r"</?([a-z0-9]+)")


def extracted() -> dict[str, tuple[str | None, list[str]]]:
    """Return every msgid in the sources (as `make messages` finds them) → plural, places."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, tuple[str | None, list[str]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        singular, plural = (message[0], message[1]) if isinstance(message, tuple) else (
            message, None)
        if not singular:
            continue
        found.setdefault(singular, (plural, []))[1].append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def catalogue():
    """The German catalogue as committed."""
    with PO.open("rb") as fh:
        return read_po(fh, locale="de")


def test_every_string_has_a_german_translation(catalogue):
    """No string in the sources is missing from the German catalogue, untranslated or fuzzy."""
    problems = []
    for msgid, (plural, places) in extracted().items():
        key = (msgid, plural) if plural else msgid
        message = catalogue.get(key) if not plural else catalogue.get(msgid)
        where = places[0]
        if message is None:
            problems.append(f"missing ({where}): {msgid!r} — run `make messages`")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated ({where}): {msgid!r}")
        if message.fuzzy:
            problems.append(f"fuzzy ({where}): {msgid!r}")
    assert not problems, f"{len(problems)} German catalogue problems:\n" + "\n".join(problems)


def test_translations_keep_placeholders_and_markup(catalogue):
    """A German text names the same %(…)s placeholders and the same tags as its English."""
    problems = []
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        tags = sorted(TAG.findall(ids[0]))
        for text in strings:
            have = set(PLACEHOLDER.findall(text))
            # A plural may drop the count in the singular ("ein Segment"), nothing else.
            if have - wanted or wanted - have - {"%(n)s", "%(num)s"}:
                problems.append(f"{ids[0]!r}: placeholders {sorted(wanted)} → {sorted(have)}")
            if sorted(TAG.findall(text)) != tags:
                problems.append(f"{ids[0]!r}: markup {tags} → {sorted(TAG.findall(text))}")
    assert not problems, "\n".join(problems)


def test_the_compiled_catalogue_is_there():
    """`make setup` compiled the German catalogue the app reads."""
    assert MO.exists(), f"{MO} is missing: `make setup` compiles it from the .po (pybabel)."
    assert MO.stat().st_mtime >= PO.stat().st_mtime, "the .mo is older than the .po: make setup"


def test_the_check_finds_a_missing_translation(tmp_path):
    """The check is real: an extracted string absent from a catalogue is reported."""
    from babel.messages.catalog import Catalog

    empty = Catalog(locale="de")
    some = next(iter(extracted()))
    assert empty.get(some) is None
