"""Curated glossary: entries, CSV and TBX exchange, inflection-tolerant matching, term QA, MT protection."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, pairwise
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from webapp.core.text import (
    LANGUAGE_TAG,
    is_language_tag,
    primary_language,
    spreadsheet_safe,
    spreadsheet_unsafe,
)

__all__ = [
    "ANY_LANG",
    "DNT_CHANGED",
    "FORBIDDEN_TERM",
    "MISSING_TERM",
    "Change",
    "Entry",
    "Glossary",
    "GlossaryError",
    "GlossaryFormatError",
    "ImportPreview",
    "Match",
    "Protected",
    "RestoredResult",
    "Slot",
    "TermWarning",
    "apply_import",
    "check_segment",
    "dump_csv",
    "dump_tbx",
    "find_terms",
    "load",
    "load_csv",
    "load_tbx",
    "normalize_lang",
    "preview_import",
    "protect",
    "restore",
]

MISSING_TERM = "missing_term"
FORBIDDEN_TERM = "forbidden_term"
DNT_CHANGED = "dnt_changed"

# Forbidden renderings that apply whatever the target language is.
ANY_LANG = "*"

CSV_COLUMNS = ("note", "dnt", "forbidden", "case_sensitive")
_HEADER_ALIASES = {"notes": "note", "key": "id", "casesensitive": "case_sensitive"}
_TRUE = frozenset({"1", "y", "yes", "true", "x", "ja", "wahr"})
_FALSE = frozenset({"", "0", "n", "no", "false", "nein", "falsch"})
# OWASP's list of cell starts that a spreadsheet evaluates as a formula.
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class GlossaryError(ValueError):
    """An entry or an edit that the glossary cannot hold."""


class GlossaryFormatError(GlossaryError):
    """An import file that cannot be read; the message names the line and the problem."""


@lru_cache(maxsize=512)
def normalize_lang(code: str) -> str:
    """Return the primary language subtag in lower case ('EN-us' -> 'en'), or raise GlossaryError."""
    if not is_language_tag(code):
        raise GlossaryError(f"“{code.strip()}” is not a language code such as de or en")
    return primary_language(code)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _split_variants(value: str | Iterable[str]) -> list[str]:
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

    def __post_init__(self) -> None:
        terms: dict[str, tuple[str, ...]] = {}
        for lang, value in self.terms.items():
            variants = _check_variants(_split_variants(value), f"the {lang} term")
            if variants:
                lang = normalize_lang(lang)
                terms[lang] = tuple(dict.fromkeys(terms.get(lang, ()) + variants))
        if not terms:
            raise GlossaryError("empty term: the entry needs a term in at least one language")
        forbidden_in = self.forbidden
        if isinstance(forbidden_in, str) or not isinstance(forbidden_in, Mapping):
            forbidden_in = {ANY_LANG: _split_variants(forbidden_in)}
        forbidden: dict[str, tuple[str, ...]] = {}
        for lang, value in forbidden_in.items():
            variants = _check_variants(_split_variants(value), "a forbidden rendering")
            if variants:
                lang = ANY_LANG if lang == ANY_LANG else normalize_lang(lang)
                forbidden[lang] = tuple(dict.fromkeys(forbidden.get(lang, ()) + variants))
        key = _clean(self.key) or next(iter(terms.values()))[0]
        if "|" in key:
            raise GlossaryError(f"the key “{key}” cannot contain “|”")
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


def _check_variants(variants: list[str], what: str) -> tuple[str, ...]:
    out = []
    for variant in variants:
        variant = _clean(variant)
        if not variant:
            raise GlossaryError(f"empty term: {what} has an empty variant between “|” separators")
        if not _TOKEN_RE.search(variant):
            raise GlossaryError(f"{what} “{variant}” has no letter or digit to match on")
        out.append(variant)
    return tuple(out)


# ---------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------

# A word is a run of letters or digits; combining accents stay inside the word so that
# decomposed "Pjo\u0308ngjang" is one word. Everything else (space, hyphen, quote,
# parenthesis, apostrophe) separates words.
_TOKEN_RE = re.compile(r"(?:[^\W_][\u0300-\u036f]*)+")
_SPACE_RE = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-"})
_APOSTROPHES = ("'", "\u2019")
# Text cut into [gap, word, gap, word, ..., gap] and the end offset of each piece.
_Words = tuple[list[str], list[int]]
_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")
_CACHE_LIMIT = 200_000


def _key(word: str) -> str:
    if word.isascii():
        return word.lower()
    return unicodedata.normalize("NFC", word).casefold()


def _split_words(text: str) -> _Words:
    parts = _SPLIT_RE.split(text)
    return parts, list(accumulate(map(len, parts)))


def _norm_gap(gap: str) -> str:
    if gap == " ":
        return gap
    return _SPACE_RE.sub(" ", gap).translate(_DASHES)


class _Rules:
    """How words of one language inflect, as far as matching cares."""

    def __init__(
        self,
        suffixes: Iterable[str] = (),
        adjective_endings: Iterable[str] = (),
        plural_endings: Iterable[tuple[str, str]] = (),
        possessive: bool = False,
        ies_to_y: bool = False,
        es_after: tuple[str, ...] = (),
    ) -> None:
        self.suffixes = tuple(sorted(suffixes, key=len, reverse=True))
        self.adjective_endings = tuple(adjective_endings)
        self.plural_endings = tuple(plural_endings)
        self.possessive = possessive
        self.ies_to_y = ies_to_y
        self.es_after = es_after
        self._cache: dict[str, tuple[str, ...]] = {}

    def _strips(self, key: str, ending: str) -> bool:
        if not key.endswith(ending):
            return False
        stem = key[: -len(ending)]
        # "Rats" -> "Rat" and "Kim Jong Uns" -> "Un" are fine, but "Rate" -> "Rat" would
        # confuse two words: only the genitive/plural -s and -es may leave a short stem.
        if len(stem) < {"s": 2, "es": 3}.get(ending, 4):
            return False
        # English -es is a plural only after a hiss or an o (taxes, boxes), not in "rates".
        return not (ending == "es" and self.es_after and not stem.endswith(self.es_after))

    def candidates(self, word: str) -> tuple[str, ...]:
        """Return the keys a text word may stand for: itself and itself minus one ending."""
        found = self._cache.get(word)
        if found is None:
            k = _key(word)
            out = [k]
            out += [k[: -len(suffix)] for suffix in self.suffixes if self._strips(k, suffix)]
            if self.ies_to_y and k.endswith("ies") and len(k) > 4:
                out.append(k[:-3] + "y")
            found = tuple(dict.fromkeys(out))
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = found
        return found

    def term_keys(self, word: str, *, final: bool, before_space: bool) -> list[tuple[str, int]]:
        """Return the keys a glossary word is filed under, each with the length of its stem."""
        k = _key(word)
        keys = [(k, len(word))]
        endings = ()
        if final:
            endings = self.plural_endings
        elif before_space:
            endings = tuple((e, e) for e in self.adjective_endings)
        for ending, tail in endings:
            if (
                k.endswith(tail)
                and not k.endswith("ss")
                and len(k) - len(ending) >= 4
                and self._strips(k, ending)
            ):
                keys.append((k[: -len(ending)], len(word) - len(ending)))
        if final and self.ies_to_y and k.endswith("ies") and len(k) > 4:
            keys.append((k[:-3] + "y", len(word) - 3))
        return keys


_GERMAN = _Rules(
    suffixes=("s", "es", "e", "en", "n", "er", "em", "ern", "ns", "ens"),
    adjective_endings=("em", "en", "er", "es", "e"),
    # Only a word ending in -en looks plural: Raketen -> Rakete, Raket; Sowjetunion stays whole.
    plural_endings=(("en", "en"), ("n", "en")),
    possessive=True,
)
_ENGLISH = _Rules(
    suffixes=("s", "es"),
    plural_endings=(("es", "es"), ("s", "s")),
    possessive=True,
    ies_to_y=True,
    es_after=("s", "x", "z", "ch", "sh", "o"),
)
_RULES = {"de": _GERMAN, "en": _ENGLISH}
_EXACT = _Rules()


def _rules_for(lang: str) -> _Rules:
    return _RULES.get(lang, _EXACT)


@dataclass(frozen=True, eq=False)
class _Term:
    entry: Entry
    variant: str
    order: int
    case_sensitive: bool
    stems: tuple[str, ...]
    lead: str
    trail: str


class _Node:
    __slots__ = ("ends", "next")

    def __init__(self) -> None:
        self.next: dict[tuple[str, str], _Node] = {}
        self.ends: list[_Term] = []


class _Matcher:
    """Token trie over every term variant of one language, with inflection folded into its keys.

    Design. The text is cut into words (runs of letters and digits); the gaps between words
    are kept and normalised (any whitespace is one space, U+2010/U+2011 are "-"). Each glossary
    variant is cut the same way and filed in a trie whose edges are (gap, key) pairs, so
    "UN-Sicherheitsrat" is the path "un" -"-"-> "sicherheitsrat" and can never be confused with
    "UN Sicherheitsrat" or with a closed compound. Inflection lives in the keys, not in
    per-term regexes:

    * a text word stands for itself and for itself minus one ending from a small per-language
      set (German -s -es -e -en -n -er -em -ern -ns -ens; English -s -es and -ies -> -y),
      never leaving a stem shorter than four letters (two for -s, three for -es), and English
      -es only after s, x, z, ch, sh or o;
    * a glossary word is also filed under its stem when it is an adjective-like word followed
      by a space inside a German term (ballistische -> ballistisch, Kalter -> Kalt), or when it
      is the last word and ends in a plural ending (Raketen -> Rakete/Raket, missiles -> missile).

    So "des UN-Sicherheitsrates", "Kalten Krieges", "ballistischen Raketen", "Pjöngjangs",
    "ballistic missile" all reach the same trie node as their glossary form, and an English
    or German "'s" right after a term is taken into the match. Matching is one dictionary
    lookup per (word, candidate key), whatever the size of the glossary; candidate keys are
    cached per word form. All trie hits are collected, then the longest hits win and
    overlapping shorter ones are dropped; hits of several entries on one span are kept as
    senses of one match.

    Limits. No stemming beyond one ending: umlaut plurals (Rat -> Räte), strong verb forms,
    separable verbs and words split by other words ("Händchen zu halten") are not found
    unless listed as variants. Compound heads are not found inside closed compounds
    ("Krieg" in "Koreakrieg"), while a hyphenated compound part is a word of its own
    ("UN" in "UN-Sanktionen" when no longer term covers it). The endings are tolerant, so a
    word that is another word plus an ending can match (the "Rate"/"Rat" trap is avoided by
    the minimum stem length, not by a lexicon). Languages other than German and English
    match whole words exactly (case rules still apply).
    """

    def __init__(self, lang: str, terms: Iterable[tuple[Entry, str]]) -> None:
        self.lang = lang
        self.rules = _rules_for(lang)
        self.root: dict[str, _Node] = {}
        self._first: dict[str, tuple[_Node, ...]] = {}
        self.count = 0
        for order, (entry, variant) in enumerate(terms):
            self._add(entry, variant, order)

    def _add(self, entry: Entry, variant: str, order: int) -> None:
        words = list(_TOKEN_RE.finditer(variant))
        gaps = [_norm_gap(variant[a.end() : b.start()]) for a, b in pairwise(words)]
        last = len(words) - 1
        key_sets = []
        stems = []
        for i, m in enumerate(words):
            keys = self.rules.term_keys(m.group(), final=i == last, before_space=i < last and gaps[i] == " ")
            key_sets.append(keys)
            stems.append(m.group()[: min(length for _, length in keys)])
        term = _Term(
            entry=entry,
            variant=variant,
            order=order,
            case_sensitive=entry.is_case_sensitive(variant),
            stems=tuple(stems),
            lead=variant[: words[0].start()],
            trail=variant[words[-1].end() :],
        )
        nodes = []
        for key, _ in key_sets[0]:
            nodes.append(self.root.setdefault(key, _Node()))
        for i in range(1, len(words)):
            nodes = [
                node.next.setdefault((gaps[i - 1], key), _Node())
                for node in dict.fromkeys(nodes)
                for key, _ in key_sets[i]
            ]
        for node in dict.fromkeys(nodes):
            node.ends.append(term)
        self.count += 1

    def scan(self, text: str, words: _Words | None = None) -> list[tuple[int, int, int, int, _Term]]:
        """Return every hit as (start, end, first word, last word, term), overlaps included."""
        root = self.root
        if not root or not text:
            return []
        parts, ends = words or _split_words(text)
        tokens = parts[1::2]
        n = len(tokens)
        candidates = self.rules.candidates
        # Most words start no term: one C-level pass over a per-matcher cache settles them.
        firsts = list(map(self._first.get, tokens))
        if None in firsts:
            if len(self._first) >= _CACHE_LIMIT:
                self._first.clear()
            for i, word in enumerate(tokens):
                if firsts[i] is None:
                    firsts[i] = self._first[word] = tuple(root[k] for k in candidates(word) if k in root)
        hits = []
        for i in compress(range(n), firsts):
            active = firsts[i]
            j = i
            while active:
                for node in active:
                    for term in node.ends:
                        hit = self._verify(text, parts, ends, i, j, term)
                        if hit is not None:
                            hits.append(hit)
                j += 1
                if j >= n:
                    break
                gap = _norm_gap(parts[2 * j])
                keys = candidates(tokens[j])
                active = [
                    child
                    for node in active
                    if node.next
                    for k in keys
                    if (child := node.next.get((gap, k))) is not None
                ]
        return hits

    def _verify(self, text, parts, ends, i, j, term):
        start, end = ends[2 * i], ends[2 * j + 1]
        if term.case_sensitive:
            for offset, stem in enumerate(term.stems):
                if not parts[2 * (i + offset) + 1].startswith(stem):
                    return None
        if term.lead:
            if text[start - len(term.lead) : start] != term.lead:
                return None
            start -= len(term.lead)
        last = j
        if term.trail:
            if not text.startswith(term.trail, end):
                return None
            end += len(term.trail)
        elif (
            self.rules.possessive
            and 2 * j + 3 < len(parts)
            and parts[2 * j + 2] in _APOSTROPHES
            and parts[2 * j + 3] == "s"
        ):
            end += 2
            last = j + 1
        return (start, end, i, last, term)

    def find(self, text: str, words: _Words | None = None) -> list[Match]:
        """Return non-overlapping matches, longest first, in text order."""
        hits = self.scan(text, words)
        if not hits:
            return []
        hits.sort(key=lambda h: (h[0] - h[1], h[0], text[h[0] : h[1]] != h[4].variant, h[4].order))
        taken = bytearray(max(h[3] for h in hits) + 1)
        chosen: dict[tuple[int, int], list] = {}
        for start, end, first, last, term in hits:
            span = (start, end)
            if span in chosen:
                senses = chosen[span]
                if all(term.entry.key != t.entry.key for t in senses):
                    senses.append(term)
                continue
            if any(taken[first : last + 1]):
                continue
            taken[first : last + 1] = b"\x01" * (last - first + 1)
            chosen[span] = [term]
        return [
            Match(
                start=start,
                end=end,
                text=text[start:end],
                entry=senses[0].entry,
                lang=self.lang,
                term=senses[0].variant,
                others=tuple(t.entry for t in senses[1:]),
            )
            for (start, end), senses in sorted(chosen.items())
        ]


@dataclass(frozen=True)
class Match:
    """A glossary term found in a text, with its character span."""

    start: int
    end: int
    text: str
    entry: Entry
    lang: str
    term: str = ""
    # Other entries (senses) whose terms match exactly the same span.
    others: tuple[Entry, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Return every sense that matched this span, the preferred one first."""
        return (self.entry, *self.others)

    def to_dict(self) -> dict:
        """Return the match as plain JSON-ready data."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "term": self.term,
            "lang": self.lang,
            "entry": self.entry.to_dict(),
            "others": [e.to_dict() for e in self.others],
        }


class Glossary:
    """An ordered set of entries with per-language matchers compiled on first use after a change."""

    def __init__(self, entries: Iterable[Entry] = (), *, languages: Iterable[str] = ()) -> None:
        self._entries: dict[str, Entry] = {}
        self._declared = list(dict.fromkeys(normalize_lang(lang) for lang in languages))
        self._lock = threading.Lock()
        self._matchers: dict[tuple[str, str], _Matcher] = {}
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
            raise GlossaryError(f"duplicate concept: an entry “{entry.key}” already exists")
        self._entries[folded] = entry

    def _changed(self) -> None:
        self._matchers = {}
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
                raise GlossaryError(f"duplicate concept: an entry “{entry.key}” already exists")
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
        needle = _clean(query).casefold()
        found = []
        for entry in self._entries.values():
            if lang is None:
                haystack = [entry.key, entry.note, *(v for vs in entry.terms.values() for v in vs)]
            else:
                haystack = list(entry.variants(lang))
            if any(needle in text.casefold() for text in haystack):
                found.append(entry)
        return found

    def _matcher(self, kind: str, lang: str) -> _Matcher:
        with self._lock:
            cache = self._matchers
            entries = tuple(self._entries.values())
        matcher = cache.get((kind, lang))
        if matcher is None:
            if kind == "terms":
                pairs = ((e, v) for e in entries for v in e.variants(lang))
            else:
                pairs = ((e, v) for e in entries for v in e.forbidden_in(lang))
            matcher = _Matcher(lang, pairs)
            cache[(kind, lang)] = matcher
        return matcher

    def find(self, text: str, lang: str) -> list[Match]:
        """Return the glossary terms in text; see find_terms."""
        return self._matcher("terms", normalize_lang(lang)).find(text)


def find_terms(glossary: Glossary, text: str, lang: str) -> list[Match]:
    """Return the glossary terms in text (a lang text), non-overlapping, longest first, in order."""
    return glossary.find(text, lang)


# ---------------------------------------------------------------------------
# QA
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TermWarning:
    """A glossary QA finding on one segment."""

    code: str
    message: str
    entry_key: str
    span: tuple[int, int] | None = None
    source_span: tuple[int, int] | None = None

    def to_dict(self) -> dict:
        """Return the warning as plain JSON-ready data."""
        return {
            "code": self.code,
            "message": self.message,
            "entry_key": self.entry_key,
            "span": list(self.span) if self.span else None,
            "source_span": list(self.source_span) if self.source_span else None,
        }


def _quote_list(items: Iterable[str], limit: int = 4) -> str:
    items = list(items)
    shown = " or ".join(f"“{item}”" for item in items[:limit])
    return shown + (" …" if len(items) > limit else "")


def check_segment(
    glossary: Glossary, source: str, target: str, source_lang: str, target_lang: str
) -> list[TermWarning]:
    """Return missing_term, forbidden_term and dnt_changed warnings for one segment."""
    source_lang, target_lang = normalize_lang(source_lang), normalize_lang(target_lang)
    warnings: list[TermWarning] = []
    if not target.strip():
        return warnings
    target_words = _split_words(target)
    in_target: dict[str, list[tuple[int, int]]] = {}
    for start, end, _, _, term in glossary._matcher("terms", target_lang).scan(target, target_words):
        in_target.setdefault(term.entry.key, []).append((start, end))
    reported: set[tuple[str, str]] = set()
    for match in find_terms(glossary, source, source_lang):
        entry = match.entry
        spans = [s for e in match.entries for s in in_target.get(e.key, ())]
        if entry.dnt:
            # "As written" means the glossary spelling when the source uses it, else the
            # source's own spelling; an inflection ending after it is allowed.
            written = match.term if source.startswith(match.term, match.start) else match.text
            if any(target.startswith(written, start) for start, _ in spans):
                continue
            if (entry.key, written) in reported:
                continue
            reported.add((entry.key, written))
            if spans:
                found = target[spans[0][0] : spans[0][1]]
                message = f"“{written}” must stay exactly as written, but the target has “{found}”."
            else:
                message = f"“{written}” must stay exactly as written, but the target does not contain it."
            warnings.append(
                TermWarning(
                    DNT_CHANGED, message, entry.key, spans[0] if spans else None, (match.start, match.end)
                )
            )
            continue
        accepted = [v for e in match.entries for v in e.variants(target_lang)]
        if not accepted or spans or (entry.key, "") in reported:
            continue
        reported.add((entry.key, ""))
        warnings.append(
            TermWarning(
                MISSING_TERM,
                f"The source has “{match.text}” ({entry.key}), but the target has none of its"
                f" renderings: expected {_quote_list(accepted)}.",
                entry.key,
                None,
                (match.start, match.end),
            )
        )
    for match in glossary._matcher("forbidden", target_lang).find(target, target_words):
        use = match.entry.preferred(target_lang)
        advice = f"; use “{use}”" if use else ""
        warnings.append(
            TermWarning(
                FORBIDDEN_TERM,
                f"“{match.text}” is a forbidden rendering of “{match.entry.key}”{advice}.",
                match.entry.key,
                (match.start, match.end),
            )
        )
    return warnings


# ---------------------------------------------------------------------------
# Through machine translation
# ---------------------------------------------------------------------------

# Placeholders are capital letters plus a number: SentencePiece vocabularies always hold
# ASCII capitals and digits (no <unk>, unlike private-use or bracket characters), NMT models
# copy unknown letter-and-digit codes through like product codes, and no German or English
# word looks like them. Several markers exist so that one absent from the text can be used;
# an engine module that knows its vocabulary can pass its own (letters only).
_MARKERS = ("ZQX", "QXZ", "XZQ", "ZXQ", "QZX", "XQZ")


@dataclass(frozen=True)
class Slot:
    """One protected term: its placeholder and what goes back in its place."""

    placeholder: str
    rendering: str
    entry: Entry
    source_text: str


@dataclass(frozen=True)
class Protected:
    """A source text with glossary terms swapped for placeholders, ready for the engine."""

    text: str
    slots: tuple[Slot, ...]
    marker: str
    target_lang: str
    glossary: Glossary = field(repr=False, compare=False)


@dataclass
class RestoredResult:
    """MT output with glossary renderings put back and forbidden renderings fixed."""

    text: str
    dropped: list[Entry] = field(default_factory=list)
    # (forbidden text found, rendering put in its place)
    replaced: list[tuple[str, str]] = field(default_factory=list)


def _rendering(match: Match, source_lang: str, target_lang: str) -> str | None:
    entry = match.entry
    if any(
        e.key != entry.key and e.variants(target_lang) != entry.variants(target_lang) for e in match.others
    ):
        return None
    if entry.dnt:
        # The glossary spelling without the source's inflection ending: "Kim Jong Uns" -> "Kim Jong Un".
        return match.term if match.text.startswith(match.term) else match.text
    variants = entry.variants(target_lang)
    if match.text in variants:
        return match.text
    # An inflected source form ("Atomtests", "Pjöngjangs") is left to the engine: putting
    # back the dictionary form would drop the plural or genitive; QA still checks the term.
    written = match.text.casefold() in (v.casefold() for v in entry.variants(source_lang))
    if len(variants) == 1 and written:
        return variants[0]
    return None


def protect(
    glossary: Glossary,
    text: str,
    source_lang: str,
    target_lang: str,
    *,
    markers: Iterable[str] = _MARKERS,
) -> Protected:
    """Swap do-not-translate terms and uninflected terms with one fixed rendering for placeholders."""
    source_lang, target_lang = normalize_lang(source_lang), normalize_lang(target_lang)
    folded = text.casefold()
    markers = [m for m in markers if m.isascii() and m.isalpha()] or list(_MARKERS)
    marker = next((m for m in markers if m.casefold() not in folded), markers[0])
    slots: list[Slot] = []
    pieces = []
    cursor = 0
    for match in find_terms(glossary, text, source_lang):
        rendering = _rendering(match, source_lang, target_lang)
        if rendering is None:
            continue
        placeholder = f"{marker}{len(slots)}"
        slots.append(Slot(placeholder, rendering, match.entry, match.text))
        pieces.append(text[cursor : match.start])
        pieces.append(placeholder)
        cursor = match.end
    pieces.append(text[cursor:])
    return Protected("".join(pieces), tuple(slots), marker, target_lang, glossary)


def _placeholder_re(marker: str) -> re.Pattern[str]:
    # Engines re-space, re-case and sometimes hyphenate codes: "ZQX0", "zqx 0", "ZQ X-0".
    letters = r"[\s\-_.]?".join(re.escape(c) for c in marker)
    return re.compile(letters + r"[\s\-_.]?(\d{1,4})(?!\d)", re.IGNORECASE)


def restore(protected: Protected, mt_output: str) -> RestoredResult:
    """Put the glossary renderings back into mt_output and replace known forbidden renderings."""
    seen: set[int] = set()
    slots = protected.slots

    def put_back(m: re.Match[str]) -> str:
        index = int(m.group(1))
        if index >= len(slots):
            return m.group(0)
        seen.add(index)
        return slots[index].rendering

    text = _placeholder_re(protected.marker).sub(put_back, mt_output) if slots else mt_output
    dropped = list(dict.fromkeys(slot.entry for i, slot in enumerate(slots) if i not in seen))
    replaced = []
    fixes = protected.glossary._matcher("forbidden", protected.target_lang).find(text)
    for match in reversed(fixes):
        use = match.entry.preferred(protected.target_lang)
        if use is None:
            continue
        text = text[: match.start] + use + text[match.end :]
        replaced.append((match.text, use))
    replaced.reverse()
    return RestoredResult(text, dropped, replaced)


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if len(data) > MAX_IMPORT_BYTES:
        raise GlossaryFormatError(f"line 1: the file is larger than {MAX_IMPORT_BYTES // 2**20} MB")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise GlossaryFormatError(f"line 1: broken UTF-16 text ({exc.reason})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = (
            "it looks like UTF-16 without a byte order mark"
            if b"\x00" in data[:200]
            else "it looks like Latin-1 or Windows-1252; save it as “CSV UTF-8”"
        )
        raise GlossaryFormatError(
            f"line {line}: wrong encoding: byte 0x{data[exc.start]:02X} at column {column}"
            f" is not UTF-8 ({hint})"
        ) from None


def _parse_bool(value: str, column: str, *, allow_blank_none: bool = False) -> bool | None:
    folded = value.strip().casefold()
    if allow_blank_none and not folded:
        return None
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise GlossaryError(f"column {column} holds “{value}”; use yes or no")


def _parse_forbidden(cell: str, languages: Iterable[str]) -> dict[str, list[str]]:
    known = set(languages)
    out: dict[str, list[str]] = {}
    for item in _split_variants(cell):
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
            raise GlossaryFormatError(f"line 1: wrong header: column {len(columns) + 1} has no name")
        if norm in CSV_COLUMNS or norm == "id":
            role = norm
        elif LANGUAGE_TAG.fullmatch(name):
            role = "lang:" + normalize_lang(name)
            if languages is not None and role[5:] not in languages:
                raise GlossaryFormatError(
                    f"line 1: unknown language column “{name}”:"
                    f" this workbench has {', '.join(sorted(languages))}"
                )
        else:
            raise GlossaryFormatError(
                f"line 1: wrong header: unknown column “{name}”; expected language codes such as de and en,"
                f" then {', '.join(CSV_COLUMNS)} (and optionally id)"
            )
        if role in seen:
            raise GlossaryFormatError(f"line 1: wrong header: “{name}” repeats column “{seen[role]}”")
        seen[role] = name
        columns.append((role, name))
    if not any(role.startswith("lang:") for role, _ in columns):
        raise GlossaryFormatError("line 1: wrong header: no language column (such as de or en)")
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
                raise GlossaryFormatError(
                    f"line {line}: unbalanced quote: a quoted cell starts here and is never closed"
                ) from None
            raise GlossaryFormatError(
                f"line {line}: {exc}; a cell with a quote inside must be quoted and the quote doubled"
            ) from None
        if columns is None:
            if line != 1 or not any(c.strip() for c in cells):
                raise GlossaryFormatError("line 1: wrong header: the first line must name the columns")
            columns = _read_header(cells, allowed)
            langs = [role[5:] for role, _ in columns if role.startswith("lang:")]
            continue
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            raise GlossaryFormatError(
                f"line {line}: {len(cells)} cells but the header has {len(columns)} columns"
                " (a comma inside a cell needs quotes)"
            )
        row = {role: spreadsheet_unsafe(cell.strip())
               for (role, _), cell in zip(columns, cells, strict=False)}
        try:
            for role, name in columns:
                if role.startswith("lang:") and "\n" in row.get(role, ""):
                    raise GlossaryError(
                        f"column {name} holds a line break;"
                        f" a quote opened on line {line} is probably not closed"
                    )
            entry = Entry(
                key=row.get("id", ""),
                terms={lang: row.get("lang:" + lang, "") for lang in langs},
                note=row.get("note", ""),
                dnt=bool(_parse_bool(row.get("dnt", ""), "dnt")),
                forbidden=_parse_forbidden(row.get("forbidden", ""), langs),
                case_sensitive=_parse_bool(
                    row.get("case_sensitive", ""), "case_sensitive", allow_blank_none=True
                ),
            )
        except GlossaryError as exc:
            raise GlossaryFormatError(f"line {line}: {exc}") from None
        folded = entry.key.casefold()
        if folded in lines:
            raise GlossaryFormatError(
                f"line {line}: duplicate concept “{entry.key}” (already on line {lines[folded]});"
                " if these are two senses of one term, give each row its own id column value"
            )
        lines[folded] = line
        entries.append(entry)
    if columns is None:
        raise GlossaryFormatError("line 1: wrong header: the file is empty")
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


# ---------------------------------------------------------------------------
# TBX
# ---------------------------------------------------------------------------

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TBX3_NS = "urn:iso:std:iso:30042:ed-2"
_STATUS_TYPES = ("administrativeStatus", "normativeAuthorization")
_FORBIDDEN_STATUS = ("deprecated", "superseded")


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element: ET.Element) -> str:
    return _clean("".join(element.itertext()))


def _parse_xml(data: bytes | str) -> ET.Element:
    if isinstance(data, bytes) and len(data) > MAX_IMPORT_BYTES:
        raise GlossaryFormatError(f"line 1: the file is larger than {MAX_IMPORT_BYTES // 2**20} MB")
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden as exc:
        raise GlossaryFormatError(
            f"refused: the file declares the XML entity “{exc.name}”. Entity declarations can read"
            " files from the server (XXE) or expand into gigabytes (billion laughs), so glossary"
            " import does not accept them"
        ) from None
    except (ExternalReferenceForbidden, DTDForbidden) as exc:
        raise GlossaryFormatError(
            f"refused: the file refers to an external resource ({exc.sysid or exc.pubid}),"
            " which glossary import does not fetch"
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(": line", 1)[0]
        raise GlossaryFormatError(
            f"line {line}: not well-formed XML ({reason}, column {column + 1})"
        ) from None
    except (LookupError, ValueError) as exc:
        raise GlossaryFormatError(f"line 1: wrong encoding: {exc}") from None


_NCNAME_RE = re.compile(r"[^\W\d][\w.\-]*")


def _tbx_id(key: str) -> str:
    # TBX ids are xsd:ID, so "38 North" cannot be one as it is.
    return key if _NCNAME_RE.fullmatch(key) else "e-" + re.sub(r"[^\w.\-]", "_", key)


def load_tbx(data: bytes | str, *, languages: Iterable[str] | None = None) -> Glossary:
    """Read TBX v2 (martif/termEntry/langSet/tig|ntig) or v3 (tbx/conceptEntry/langSec/termSec)."""
    root = _parse_xml(data)
    if _local(root.tag) not in ("martif", "tbx"):
        raise GlossaryFormatError(f"line 1: not a TBX file: the root element is <{_local(root.tag)}>")
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
        dnt = False
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
                dnt = _text(child).casefold() in _TRUE
            elif name == "admin" and kind == "x-caseSensitive":
                case_sensitive = _text(child).casefold() in _TRUE
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
                raise GlossaryFormatError(
                    f"concept “{concept.get('id', '?')}”: a language section has no usable xml:lang"
                ) from None
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
                forbidden=forbidden,
                case_sensitive=case_sensitive,
            )
        except GlossaryError as exc:
            raise GlossaryFormatError(f"concept “{raw_id or '?'}”: {exc}") from None
        key = own_key or (entry.key if not raw_id or raw_id == _tbx_id(entry.key) else raw_id)
        base, n = key, 2
        while key.casefold() in keys:
            if raw_id and key == raw_id:
                raise GlossaryFormatError(f"duplicate concept: the id “{raw_id}” is used twice")
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


# ---------------------------------------------------------------------------
# Import preview
# ---------------------------------------------------------------------------


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
