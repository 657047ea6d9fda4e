"""Checks of the target alone, for MT slips that need no source: spelling, glued words, web
leftovers, truncated segments, quotation marks, brackets and repeated words.

Each text is analysed once (`analyse`, cached by language and text, independent of the
document); what depends on the document (its names, its word lists, the other segments) is
gathered once per document in a `DocContext` and applied by `findings`, which is cheap.
Every scan here is linear in the text: word runs are found by regexes anchored at word
starts, quotes and brackets by one pass with a stack.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from webapp.core.messages import N_, _l
from webapp.core.text import case_joins
from webapp.glossary.entries import WORD_RE, Glossary
from webapp.qa.spelling import (
    CHECK,
    IGNORE,
    TYPO,
    UNKNOWN,
    Speller,
    reset_spellers,
    speller,
)

SPELLING = "spelling"
GLUED = "glued_words"
WEB_LEFTOVER = "web_leftover"
TRUNCATED = "truncated"
QUOTES = "quotes"
BRACKETS = "brackets"
REPEATED = "repeated_word"
CODES = (SPELLING, GLUED, WEB_LEFTOVER, TRUNCATED, QUOTES, BRACKETS, REPEATED)
LABELS = {SPELLING: N_("spelling"), GLUED: N_("glued words"), WEB_LEFTOVER: N_("web leftover"),
          TRUNCATED: N_("truncated"), QUOTES: N_("quotation marks"), BRACKETS: N_("brackets"),
          REPEATED: N_("repeated word")}
LANG_NAMES = {"de": "German", "en": "English"}
# "“word” is not in the … dictionary.", one sentence per language (German declines the
# adjective); another language is named by its code.
NOT_IN_DICTIONARY = {"de": N_("“%(word)s” is not in the German dictionary."),
                     "en": N_("“%(word)s” is not in the English dictionary.")}
REPEATED_TERM = 3
# A segment of 20,000 "die die" is one slip to fix, not 10,000 warnings to read.
MOST_PER_CODE = 10

# (code, message, key, span): what checks.py turns into a QaWarning.
Finding = tuple[str, str, str, "tuple[int, int] | None"]

# A word as spelling sees it: letters, with an inner apostrophe ("don't", "geht's").
_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]+(?:['’][^\W\d_]+)*")
# "Satz.Der", "Hallo,Welt": letters, punctuation, letters, with no space; the first run
# starts at a word start, so a long run of letters is read once, not from every offset.
_NO_SPACE = re.compile(r"(?<![^\W_])([^\W\d_]{2,})([.!?;:,])([\"“”»«'’]?)([^\W\d_]{2,})")
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")
_SENTENCE_END = re.compile(r"[.!?…:]\s*$")
_CLOSERS = "\"'“”„‚‘’»«›‹)]} \u00a0*"
_ENDS = ".!?…:;"

NAVIGATION = {
    "de": ("mehr lesen", "weiterlesen", "weiter lesen", "teilen", "artikel teilen",
           "jetzt teilen", "mehr erfahren", "mehr zum thema", "lesen sie auch",
           "lesen sie mehr", "zum artikel", "zur startseite", "startseite", "nach oben",
           "drucken", "kommentare", "kommentieren", "anzeige", "werbung", "auf facebook teilen",
           "auf twitter teilen", "per e-mail teilen", "link kopieren", "newsletter abonnieren",
           "alle artikel", "bildergalerie", "zurück zur übersicht", "mehr anzeigen"),
    "en": ("read more", "continue reading", "share", "share this", "share this article",
           "tweet", "print", "comments", "advertisement", "back to top", "related articles",
           "subscribe", "sign up", "click here", "read the full article", "show more"),
}
# A segment that ends in one of these words (or a comma) stops in the middle of a clause.
FUNCTION_WORDS = {
    "de": frozenset("der die das den dem des ein eine einen einem einer eines und oder aber "
                    "in im an am auf aus bei mit nach von vom zu zum zur für über unter vor "
                    "hinter neben zwischen durch gegen ohne um als wie dass weil wenn ob sich "
                    "sein seine seinen seiner ihr ihre ihren ihrer sowie sondern denn".split()),
    "en": frozenset("the a an and or but in on at of to for with from by as that which who "
                    "whose is are was were be this these its their his her than".split()),
}
# Doubled short words that German and English grammar allow ("die Frau, die die Kinder …",
# "weil sie sie kennt", "that that", "had had").
_LEGIT_DOUBLES = {"de": frozenset("der die das den dem des sie".split()),
                  "en": frozenset("that had".split())}
_DOUBLE_INTRO = frozenset("weil dass wenn als ob da wie obwohl nachdem bevor während mit von "
                          "für auf an in bei nach zu über unter durch um".split())
# Name prefixes that are written with a capital inside a word: McDonald, MacArthur, DeSantis.
_NAME_PREFIXES = frozenset("mc mac fitz de di da la le van von al el o".split())

# Double quotation marks: which closes which, per style.
_OPENERS_DE = {"„": "“”", "»": "«", "«": "»", "›": "‹", "‹": "›"}
_OPENERS_EN = {"“": "”", "»": "«", "«": "»", "›": "‹", "‹": "›"}
_QUOTE_MARKS = "„“”\"«»‹›"
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_CLOSING = {v: k for k, v in _BRACKETS.items()}


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


@dataclass(frozen=True)
class Analysis:
    """What one text holds, whatever the document: slips, candidates, and traits."""

    fixed: tuple[Finding, ...]
    # (start, end, word, kind, hint) for words the dictionary lacks.
    spelling: tuple[tuple[int, int, str, int, str], ...]
    # (start, end, token, message) for tokens that look glued.
    glued: tuple[tuple[int, int, str, str], ...]
    capitals: tuple[str, ...]
    words: tuple[str, ...]
    ends: bool
    mid_clause: bool
    quote_problem: str
    quote_open_at_end: bool
    quote_closes_first: bool


# ---------------------------------------------------------------------------
# One text
# ---------------------------------------------------------------------------


def _url_mask(text: str) -> list[tuple[int, int]]:
    """Return the spans of whitespace-separated chunks that are URLs or e-mail addresses."""
    if "://" not in text and "www." not in text and "@" not in text:
        return []
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text)
            if "://" in m.group() or m.group().startswith("www.") or "@" in m.group()]


def _inside(spans: list[tuple[int, int]], at: int) -> bool:
    return any(a <= at < b for a, b in spans)


def _continues(text: str, at: int) -> bool:
    """Tell whether the sentence goes on after offset at (more words, not a new sentence)."""
    rest = text[at:at + 40].lstrip(" \u00a0")
    return bool(rest) and not rest[0].isupper()


def _in_foreign_name(text: str, start: int, end: int, other: Speller, word: str) -> bool:
    """Tell whether a lower-case word is the other language's, beside a capitalised word."""
    before, after = text[max(0, start - 40):start].split(), text[end:end + 40].split()
    return other.known(word) and bool(before and before[-1][:1].isupper()
                                      or after and after[0][:1].isupper())


def _spelling_candidates(text: str, spell: Speller, urls) -> tuple[tuple, tuple[str, ...]]:
    found, capitals, reported = [], [], set()
    classes, classify = spell.classes, spell.classify
    # Most words are settled by their form alone, once per process: one pass over the words
    # as strings; only a text with a suspect word is read again with offsets.
    suspect = False
    for word in _WORD.findall(text):
        kind = classes.get(word) or classify(word)
        if kind == IGNORE:
            continue
        if word[0].isupper():
            capitals.append(word)
        suspect = suspect or kind == CHECK
    if not suspect:
        return (), tuple(capitals)
    other = speller("en") if spell.lang == "de" else None
    for m in _WORD.finditer(text):
        word = m.group()
        if classes.get(word) != CHECK or word in reported:
            continue
        start, end = m.start(), m.end()
        if urls and _inside(urls, start):
            continue
        if text[end:end + 1].isdigit() or (start and text[start - 1].isdigit()):
            continue  # "1990ern", "G7"
        if text[end:end + 1] == "." and (
                spell.known(word + ".") or len(word) <= 4 and _continues(text, end + 1)):
            continue  # an abbreviation: "bzw.", "Chr.", or a short one the sentence runs past
        if start >= 2 and text[start - 1] == "-" and text[start - 2].isdigit():
            continue  # "3-wöchige"
        verdict, hint = spell.verdict(word)
        if verdict == UNKNOWN and other is not None and _in_foreign_name(
                text, start, end, other, word):
            continue  # "Bank of Scotland", "Game of Thrones" in a German text
        reported.add(word)
        found.append((start, end, word, verdict, hint))
    return tuple(found), tuple(capitals)


def _glued(text: str, spell: Speller, urls) -> tuple[tuple[int, int, str, str], ...]:
    found = []
    if spell.available:
        for m in WORD_RE.finditer(text):
            token = m.group()
            joins = case_joins(token)
            if not joins or (urls and _inside(urls, m.start())):
                continue
            cuts = [0, *joins, len(token)]
            pieces = [token[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
            for i in range(len(pieces) - 1):
                left, right = pieces[i], pieces[i + 1]
                if (len(left) >= 3 and len(right) >= 3 and left.lower() not in _NAME_PREFIXES
                        and not any(c.isdigit() for c in left + right)
                        and spell.derived(left) and spell.derived(right)):
                    found.append((m.start(), m.end(), token, _l(
                        "“%(token)s” looks like two words glued together: “%(left)s %(right)s”.",
                        token=_short(token), left=left, right=right)))
                    break
    for m in _NO_SPACE.finditer(text):
        left, mark, quote, right = m.groups()
        if mark in ".!?:" and not (right[0].isupper() and not right.isupper()):
            continue  # "datei.txt", "ASP.NET"; a sentence starts with a capital
        if urls and _inside(urls, m.start()):
            continue
        if len(found) >= 5 * MOST_PER_CODE:
            break
        found.append((m.start(), m.end(), m.group(), _l(
            "A space is missing after “%(mark)s” in “%(text)s”.", mark=mark,
            text=_short(m.group()))))
    return tuple(found)


def _leftovers(text: str, lang: str) -> list[Finding]:
    found: list[Finding] = []
    stripped = text.strip()
    if not stripped:
        return found
    bar = stripped.rfind("|")
    if bar > 0 and stripped[bar - 1].isspace():
        tail = stripped[bar + 1:].strip()
        if tail and len(tail) <= 60 and not _SENTENCE_END.search(tail):
            at = text.rfind("|")
            found.append((WEB_LEFTOVER, _l(
                "“| %(tail)s” looks like a site name left over from a web page.", tail=tail),
                f"| {tail}", (at, at + 1 + len(text[at + 1:].rstrip()))))
            return found
    for dash in (" - ", " – ", " — "):
        at = stripped.rfind(dash)
        if at > 0:
            tail = stripped[at + len(dash):].strip()
            if _SLUG.fullmatch(tail):
                found.append((WEB_LEFTOVER, _l(
                    "“%(tail)s” looks like a site section or URL slug left over from a web page.",
                    tail=tail), tail, None))
                return found
    if _SLUG.fullmatch(stripped) and not stripped.isdigit():
        found.append((WEB_LEFTOVER, _l(
            "“%(text)s” looks like a URL slug or site section left over from a web page.",
            text=_short(stripped)), _short(stripped, 255), None))
        return found
    for m in re.finditer(r"\S+", text):
        chunk = m.group().strip(".,;:!?()[]\"'“”„«»")
        slug = chunk.rsplit("/", 1)[-1] if "/" in chunk else chunk
        if _SLUG.fullmatch(slug) and "-" in slug and (
                "/" in chunk or slug.count("-") >= 3 or any(c.isdigit() for c in slug)
                and any(c.isalpha() for c in slug) and slug.count("-") >= 2):
            found.append((WEB_LEFTOVER, _l(
                "“%(text)s” looks like a URL slug left over from a web page.",
                text=_short(chunk)), _short(chunk, 255), (m.start(), m.end())))
    norm = " ".join(stripped.casefold().rstrip(" .:»›>→…").split())
    for phrase in NAVIGATION.get(lang, ()):
        if norm == phrase or (norm.endswith(" " + phrase)
                              and norm[: -len(phrase) - 1].rstrip()[-1:] in ".!?|»›•…"):
            found.append((WEB_LEFTOVER, _l(
                "“%(phrase)s” looks like navigation text left over from a web page.",
                phrase=phrase), phrase, None))
            break
    return found


def _quotes(text: str, lang: str) -> tuple[list[Finding], str, bool, bool]:
    """Return doubled marks, a definite imbalance, whether a quotation is open at the end,
    and whether the text starts by closing one (a quotation begun in an earlier segment)."""
    marks = [(m.start(), m.group()) for m in re.finditer(f"[{_QUOTE_MARKS}]", text)]
    if marks and marks[-1][1] in "»›" and text.rstrip().endswith(" " + marks[-1][1]):
        marks.pop()  # "Weiterlesen »": an arrow, not a quotation
    if not marks:
        return [], "", False, False
    # German „…“: “ closes; English “…”: “ opens. A German text without „ (the rest of a
    # quotation begun in the segment before) still closes with “. Guillemets pair either way.
    german = "„" in text or lang == "de" and "”" not in text
    openers = _OPENERS_DE if german else _OPENERS_EN
    doubled: list[Finding] = []
    for (a, x), (b, y) in zip(marks, marks[1:], strict=False):
        if not text[a + 1:b].strip() and (x == y or x in openers and y in openers[x]):
            pair = text[a:b + 1]
            doubled.append((QUOTES, _l(
                "Two quotation marks in a row ( %(pair)s ): one of them is a leftover, or the "
                "quotation is empty.", pair=pair), pair, (a, b + 1)))
            break
    stack: list[str] = []
    unmatched, straight, closes_first, seen = 0, 0, False, False
    for _, mark in marks:
        if mark == '"':
            straight += 1
            continue
        if stack and mark in openers[stack[-1]]:
            stack.pop()
        elif mark in openers:
            stack.append(mark)
        elif not seen:
            closes_first = True
        else:
            unmatched += 1
        seen = True
    problem = ""
    if straight % 2:
        problem = _l('An odd number of straight quotation marks ("): one is not closed.')
    elif unmatched:
        problem = _l("A closing quotation mark has no opening one.")
    return doubled, problem, bool(stack), closes_first


def _brackets(text: str) -> list[Finding]:
    stack: list[tuple[int, str]] = []
    for m in re.finditer(r"[()\[\]{}]", text):
        mark, at = m.group(), m.start()
        if mark in _BRACKETS:
            stack.append((at, mark))
        elif stack and stack[-1][1] == _CLOSING[mark]:
            stack.pop()
        elif mark == ")" and not stack and (
                at <= 4 and re.fullmatch(r"\s*\w{1,3}", text[:at])
                or text[max(0, at - 2):at].endswith((":", ";", ":-", ";-"))):
            continue  # a list item "a) …", "1) …", or a smiley ":)"
        else:
            return [(BRACKETS, _l("A closing “%(mark)s” has no opening “%(other)s”.",
                                  mark=mark, other=_CLOSING[mark]), "", (at, at + 1))]
    if stack:
        at, mark = stack[0]
        return [(BRACKETS, _l("An opening “%(mark)s” has no closing “%(other)s”.",
                              mark=mark, other=_BRACKETS[mark]), "", (at, at + 1))]
    return []


def _repeated(text: str, lang: str) -> list[Finding]:
    found: list[Finding] = []
    words = list(WORD_RE.finditer(text))
    legit = _LEGIT_DOUBLES.get(lang, frozenset())
    for i in range(1, len(words)):
        a, b = words[i - 1], words[i]
        wa = a.group().casefold()
        if wa != b.group().casefold() or wa.isdigit() or not text[a.end():b.start()].isspace():
            continue
        if wa in legit:
            before = text[words[i - 2].end():a.start()] if i >= 2 else ""
            if "," in before or i >= 2 and words[i - 2].group().casefold() in _DOUBLE_INTRO \
                    or lang == "en":
                continue
        found.append((REPEATED, _l("“%(first)s %(second)s”: the same word twice in a row.",
                                   first=_short(a.group()), second=_short(b.group())),
                      wa[:255], (a.start(), b.end())))
    return found


def _end_traits(text: str, lang: str, words: list[str]) -> tuple[bool, bool]:
    stripped = text.rstrip(_CLOSERS)
    ends = bool(stripped) and stripped[-1] in _ENDS
    mid = bool(stripped) and (stripped[-1] in ",-–(" or bool(words)
                              and words[-1] in FUNCTION_WORDS.get(lang, ()))
    return ends, mid


def _analyse(text: str, lang: str) -> Analysis:
    spell = speller(lang)
    urls = _url_mask(text)
    spelling, capitals = _spelling_candidates(text, spell, urls)
    doubled, problem, open_end, closes_first = _quotes(text, lang)
    words = [w.casefold() for w in WORD_RE.findall(text[:2000])]
    ends, mid = _end_traits(text, lang, [w.casefold() for w in WORD_RE.findall(text[-200:])])
    fixed = tuple(_leftovers(text, lang) + doubled + _brackets(text) + _repeated(text, lang))
    if doubled:  # one slip, one warning: the doubled mark also unbalances the rest
        problem, open_end, closes_first = "", False, False
    return Analysis(fixed, spelling, _glued(text, spell, urls), capitals, tuple(words[:50]),
                    ends, mid, problem, open_end, closes_first)


_MEMO: dict[tuple[str, str], Analysis] = {}
_MEMO_LIMIT = 200_000
_memo_lock = threading.Lock()


def analyse(text: str, lang: str) -> Analysis:
    """Return what one text holds, cached by language and text."""
    key = (lang, text)
    hit = _MEMO.get(key)
    if hit is None:
        hit = _analyse(text, lang)
        with _memo_lock:
            if len(_MEMO) >= _MEMO_LIMIT:
                _MEMO.clear()
            _MEMO[key] = hit
    return hit


# ---------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------


def glossary_words(glossary: Glossary) -> frozenset[str]:
    """Return every word of the glossary's terms, in any language, case-folded."""
    def build(entries) -> frozenset[str]:
        return frozenset(w.casefold() for e in entries for vs in e.terms.values() for v in vs
                         for w in WORD_RE.findall(v))
    return glossary.derived(("qa-words",), build)


@dataclass
class DocContext:
    """What a document knows: its words and names, and how its other segments look."""

    lang: str
    vocabulary: frozenset[str] = frozenset()
    names: Counter = field(default_factory=Counter)
    # Case-folded vocabulary and names, sorted, for "a known word starts with this stem".
    prefixes: list[str] = field(default_factory=list)
    # First three words -> [(first words, position)] of the segments, sorted.
    starts: dict[tuple[str, ...], list[tuple[tuple[str, ...], int]]] = field(
        default_factory=dict)
    punctuated: float = 1.0
    # Positions whose open or closing quotation mark another segment balances.
    quote_ok: set[int] = field(default_factory=set)

    def knows(self, word: str, spell: Speller) -> bool:
        """Tell whether the document vouches for a word the dictionary lacks."""
        folded = word.casefold()
        if folded in self.vocabulary:
            return True
        for stem in spell.stems(folded):
            if len(stem) >= 5:
                # Another word of the document that starts with the stem: the word's own
                # capitalised occurrence ("Regeirung") must not vouch for it.
                at = bisect_left(self.prefixes, stem)
                for known in self.prefixes[at:at + 2]:
                    if known.startswith(stem) and known != folded:
                        return True
        return False


    def ends_in_name(self, word: str) -> bool:
        """Tell whether a compound ends in a name the document uses ("Großmähren")."""
        return any(self.names.get(word[i].upper() + word[i + 1:])
                   for i in range(3, len(word) - 3))


def build_context(lang: str, targets: Iterable[tuple[int, str]], vocabulary: Iterable[str],
                  ) -> DocContext:
    """Gather a document's context from its (position, target) pairs, in position order."""
    ctx = DocContext(lang, frozenset(w.casefold() for w in vocabulary))
    ended = counted = 0
    carry: int | None = None
    unknown: Counter = Counter()
    for position, target in targets:
        if not target.strip():
            continue
        a = analyse(target, lang)
        ctx.names.update(a.capitals)
        unknown.update({w[2].casefold() for w in a.spelling})
        if len(a.words) >= 3:
            ctx.starts.setdefault(a.words[:3], []).append((a.words, position))
        if len(a.words) >= 4:
            counted += 1
            ended += a.ends
        if carry is not None and a.quote_closes_first:
            ctx.quote_ok.update((carry, position))
            carry = None
        if a.quote_open_at_end:
            carry = position
    ctx.punctuated = ended / counted if counted else 1.0
    for same in ctx.starts.values():
        same.sort()
    # A word the dictionary lacks that the document uses in three segments is its own term
    # (a slip is seldom made three times the same way by hand).
    own = {w for w, n in unknown.items() if n >= REPEATED_TERM}
    ctx.vocabulary = ctx.vocabulary | own
    ctx.prefixes = sorted(ctx.vocabulary | {n.casefold() for n in ctx.names})
    return ctx


def findings(text: str, ctx: DocContext, position: int) -> list[Finding]:
    """Return the slips of one segment's target in its document, each (code, key) once and
    at most MOST_PER_CODE of a code."""
    if not text.strip():
        return []
    a = analyse(text, ctx.lang)
    if not (a.fixed or a.glued or a.spelling or a.quote_problem or a.quote_open_at_end
            or a.quote_closes_first or not a.ends and len(a.words) >= 3):
        return []  # most segments: nothing the document could turn into a finding
    out, seen, per_code = [], set(), Counter()
    for finding in _findings(text, ctx, position):
        code, _, key, _ = finding
        if (code, key) in seen or per_code[code] >= MOST_PER_CODE:
            continue
        seen.add((code, key))
        per_code[code] += 1
        out.append(finding)
    return out


def _findings(text: str, ctx: DocContext, position: int) -> list[Finding]:
    if not text.strip():
        return []
    lang = ctx.lang
    a = analyse(text, lang)
    spell = speller(lang)
    out = list(a.fixed)
    for start, end, token, message in a.glued:
        if token.casefold() not in ctx.vocabulary:
            out.append((GLUED, message, token[:255], (start, end)))
    reported = set()
    for start, end, word, kind, hint in a.spelling:
        if word in reported or ctx.knows(word, spell):
            continue
        if kind == TYPO and (ctx.names[word] >= 2 or ctx.ends_in_name(word)):
            continue  # the document uses it as a name elsewhere, or as a compound's head
        reported.add(word)
        if lang in NOT_IN_DICTIONARY:
            missing = _l(NOT_IN_DICTIONARY[lang], word=_short(word))
        else:
            missing = _l("“%(word)s” is not in the %(lang)s dictionary.", word=_short(word),
                         lang=LANG_NAMES.get(lang, lang))
        if hint:
            message = _l("%(missing)s Did you mean “%(hint)s”? If it is right, add it to the "
                         "word list.", missing=missing, hint=hint)
        else:
            message = _l("%(missing)s If it is right, add it to the word list.",
                         missing=missing)
        out.append((SPELLING, message, word[:255], (start, end)))
    if not a.ends and len(a.words) >= 3:
        # The segments with the same first words, sorted: the first one after all copies of
        # these words starts with them if any longer one does (one search, not a scan).
        same = ctx.starts.get(a.words[:3], [])
        at = bisect_right(same, (a.words, float("inf")))
        longer = same[at] if at < len(same) and same[at][0][:len(a.words)] == a.words else None
        if longer is not None:
            out.append((TRUNCATED, _l("The segment repeats the start of segment %(number)s "
                                      "and stops there: a cut-off copy.",
                                      number=longer[1] + 1), "", None))
        else:
            if a.mid_clause and len(a.words) >= 4 and ctx.punctuated >= 0.5:
                tail = " ".join(text.split()[-3:])
                out.append((TRUNCATED, _l(
                    "The segment stops mid-clause (“… %(tail)s”) with no final punctuation, "
                    "while most segments have one.", tail=_short(tail)), "", None))
    if a.quote_problem:
        out.append((QUOTES, a.quote_problem, "", None))
    elif position not in ctx.quote_ok:
        if a.quote_open_at_end:
            out.append((QUOTES, _l("A quotation opens and is not closed, here or in the next "
                                   "segment."), "", None))
        elif a.quote_closes_first:
            out.append((QUOTES, _l("A closing quotation mark has no opening one, here or in "
                                   "the segment before."), "", None))
    return out


def clear_caches() -> None:
    """Forget every analysis and word verdict (a benchmark measures a cold start with it)."""
    with _memo_lock:
        _MEMO.clear()
    reset_spellers()
