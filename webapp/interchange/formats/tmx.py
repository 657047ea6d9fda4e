"""TMX 1.1–1.4b as plain translation units: streamed in, written out as TMX 1.4b."""

# Why lxml and not translate-toolkit's ``tmxfile`` (3.20, checked against shared/testdata):
# it only knows ``xml:lang``, so OmegaT's TMX 1.1 (``lang=``) reads with no source at all; it
# keeps one target per ``<tu>``, dropping the other languages and variants; it flattens
# ``<bpt>/<ept>/<ph>`` into their native text (``<b>black</b>``), so codes cannot be protected;
# and it builds the whole DOM, which a 10 MB memory should not need. Here a pull parser
# hands over one ``<tu>`` at a time and frees it.

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import BinaryIO

from lxml import etree

from webapp.core.messages import _l
from webapp.core.text import language_tag
from webapp.interchange.formats import safexml
from webapp.interchange.formats.inline import CLOSE, OPEN, STANDALONE, Code
from webapp.interchange.formats.inline_xml import CodeRegistry, Tag, build, original_element, xml_text
from webapp.interchange.formats.safexml import FormatError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TMX_CODES = {"bpt", "ept", "it", "ph", "ut", "hi"}
_DATE_FORMATS = (
    "%Y%m%dT%H%M%SZ",
    "%Y%m%dT%H%M%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S",
    "%Y%m%d",
)


@dataclass
class TranslationUnit:
    """One source segment with one translation, as a memory holds it."""

    source_lang: str
    target_lang: str
    source: str
    target: str
    props: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    creation_date: datetime | None = None
    creation_id: str | None = None
    change_date: datetime | None = None
    change_id: str | None = None
    codes: list[Code] = field(default_factory=list)
    tuid: str | None = None


def _subtags(code: str) -> tuple[str, str | None]:
    parts = language_tag(code).split("-")
    region = next((p for p in parts[1:] if p.isupper() or p.isdigit()), None)
    return parts[0].lower(), region


def lang_matches(code: str, wanted: str) -> bool:
    """Tell whether a memory's language code serves the wanted one (DE-DE serves de)."""
    # Case and _/- never matter. Regions must agree only when both name one: a generic "de"
    # entry serves de-AT, but Swiss German (no ß) must not pass for de-DE.
    language, region = _subtags(code)
    want_language, want_region = _subtags(wanted)
    if not language or language != want_language:
        return False
    return region is None or want_region is None or region == want_region


@lru_cache(maxsize=4096)  # memories repeat the same timestamps in bulk imports
def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None  # a malformed date is not worth refusing a whole memory for


def _classifier() -> Callable[[etree._Element], Tag | None]:
    """Classify one <seg>'s inline elements; ept finds its bpt through the `i` they share."""
    by_i: dict[str, str] = {}

    def classify(element: etree._Element) -> Tag | None:
        name = element.tag if isinstance(element.tag, str) else ""
        data = "".join(element.itertext()) or None
        match = element.get("x")
        if name == "bpt":
            ident = match or element.get("i")
            by_i[element.get("i", "")] = ident or ""
            return Tag(OPEN, "bpt", ident, data)
        if name == "ept":
            return Tag(CLOSE, "bpt", by_i.get(element.get("i", "")) or element.get("i"), data)
        if name == "it":
            role = OPEN if element.get("pos") == "begin" else CLOSE
            return Tag(role, "bpt", match, data, isolated=True)
        if name == "hi":
            return Tag("wrap", "hi", match)
        if name == "sub":  # only valid inside codes; read through if a tool misplaced it
            return None
        return Tag(STANDALONE, name or "ph", match, data)

    return classify


def _lang(tuv: etree._Element) -> str:
    # TMX 1.1 (OmegaT's project_save.tmx) writes lang=, later versions xml:lang=.
    return tuv.get(XML_LANG) or tuv.get("lang") or ""


def _pick_source(tuvs: list[etree._Element], srclang: str | None) -> int | None:
    if not srclang or srclang == "*all*":
        return 0 if tuvs else None
    wanted = language_tag(srclang)
    for index, tuv in enumerate(tuvs):
        if language_tag(_lang(tuv)) == wanted:
            return index
    for index, tuv in enumerate(tuvs):
        if lang_matches(_lang(tuv), srclang):
            return index
    return None


def _notes_props(element: etree._Element) -> tuple[list[tuple[str, str]], list[str]]:
    props = [(p.get("type", ""), "".join(p.itertext())) for p in element.findall("prop")]
    notes = ["".join(n.itertext()) for n in element.findall("note")]
    return props, notes


def _units_of(
    tu: etree._Element, header_srclang: str | None, source_lang: str | None, target_lang: str | None
) -> list[TranslationUnit]:
    tuvs = [t for t in tu.findall("tuv") if t.find("seg") is not None]
    srclang = source_lang or tu.get("srclang") or header_srclang
    source_index = _pick_source(tuvs, srclang)
    if source_index is None:
        return []
    source_tuv = tuvs[source_index]
    source_code = language_tag(_lang(source_tuv))
    tu_props, tu_notes = _notes_props(tu)
    units = []
    for index, tuv in enumerate(tuvs):
        lang = _lang(tuv)
        if index == source_index or not lang:
            continue
        if target_lang and not lang_matches(lang, target_lang):
            continue
        registry = CodeRegistry()
        source = registry.read(source_tuv.find("seg"), _classifier())
        target = registry.read(tuv.find("seg"), _classifier())
        props, notes = _notes_props(tuv)
        units.append(
            TranslationUnit(
                source_lang=source_code,
                target_lang=language_tag(lang),
                source=source,
                target=target,
                props=tu_props + props,
                notes=tu_notes + notes,
                creation_date=_date(tuv.get("creationdate") or tu.get("creationdate")),
                creation_id=tuv.get("creationid") or tu.get("creationid"),
                change_date=_date(tuv.get("changedate") or tu.get("changedate")),
                change_id=tuv.get("changeid") or tu.get("changeid"),
                codes=registry.codes,
                tuid=tu.get("tuid"),
            )
        )
    return units


def iter_tmx(
    fileobj: BinaryIO,
    progress: Callable[[int, int | None], None] | None = None,
    *,
    source_lang: str | None = None,
    target_lang: str | None = None,
) -> Iterator[TranslationUnit]:
    """Stream translation units out of a TMX file, one per target <tuv>."""
    # The source side is `source_lang`, else the unit's or header's srclang, else the first
    # <tuv>; `target_lang` keeps only targets that lang_matches it. A background import job
    # gets `progress(bytes_read, total_bytes_or_None)` as the file is read.
    total: int | None = None
    if fileobj.seekable():
        here = fileobj.tell()
        total = fileobj.seek(0, io.SEEK_END) - here
        fileobj.seek(here)
    header_srclang: str | None = None
    report = None if progress is None else (lambda done: progress(done, total))
    for element in safexml.iterparse(
        fileobj, {"header", "tu"}, progress=report, on_root=_check_root
    ):
        if element.tag == "header":
            header_srclang = element.get("srclang")
            continue
        yield from _units_of(element, header_srclang, source_lang, target_lang)


def _check_root(root: etree._Element) -> None:
    if root.tag != "tmx":
        name = etree.QName(root).localname
        raise FormatError(_l("not a TMX document: the root element is <%(name)s>", name=name),
                          root.sourceline)


def read_tmx(
    data: bytes, *, source_lang: str | None = None, target_lang: str | None = None
) -> list[TranslationUnit]:
    """Read a whole TMX file's translation units (see iter_tmx)."""
    return list(iter_tmx(io.BytesIO(data), source_lang=source_lang, target_lang=target_lang))


# --- Writing ---------------------------------------------------------------------------


def _format_date(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y%m%dT%H%M%SZ")


class _SegWriter:
    """Restore one TMX <seg>'s codes; `i` pairs bpt/ept in a seg, `x` matches across tuvs."""

    def __init__(self) -> None:
        self.pairs: dict[str, str] = {}

    def _i(self, code: Code) -> str:
        return self.pairs.setdefault(code.id, str(len(self.pairs) + 1))

    def wrap(self, index: int, open_code: Code, close_code: Code) -> etree._Element | None:
        original = original_element(open_code)
        if original is not None and original.tag == "hi":
            return etree.Element("hi", attrib=dict(original.attrib))
        return None

    def mark(self, index: int, code: Code, isolated: bool) -> etree._Element:
        original = original_element(code)
        if original is not None and original.tag in _TMX_CODES - {"hi"}:
            if original.tag in ("ph", "ut", "it") or not isolated:
                return _clone(original)
        element: etree._Element
        if code.kind == STANDALONE:
            element = etree.Element("ph", x=str(index + 1))
        elif isolated:
            element = etree.Element(
                "it", pos="begin" if code.kind == OPEN else "end", x=str(index + 1)
            )
        elif code.kind == OPEN:
            element = etree.Element("bpt", i=self._i(code), x=str(index + 1))
        else:
            element = etree.Element("ept", i=self._i(code))
        if code.data:
            element.text = xml_text(code.data)
        return element


def _clone(element: etree._Element) -> etree._Element:
    copied = etree.fromstring(etree.tostring(element))
    copied.tail = None
    return copied


_LANG_RE = re.compile(r"^[A-Za-z]{1,8}([-_][A-Za-z0-9]{1,8})*$")


def write_tmx(
    units: Iterable[TranslationUnit],
    source_lang: str,
    *,
    creation_tool: str = "Workbench",
    creation_tool_version: str = "1",
    admin_lang: str = "en",
    segtype: str = "sentence",
) -> bytes:
    """Write units as TMX 1.4b, tu by tu, without building the whole tree."""
    if not _LANG_RE.match(source_lang):
        raise ValueError(f"not a language code: {source_lang!r}")
    out = io.BytesIO()
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("tmx", version="1.4"):
            xf.write(
                etree.Element(
                    "header",
                    creationtool=creation_tool,
                    creationtoolversion=creation_tool_version,
                    segtype=segtype,
                    adminlang=admin_lang,
                    srclang=language_tag(source_lang),
                    datatype="plaintext",
                    **{"o-tmf": "workbench"},
                )
            )
            with xf.element("body"):
                for unit in units:
                    xf.write(_tu(unit))
    return out.getvalue()


def _tu(unit: TranslationUnit) -> etree._Element:
    tu = etree.Element("tu")
    if unit.tuid:
        tu.set("tuid", unit.tuid)
    for name, value in (
        ("creationdate", _format_date(unit.creation_date)),
        ("creationid", unit.creation_id),
        ("changedate", _format_date(unit.change_date)),
        ("changeid", unit.change_id),
    ):
        if value:
            tu.set(name, xml_text(value))
    for note in unit.notes:
        etree.SubElement(tu, "note").text = xml_text(note)
    for name, value in unit.props:
        etree.SubElement(tu, "prop", type=xml_text(name) or "x-unknown").text = xml_text(value)
    for lang, text in ((unit.source_lang, unit.source), (unit.target_lang, unit.target)):
        tuv = etree.SubElement(tu, "tuv")
        tuv.set(XML_LANG, language_tag(lang))
        seg = etree.SubElement(tuv, "seg")
        writer = _SegWriter()
        build(seg, text, unit.codes, writer.wrap, writer.mark)
    return tu
