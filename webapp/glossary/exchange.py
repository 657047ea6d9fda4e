"""Glossary files: read an upload as CSV or TBX, chosen by its name; write either."""

from __future__ import annotations

from collections.abc import Iterable

from webapp.glossary.csvfile import dump_csv, load_csv
from webapp.glossary.entries import Glossary
from webapp.glossary.tbx import dump_tbx, load_tbx

FORMATS = ("csv", "tbx")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "tbx": "application/x-tbx+xml"}


def load(data: bytes | str, *, filename: str = "", languages: Iterable[str] | None = None) -> Glossary:
    """Read an uploaded glossary, TBX or CSV, chosen by file name or by a leading "<"."""
    head = (
        data[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
        if isinstance(data, bytes)
        else data[:200].lstrip("\ufeff \t\r\n")
    )
    if filename.lower().endswith((".tbx", ".xml")) or head[:1] in (b"<", "<"):
        return load_tbx(data, languages=languages)
    return load_csv(data, languages=languages)


def dump(glossary: Glossary, fmt: str) -> str | bytes:
    """Write the glossary as CSV (text, safe to open in a spreadsheet) or TBX v2 (bytes)."""
    if fmt == "csv":
        return dump_csv(glossary)
    if fmt == "tbx":
        return dump_tbx(glossary)
    raise ValueError(f"unknown glossary format {fmt!r}")
