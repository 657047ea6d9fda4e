"""XLIFF as plain data: the namespaces, states and units that xliff_read and xliff_write share."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from webapp.interchange.formats.inline import Code

NS11 = "urn:oasis:names:tc:xliff:document:1.1"
NS12 = "urn:oasis:names:tc:xliff:document:1.2"
NS20 = "urn:oasis:names:tc:xliff:document:2.0"
XML = "http://www.w3.org/XML/1998/namespace"

# Our workflow states, in order: "translated or better" is STATES.index(s) >= 3. A rejected
# target goes out as 1.2's needs-translation or 2.0's initial, which any tool understands,
# with a qualifier or subState of our own that brings it back as rejected.
STATES = ("new", "mt", "rejected", "translated", "approved")

# Where this app records "machine translation, not yet post-edited" in a 2.0 subState,
# and "a reviewer rejected this translation".
MT_SUBSTATE = "workbench:mt"
REJECTED_SUBSTATE = "workbench:rejected"
REJECTED_QUALIFIER = "x-workbench-rejected"  # 1.2 allows "x-" values of its own
# Who writes the note that says what a review document's source is (1.2 from, 2.0 category).
SOURCE_NOTE_FROM = "workbench-source"


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
    # What the source is when it is not an original (a back-translation, or nothing at all);
    # written as a note that annotates the source.
    source_note: str = ""


@dataclass
class XliffDocument:
    """What an XLIFF file holds for the workbench: a language pair and its segments."""

    source_lang: str
    target_lang: str
    units: list[Unit]
    version: str = "1.2"



def local_name(element: etree._Element) -> str:
    """Return an element's tag without its namespace ("" for comments and processing instructions)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""
