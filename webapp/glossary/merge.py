"""Glossary import: preview what a file would add, change and skip, then apply it at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from webapp.glossary.entries import Entry, Glossary, GlossaryError


@dataclass(frozen=True)
class Change:
    """An existing entry and what an import would make of it."""

    before: Entry
    after: Entry

    @property
    def fields(self) -> list[str]:
        """Return the names of the fields that differ."""
        a, b = self.before.to_dict(), self.after.to_dict()
        return [name for name in a if a[name] != b[name]]


@dataclass
class ImportPreview:
    """What applying an import would do: nothing is changed until apply_import."""

    added: list[Entry] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    skipped: list[Entry] = field(default_factory=list)
    base_version: str = ""


def preview_import(current: Glossary, incoming: Glossary) -> ImportPreview:
    """Sort incoming entries into new (added), differing (changed) and identical (skipped) ones."""
    by_term: dict[tuple[str, str], list[Entry]] = {}
    for entry in current:
        for lang, variants in entry.terms.items():
            by_term.setdefault((lang, variants[0].casefold()), []).append(entry)
    preview = ImportPreview(base_version=current.version)
    claimed: set[str] = set()
    for entry in incoming:
        match = current.get(entry.key)
        if match is None:
            # A foreign file has its own ids: fall back to the same preferred term in one language.
            for lang, variants in entry.terms.items():
                found = by_term.get((lang, variants[0].casefold()), [])
                if len(found) == 1 and found[0].key not in claimed:
                    match = found[0]
                    break
        if match is None:
            preview.added.append(entry)
            continue
        claimed.add(match.key)
        if match.same_content(entry):
            preview.skipped.append(entry)
        else:
            preview.changed.append(Change(match, Entry(**{**entry.__dict__, "key": match.key})))
    return preview


def apply_import(glossary: Glossary, preview: ImportPreview) -> None:
    """Apply a preview to the glossary it was made from, all at once or not at all."""
    if preview.base_version and preview.base_version != glossary.version:
        raise GlossaryError("the glossary changed since this import was previewed; preview it again")
    changes = {c.before.key.casefold(): c.after for c in preview.changed}
    entries = [changes.get(e.key.casefold(), e) for e in glossary]
    glossary.replace_all([*entries, *preview.added])
