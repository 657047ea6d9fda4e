"""Spelling with Hunspell dictionaries through Enchant, judged once per word form.

Hunspell's German dictionary knows too few derived words and compounds for news text
("achämenidische", "technologielastigen"), and every name of a news article is unknown to
it, so a bare "not in the dictionary" would flag half the sentences of clean German. A word
is therefore only a finding when it looks like a slip:

* a lower-case word that is neither in the dictionary nor a known word with one prefix
  and one or two endings taken off, nor a compound of two known parts;
* a capitalised word (a noun or a name) only when swapping two neighbouring letters makes
  it a dictionary word ("Regeirung"): anything else capitalised is taken for a name.

What the document knows settles the rest (see `slips.DocContext`): the glossary's words,
the document's and the team's word lists, and words the document uses capitalised
elsewhere (with a known stem for derived forms: "Achämeniden" lets "achämenidische" pass).
"""

from __future__ import annotations

import logging
import re
import threading

from webapp.core.text import case_joins

log = logging.getLogger(__name__)

DICTIONARIES = {"de": "de_DE", "en": "en_US"}
_LIMIT = 500_000
# Longer than any real word ("Donaudampfschifffahrtsgesellschaftskapitän" has 42 letters):
# such a run is reported unknown without asking Hunspell, whose cost grows with the length
# of every part the compound analysis would try.
LONGEST_WORD = 60

# Endings and prefixes a known stem may carry, longest first; per language.
_SUFFIXES = {
    "de": "e en em er es n s st ste sten stem ster stes isch ische ischen ischem ischer "
          "isches al ale alen ales aler alem iv ive iven ivem iver ives isieren ieren "
          "ig ige igen iges iger igem lich liche lichen licher liches lichem ung ungen",
    "en": "s es ed d ing ly er est ers ness less ful ism ist ists ize ized izes ise ised "
          "ation ations al ally ic ical",
}
_PREFIXES = {
    "de": "un ur aus ab an auf bei ein mit nach vor zu zurück weg her hin über um unter "
          "durch wieder dies miss ver be ge er ent zer",
    "en": "un re non pre post anti over under mis dis",
}


# German adjectives in -isch are made from any name ("achämenidische", "megarische").
_ADJECTIVE = re.compile(r"^[^\W\d_]{4,}isch(?:e[mnrs]?)?$")


def _ordered(words: str) -> tuple[str, ...]:
    return tuple(sorted(words.split(), key=len, reverse=True))


# What a word is, as far as the checks care.
FINE = 0        # in the dictionary, derived from it, or taken for a name
UNKNOWN = 1     # lower case and not derivable: a slip unless the document knows it
TYPO = 2        # capitalised, and two letters swapped give a dictionary word
# What a word form alone says, before its place in a text is looked at.
IGNORE = 10     # fine, lower case, or nothing a dictionary judges (UN, 日本語, iPhone)
NAME_ONLY = 11  # capitalised and fine: only counted as a name the document uses
CHECK = 12      # a slip, unless its place or the document says otherwise


class Speller:
    """One language's Hunspell dictionary, with a verdict cached per word form."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.suffixes = _ordered(_SUFFIXES.get(lang, ""))
        self.prefixes = _ordered(_PREFIXES.get(lang, ""))
        self._check = self._load(lang)
        self._known: dict[str, bool] = {}
        # Hunspell is not thread-safe; the live server and the job runner use threads.
        self._check_lock = threading.Lock()
        self._verdicts: dict[str, tuple[int, str]] = {}
        # Word form -> IGNORE, NAME_ONLY or CHECK (see classify).
        self.classes: dict[str, int] = {}

    @staticmethod
    def _load(lang: str):
        tag = DICTIONARIES.get(lang)
        if tag is None:
            return None
        try:
            import enchant

            return enchant.Dict(tag).check
        except Exception as exc:  # the library or the dictionary is missing
            log.warning("No %s spelling dictionary (%s): `make setup` installs it", tag, exc)
            return None

    def forget(self) -> None:
        """Drop the cached verdicts, keeping the dictionary (a benchmark's baseline)."""
        self._known.clear()
        self._verdicts.clear()
        self.classes.clear()

    @property
    def available(self) -> bool:
        """Tell whether a dictionary was found for the language."""
        return self._check is not None

    def known(self, word: str) -> bool:
        """Tell whether Hunspell knows the word as written."""
        hit = self._known.get(word)
        if hit is None and len(word) > LONGEST_WORD:
            return False
        if hit is None:
            if len(self._known) >= _LIMIT:
                self._known.clear()
            with self._check_lock:
                hit = bool(self._check(word))
            self._known[word] = hit
        return hit

    def known_any_case(self, word: str) -> bool:
        """Tell whether the word is known as written or with its first letter capitalised."""
        return len(word) > 1 and (self.known(word) or self.known(word[0].upper() + word[1:]))

    def stems(self, word: str) -> list[str]:
        """Return the word without one or two endings, each stem at least four letters."""
        out = []
        for suffix in self.suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                stem = word[: -len(suffix)]
                out.append(stem)
                out += [stem[: -len(s)] for s in self.suffixes
                        if stem.endswith(s) and len(stem) - len(s) >= 4]
        return out

    def derived(self, word: str) -> bool:
        """Tell whether word is a known word, or one with endings taken off (or an e put on)."""
        if len(word) > LONGEST_WORD:
            return False
        if self.known_any_case(word):
            return True
        return any(self.known_any_case(stem) or self.known_any_case(stem + "e")
                   for stem in self.stems(word))

    def compound(self, word: str) -> bool:
        """Tell whether word is derived, or a prefix or a known word (with a linking s) before
        a derived one."""
        if self.derived(word):
            return True
        for prefix in self.prefixes:
            rest = word[len(prefix):]
            if word.startswith(prefix) and len(rest) >= 4 and (
                    self.derived(rest) or rest.startswith("zu") and self.derived(rest[2:])):
                return True
        for i in range(3, len(word) - 2):
            head, tail = word[:i], word[i:]
            if (self.known_any_case(head) or head.endswith("s") and len(head) > 4
                    and self.known_any_case(head[:-1])) and self.derived(tail):
                return True
        return False

    def _swap_hint(self, word: str) -> str:
        for i in range(1, len(word) - 2):
            swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
            if swapped != word and self.known(swapped):
                return swapped
        return ""

    def classify(self, word: str) -> int:
        """Return what the word form alone says (IGNORE, NAME_ONLY or CHECK), cached."""
        capital = word[:1].isupper()
        if len(word) < 2 or word.isupper() or not (word.islower() or capital):
            kind = IGNORE  # an acronym, a letter, a script without case, "iPhone"
        elif case_joins(word):
            kind = NAME_ONLY if capital else IGNORE  # glued or camel case: the glued check's
        elif self.verdict(word)[0] == FINE:
            kind = NAME_ONLY if capital else IGNORE
        else:
            kind = CHECK
        if len(self.classes) >= _LIMIT:
            self.classes.clear()
        self.classes[word] = kind
        return kind

    def verdict(self, word: str) -> tuple[int, str]:
        """Return (FINE, UNKNOWN or TYPO, a suggestion) for one word form, cached."""
        hit = self._verdicts.get(word)
        if hit is not None:
            return hit
        if self._check is None:
            hit = (FINE, "")
        elif len(word) > LONGEST_WORD:
            hit = (UNKNOWN, "")
        elif self.known(word):
            hit = (FINE, "")
        elif word[0].isupper():
            if word.isupper() or self.known(word.lower()) or self.compound(word):
                hit = (FINE, "")
            else:
                hint = self._swap_hint(word)
                hit = (TYPO, hint) if hint else (FINE, "")
        elif self.compound(word) or self.lang == "de" and _ADJECTIVE.search(word):
            hit = (FINE, "")
        else:
            hit = (UNKNOWN, self._swap_hint(word))
        if len(self._verdicts) >= _LIMIT:
            self._verdicts.clear()
        self._verdicts[word] = hit
        return hit


_SPELLERS: dict[str, Speller] = {}
_lock = threading.Lock()


def speller(lang: str) -> Speller:
    """Return the process's speller of a language (one Enchant dictionary each)."""
    found = _SPELLERS.get(lang)
    if found is None:
        with _lock:
            found = _SPELLERS.get(lang)
            if found is None:
                found = _SPELLERS[lang] = Speller(lang)
    return found


def reset_spellers() -> None:
    """Drop the spellers and their cached verdicts."""
    with _lock:
        _SPELLERS.clear()
