"""Finding glossary terms in a text: words, inflection rules, a token trie per language."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, compress, pairwise

from webapp.glossary.entries import WORD_RE, Entry, Glossary, normalize_lang

_SPACE_RE = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-"})
_APOSTROPHES = ("'", "\u2019")
# Text cut into [gap, word, gap, word, ..., gap] and the end offset of each piece.
Words = tuple[list[str], list[int]]
_SPLIT_RE = re.compile(f"({WORD_RE.pattern})")
_CACHE_LIMIT = 200_000


def _key(word: str) -> str:
    if word.isascii():
        return word.lower()
    return unicodedata.normalize("NFC", word).casefold()


def split_words(text: str) -> Words:
    """Cut text into gaps and words, with the end offset of each piece."""
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


class Matcher:
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
        words = list(WORD_RE.finditer(variant))
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

    def scan(self, text: str, words: Words | None = None) -> list[tuple[int, int, int, int, _Term]]:
        """Return every hit as (start, end, first word, last word, term), overlaps included."""
        root = self.root
        if not root or not text:
            return []
        parts, ends = words or split_words(text)
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

    def find(self, text: str, words: Words | None = None) -> list[Match]:
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


def matcher(glossary: Glossary, kind: str, lang: str) -> Matcher:
    """Return the glossary's matcher of its accepted terms ("terms") or of its "forbidden" ones."""

    def build(entries: tuple[Entry, ...]) -> Matcher:
        if kind == "terms":
            return Matcher(lang, ((e, v) for e in entries for v in e.variants(lang)))
        return Matcher(lang, ((e, v) for e in entries for v in e.forbidden_in(lang)))

    return glossary.derived(("matcher", kind, lang), build)


def find_terms(glossary: Glossary, text: str, lang: str) -> list[Match]:
    """Return the glossary terms in text (a lang text), non-overlapping, longest first, in order."""
    return matcher(glossary, "terms", normalize_lang(lang)).find(text)
