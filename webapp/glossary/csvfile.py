"""Glossary CSV: one concept per row, a column per language, read with line-numbered errors."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable

from webapp.core.messages import _l
from webapp.core.text import LANGUAGE_TAG, spreadsheet_safe, spreadsheet_unsafe
from webapp.glossary.entries import (
    ANY_LANG,
    FALSE_WORDS,
    TRUE_WORDS,
    Entry,
    Glossary,
    GlossaryError,
    GlossaryFormatError,
    normalize_lang,
    reason,
    refuse_oversized,
    split_variants,
)

CSV_COLUMNS = ("note", "dnt", "forbidden", "case_sensitive")
_HEADER_ALIASES = {"notes": "note", "key": "id", "casesensitive": "case_sensitive"}


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    refuse_oversized(data)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise GlossaryFormatError(_l("line 1: broken UTF-16 text (%(reason)s)",
                                         reason=exc.reason)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = (
            _l("it looks like UTF-16 without a byte order mark")
            if b"\x00" in data[:200]
            else _l("it looks like Latin-1 or Windows-1252; save it as “CSV UTF-8”")
        )
        raise GlossaryFormatError(_l(
            "line %(line)s: wrong encoding: byte %(byte)s at column %(column)s is not UTF-8"
            " (%(hint)s)", line=str(line), byte=f"0x{data[exc.start]:02X}", column=str(column),
            hint=hint)) from None


def _parse_bool(value: str, column: str, *, allow_blank_none: bool = False) -> bool | None:
    folded = value.strip().casefold()
    if allow_blank_none and not folded:
        return None
    if folded in TRUE_WORDS:
        return True
    if folded in FALSE_WORDS:
        return False
    raise GlossaryError(_l("column %(column)s holds “%(value)s”; use yes or no",
                            column=column, value=value))


def parse_forbidden(cell: str, languages: Iterable[str]) -> dict[str, list[str]]:
    """Read "en:Kreml | 38 Nord": a language tag before a rendering limits it to that language."""
    known = set(languages)
    out: dict[str, list[str]] = {}
    for item in split_variants(cell):
        lang = ANY_LANG
        head, sep, rest = item.partition(":")
        if sep and rest.strip() and LANGUAGE_TAG.fullmatch(head.strip()):
            try:
                candidate = normalize_lang(head)
            except GlossaryError:
                candidate = ""
            if candidate in known:
                lang, item = candidate, rest
        out.setdefault(lang, []).append(item)
    return out


def _read_header(cells: list[str], languages: set[str] | None) -> list[tuple[str, str]]:
    columns: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for raw in cells:
        name = raw.strip().removeprefix("\ufeff")
        norm = re.sub(r"[\s\-]+", "_", name.casefold())
        norm = _HEADER_ALIASES.get(norm.replace("_", ""), _HEADER_ALIASES.get(norm, norm))
        if not name:
            if columns and all(not c.strip() for c in cells[len(columns) :]):
                break
            raise GlossaryFormatError(_l("line 1: wrong header: column %(n)s has no name",
                                         n=str(len(columns) + 1)))
        if norm in CSV_COLUMNS or norm == "id":
            role = norm
        elif LANGUAGE_TAG.fullmatch(name):
            role = "lang:" + normalize_lang(name)
            if languages is not None and role[5:] not in languages:
                raise GlossaryFormatError(_l(
                    "line 1: unknown language column “%(name)s”: this workbench has %(languages)s",
                    name=name, languages=", ".join(sorted(languages))))
        else:
            raise GlossaryFormatError(_l(
                "line 1: wrong header: unknown column “%(name)s”; expected language codes such as"
                " de and en, then %(columns)s (and optionally id)",
                name=name, columns=", ".join(CSV_COLUMNS)))
        if role in seen:
            raise GlossaryFormatError(_l("line 1: wrong header: “%(name)s” repeats column “%(first)s”",
                                         name=name, first=seen[role]))
        seen[role] = name
        columns.append((role, name))
    if not any(role.startswith("lang:") for role, _ in columns):
        raise GlossaryFormatError(_l("line 1: wrong header: no language column (such as de or en)"))
    return columns


def _sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    # German Excel writes ";" and "Unicode text" writes tabs; the header tells which.
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def load_csv(data: bytes | str, *, languages: Iterable[str] | None = None) -> Glossary:
    """Read a glossary CSV (header: language codes, note, dnt, forbidden, case_sensitive[, id])."""
    text = _decode(data)
    allowed = {normalize_lang(lang) for lang in languages} if languages is not None else None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=True)
    entries: list[Entry] = []
    lines: dict[str, int] = {}
    columns: list[tuple[str, str]] | None = None
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "end of data" in str(exc):
                raise GlossaryFormatError(_l(
                    "line %(line)s: unbalanced quote: a quoted cell starts here and is never closed",
                    line=str(line))) from None
            raise GlossaryFormatError(_l(
                "line %(line)s: %(error)s; a cell with a quote inside must be quoted and the quote"
                " doubled", line=str(line), error=str(exc))) from None
        if columns is None:
            if line != 1 or not any(c.strip() for c in cells):
                raise GlossaryFormatError(_l("line 1: wrong header: the first line must name the columns"))
            columns = _read_header(cells, allowed)
            langs = [role[5:] for role, _ in columns if role.startswith("lang:")]
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            raise GlossaryFormatError(_l(
                "line %(line)s: %(cells)s cells but the header has %(columns)s columns"
                " (a comma inside a cell needs quotes)",
                line=str(line), cells=len(cells), columns=len(columns)))
        row = {role: spreadsheet_unsafe(cell.strip())
               for (role, _), cell in zip(columns, cells, strict=False)}
        try:
            for role, name in columns:
                if role.startswith("lang:") and "\n" in row.get(role, ""):
                    raise GlossaryError(_l(
                        "column %(name)s holds a line break; a quote opened on line %(line)s is"
                        " probably not closed", name=name, line=str(line)))
            entry = Entry(
                key=row.get("id", ""),
                terms={lang: row.get("lang:" + lang, "") for lang in langs},
                note=row.get("note", ""),
                dnt=bool(_parse_bool(row.get("dnt", ""), "dnt")),
                dnt_said=bool(row.get("dnt", "").strip()),
                forbidden=parse_forbidden(row.get("forbidden", ""), langs),
                case_sensitive=_parse_bool(
                    row.get("case_sensitive", ""), "case_sensitive", allow_blank_none=True
                ),
            )
        except GlossaryError as exc:
            raise GlossaryFormatError(_l("line %(line)s: %(error)s", line=str(line),
                                         error=reason(exc))) from None
        folded = entry.key.casefold()
        if folded in lines:
            raise GlossaryFormatError(_l(
                "line %(line)s: duplicate concept “%(key)s” (already on line %(first)s); if these"
                " are two senses of one term, give each row its own id column value",
                line=str(line), key=entry.key, first=str(lines[folded])))
        lines[folded] = line
        entries.append(entry)
    if columns is None:
        raise GlossaryFormatError(_l("line 1: wrong header: the file is empty"))
    return Glossary(entries, languages=langs)


def dump_csv(glossary: Glossary, *, languages: Iterable[str] | None = None) -> str:
    """Write the glossary as CSV, with formula-like cells made inert for spreadsheets."""
    langs = list(languages) if languages is not None else list(glossary.languages)
    entries = glossary.entries
    derived = [next((e.terms[lang][0] for lang in langs if lang in e.terms), None) for e in entries]
    with_id = any(d != e.key for d, e in zip(derived, entries, strict=True))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((["id"] if with_id else []) + langs + list(CSV_COLUMNS))
    for entry in entries:
        forbidden = [
            v if lang == ANY_LANG else f"{lang}:{v}"
            for lang in sorted(entry.forbidden, key=lambda lang: lang != ANY_LANG)
            for v in entry.forbidden[lang]
        ]
        cells = ([entry.key] if with_id else []) + ["|".join(entry.terms.get(lang, ())) for lang in langs]
        cells += [
            entry.note,
            "yes" if entry.dnt else "",
            "|".join(forbidden),
            {None: "", True: "yes", False: "no"}[entry.case_sensitive],
        ]
        writer.writerow([spreadsheet_safe(c) for c in cells])
    return out.getvalue()
