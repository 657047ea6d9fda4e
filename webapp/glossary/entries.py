"""Glossary entries: one Entry per concept, the Glossary that holds them, and their errors."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from webapp.core.messages import Message, _l
from webapp.core.text import is_language_tag, primary_language

T = TypeVar("T")

# Forbidden renderings that apply whatever the target language is.
ANY_LANG = "*"

# A word is a run of letters or digits; combining accents stay inside the word so that
# decomposed "Pjo\u0308ngjang" is one word. Everything else (space, hyphen, quote,
# parenthesis, apostrophe) separates words.
WORD_RE = re.compile(r"(?:[^\W_][\u0300-\u036f]*)+")

# What the file formats (CSV, TBX) share: the largest upload, and how a yes/no cell reads.
MAX_IMPORT_BYTES = 20 * 1024 * 1024
TRUE_WORDS = frozenset({"1", "y", "yes", "true", "x", "ja", "wahr"})
FALSE_WORDS = frozenset({"", "0", "n", "no", "false", "nein", "falsch"})


class GlossaryError(ValueError):
    """An entry or an edit that the glossary cannot hold."""

    error_code = "glossary_invalid"


class GlossaryFormatError(GlossaryError):
    """An import file that cannot be read; the message names the line and the problem."""

    error_code = "glossary_file_invalid"


def reason(exc: BaseException) -> str:
    """Return an error's message for another message to quote: the Message itself when it is
    one (English in the API, translated on a page), else its text."""
    arg = exc.args[0] if len(exc.args) == 1 else None
    return arg if isinstance(arg, str) else str(exc)


def refuse_oversized(data: bytes | str) -> None:
    """Refuse an uploaded file past MAX_IMPORT_BYTES (text already decoded is not counted)."""
    if isinstance(data, bytes) and len(data) > MAX_IMPORT_BYTES:
        raise GlossaryFormatError(_l("line 1: the file is larger than %(size)s MB",
                                     size=MAX_IMPORT_BYTES // 2**20))


@lru_cache(maxsize=512)
def normalize_lang(code: str) -> str:
    """Return the primary language subtag in lower case ('EN-us' -> 'en'), or raise GlossaryError."""
    if not is_language_tag(code):
        raise GlossaryError(_l("“%(code)s” is not a language code such as de or en", code=code.strip()))
    return primary_language(code)


def clean(text: str) -> str:
    """Return text with every run of whitespace as one space, trimmed."""
    return " ".join(text.split())


def split_variants(value: str | Iterable[str]) -> list[str]:
    """Return the variants of a cell ("a|b") or of a list, unchecked."""
    if isinstance(value, str):
        return value.split("|") if value.strip() else []
    return list(value)


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One concept: its accepted terms per language, a note, and how QA and MT treat it."""

    terms: Mapping[str, tuple[str, ...]]
    key: str = ""
    note: str = ""
    dnt: bool = False
    forbidden: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # None means "auto": an all-capitals variant (UNSC, UN) matches only in capitals,
    # every other variant ignores case.
    case_sensitive: bool | None = None
    # False for a file's entry whose dnt cell (or TBX admin) is blank: an import that
    # merges keeps the stored flag then. Not part of what the entry says.
    dnt_said: bool = field(default=True, compare=False, repr=False)

    def __post_init__(self) -> None:
        terms: dict[str, tuple[str, ...]] = {}
        for lang, value in self.terms.items():
            variants = _check_variants(split_variants(value), _l("the %(lang)s term", lang=lang))
            if variants:
                lang = normalize_lang(lang)
                terms[lang] = tuple(dict.fromkeys(terms.get(lang, ()) + variants))
        if not terms:
            raise GlossaryError(_l("empty term: the entry needs a term in at least one language"))
        forbidden_in = self.forbidden
        if isinstance(forbidden_in, str) or not isinstance(forbidden_in, Mapping):
            forbidden_in = {ANY_LANG: split_variants(forbidden_in)}
        forbidden: dict[str, tuple[str, ...]] = {}
        for lang, value in forbidden_in.items():
            variants = _check_variants(split_variants(value), _l("a forbidden rendering"))
            if variants:
                lang = ANY_LANG if lang == ANY_LANG else normalize_lang(lang)
                forbidden[lang] = tuple(dict.fromkeys(forbidden.get(lang, ()) + variants))
        key = clean(self.key) or next(iter(terms.values()))[0]
        if "|" in key:
            raise GlossaryError(_l("the key “%(key)s” cannot contain “|”", key=key))
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "forbidden", forbidden)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "note", self.note.strip())
        object.__setattr__(self, "dnt", bool(self.dnt))

    def __hash__(self) -> int:
        return hash(self.key.casefold())

    def variants(self, lang: str) -> tuple[str, ...]:
        """Return the accepted terms in lang; a do-not-translate term is accepted in every language."""
        if self.dnt:
            return tuple(dict.fromkeys(v for vs in self.terms.values() for v in vs))
        return self.terms.get(lang, ())

    def preferred(self, lang: str) -> str | None:
        """Return the first accepted term in lang, the one MT and fixes put in."""
        variants = self.variants(lang)
        return variants[0] if variants else None

    def forbidden_in(self, lang: str) -> tuple[str, ...]:
        """Return the renderings that must not appear in a lang target."""
        return self.forbidden.get(lang, ()) + self.forbidden.get(ANY_LANG, ())

    def is_case_sensitive(self, variant: str) -> bool:
        """Tell whether variant must match with its exact capitalisation."""
        if self.case_sensitive is not None:
            return self.case_sensitive
        return _is_acronym(variant)

    def to_dict(self) -> dict:
        """Return the entry as plain JSON-ready data."""
        return {
            "key": self.key,
            "terms": {lang: list(vs) for lang, vs in self.terms.items()},
            "note": self.note,
            "dnt": self.dnt,
            "forbidden": {lang: list(vs) for lang, vs in self.forbidden.items()},
            "case_sensitive": self.case_sensitive,
        }

    def same_content(self, other: Entry) -> bool:
        """Tell whether other says the same thing, whatever its key."""
        a, b = self.to_dict(), other.to_dict()
        del a["key"], b["key"]
        return a == b


def _check_variants(variants: list[str], what: Message) -> tuple[str, ...]:
    out = []
    for variant in variants:
        variant = clean(variant)
        if not variant:
            raise GlossaryError(_l("empty term: %(what)s has an empty variant between “|” separators",
                                   what=what))
        if not WORD_RE.search(variant):
            raise GlossaryError(_l("%(what)s “%(variant)s” has no letter or digit to match on",
                                   what=what, variant=variant))
        out.append(variant)
    return tuple(out)


class Glossary:
    """An ordered set of entries; what is derived from them (matchers) is rebuilt after a change."""

    def __init__(self, entries: Iterable[Entry] = (), *, languages: Iterable[str] = ()) -> None:
        self._entries: dict[str, Entry] = {}
        self._declared = list(dict.fromkeys(normalize_lang(lang) for lang in languages))
        self._lock = threading.Lock()
        self._derived: dict[Hashable, object] = {}
        self._version: str | None = None
        for entry in entries:
            self._insert(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(tuple(self._entries.values()))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.casefold() in self._entries

    def __getitem__(self, key: str) -> Entry:
        try:
            return self._entries[key.casefold()]
        except KeyError:
            raise KeyError(key) from None

    def __repr__(self) -> str:
        return f"<Glossary {len(self)} entries {self.version}>"

    def get(self, key: str) -> Entry | None:
        """Return the entry with this key, or None."""
        return self._entries.get(key.casefold())

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Return the entries in glossary order."""
        return tuple(self._entries.values())

    @property
    def languages(self) -> tuple[str, ...]:
        """Return the declared languages, then any other language an entry uses."""
        found = dict.fromkeys(self._declared)
        for entry in self._entries.values():
            found.update(dict.fromkeys(entry.terms))
            found.update(dict.fromkeys(lang for lang in entry.forbidden if lang != ANY_LANG))
        return tuple(found)

    @property
    def version(self) -> str:
        """Return a short fingerprint of the content; it changes whenever an entry does."""
        version = self._version
        if version is None:
            payload = json.dumps(
                [self._declared, [e.to_dict() for e in self._entries.values()]],
                ensure_ascii=False,
                sort_keys=True,
            )
            version = hashlib.blake2b(payload.encode(), digest_size=8).hexdigest()
            self._version = version
        return version

    def _insert(self, entry: Entry) -> None:
        folded = entry.key.casefold()
        if folded in self._entries:
            raise GlossaryError(_l("duplicate concept: an entry “%(key)s” already exists",
                                   key=entry.key))
        self._entries[folded] = entry

    def _changed(self) -> None:
        self._derived = {}
        self._version = None

    def add(self, entry: Entry) -> Entry:
        """Add a new entry; a key already in use is refused."""
        with self._lock:
            self._insert(entry)
            self._changed()
        return entry

    def update(self, key: str, entry: Entry) -> Entry:
        """Replace the entry under key (the new entry may carry a new key)."""
        with self._lock:
            old = key.casefold()
            if old not in self._entries:
                raise KeyError(key)
            new = entry.key.casefold()
            if new != old and new in self._entries:
                raise GlossaryError(_l("duplicate concept: an entry “%(key)s” already exists",
                                       key=entry.key))
            self._entries = {
                (new if k == old else k): (entry if k == old else e) for k, e in self._entries.items()
            }
            self._changed()
        return entry

    def remove(self, key: str) -> Entry:
        """Delete the entry under key and return it."""
        with self._lock:
            entry = self._entries.pop(key.casefold(), None)
            if entry is None:
                raise KeyError(key)
            self._changed()
        return entry

    def replace_all(self, entries: Iterable[Entry]) -> None:
        """Swap in a whole new set of entries at once, or change nothing if one is invalid."""
        fresh = Glossary(entries, languages=self._declared)
        with self._lock:
            self._entries = fresh._entries
            self._changed()

    def copy(self) -> Glossary:
        """Return an independent glossary with the same entries."""
        return Glossary(self._entries.values(), languages=self._declared)

    def search(self, query: str, lang: str | None = None) -> list[Entry]:
        """Return entries whose key, terms or note contain query, ignoring case."""
        needle = clean(query).casefold()
        found = []
        for entry in self._entries.values():
            if lang is None:
                haystack = [entry.key, entry.note, *(v for vs in entry.terms.values() for v in vs)]
            else:
                haystack = list(entry.variants(lang))
            if any(needle in text.casefold() for text in haystack):
                found.append(entry)
        return found

    def derived(self, key: Hashable, build: Callable[[tuple[Entry, ...]], T]) -> T:
        """Return what build makes of the entries (a matcher), kept until the next change."""
        with self._lock:
            cache = self._derived
            entries = tuple(self._entries.values())
        value = cache.get(key)
        if value is None:
            # Built outside the lock; after a change it lands in the old, dropped cache.
            value = cache[key] = build(entries)
        return value
