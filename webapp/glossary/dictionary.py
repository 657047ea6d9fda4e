"""A German–English dictionary in dictd format (Debian's FreeDict deu-eng), found by any word form.

dictd keeps a dictionary as two files: `NAME.index`, one line per headword
("headword<TAB>offset<TAB>length", the numbers in dictd's base64), sorted; and `NAME.dict.dz`,
the articles, compressed with dictzip: gzip in independent chunks whose sizes the gzip header
lists, so one article is read by inflating one or two 58 KB chunks, never the 100 MB file.
Both are opened on the first lookup and shared by every thread of the process.
"""

from __future__ import annotations

import bisect
import itertools
import mmap
import os
import re
import struct
import threading
import unicodedata
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from webapp.core.messages import N_, _l

# Debian's dict-freedict-deu-eng puts it here (without the .index / .dict.dz suffixes).
DEFAULT_PATH = "/usr/share/dictd/freedict-deu-eng"
# Shown with _l(INSTALL_HINT), in the reader's language.
INSTALL_HINT = N_("The German–English dictionary is not installed. An admin installs it with "
                  "`apt-get install dict-freedict-deu-eng` (Debian's FreeDict package), or sets "
                  "DICTIONARY_PATH to a dictd dictionary.")
_B64 = {c: i for i, c in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
# What one lookup may ask of the files: the longest word considered, headwords shown, articles read.
MAX_WORD = 64
MAX_HEADWORDS = 4
MAX_ARTICLES = 12
_CHUNK_CACHE = 64

# German endings, longest first, stripped to reach a headword: Krieges -> Krieg, Raketen ->
# Rakete, tiefere -> tiefer -> tief, signalisierte -> signalisier(en).
_ENDINGS = ("ern", "ens", "est", "em", "en", "er", "es", "ns", "st", "te", "e", "n", "s", "t")
_VERB_ENDINGS = ("test", "tet", "ten", "te", "st", "t", "e")
_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})
# Between the parts of a compound: Sicherheit-s-beamter, Waffe-n-geschäft.
_LINKS = ("", "s", "es", "n", "en", "e")
_WORD_RE = re.compile(r"[^\W\d_][\w\-]*", re.UNICODE)


class DictionaryMissing(Exception):
    """The dictionary files are not where the settings say."""

    error_code = "no_dictionary"


def _b64(text: bytes) -> int:
    number = 0
    for c in text.decode("ascii"):
        number = number * 64 + _B64[c]
    return number


def normalize(word: str) -> str:
    """Return a word as the index files it: NFC, lower case, without surrounding punctuation."""
    word = unicodedata.normalize("NFC", word).strip()
    match = _WORD_RE.search(word)
    if match is None:
        return ""
    # str.lower, not casefold: the index keeps "ß", which casefold would turn into "ss".
    return match.group(0).strip("-").lower()[:MAX_WORD]


def candidates(word: str) -> list[str]:
    """Return the headwords an inflected German word may stand for, the likeliest first."""
    key = normalize(word)
    if not key:
        return []
    out = [key]

    def add(stem: str) -> None:
        if len(stem) >= 3 and stem not in out:
            out.append(stem)

    for ending in _ENDINGS:
        if key.endswith(ending):
            stem = key[: -len(ending)]
            add(stem)
            # tiefere -> tiefer -> tief, Krieges -> Krieg, Ländern -> Länder -> Land
            for second in ("er", "e", "n", "s"):
                if stem.endswith(second):
                    add(stem[: -len(second)])
    # A finite verb form names its infinitive: signalisierte -> signalisieren.
    for ending in _VERB_ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= 3:
            add(key[: -len(ending)] + "en")
    # Plurals with an umlaut: Länder -> Land, Söhne -> Sohn.
    for stem in list(out):
        plain = stem.translate(_UMLAUTS)
        if plain != stem:
            add(plain)
    return out


@dataclass
class Sense:
    """One article of the dictionary: a meaning of a headword with its English renderings."""

    headword: str
    grammar: str = ""
    domains: list[str] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    examples: list[tuple[str, str]] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)

    @property
    def plural(self) -> bool:
        """Tell whether this article is about a plural form (a glossary wants the singular)."""
        return self.grammar.startswith("pl")

    @property
    def english(self) -> str:
        """Return the renderings as one line."""
        return ", ".join(self.translations)


@dataclass
class Hit:
    """A headword found for the word looked up, and how it was reached."""

    headword: str
    senses: list[Sense]
    # "exact", "inflection" (an ending stripped), or "compound" (the last part of a compound)
    how: str = "exact"
    part_of: str = ""


_HEAD_RE = re.compile(r"^(?P<head>.*?)(?:\s+/(?P<ipa>[^/]*)/)?(?:\s+<(?P<gram>[^>]*)>)?\s*$")
_EXAMPLE_RE = re.compile(r'^\s+"(?P<de>.*)"\s+-\s+(?P<en>.*)$')
_BRACES_RE = re.compile(r"\{([^}]*)\}")
_DOMAIN_RE = re.compile(r"\[([^\]]+)\]")
# "road <n>Rd,  /ˌɛɾdˈeː/": a part of speech, then an abbreviation with its pronunciation.
_POS_RE = re.compile(r"\s*<[^>]*>[^,;]*|(?:^|\s)/[^/\s][^/]*/(?=[\s,;]|$)")


def parse_article(text: str) -> Sense:
    """Return the sense one FreeDict article describes."""
    lines = text.rstrip("\n").split("\n")
    head = _HEAD_RE.match(lines[0].strip()) if lines else None
    sense = Sense(headword=(head.group("head") if head else lines[0]).strip(),
                  grammar=(head.group("gram") or "") if head else "")
    for line in lines[1:]:
        stripped = line.strip()
        if not stripped:
            continue
        example = _EXAMPLE_RE.match(line)
        if example:
            sense.examples.append((example.group("de"), example.group("en").strip()))
        elif stripped.startswith("Note:"):
            sense.notes.append(stripped.removeprefix("Note:").strip())
        elif stripped.startswith(("Synonym:", "Synonyms:")):
            sense.synonyms = _BRACES_RE.findall(stripped)
        elif stripped.startswith("see:"):
            continue
        elif not sense.translations:
            sense.domains = _DOMAIN_RE.findall(stripped)
            plain = _POS_RE.sub("", _DOMAIN_RE.sub("", stripped))
            sense.translations = [t.strip() for t in plain.split(",") if t.strip()]
    return sense


class _DictZip:
    """Random access to a dictzip (or plain) article file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.chunk_length = 0
        self.offsets: list[int] = []
        if path.suffix == ".dz":
            self._read_header()

    def _read_header(self) -> None:
        head = os.pread(self.fd, 12, 0)
        if head[:3] != b"\x1f\x8b\x08" or not head[3] & 4:
            raise DictionaryMissing(_l("%(path)s is not a dictzip file (no gzip extra field).",
                                       path=str(self.path)))
        (xlen,) = struct.unpack("<H", head[10:12])
        extra = os.pread(self.fd, xlen, 12)
        pos = 0
        while pos + 4 <= len(extra):
            sub, length = extra[pos:pos + 2], struct.unpack("<H", extra[pos + 2:pos + 4])[0]
            if sub == b"RA":
                _ver, chlen, count = struct.unpack("<HHH", extra[pos + 4:pos + 10])
                sizes = struct.unpack(f"<{count}H", extra[pos + 10:pos + 10 + 2 * count])
                break
            pos += 4 + length
        else:
            raise DictionaryMissing(_l("%(path)s is gzip without dictzip chunks; "
                                       "unpack it to a .dict file.", path=str(self.path)))
        start = 12 + xlen
        flags = head[3]
        # The optional name and comment fields end with a zero byte each.
        for flag in (8, 16):
            if flags & flag:
                while os.pread(self.fd, 1, start) != b"\0":
                    start += 1
                start += 1
        if flags & 2:
            start += 2
        self.chunk_length = chlen
        self.offsets = [start]
        for size in sizes:
            self.offsets.append(self.offsets[-1] + size)

    def _chunk(self, number: int) -> bytes:
        with self._lock:
            data = self._cache.get(number)
            if data is not None:
                self._cache.move_to_end(number)
                return data
        raw = os.pread(self.fd, self.offsets[number + 1] - self.offsets[number],
                       self.offsets[number])
        # Each chunk ends with a full flush: it inflates on its own as raw deflate.
        data = zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw)
        with self._lock:
            self._cache[number] = data
            if len(self._cache) > _CHUNK_CACHE:
                self._cache.popitem(last=False)
        return data

    def read(self, offset: int, length: int) -> bytes:
        """Return `length` bytes of the uncompressed text from `offset`."""
        if not self.chunk_length:
            return os.pread(self.fd, length, offset)
        first, last = offset // self.chunk_length, (offset + length - 1) // self.chunk_length
        last = min(last, len(self.offsets) - 2)
        data = b"".join(self._chunk(n) for n in range(first, last + 1))
        start = offset - first * self.chunk_length
        return data[start:start + length]


class Dictionary:
    """A dictd dictionary opened lazily: an index searched in place, articles read on demand."""

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.base = str(path or DEFAULT_PATH)
        self._lock = threading.Lock()
        self._index: mmap.mmap | None = None
        self._starts: list[int] = []
        self._articles: _DictZip | None = None

    @property
    def index_path(self) -> Path:
        """Return the index file's path."""
        return Path(self.base + ".index")

    def _article_path(self) -> Path | None:
        for suffix in (".dict.dz", ".dict"):
            path = Path(self.base + suffix)
            if path.is_file():
                return path
        return None

    @property
    def available(self) -> bool:
        """Tell whether both files are there."""
        return self.index_path.is_file() and self._article_path() is not None

    def _open(self) -> None:
        if self._index is not None:
            return
        with self._lock:
            if self._index is not None:
                return
            articles = self._article_path()
            if not self.index_path.is_file() or articles is None:
                raise DictionaryMissing(_l(INSTALL_HINT))
            if not self.index_path.stat().st_size:
                raise DictionaryMissing(_l(
                    "The dictionary index %(path)s is empty. An admin installs it with "
                    "`apt-get install dict-freedict-deu-eng` (Debian's FreeDict package), or "
                    "sets DICTIONARY_PATH to a dictd dictionary.", path=str(self.index_path)))
            with open(self.index_path, "rb") as f:
                index = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            # One pass in C over the 12 MB: where each line starts, and its headword.
            lines = index[:].split(b"\n")
            if lines and not lines[-1]:
                lines.pop()
            starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]),
                                               initial=0))
            keys = [line.partition(b"\t")[0] for line in lines]
            del lines
            # dictfmt sorts byte-wise today; an index sorted otherwise is sorted here once.
            if keys != sorted(keys):
                starts = [s for _k, s in sorted(zip(keys, starts, strict=True))]
            del keys
            self._starts = starts
            self._articles = _DictZip(articles)
            self._index = index

    @staticmethod
    def _key_at(index: mmap.mmap, start: int) -> bytes:
        end = index.find(b"\n", start)
        end = len(index) if end < 0 else end
        tab = index.find(b"\t", start, end)
        return index[start:tab if tab >= 0 else end]

    def _entries(self, headword: str) -> list[tuple[int, int]]:
        """Return the (offset, length) of every article filed under one headword."""
        key = headword.encode("utf-8")
        index = self._index
        i = bisect.bisect_left(range(len(self._starts)), key,
                               key=lambda n: self._key_at(index, self._starts[n]))
        found = []
        while i < len(self._starts):
            start = self._starts[i]
            end = index.find(b"\n", start)
            line = index[start:end if end >= 0 else len(index)]
            word, _, rest = line.partition(b"\t")
            if word != key:
                break
            offset, _, length = rest.partition(b"\t")
            found.append((_b64(offset), _b64(length.strip())))
            i += 1
        return found

    def has(self, headword: str) -> bool:
        """Tell whether a headword (as normalize gives it) is in the index."""
        self._open()
        return bool(self._entries(headword))

    def articles(self, headword: str, limit: int = MAX_ARTICLES) -> list[Sense]:
        """Return the senses filed under a headword, at most `limit`."""
        self._open()
        out = []
        for offset, length in self._entries(headword)[:limit]:
            text = self._articles.read(offset, length).decode("utf-8", "replace")
            out.append(parse_article(text))
        return out

    def lookup(self, word: str, limit: int = MAX_HEADWORDS) -> list[Hit]:
        """Return the headwords for a word as written in a text: itself, its base forms, or
        the last part of a compound; nothing for a word the dictionary does not know."""
        self._open()
        hits: list[Hit] = []
        key = normalize(word)
        for n, cand in enumerate(candidates(word)):
            if len(hits) >= limit:
                break
            senses = self.articles(cand)
            if senses:
                hits.append(Hit(cand, senses, "exact" if n == 0 else "inflection"))
        if not hits and key:
            hits = self._compound(key)
        return hits

    def _compound(self, key: str) -> list[Hit]:
        """Return the head of a compound (its longest known last part) and its first part."""
        for cut in range(3, len(key) - 3):
            head = key[cut:]
            for cand in candidates(head):
                senses = self.articles(cand)
                if not senses:
                    continue
                hits = [Hit(cand, senses, "compound", part_of=key)]
                first = key[:cut]
                for link in _LINKS:
                    if link and not first.endswith(link):
                        continue
                    stem = first[: len(first) - len(link)]
                    if len(stem) >= 3:
                        part = self.articles(stem, 4) or next(
                            (self.articles(c, 4) for c in candidates(stem)[1:]
                             if self.has(c)), [])
                        if part:
                            hits.insert(0, Hit(stem, part, "compound", part_of=key))
                            break
                return hits
        return []


_shared: dict[str, Dictionary] = {}
_shared_lock = threading.Lock()


def shared(path: str | os.PathLike | None = None) -> Dictionary:
    """Return the process's one Dictionary for a path (opened on its first lookup)."""
    key = str(path or DEFAULT_PATH)
    with _shared_lock:
        found = _shared.get(key)
        if found is None:
            found = _shared[key] = Dictionary(key)
    return found
