"""The one safe way every importer parses XML: no DTDs, no entities, no network."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Collection, Iterator
from typing import BinaryIO

from lxml import etree

from webapp.core.messages import _l

# Uploads are parsed whole in memory; past this a caller should stream (see tmx.iter_tmx).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

# How much of the file is searched for an entity declaration before the parser sees it:
# an internal DTD subset longer than this is still caught after parsing (see _refuse_entities).
_PROLOG_BYTES = 64 * 1024
_ENTITY_DECL = re.compile(r"<!ENTITY\b")
_DOCTYPE = re.compile(r"<!DOCTYPE\b")


class FormatError(ValueError):
    """A file that cannot be imported, with a message saying what is wrong and where."""

    error_code = "bad_file"

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        # Messages all through (the place and the problem), so a page shows it in its
        # reader's language; line numbers as written in an editor (no thousands separator).
        text = message
        if line and column:
            text = _l("line %(line)s, column %(column)s: %(problem)s", line=str(line),
                      column=str(column), problem=message)
        elif line:
            text = _l("line %(line)s: %(problem)s", line=str(line), problem=message)
        super().__init__(text)
        self.message = message
        self.line = line
        self.column = column


# What every parser here is told, whole-file or streaming: no entities, no DTD, no network,
# no huge trees; comments and processing instructions are dropped.
_SAFE = {"resolve_entities": False, "load_dtd": False, "no_network": True, "huge_tree": False,
         "remove_comments": True, "remove_pis": True}


def _parser(*, recover: bool = False) -> etree.XMLParser:
    # A fresh parser per call: lxml keeps the error log on the parser, and a shared one
    # would report the previous file's errors.
    return etree.XMLParser(dtd_validation=False, recover=recover, **_SAFE)


def _decode_head(head: bytes) -> str:
    """Decode the first bytes well enough to look for markup, whatever the encoding."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    # UTF-16 without a BOM still starts with "<" next to a NUL byte.
    if head[:2] == b"<\x00":
        return head.decode("utf-16-le", errors="replace")
    if head[:2] == b"\x00<":
        return head.decode("utf-16-be", errors="replace")
    # Every other encoding an XML declaration may name is ASCII-compatible for markup.
    return head.decode("latin-1")


def check_prolog(head: bytes) -> None:
    """Refuse a document whose DOCTYPE declares entities (XXE, billion laughs) before parsing."""
    text = _decode_head(head[:_PROLOG_BYTES])
    doctype = _DOCTYPE.search(text)
    if doctype and _ENTITY_DECL.search(text, doctype.end()):
        line = text.count("\n", 0, doctype.start()) + 1
        raise FormatError(_l(
            "the DOCTYPE declares entities; entity declarations are refused because they can "
            "read local files (XXE) or expand without limit (billion laughs)"), line)


def _refuse_entities(tree: etree._ElementTree) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise FormatError(_l(
            "the DOCTYPE declares entities; entity declarations are refused because they can "
            "read local files (XXE) or expand without limit (billion laughs)"))


def _syntax_error(parser: etree._FeedParser, error: etree.XMLSyntaxError) -> FormatError:
    # Prefer the parser's own log: lxml's exception log is thread-global and carries earlier
    # files' errors. A push parser keeps no log of its own and may only say "no element
    # found", in which case the newest global entry is the real cause.
    entries = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    real = [e for e in entries if e.domain_name != "NAMESPACE"] or entries
    if real:
        first = real[0]
        return FormatError(_not_well_formed(first.message), first.line, first.column)
    if error.lineno and error.lineno > 0:
        message = re.sub(r", line \d+, column \d+.*$", "", error.msg or str(error))
        column = error.position[1] if error.position else None
        return FormatError(_not_well_formed(message), error.lineno, column)
    latest = [e for e in error.error_log if e.level >= etree.ErrorLevels.ERROR]
    if latest:
        last = latest[-1]
        return FormatError(_not_well_formed(last.message), last.line, last.column)
    return FormatError(_not_well_formed(error.msg or str(error)))


def _not_well_formed(detail: str):
    # The parser's own words (libxml2's) stay English: they name the XML problem exactly.
    return _l("not well-formed XML: %(detail)s", detail=detail.strip())


def parse(data: bytes, *, max_bytes: int | None = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse a whole document and return its root element, or raise FormatError."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse() takes the file's bytes, so that its declared encoding is honoured")
    data = bytes(data)
    if max_bytes is not None and len(data) > max_bytes:
        raise FormatError(_l("the file is %(size)s MB; the limit is %(limit)s MB",
                             size=round(len(data) / 1_048_576, 1),
                             limit=round(max_bytes / 1_048_576)))
    if not data.strip():
        raise FormatError(_l("the file is empty"))
    check_prolog(data)
    parser = _parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        # Tools such as WorldServer write prefixes they never declare; the file is still
        # well-formed XML 1.0, so undeclared prefixes alone are forgiven, nothing else.
        errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
        if not errors or any(e.domain_name != "NAMESPACE" for e in errors):
            raise _syntax_error(parser, error) from None
        root = etree.fromstring(data, _parser(recover=True))
    _refuse_entities(root.getroottree())
    return root


def fragment(xml: str) -> etree._Element:
    """Parse a small fragment the app stored itself (an inline code), with the same safe parser."""
    return etree.fromstring(xml, _parser())


def iterparse(
    stream: BinaryIO,
    tags: Collection[str],
    *,
    chunk_size: int = 64 * 1024,
    progress: Callable[[int], None] | None = None,
    on_root: Callable[[etree._Element], None] | None = None,
) -> Iterator[etree._Element]:
    """Yield each finished element named in `tags`, then free it, never holding a whole file."""
    # A yielded element's ancestors (the root with its attributes) stay reachable through
    # getparent(); `on_root(root)` lets a caller refuse the wrong document type before
    # reading on; `progress(bytes_read)` runs after every chunk, for a job's progress bar.
    parser = etree.XMLPullParser(events=("start", "end"), **_SAFE)
    head = stream.read(chunk_size)
    if not head or not head.strip():
        raise FormatError(_l("the file is empty"))
    check_prolog(head)
    read = len(head)
    chunk = head
    seen_root = False
    while chunk:
        try:
            parser.feed(chunk)
            events = list(parser.read_events())
        except etree.XMLSyntaxError as error:
            raise _syntax_error(parser, error) from None
        for event, element in events:
            if event == "start":
                if not seen_root:
                    _refuse_entities(element.getroottree())
                    seen_root = True
                    if on_root is not None:
                        on_root(element)
                continue
            if element.tag in tags:
                yield element
                # Free what has been handed out: the element and the siblings before it.
                element.clear(keep_tail=False)
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
        if progress is not None:
            progress(read)
        chunk = stream.read(chunk_size)
        read += len(chunk)
    try:
        parser.close()
    except etree.XMLSyntaxError as error:
        raise _syntax_error(parser, error) from None
    if not seen_root:
        raise FormatError(_l("the file holds no XML element"))
