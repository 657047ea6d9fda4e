"""Read XLIFF 1.0–1.2 and 2.x files, any tool's, into units with their inline codes."""

# Why lxml and not translate-toolkit (3.20, checked against the files in shared/testdata):
# the toolkit's ``xlifffile``/``Xliff2File`` flatten inline codes into text (``<bpt>&lt;b></bpt>``
# becomes a literal ``<b>``; 2.0 ``<ph/>`` vanishes, so a ph-only source reads as ""), so codes
# can no longer be protected or put back; it ignores SDLXLIFF's ``<seg-source>`` segmentation
# (one unit of five sentences with an empty target instead of five segments); it fails on
# WorldServer's undeclared ``iws:`` prefix; it expands internal entities (a billion-laughs
# file is parsed, not refused); and it reports no target language for a 2.0 file without
# ``trgLang``. Its unit ids, states and ``translate="no"`` handling are right, and where
# units carry no inline codes our reader gives the same text as the toolkit (a test checks
# this), so the toolkit stays the reference while lxml does the reading and writing.
#
# One :class:`Unit` is one segment: a 1.2 ``<trans-unit>`` (or each ``<mrk mtype="seg">`` of
# its ``<seg-source>``), a 2.0 ``<segment>``. Units with several segments get the id
# ``"<unit id>:<segment id>"``. ``<alt-trans>``, ``<ignorable>``, skeletons, metadata and tool
# extensions are not read; whitespace is collapsed unless ``xml:space="preserve"`` applies.

from __future__ import annotations

import re

from lxml import etree

from webapp.core.messages import _l
from webapp.interchange.formats import safexml, xliff
from webapp.interchange.formats.inline import CLOSE, OPEN, STANDALONE
from webapp.interchange.formats.inline_xml import CodeRegistry, Tag
from webapp.interchange.formats.safexml import FormatError
from webapp.interchange.formats.xliff import (
    NS11,
    NS12,
    NS20,
    SOURCE_NOTE_FROM,
    XML,
    Unit,
    XliffDocument,
    local_name,
)

SDL = "http://sdl.com/FileTypes/SdlXliff/1.0"
_WS = re.compile(r"[ \t\r\n]+")


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
    name = local_name(element)
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
    if qualifier == xliff.REJECTED_QUALIFIER and text:
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
        raise FormatError(_l("the XLIFF 1.2 file has no <file> element"), root.sourceline)
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
            # Our own note on what the source is describes the export, not the segment.
            notes = [_text_of(n) for n in tu.findall(q("note"))
                     if _text_of(n) and n.get("from") != SOURCE_NOTE_FROM]
            source = tu.find(q("source"))
            if source is None:
                raise FormatError(_l('<trans-unit id="%(id)s"> has no <source>', id=tu_id),
                                  tu.sourceline)
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
                    _l('<file original="%(file)s"> has no source-language', file=label),
                    file.sourceline)
            if not target_lang:
                raise FormatError(_l(
                    'no target language: <file original="%(file)s"> has no target-language '
                    "attribute and its targets no xml:lang", file=label), file.sourceline)
            pairs.setdefault((source_lang, target_lang), file.sourceline or 0)
    return _document(units, pairs, "1.2")


def _document(units: list[Unit], pairs: dict[tuple[str, str], int], version: str) -> XliffDocument:
    if not units:
        raise FormatError(_l("the XLIFF file has no translation units"))
    if len(pairs) > 1:
        described = ", ".join(str(_l("%(pair)s (line %(line)s)", pair=s + "→" + t,
                                         line=str(line))) for (s, t), line in pairs.items())
        raise FormatError(_l("the files inside hold different language pairs: %(pairs)s",
                             pairs=described))
    (source_lang, target_lang), _ = next(iter(pairs.items()))
    return XliffDocument(source_lang, target_lang, units, version)


# --- XLIFF 2.0 -------------------------------------------------------------------------


def _original_data(unit: etree._Element) -> dict[str, str]:
    data: dict[str, str] = {}
    for item in unit.iter(f"{{{NS20}}}data"):
        parts = [item.text or ""]
        for child in item:
            if local_name(child) == "cp":
                parts.append(_cp(child))
            parts.append(child.tail or "")
        data[item.get("id", "")] = "".join(parts)
    return data


def _cp(element: etree._Element) -> str:
    try:
        return chr(int(element.get("hex", ""), 16))
    except ValueError:
        raise FormatError(_l('<cp hex="%(hex)s"> is not a hexadecimal code point',
                             hex=element.get("hex")), element.sourceline) from None


def _classifier_20(data: dict[str, str]):
    def classify(element: etree._Element) -> Tag | None:
        name = local_name(element)
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
                if local_name(element) == "sc":
                    started.add(element.get("id", ""))
                elif element.get("isolated") != "yes":
                    ref = element.get("startRef", "")
                    if ref not in started:
                        raise FormatError(_l(
                            '<ec startRef="%(ref)s"> in the %(side)s of unit "%(unit)s" comes '
                            'before its <sc id="%(ref)s"> (or has none)', ref=ref, side=side,
                            unit=unit_id), element.sourceline)


def _state_20(segment: etree._Element, text: str | None) -> str:
    state = segment.get("state", "initial")
    if state in ("reviewed", "final"):
        return "approved"
    if state == "translated":
        return "translated"
    sub = segment.get("subState", "")
    if text and sub.rpartition(":")[2] in ("mt", "leveraged-mt", "mt-suggestion"):
        return "mt"
    if text and sub == xliff.REJECTED_SUBSTATE:
        return "rejected"
    return "new"


def _read_20(root: etree._Element, fallback_target: str | None) -> XliffDocument:
    q = lambda name: f"{{{NS20}}}{name}"  # noqa: E731 - a local shorthand
    source_lang = root.get("srcLang")
    target_lang = root.get("trgLang") or fallback_target
    if not source_lang:
        raise FormatError(_l("the XLIFF 2.0 root element has no srcLang"), root.sourceline)
    if not target_lang:
        raise FormatError(
            _l("no target language: the <xliff> element has no trgLang attribute"),
            root.sourceline)
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
                else [_text_of(n) for n in notes_el.findall(q("note"))
                      if _text_of(n) and n.get("category") != SOURCE_NOTE_FROM]
            )
            segments = unit.findall(q("segment"))
            for index, segment in enumerate(segments, 1):
                registry = CodeRegistry()
                source = segment.find(q("source"))
                if source is None:
                    raise FormatError(_l('a <segment> of unit "%(unit)s" has no <source>',
                                         unit=unit_id), segment.sourceline)
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
        raise FormatError(_l("not an XLIFF document: the root element is <%(name)s>",
                             name=qname.localname), root.sourceline)
    if qname.namespace == NS20:
        return _read_20(root, target_lang)
    if qname.namespace in (NS11, NS12) or (
        qname.namespace is None and root.get("version", "").startswith("1.")
    ):
        return _read_12(root, qname.namespace or "", target_lang)
    raise FormatError(_l("not an XLIFF version this workbench reads: namespace %(namespace)s, "
                         "version %(version)s", namespace=repr(qname.namespace),
                         version=repr(root.get("version"))), root.sourceline)
