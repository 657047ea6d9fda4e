"""XLIFF 1.2 and 2.0 as plain data: read any tool's file into segments, write our own back.

Why lxml and not translate-toolkit (3.20, checked against the files in shared/testdata):
the toolkit's ``xlifffile``/``Xliff2File`` flatten inline codes into text (``<bpt>&lt;b></bpt>``
becomes a literal ``<b>``; 2.0 ``<ph/>`` vanishes, so a ph-only source reads as ""), so codes
can no longer be protected or put back; it ignores SDLXLIFF's ``<seg-source>`` segmentation
(one unit of five sentences with an empty target instead of five segments); it fails on
WorldServer's undeclared ``iws:`` prefix; it expands internal entities (a billion-laughs
file is parsed, not refused); and it reports no target language for a 2.0 file without
``trgLang``. Its unit ids, states and ``translate="no"`` handling are right, and where
units carry no inline codes our reader gives the same text as the toolkit (a test checks
this), so the toolkit stays the reference while lxml does the reading and writing.

One :class:`Unit` is one segment: a 1.2 ``<trans-unit>`` (or each ``<mrk mtype="seg">`` of
its ``<seg-source>``), a 2.0 ``<segment>``. Units with several segments get the id
``"<unit id>:<segment id>"``. ``<alt-trans>``, ``<ignorable>``, skeletons, metadata and tool
extensions are not read; whitespace is collapsed unless ``xml:space="preserve"`` applies.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from webapp.interchange.formats import safexml
from webapp.interchange.formats.inline import (
    CLOSE,
    OPEN,
    STANDALONE,
    Code,
    CodeRegistry,
    Tag,
    build,
    original_element,
    xml_text,
)
from webapp.interchange.formats.safexml import FormatError

NS11 = "urn:oasis:names:tc:xliff:document:1.1"
NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
SDL = "http://sdl.com/FileTypes/SdlXliff/1.0"
XML = "http://www.w3.org/XML/1998/namespace"

# Our workflow states, in order: "translated or better" is STATES.index(s) >= 3. A rejected
# target goes out as 1.2's needs-translation or 2.0's initial, which any tool understands,
# with a qualifier or subState of our own that brings it back as rejected.
STATES = ("new", "mt", "rejected", "translated", "approved")

_WS = re.compile(r"[ \t\r\n]+")
_NMTOKEN_BAD = re.compile(r"[^\w.\-:]")
# Where this app records "machine translation, not yet post-edited" in a 2.0 subState,
# and "a reviewer rejected this translation".
_MT_SUBSTATE = "workbench:mt"
_REJECTED_SUBSTATE = "workbench:rejected"
_REJECTED_QUALIFIER = "x-workbench-rejected"  # 1.2 allows "x-" values of its own


@dataclass
class Unit:
    """One segment of a document, with its inline codes."""

    id: str
    source: str
    target: str | None = None
    state: str = "new"
    notes: list[str] = field(default_factory=list)
    translate: bool = True
    file: str = ""
    codes: list[Code] = field(default_factory=list)


@dataclass
class XliffDocument:
    """What an XLIFF file holds for the workbench: a language pair and its segments."""

    source_lang: str
    target_lang: str
    units: list[Unit]
    version: str = "1.2"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _inherited(
    element: etree._Element, name: str, stop: etree._Element | None = None
) -> str | None:
    """Return an attribute from the element or its nearest ancestor that has it."""
    node: etree._Element | None = element
    while node is not None:
        value = node.get(name)
        if value is not None:
            return value
        if node is stop:
            return None
        node = node.getparent()
    return None


def _tidy(text: str, element: etree._Element) -> str:
    if _inherited(element, f"{{{XML}}}space") == "preserve":
        return text
    return _WS.sub(" ", text).strip()


def _text_of(element: etree._Element) -> str:
    return _WS.sub(" ", "".join(element.itertext())).strip()


# --- XLIFF 1.2 -------------------------------------------------------------------------

_FAMILY_12 = {
    "g": "g",
    "bx": "g",
    "ex": "g",
    "bpt": "bpt",
    "ept": "bpt",
    "it": "bpt",
    "x": "x",
    "ph": "ph",
    "mrk": "mrk",
}


def _classify_12(element: etree._Element) -> Tag | None:
    name = _local(element)
    ident = element.get("id")
    if name == "mrk" and element.get("mtype") == "seg":
        return None
    if name in ("g", "mrk"):
        return Tag("wrap", _FAMILY_12[name], ident)
    if name == "bx":
        return Tag(OPEN, "g", element.get("rid") or ident)
    if name == "ex":
        return Tag(CLOSE, "g", element.get("rid") or ident)
    data = "".join(element.itertext()) or None
    if name in ("bpt", "ept"):
        return Tag(OPEN if name == "bpt" else CLOSE, "bpt", element.get("rid") or ident, data)
    if name == "it":
        role = OPEN if element.get("pos") in ("open", "begin") else CLOSE
        return Tag(role, "bpt", element.get("rid") or ident, data, isolated=True)
    if name == "ph":
        return Tag(STANDALONE, "ph", ident, data)
    # <x/> and anything a tool put inside a segment that we do not know: keep it whole.
    return Tag(STANDALONE, _FAMILY_12.get(name, name), ident)


def _state_12(target: etree._Element | None, unit: etree._Element, text: str | None) -> str:
    state = target.get("state") if target is not None else None
    qualifier = target.get("state-qualifier") if target is not None else None
    if unit.get("approved") == "yes" and text:
        return "approved"
    if state in ("final", "signed-off"):
        return "approved"
    if state == "translated" or (state or "").startswith("needs-review"):
        if qualifier in ("leveraged-mt", "mt-suggestion"):
            return "mt"
        return "translated"
    if qualifier in ("leveraged-mt", "mt-suggestion") and text:
        return "mt"
    if state is None and text:
        # 1.2 has no default state: a target without one is taken as translated (OmegaT's way).
        return "translated"
    if qualifier == _REJECTED_QUALIFIER and text:
        return "rejected"
    return "new"


def _state_sdl(seg: etree._Element, text: str | None) -> str:
    conf = seg.get("conf")
    machine = seg.get("origin") in ("mt", "nmt", "automatic-translation")
    if conf in ("ApprovedTranslation", "ApprovedSignOff"):
        return "approved"
    if conf == "Translated":
        return "translated"
    if text and machine and conf in (None, "Draft"):
        return "mt"
    if text and conf is None:
        return "translated"
    return "new"


def _read_12(root: etree._Element, ns: str, fallback_target: str | None) -> XliffDocument:
    q = (lambda name: f"{{{ns}}}{name}") if ns else (lambda name: name)
    units: list[Unit] = []
    pairs: dict[tuple[str, str], int] = {}
    files = root.findall(q("file"))
    if not files:
        raise FormatError("the XLIFF 1.2 file has no <file> element", root.sourceline)
    ordinal = 0
    for number, file in enumerate(files, 1):
        source_lang = file.get("source-language")
        target_lang = file.get("target-language")
        label = file.get("original") or f"file{number}"
        before = len(units)
        for tu in file.iter(q("trans-unit")):
            ordinal += 1
            tu_id = tu.get("id") or f"u{ordinal}"
            translate = _inherited(tu, "translate", stop=file) != "no"
            notes = [_text_of(n) for n in tu.findall(q("note")) if _text_of(n)]
            source = tu.find(q("source"))
            if source is None:
                raise FormatError(f'<trans-unit id="{tu_id}"> has no <source>', tu.sourceline)
            target = tu.find(q("target"))
            if target_lang is None and target is not None:
                target_lang = target.get(f"{{{XML}}}lang")
            seg_source = tu.find(q("seg-source"))
            mrks = (
                []
                if seg_source is None
                else [m for m in seg_source.iter(q("mrk")) if m.get("mtype") == "seg"]
            )
            if mrks:
                targets = {}
                if target is not None:
                    targets = {
                        m.get("mid"): m for m in target.iter(q("mrk")) if m.get("mtype") == "seg"
                    }
                sdl_segs = {s.get("id"): s for s in tu.iter(f"{{{SDL}}}seg")}
                for mrk in mrks:
                    mid = mrk.get("mid") or str(mrks.index(mrk) + 1)
                    registry = CodeRegistry()
                    text = _tidy(registry.read(mrk, _classify_12), mrk)
                    target_mrk = targets.get(mid)
                    if target_mrk is None and not targets and len(mrks) == 1:
                        target_mrk = target
                    translation = (
                        None
                        if target_mrk is None
                        else _tidy(registry.read(target_mrk, _classify_12), target_mrk)
                    )
                    if mid in sdl_segs:
                        state = _state_sdl(sdl_segs[mid], translation)
                    else:
                        state = _state_12(target, tu, translation)
                    units.append(
                        Unit(
                            id=tu_id if len(mrks) == 1 else f"{tu_id}:{mid}",
                            source=text,
                            target=translation,
                            state=state,
                            notes=list(notes),
                            translate=translate,
                            file=label,
                            codes=registry.codes,
                        )
                    )
                continue
            registry = CodeRegistry()
            text = _tidy(registry.read(source, _classify_12), source)
            translation = (
                None if target is None else _tidy(registry.read(target, _classify_12), target)
            )
            units.append(
                Unit(
                    id=tu_id,
                    source=text,
                    target=translation,
                    state=_state_12(target, tu, translation),
                    notes=notes,
                    translate=translate,
                    file=label,
                    codes=registry.codes,
                )
            )
        if len(units) > before:
            target_lang = target_lang or fallback_target
            if not source_lang:
                raise FormatError(
                    f'<file original="{label}"> has no source-language', file.sourceline
                )
            if not target_lang:
                raise FormatError(
                    f'no target language: <file original="{label}"> has no target-language '
                    "attribute and its targets no xml:lang",
                    file.sourceline,
                )
            pairs.setdefault((source_lang, target_lang), file.sourceline or 0)
    return _document(units, pairs, "1.2")


def _document(units: list[Unit], pairs: dict[tuple[str, str], int], version: str) -> XliffDocument:
    if not units:
        raise FormatError("the XLIFF file has no translation units")
    if len(pairs) > 1:
        described = ", ".join(f"{s}→{t} (line {line})" for (s, t), line in pairs.items())
        raise FormatError(f"the files inside hold different language pairs: {described}")
    (source_lang, target_lang), _ = next(iter(pairs.items()))
    return XliffDocument(source_lang, target_lang, units, version)


# --- XLIFF 2.0 -------------------------------------------------------------------------


def _original_data(unit: etree._Element) -> dict[str, str]:
    data: dict[str, str] = {}
    for item in unit.iter(f"{{{NS20}}}data"):
        parts = [item.text or ""]
        for child in item:
            if _local(child) == "cp":
                parts.append(_cp(child))
            parts.append(child.tail or "")
        data[item.get("id", "")] = "".join(parts)
    return data


def _cp(element: etree._Element) -> str:
    try:
        return chr(int(element.get("hex", ""), 16))
    except ValueError:
        raise FormatError(
            f'<cp hex="{element.get("hex")}"> is not a hexadecimal code point', element.sourceline
        ) from None


def _classifier_20(data: dict[str, str]):
    def classify(element: etree._Element) -> Tag | None:
        name = _local(element)
        ident = element.get("id")
        if name == "cp":
            return Tag("text", "cp", data=_cp(element))
        if name == "pc":
            return Tag(
                "wrap",
                "pc",
                ident,
                data.get(element.get("dataRefStart", "")),
                data.get(element.get("dataRefEnd", "")),
            )
        if name == "mrk":
            return Tag("wrap", "mrk", ident)
        if name == "sc":
            return Tag(OPEN, "pc", ident, data.get(element.get("dataRef", "")))
        if name == "ec":
            return Tag(
                CLOSE, "pc", element.get("startRef") or ident, data.get(element.get("dataRef", ""))
            )
        if name == "sm":
            return Tag(OPEN, "mrk", ident)
        if name == "em":
            return Tag(CLOSE, "mrk", element.get("startRef") or ident)
        if name == "ph":
            return Tag(STANDALONE, "ph", ident, data.get(element.get("dataRef", "")))
        return Tag(STANDALONE, name, ident)

    return classify


def _check_sc_ec(unit: etree._Element, unit_id: str) -> None:
    """Refuse an <ec> that comes before its <sc>: the 2.0 spec requires the start first."""
    for side in ("source", "target"):
        started: set[str] = set()
        for content in unit.iter(f"{{{NS20}}}{side}"):
            for element in content.iter(f"{{{NS20}}}sc", f"{{{NS20}}}ec"):
                if _local(element) == "sc":
                    started.add(element.get("id", ""))
                elif element.get("isolated") != "yes":
                    ref = element.get("startRef", "")
                    if ref not in started:
                        raise FormatError(
                            f'<ec startRef="{ref}"> in the {side} of unit "{unit_id}" comes before '
                            f'its <sc id="{ref}"> (or has none)',
                            element.sourceline,
                        )


def _state_20(segment: etree._Element, text: str | None) -> str:
    state = segment.get("state", "initial")
    if state in ("reviewed", "final"):
        return "approved"
    if state == "translated":
        return "translated"
    sub = segment.get("subState", "")
    if text and sub.rpartition(":")[2] in ("mt", "leveraged-mt", "mt-suggestion"):
        return "mt"
    if text and sub == _REJECTED_SUBSTATE:
        return "rejected"
    return "new"


def _read_20(root: etree._Element, fallback_target: str | None) -> XliffDocument:
    q = lambda name: f"{{{NS20}}}{name}"  # noqa: E731 - a local shorthand
    source_lang = root.get("srcLang")
    target_lang = root.get("trgLang") or fallback_target
    if not source_lang:
        raise FormatError("the XLIFF 2.0 root element has no srcLang", root.sourceline)
    if not target_lang:
        raise FormatError(
            "no target language: the <xliff> element has no trgLang attribute", root.sourceline
        )
    units: list[Unit] = []
    for number, file in enumerate(root.findall(q("file")), 1):
        label = file.get("original") or file.get("id") or f"file{number}"
        for unit in file.iter(q("unit")):
            unit_id = unit.get("id") or f"u{len(units) + 1}"
            _check_sc_ec(unit, unit_id)
            data = _original_data(unit)
            classify = _classifier_20(data)
            translate = _inherited(unit, "translate", stop=file) != "no"
            notes_el = unit.find(q("notes"))
            notes = (
                []
                if notes_el is None
                else [_text_of(n) for n in notes_el.findall(q("note")) if _text_of(n)]
            )
            segments = unit.findall(q("segment"))
            for index, segment in enumerate(segments, 1):
                registry = CodeRegistry()
                source = segment.find(q("source"))
                if source is None:
                    raise FormatError(
                        f'a <segment> of unit "{unit_id}" has no <source>', segment.sourceline
                    )
                target = segment.find(q("target"))
                text = _tidy(registry.read(source, classify), source)
                translation = (
                    None if target is None else _tidy(registry.read(target, classify), target)
                )
                seg_id = segment.get("id") or str(index)
                units.append(
                    Unit(
                        id=unit_id if len(segments) == 1 else f"{unit_id}:{seg_id}",
                        source=text,
                        target=translation,
                        state=_state_20(segment, translation),
                        notes=list(notes),
                        translate=translate,
                        file=label,
                        codes=registry.codes,
                    )
                )
    return _document(units, {(source_lang, target_lang): root.sourceline or 0}, "2.0")


def read_xliff(data: bytes, *, target_lang: str | None = None) -> XliffDocument:
    """Read XLIFF 1.0–1.2 or 2.x; `target_lang` is used only where the file declares none."""
    root = safexml.parse(data)
    qname = etree.QName(root)
    if qname.localname != "xliff":
        raise FormatError(
            f"not an XLIFF document: the root element is <{qname.localname}>", root.sourceline
        )
    if qname.namespace == NS20:
        return _read_20(root, target_lang)
    if qname.namespace in (NS11, NS12) or (
        qname.namespace is None and root.get("version", "").startswith("1.")
    ):
        return _read_12(root, qname.namespace or "", target_lang)
    raise FormatError(
        f"not an XLIFF version this workbench reads: namespace {qname.namespace!r}, "
        f"version {root.get('version')!r}",
        root.sourceline,
    )


# --- Writing ---------------------------------------------------------------------------


def _renamed(element: etree._Element, ns: str, *, shell: bool = False) -> etree._Element:
    """Copy an element of a 1.x file into namespace `ns` (1.1 and 1.2 codes are the same)."""
    copied = etree.Element(f"{{{ns}}}{_local(element)}", nsmap={None: ns})
    for key, value in element.attrib.items():
        copied.set(key, value)
    if not shell:
        copied.text = element.text
        for child in element:
            copied.append(
                _renamed(child, ns)
                if etree.QName(child).namespace in (NS11, NS12)
                else copy.deepcopy(child)
            )
            copied[-1].tail = child.tail
    return copied


def _el(tag: str, text: str | None = None, **attrib: str | None) -> etree._Element:
    element = etree.Element(tag)
    for key, value in attrib.items():
        if value is not None:
            element.set(key, value)
    if text:
        element.text = xml_text(text)
    return element


def _wrap_12(index: int, open_code: Code, close_code: Code) -> etree._Element | None:
    original = original_element(open_code)
    if (
        original is not None
        and etree.QName(original).namespace in (NS11, NS12)
        and _local(original) in ("g", "mrk")
    ):
        return _renamed(original, NS12, shell=True)
    if open_code.data is None and close_code.data is None:
        return _el(f"{{{NS12}}}g", id=open_code.id)
    return None  # codes with native data travel as <bpt>/<ept>, which can carry it


def _mark_12(index: int, code: Code, isolated: bool) -> etree._Element:
    original = original_element(code)
    if original is not None and etree.QName(original).namespace in (NS11, NS12):
        name = _local(original)
        if name in ("x", "ph", "bx", "ex", "it") or (name in ("bpt", "ept") and not isolated):
            return _renamed(original, NS12)
    data = code.data
    if code.kind == STANDALONE:
        return _el(f"{{{NS12}}}ph", data, id=code.id) if data else _el(f"{{{NS12}}}x", id=code.id)
    if data is None:
        return _el(f"{{{NS12}}}{'bx' if code.kind == OPEN else 'ex'}", id=code.id, rid=code.id)
    if isolated:
        return _el(f"{{{NS12}}}it", data, id=code.id, pos="open" if code.kind == OPEN else "close")
    return _el(f"{{{NS12}}}{'bpt' if code.kind == OPEN else 'ept'}", data, id=code.id)


def _states_12(unit: Unit) -> dict[str, str]:
    return {
        "new": {"state": "new"},
        "mt": {"state": "needs-review-translation", "state-qualifier": "leveraged-mt"},
        "rejected": {"state": "needs-translation", "state-qualifier": _REJECTED_QUALIFIER},
        "translated": {"state": "translated"},
        "approved": {"state": "signed-off"},
    }.get(unit.state, {"state": "new"})


def _by_file(units: Iterable[Unit]) -> list[tuple[str, list[Unit]]]:
    files: dict[str, list[Unit]] = {}
    for unit in units:
        files.setdefault(unit.file, []).append(unit)
    return list(files.items())


def write_xliff12(doc: XliffDocument) -> bytes:
    """Write the document as XLIFF 1.2, one <trans-unit> per segment, codes restored."""
    root = etree.Element(f"{{{NS12}}}xliff", nsmap={None: NS12}, version="1.2")
    for label, units in _by_file(doc.units):
        file = etree.SubElement(
            root,
            f"{{{NS12}}}file",
            original=label or "document",
            datatype="plaintext",
            **{"source-language": doc.source_lang, "target-language": doc.target_lang},
        )
        body = etree.SubElement(file, f"{{{NS12}}}body")
        for unit in units:
            tu = etree.SubElement(body, f"{{{NS12}}}trans-unit", id=unit.id)
            # Text is stored exactly; without this a reader would collapse its spaces.
            tu.set(f"{{{XML}}}space", "preserve")
            if not unit.translate:
                tu.set("translate", "no")
            if unit.state == "approved":
                tu.set("approved", "yes")
            source = etree.SubElement(tu, f"{{{NS12}}}source")
            build(source, unit.source, unit.codes, _wrap_12, _mark_12)
            if unit.target is not None:
                target = etree.SubElement(tu, f"{{{NS12}}}target", **_states_12(unit))
                build(target, unit.target, unit.codes, _wrap_12, _mark_12)
            for note in unit.notes:
                etree.SubElement(tu, f"{{{NS12}}}note").text = xml_text(note)
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=False)


def _nmtoken(value: str) -> str:
    return _NMTOKEN_BAD.sub("_", value) or "_"


class _Writer20:
    """Restore one 2.0 segment's codes, collecting the <originalData> they refer to."""

    def __init__(self, codes: list[Code]) -> None:
        self.codes = codes
        self.data: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        taken: set[str] = set()
        # 2.0 ids are NMTOKENs, unique in the unit; an open and its close share one.
        for index, code in enumerate(codes):
            key = code.id if code.kind in (OPEN, CLOSE) else f"#{index}"
            if key in self.ids:
                continue
            candidate = _nmtoken(code.id)
            while candidate in taken:
                candidate = f"{candidate}_{index}"
            taken.add(candidate)
            self.ids[key] = candidate

    def _id(self, index: int, code: Code) -> str:
        return self.ids[code.id if code.kind in (OPEN, CLOSE) else f"#{index}"]

    def _ref(self, value: str | None, wanted: str | None = None) -> str | None:
        if value is None:
            return None
        if wanted and self.data.get(wanted, value) == value:
            self.data[wanted] = value
            return wanted
        for key, existing in self.data.items():
            if existing == value:
                return key
        key = f"d{len(self.data) + 1}"
        while key in self.data:
            key += "_"
        self.data[key] = value
        return key

    def wrap(self, index: int, open_code: Code, close_code: Code) -> etree._Element | None:
        original = original_element(open_code)
        if (
            original is not None
            and etree.QName(original).namespace == NS20
            and _local(original) in ("pc", "mrk")
        ):
            element = _el(f"{{{NS20}}}{_local(original)}")
            for key, value in original.attrib.items():
                element.set(key, value)
            if _local(original) == "pc":
                for attr, code in (("dataRefStart", open_code), ("dataRefEnd", close_code)):
                    if original.get(attr) is not None:
                        element.set(
                            attr, self._ref(code.data, original.get(attr)) or original.get(attr)
                        )
            return element
        return _el(
            f"{{{NS20}}}pc",
            id=self._id(index, open_code),
            dataRefStart=self._ref(open_code.data),
            dataRefEnd=self._ref(close_code.data),
        )

    def mark(self, index: int, code: Code, isolated: bool) -> etree._Element:
        original = original_element(code)
        same = original is not None and etree.QName(original).namespace == NS20
        name = _local(original) if same else ""
        if same and name in ("ph", "sc", "ec", "sm", "em"):
            element = _el(f"{{{NS20}}}{name}")
            for key, value in original.attrib.items():
                element.set(key, value)
            if original.get("dataRef") is not None:
                ref = self._ref(code.data, original.get("dataRef"))
                if ref is None:
                    del element.attrib["dataRef"]
                else:
                    element.set("dataRef", ref)
            if isolated and name in ("sc", "ec"):
                element.set("isolated", "yes")
                if name == "ec" and "startRef" in element.attrib:
                    element.set("id", element.attrib.pop("startRef"))
            return element
        ident = self._id(index, code)
        if code.kind == STANDALONE:
            return _el(f"{{{NS20}}}ph", id=ident, dataRef=self._ref(code.data))
        if code.kind == OPEN:
            return _el(
                f"{{{NS20}}}sc",
                id=ident,
                dataRef=self._ref(code.data),
                isolated="yes" if isolated else None,
            )
        if isolated:
            return _el(f"{{{NS20}}}ec", id=ident, dataRef=self._ref(code.data), isolated="yes")
        element = _el(f"{{{NS20}}}ec", dataRef=self._ref(code.data))
        element.set("startRef", ident)
        return element


_STATES_20 = {"new": "initial", "mt": "initial", "rejected": "initial",
              "translated": "translated", "approved": "final"}


def write_xliff20(doc: XliffDocument) -> bytes:
    """Write the document as XLIFF 2.0, one <unit> with one <segment> per segment."""
    root = etree.Element(
        f"{{{NS20}}}xliff",
        nsmap={None: NS20},
        version="2.0",
        srcLang=doc.source_lang,
        trgLang=doc.target_lang,
    )
    for number, (label, units) in enumerate(_by_file(doc.units), 1):
        file = etree.SubElement(
            root, f"{{{NS20}}}file", id=f"f{number}", original=label or "document"
        )
        for unit in units:
            element = etree.SubElement(file, f"{{{NS20}}}unit", id=_nmtoken(unit.id))
            if not unit.translate:
                element.set("translate", "no")
            if unit.notes:
                notes = etree.SubElement(element, f"{{{NS20}}}notes")
                for note in unit.notes:
                    etree.SubElement(notes, f"{{{NS20}}}note").text = xml_text(note)
            writer = _Writer20(unit.codes)
            segment = etree.Element(
                f"{{{NS20}}}segment", state=_STATES_20.get(unit.state, "initial")
            )
            if unit.state in ("mt", "rejected"):
                segment.set("subState", _MT_SUBSTATE if unit.state == "mt" else _REJECTED_SUBSTATE)
            source = etree.SubElement(segment, f"{{{NS20}}}source")
            source.set(f"{{{XML}}}space", "preserve")
            build(source, unit.source, unit.codes, writer.wrap, writer.mark)
            if unit.target is not None:
                target = etree.SubElement(segment, f"{{{NS20}}}target")
                target.set(f"{{{XML}}}space", "preserve")
                build(target, unit.target, unit.codes, writer.wrap, writer.mark)
            if writer.data:
                original = etree.SubElement(element, f"{{{NS20}}}originalData")
                for key, value in writer.data.items():
                    etree.SubElement(original, f"{{{NS20}}}data", id=key).text = xml_text(value)
            element.append(segment)
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
