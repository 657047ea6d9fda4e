"""Glossary TBX: read v2 (martif) and v3 (TBX-Basic) safely, write either."""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from webapp.core.messages import _l
from webapp.glossary.entries import (
    ANY_LANG,
    TRUE_WORDS,
    Entry,
    Glossary,
    GlossaryError,
    GlossaryFormatError,
    clean,
    normalize_lang,
    reason,
    refuse_oversized,
)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TBX3_NS = "urn:iso:std:iso:30042:ed-2"
_STATUS_TYPES = ("administrativeStatus", "normativeAuthorization")
_FORBIDDEN_STATUS = ("deprecated", "superseded")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: ET.Element) -> str:
    return clean("".join(element.itertext()))


def _parse_xml(data: bytes | str) -> ET.Element:
    refuse_oversized(data)
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as exc:
        raise GlossaryFormatError(_l(
            "refused: the file declares the XML entity “%(name)s”. Entity declarations can read"
            " files from the server (XXE) or expand into gigabytes (billion laughs), so glossary"
            " import does not accept them", name=exc.name)) from None
    except (ExternalReferenceForbidden, DTDForbidden) as exc:
        raise GlossaryFormatError(_l(
            "refused: the file refers to an external resource (%(resource)s), which glossary"
            " import does not fetch", resource=exc.sysid or exc.pubid)) from None
    except ET.ParseError as exc:
        line, column = exc.position
        why = str(exc).split(": line", 1)[0]
        raise GlossaryFormatError(_l(
            "line %(line)s: not well-formed XML (%(reason)s, column %(column)s)",
            line=str(line), reason=why, column=str(column + 1))) from None
    except (LookupError, ValueError) as exc:
        raise GlossaryFormatError(_l("line 1: wrong encoding: %(error)s", error=str(exc))) from None


_NCNAME_RE = re.compile(r"[^\W\d][\w.\-]*")


def _tbx_id(key: str) -> str:
    # TBX ids are xsd:ID, so "38 North" cannot be one as it is.
    return key if _NCNAME_RE.fullmatch(key) else "e-" + re.sub(r"[^\w.\-]", "_", key)


def load_tbx(data: bytes | str, *, languages: Iterable[str] | None = None) -> Glossary:
    """Read TBX v2 (martif/termEntry/langSet/tig|ntig) or v3 (tbx/conceptEntry/langSec/termSec)."""
    root = _parse_xml(data)
    if _local(root.tag) not in ("martif", "tbx"):
        raise GlossaryFormatError(_l("line 1: not a TBX file: the root element is <%(root)s>",
                                     root=_local(root.tag)))
    allowed = {normalize_lang(lang) for lang in languages} if languages is not None else None
    default_lang = root.get(_XML_LANG, "")
    entries: list[Entry] = []
    keys: set[str] = set()
    for concept in root.iter():
        if _local(concept.tag) not in ("termEntry", "conceptEntry"):
            continue
        terms: dict[str, list[str]] = {}
        forbidden: dict[str, list[str]] = {}
        notes: list[str] = []
        dnt, dnt_said = False, False  # unsaid, a merge keeps the stored flag
        case_sensitive: bool | None = None
        own_key = ""
        for child in concept:
            name, kind = _local(child.tag), child.get("type", "")
            if name == "note" or (name == "descrip" and kind == "definition"):
                notes.append(_text(child))
            elif name == "descripGrp":
                notes += [
                    _text(d) for d in child if _local(d.tag) == "descrip" and d.get("type") == "definition"
                ]
            elif name == "admin" and kind == "x-dnt":
                dnt, dnt_said = _text(child).casefold() in TRUE_WORDS, True
            elif name == "admin" and kind == "x-caseSensitive":
                case_sensitive = _text(child).casefold() in TRUE_WORDS
            elif name == "admin" and kind == "x-forbidden":
                forbidden.setdefault(ANY_LANG, []).append(_text(child))
            elif name == "admin" and kind == "x-key":
                own_key = _text(child)
        for lang_set in concept:
            if _local(lang_set.tag) not in ("langSet", "langSec"):
                continue
            try:
                lang = normalize_lang(lang_set.get(_XML_LANG) or default_lang)
            except GlossaryError:
                raise GlossaryFormatError(_l(
                    "concept “%(id)s”: a language section has no usable xml:lang",
                    id=concept.get("id", "?"))) from None
            if allowed is not None and lang not in allowed:
                continue
            for holder in lang_set.iter():
                if _local(holder.tag) not in ("tig", "termGrp", "termSec"):
                    continue
                term = next((c for c in holder if _local(c.tag) == "term"), None)
                if term is None or not _text(term):
                    continue
                status = " ".join(
                    _text(n)
                    for n in holder.iter()
                    if _local(n.tag) == "termNote" and n.get("type") in _STATUS_TYPES
                )
                bucket = forbidden if any(s in status for s in _FORBIDDEN_STATUS) else terms
                bucket.setdefault(lang, []).append(_text(term))
        if not terms:
            continue
        raw_id = concept.get("id", "")
        try:
            entry = Entry(
                terms=terms,
                note="\n".join(n for n in notes if n),
                dnt=dnt,
                dnt_said=dnt_said,
                forbidden=forbidden,
                case_sensitive=case_sensitive,
            )
        except GlossaryError as exc:
            raise GlossaryFormatError(_l("concept “%(id)s”: %(error)s", id=raw_id or "?",
                                         error=reason(exc))) from None
        key = own_key or (entry.key if not raw_id or raw_id == _tbx_id(entry.key) else raw_id)
        base, n = key, 2
        while key.casefold() in keys:
            if raw_id and key == raw_id:
                raise GlossaryFormatError(_l("duplicate concept: the id “%(id)s” is used twice",
                                             id=raw_id))
            key, n = f"{base} ({n})", n + 1
        keys.add(key.casefold())
        entries.append(Entry(**{**entry.__dict__, "key": key}))
    return Glossary(entries, languages=sorted({lang for e in entries for lang in e.terms}) if entries else ())


def dump_tbx(glossary: Glossary, *, version: int = 2) -> bytes:
    """Write the glossary as TBX: v2 martif (what OmegaT and Okapi read) or v3 TBX-Basic."""
    if version not in (2, 3):
        raise ValueError("TBX version must be 2 or 3")

    def el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.Element(tag, attrs) if parent is None else ET.SubElement(parent, tag, attrs)
        node.text = text
        return node

    lang = (glossary.languages or ("en",))[0]
    if version == 2:
        root = el(None, "martif", type="TBX", **{_XML_LANG: lang})
        header = el(root, "martifHeader")
    else:
        # Written as a plain attribute: ElementTree cannot put unprefixed attributes
        # (type, id) next to a default namespace it manages itself.
        root = el(None, "tbx", xmlns=_TBX3_NS, style="dca", type="TBX-Basic", **{_XML_LANG: lang})
        header = el(root, "tbxHeader")
    el(el(el(header, "fileDesc"), "sourceDesc"), "p", "Exported from the translation workbench glossary")
    body = el(el(root, "text"), "body")
    used: set[str] = set()
    for entry in glossary:
        ident, n = _tbx_id(entry.key), 2
        while ident in used:
            ident, n = f"{_tbx_id(entry.key)}-{n}", n + 1
        used.add(ident)
        concept = el(body, "termEntry" if version == 2 else "conceptEntry", id=ident)
        derived = next(iter(entry.terms.values()))[0]
        if ident != entry.key and ident != _tbx_id(derived):
            el(concept, "admin", entry.key, type="x-key")
        # One <note> per line: importers collapse whitespace inside an element.
        for line in filter(None, (line.strip() for line in entry.note.splitlines())):
            el(concept, "note", line)
        if entry.dnt:
            el(concept, "admin", "true", type="x-dnt")
        if entry.case_sensitive is not None:
            el(concept, "admin", str(entry.case_sensitive).lower(), type="x-caseSensitive")
        for value in entry.forbidden.get(ANY_LANG, ()):
            el(concept, "admin", value, type="x-forbidden")
        for code in dict.fromkeys([*entry.terms, *(k for k in entry.forbidden if k != ANY_LANG)]):
            section = el(concept, "langSet" if version == 2 else "langSec", **{_XML_LANG: code})
            statuses = [
                (v, "preferredTerm-admn-sts" if i == 0 else "admittedTerm-admn-sts")
                for i, v in enumerate(entry.terms.get(code, ()))
            ]
            statuses += [(v, "deprecatedTerm-admn-sts") for v in entry.forbidden.get(code, ())]
            for value, status in statuses:
                holder = el(section, "tig" if version == 2 else "termSec")
                el(holder, "term", value)
                el(holder, "termNote", status, type="administrativeStatus")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
