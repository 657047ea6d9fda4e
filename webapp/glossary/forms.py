"""The glossary page's entries: the edit form read into an Entry, and each row as shown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from webapp.core.messages import _l
from webapp.core.models import GlossaryEntry
from webapp.glossary.csvfile import parse_forbidden
from webapp.glossary.entries import ANY_LANG, Entry, GlossaryError
from webapp.glossary.store import Snapshot, entry_from_row


def entry_from_form(form: Mapping[str, str], languages: tuple[str, ...]) -> Entry:
    """Return the entry an edit form describes, or raise GlossaryError saying what is wrong."""
    terms = {}
    for name, value in form.items():
        if name.startswith("terms_"):
            lang = name.removeprefix("terms_")
            if lang not in languages:
                raise GlossaryError(_l(
                    "unknown language column “%(lang)s”: this workbench has %(languages)s",
                    lang=lang, languages=", ".join(languages)))
            terms[lang] = value
    case = form.get("case_sensitive", "")
    if case not in ("", "yes", "no"):
        raise GlossaryError(_l("case sensitivity is automatic, yes or no"))
    return Entry(
        key=form.get("key", ""), terms=terms, note=form.get("note", ""),
        dnt=bool(form.get("dnt")), forbidden=parse_forbidden(form.get("forbidden", ""), languages),
        case_sensitive={"": None, "yes": True, "no": False}[case],
    )


@dataclass
class Row:
    """A stored entry as the glossary page shows it."""

    id: int
    entry: Entry

    @property
    def url(self) -> str:
        """Return the path of this entry's row fragment."""
        return f"/glossary/{self.id}"

    @property
    def shows_key(self) -> bool:
        """Tell whether the key is worth showing: it is not simply the first term."""
        return self.entry.key != next(iter(self.entry.terms.values()))[0]

    def forbidden_text(self) -> str:
        """Return the forbidden renderings as the form writes them."""
        return " | ".join(v if lang == ANY_LANG else f"{lang}:{v}"
                          for lang, vs in self.entry.forbidden.items() for v in vs)

    def forbidden_groups(self) -> list[tuple[str, tuple[str, ...]]]:
        """Return the forbidden renderings by language, "any language" first."""
        return sorted(((("any language" if lang == ANY_LANG else lang.upper()), vs)
                       for lang, vs in self.entry.forbidden.items()),
                      key=lambda item: item[0] != "any language")

    def form_values(self) -> dict:
        """Return the entry as the edit form's field values."""
        e = self.entry
        return {**{f"terms_{lang}": " | ".join(vs) for lang, vs in e.terms.items()},
                "note": e.note, "forbidden": self.forbidden_text(), "dnt": e.dnt,
                "case_sensitive": {None: "", True: "yes", False: "no"}[e.case_sensitive],
                "key": e.key}


def page_rows(snap: Snapshot, query: str = "") -> list[Row]:
    """Return the entries matching a search, in glossary order."""
    entries = snap.glossary.search(query) if query else snap.glossary.entries
    return [Row(snap.entry_id(e.key), e) for e in entries]


def row_for(row: GlossaryEntry) -> Row:
    """Return the page row of a stored entry."""
    return Row(row.id, entry_from_row(row))
