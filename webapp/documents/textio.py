"""Decode an uploaded plain-text file, or refuse it with a reason a person can act on."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Literal

from webapp.core.messages import _l, _ln

__all__ = ["DecodedText", "TextImportError", "decode_text"]

Newline = Literal["\n", "\r\n", "\r"]

# Tab, line feed, carriage return and form feed are the only C0 characters plain text uses.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# Beyond a few control characters, and this share of them, a file is binary rather than
# text with a stray byte; the two cases get different advice.
_BINARY_CONTROL_COUNT = 3
_BINARY_CONTROL_SHARE = 0.01

_MB = 1024 * 1024


class TextImportError(ValueError):
    """An uploaded file that cannot be read as text; the message says why, for a person."""

    error_code = "bad_text_file"


@dataclass(frozen=True)
class DecodedText:
    """Decoded text with LF line ends, and how the file was stored."""

    text: str
    encoding: str
    had_bom: bool
    newline: Newline


def _tenths(value: float) -> int | float:
    """Return a value to one decimal, whole when the decimal is 0 ("5", not "5.0")."""
    value = round(value, 1)
    return int(value) if value.is_integer() else value


def _size(n: int) -> str:
    """Format a byte count the way a person reads file sizes."""
    if n >= _MB:
        return _l("%(size)s MB", size=_tenths(n / _MB))
    if n >= 1024:
        return _l("%(size)s KB", size=_tenths(n / 1024))
    # Below a KB the count needs no thousands separator (1001, as the limit is written).
    return _ln("%(count)s byte", "%(count)s bytes", n, count=str(n))


def _check_size(size: int, max_bytes: int) -> None:
    """Refuse a file larger than max_bytes."""
    if size <= max_bytes:
        return
    shown, limit = _size(size), _size(max_bytes)
    if shown == limit:
        # Rounding would print "5 MB; the limit is 5 MB", which reads as no problem at all.
        shown = _ln("%(n)s byte", "%(n)s bytes", size)
        limit = _ln("%(n)s byte", "%(n)s bytes", max_bytes)
    raise TextImportError(_l("The file is %(size)s; the limit is %(limit)s.",
                             size=shown, limit=limit))


def _decode(data: bytes) -> tuple[str, str, bool]:
    """Return (text, encoding, had_bom) for data, or raise TextImportError."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        # Checked before UTF-16 because the UTF-32 LE mark begins with the UTF-16 LE one.
        raise TextImportError(
            _l("The file is UTF-32 text, which is not supported; save it as UTF-8."))
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig", True
        except UnicodeDecodeError as error:
            position = error.start + len(codecs.BOM_UTF8)
            raise TextImportError(_l(
                "The file starts with a UTF-8 byte-order mark but is not valid UTF-8: "
                "undecodable byte %(byte)s at position %(position)s.",
                byte=f"0x{data[position]:02X}", position=str(position))) from None
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), "utf-16", True
            except UnicodeDecodeError as error:
                raise TextImportError(_l(
                    "The file starts with a UTF-16 byte-order mark but is not valid UTF-16 "
                    "(%(reason)s at position %(position)s).", reason=error.reason,
                    position=str(error.start + len(bom)))) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise TextImportError(_l("The file looks binary (NUL bytes at byte %(at)s), not text.",
                                 at=str(nul)))
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    try:
        # cp1252 agrees with Latin-1 on every printable character and adds „“–€,
        # and leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined, which the codec refuses.
        return data.decode("cp1252"), "cp1252", False
    except UnicodeDecodeError as error:
        raise TextImportError(_l(
            "The file is not UTF-8, UTF-16 with BOM, or Latin-1/cp1252 text: "
            "undecodable byte %(byte)s at position %(position)s.",
            byte=f"0x{data[error.start]:02X}", position=str(error.start))) from None


def _check_controls(text: str) -> None:
    """Refuse text holding control characters that no plain-text file has."""
    first = _CONTROL.search(text)
    if first is None:
        return
    count = len(_CONTROL.findall(text))
    if count > max(_BINARY_CONTROL_COUNT, len(text) * _BINARY_CONTROL_SHARE):
        raise TextImportError(_ln("The file looks binary (%(n)s control character), not text.",
                                  "The file looks binary (%(n)s control characters), not text.",
                                  count))
    line = text.count("\n", 0, first.start()) + 1
    column = first.start() - (text.rfind("\n", 0, first.start()) + 1) + 1
    raise TextImportError(_l(
        "The file contains the control character %(char)s at line %(line)s, column %(column)s, "
        "which plain text does not use; remove it and upload again.",
        char=f"0x{ord(first.group()):02X}", line=line, column=column))


def _newline(text: str) -> Newline:
    """Return the line ending the text mostly uses, LF when it has none."""
    crlf = text.count("\r\n")
    cr = text.count("\r") - crlf
    lf = text.count("\n") - crlf
    if crlf > max(lf, cr):
        return "\r\n"
    if cr > lf:
        return "\r"
    return "\n"


def decode_text(data: bytes, max_bytes: int) -> DecodedText:
    """Decode an uploaded text file: UTF-8 (with or without BOM), UTF-16 with BOM, or cp1252."""
    _check_size(len(data), max_bytes)
    if not data:
        raise TextImportError(_l("The file is empty."))
    text, encoding, had_bom = _decode(data)
    if not text:
        raise TextImportError(_l("The file is empty."))
    if text.isspace():
        raise TextImportError(_l("The file contains only whitespace."))
    _check_controls(text)
    newline = _newline(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return DecodedText(text=text, encoding=encoding, had_bom=had_bom, newline=newline)
