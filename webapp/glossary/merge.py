"""Glossary import: preview what a file would add, change and skip, then apply it at once."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from webapp.core.messages import _l
from webapp.glossary.entries import ANY_LANG, Entry, Glossary, GlossaryError

# How an imported concept meets the stored one. "merge" (the default): a blank cell keeps
# what is stored and lists only add to it, so a row that changes one note removes nothing.
# "replace": the file's row is the whole concept, blanks included; the preview names every
# removal before anything is applied.
MERGE, REPLACE = "merge", "replace"
MODES = (MERGE, REPLACE)


@dataclass(frozen=True)
class FieldChange:
    """One field of one concept as an import changes it: what goes, what comes."""

    name: str  # the field, as Change.fields names it
    label: str  # what a person reads: "de terms", "forbidden (any language)", "note"
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    before: str = ""  # for single values (note, flags): the stored one and the new one
    after: str = ""

    def to_dict(self) -> dict:
        """Return the change as plain JSON-ready data."""
        return {"field": self.name, "label": self.label, "removed": list(self.removed),
                "added": list(self.added), "before": self.before, "after": self.after}


def describe(change: FieldChange) -> str:
    """Return one field change as a line of text: "note: “a” → “b”", "de terms: − x, + y"."""
    if change.removed or change.added:
        parts = [f"− {v}" for v in change.removed] + [f"+ {v}" for v in change.added]
        return f"{change.label}: {', '.join(parts)}"
    before = f"“{change.before}”" if change.before else "(none)"
    after = f"“{change.after}”" if change.after else "(none)"
    return f"{change.label}: {before} → {after}"


def _label(name: str, lang: str) -> str:
    # A Message: English in the API and the CLI, the reader's language on the page.
    if name == "terms":
        return _l("%(lang)s terms", lang=lang)
    if lang == ANY_LANG:
        return _l("forbidden (any language)")
    return _l("forbidden (%(lang)s)", lang=lang)


def _list_changes(name: str, a: dict, b: dict) -> list[FieldChange]:
    out = []
    for lang in dict.fromkeys([*a, *b]):
        old, new = a.get(lang, ()), b.get(lang, ())
        removed = tuple(v for v in old if v not in new)
        added = tuple(v for v in new if v not in old)
        if removed or added:
            out.append(FieldChange(name, _label(name, lang), removed, added))
        elif old != new:
            out.append(FieldChange(name, _l("%(field)s, order", field=_label(name, lang)),
                                   before=" | ".join(old), after=" | ".join(new)))
    return out


def _flag(value: bool | None) -> str:
    return {None: _l("auto"), True: _l("yes"), False: _l("no")}[value]


def field_changes(before: Entry, after: Entry) -> list[FieldChange]:
    """Return every field that differs between two versions of a concept, removals included."""
    out = _list_changes("terms", before.terms, after.terms)
    out += _list_changes("forbidden", before.forbidden, after.forbidden)
    if before.note != after.note:
        out.append(FieldChange("note", _l("note"), before=before.note, after=after.note))
    if before.dnt != after.dnt:
        out.append(FieldChange("dnt", _l("do not translate"), before=_flag(before.dnt),
                               after=_flag(after.dnt)))
    if before.case_sensitive != after.case_sensitive:
        out.append(FieldChange("case_sensitive", _l("case-sensitive"),
                               before=_flag(before.case_sensitive),
                               after=_flag(after.case_sensitive)))
    return out


@dataclass(frozen=True)
class Change:
    """An existing entry and what an import would make of it."""

    before: Entry
    after: Entry

    @property
    def details(self) -> list[FieldChange]:
        """Return what changes, field by field."""
        return field_changes(self.before, self.after)

    @property
    def fields(self) -> list[str]:
        """Return the names of the fields that differ."""
        return list(dict.fromkeys(c.name for c in self.details))

    @property
    def removes(self) -> bool:
        """Return whether the change takes anything away (a term, a rendering, a note, a flag)."""
        return any(c.removed or (c.before and not c.after) or (c.name == "dnt" and c.before == "yes")
                   for c in self.details)


@dataclass
class ImportPreview:
    """What applying an import would do: nothing is changed until apply_import."""

    added: list[Entry] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    skipped: list[Entry] = field(default_factory=list)
    base_version: str = ""
    mode: str = MERGE


def _union(first: dict, second: dict) -> dict:
    """Return per language the variants of `first`, then those of `second` not among them."""
    out = {lang: tuple(vs) for lang, vs in first.items()}
    for lang, vs in second.items():
        out[lang] = tuple(dict.fromkeys(out.get(lang, ()) + tuple(vs)))
    return out


def merged(stored: Entry, incoming: Entry, mode: str = MERGE) -> Entry:
    """Return what the stored concept becomes when the file's row for it is imported."""
    if mode == REPLACE:
        return replace(incoming, key=stored.key)
    return Entry(
        key=stored.key,
        # The file's variants first (it may choose another preferred term), then the rest.
        terms=_union(incoming.terms, stored.terms),
        note=incoming.note or stored.note,
        dnt=incoming.dnt if incoming.dnt_said else stored.dnt,
        forbidden=_union(stored.forbidden, incoming.forbidden),
        case_sensitive=(stored.case_sensitive if incoming.case_sensitive is None
                        else incoming.case_sensitive),
    )


def preview_import(current: Glossary, incoming: Glossary, mode: str = MERGE) -> ImportPreview:
    """Sort incoming entries into new (added), differing (changed) and identical (skipped) ones."""
    if mode not in MODES:
        raise GlossaryError(_l("unknown import mode “%(mode)s”; use %(merge)s or %(replace)s",
                               mode=mode, merge=MERGE, replace=REPLACE))
    by_term: dict[tuple[str, str], list[Entry]] = {}
    for entry in current:
        for lang, variants in entry.terms.items():
            by_term.setdefault((lang, variants[0].casefold()), []).append(entry)
    preview = ImportPreview(base_version=current.version, mode=mode)
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
        after = merged(match, entry, mode)
        if match.same_content(after):
            preview.skipped.append(after)
        else:
            preview.changed.append(Change(match, after))
    return preview


def apply_import(glossary: Glossary, preview: ImportPreview) -> None:
    """Apply a preview to the glossary it was made from, all at once or not at all."""
    if preview.base_version and preview.base_version != glossary.version:
        raise GlossaryError(_l("the glossary changed since this import was previewed; "
                               "preview it again"))
    changes = {c.before.key.casefold(): c.after for c in preview.changed}
    entries = [changes.get(e.key.casefold(), e) for e in glossary]
    glossary.replace_all([*entries, *preview.added])
