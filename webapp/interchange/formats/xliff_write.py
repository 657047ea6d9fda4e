"""Write units back as XLIFF 1.2 or 2.0, their inline codes restored from the originals."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable

from lxml import etree

from webapp.interchange.formats.inline import CLOSE, OPEN, STANDALONE, Code
from webapp.interchange.formats.inline_xml import build, original_element, xml_text
from webapp.interchange.formats.xliff import (
    MT_SUBSTATE,
    NS11,
    NS12,
    NS20,
    REJECTED_QUALIFIER,
    REJECTED_SUBSTATE,
    SOURCE_NOTE_FROM,
    XML,
    Unit,
    XliffDocument,
    local_name,
)

_NMTOKEN_BAD = re.compile(r"[^\w.\-:]")


def _renamed(element: etree._Element, ns: str, *, shell: bool = False) -> etree._Element:
    """Copy an element of a 1.x file into namespace `ns` (1.1 and 1.2 codes are the same)."""
    copied = etree.Element(f"{{{ns}}}{local_name(element)}", nsmap={None: ns})
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
        and local_name(original) in ("g", "mrk")
    ):
        return _renamed(original, NS12, shell=True)
    if open_code.data is None and close_code.data is None:
        return _el(f"{{{NS12}}}g", id=open_code.id)
    return None  # codes with native data travel as <bpt>/<ept>, which can carry it


def _mark_12(index: int, code: Code, isolated: bool) -> etree._Element:
    original = original_element(code)
    if original is not None and etree.QName(original).namespace in (NS11, NS12):
        name = local_name(original)
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
        "rejected": {"state": "needs-translation", "state-qualifier": REJECTED_QUALIFIER},
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
            if unit.source_note:
                etree.SubElement(tu, f"{{{NS12}}}note", annotates="source",
                                 **{"from": SOURCE_NOTE_FROM}).text = xml_text(unit.source_note)
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
            and local_name(original) in ("pc", "mrk")
        ):
            element = _el(f"{{{NS20}}}{local_name(original)}")
            for key, value in original.attrib.items():
                element.set(key, value)
            if local_name(original) == "pc":
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
        name = local_name(original) if same else ""
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
            if unit.notes or unit.source_note:
                notes = etree.SubElement(element, f"{{{NS20}}}notes")
                if unit.source_note:
                    etree.SubElement(notes, f"{{{NS20}}}note", category=SOURCE_NOTE_FROM,
                                     appliesTo="source").text = xml_text(unit.source_note)
                for note in unit.notes:
                    etree.SubElement(notes, f"{{{NS20}}}note").text = xml_text(note)
            writer = _Writer20(unit.codes)
            segment = etree.Element(
                f"{{{NS20}}}segment", state=_STATES_20.get(unit.state, "initial")
            )
            if unit.state in ("mt", "rejected"):
                segment.set("subState", MT_SUBSTATE if unit.state == "mt" else REJECTED_SUBSTATE)
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
