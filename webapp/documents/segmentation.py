"""Split German and English text into sentence segments that join back to the exact original."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from webapp.core.messages import _l
from webapp.core.text import primary_language

__all__ = [
    "ABBREVIATIONS",
    "LANGUAGES",
    "Span",
    "join_spans",
    "merge_spans",
    "split_span",
    "split_text",
]

LANGUAGES = ("de", "en")

# Abbreviations after which a full stop never ends a sentence, written without the stop.
# Deliberately absent: "usw", "etc", "usf", "Chr" ("v. Chr."), "Inc", "Ltd", "Co", because
# they often close a sentence; a following lower-case word already keeps them mid-sentence.
# Single letters ("z. B.", "S. 225", "Kim J. Un") and letter-dot chains ("u.a.", "U.S.")
# are recognised by shape, so they are not listed.
_GERMAN = """
    Abb Abh Abk Abs Abschn Abt Adr allg Anh Anl Anm Apr Aufl Aug Az
    Bd Bde Bearb bes betr Betr Bez Bhf bspw Bsp bzgl bzw
    ca Di Dipl Do Dr Dres dgl dt
    ebd eigtl engl entspr erg ev evtl exkl
    Fa Fam Feb Fr Frl frz geb Gebr gegr gem Ges gesch gest ggf ggfs Gr
    Hbf Hg hg hl Hl Hr Hrn Hrsg hrsg Ing Inh inkl insb ital
    Jh Jhd Jhs jr Jr jun Jul Jun
    kath Kfm kgl Kl Kr lat lfd luth
    Mär max med Mi Mill min Min mind Mio Mo Mrd mtl
    Nachf näml Nov Nr Nrn
    Okt Pf Pfd phil Pkt Pl Präs Prof
    rd Reg rer röm russ
    Sa sen Sep Sept sog sogen span Sr St Std Str stud
    tägl Tel Tsd ugs urspr
    Verf verh Verl verw vgl Vors vorm Wwe
    zahlr Ziff zit Zt zus zw zzgl zzt
"""

_ENGLISH = """
    Adm al approx Apr Aug Ave Blvd Bros Capt cf ch Ch Cmdr Col
    Dec Dept dept Dr ed eds est Feb fig Fig Fri Ft Gen Gov Hon Insp
    Jr Jul Jun Lt Maj Mar Messrs Mlle Mme Mon Mr Mrs Ms Mt Mx
    Nov Oct Pres Prof Rd Rep Rev Sat Sen Sep Sept Sgt Sr St Supt
    Thu Thur Thurs Tue Tues Univ viz vol Vol Vols vs Wed
"""

ABBREVIATIONS: dict[str, frozenset[str]] = {
    "de": frozenset(_GERMAN.split()),
    "en": frozenset(_ENGLISH.split()),
}

# These are ordinary words or names too ("eine neue Art.", "einen neuen Tab.", "Ich traf
# Jan.", "I said no."), so they only hold the sentence together when a number follows.
_BEFORE_NUMBER: dict[str, frozenset[str]] = {
    "de": frozenset({"Art", "Jan", "Kap", "Tab"}),
    "en": frozenset({"Art", "Jan", "No", "Nos", "no", "nos", "p", "pp"}),
}

_PUNCT = ".!?…‼⁇⁈⁉"
_CLOSERS = "\"'”“’‘»«›‹)]}"
# A quote standing alone between spaces (`hatte.“ “ Artyom`) is a stray closing quote.
_STRAY = '”“"»«'
# Characters that may open a sentence besides upper-case letters and digits.
_OPENERS = "„‚\"“‘'»«›‹([{¿¡"
_BULLETS = "•·‣◦▪▫■□●○*-–—"
# The characters str.splitlines() breaks on; all of them are also whitespace.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_HSPACE = f"[^\\S{_LINE_BREAKS}]"

_WS = re.compile(r"\s*")
# A whitespace run that contains a line break; the lookbehind starts it at the run's
# first character, so a long run of spaces is scanned once, not once per position.
_PARAGRAPH_GAP = re.compile(rf"(?<!\s)\s*[{_LINE_BREAKS}]\s*")
# A word: a run of non-space characters. Candidates for a sentence end are the words that
# end in terminal punctuation and optional closing quotes or brackets; they are found with
# string operations on each word, never with a backtracking pattern, so the time is linear.
_WORD = re.compile(r"\S+")
# A stray closing quote standing alone after the candidate belongs to its sentence.
_STRAY_AFTER = re.compile(rf"{_HSPACE}+[{re.escape(_STRAY)}]+(?=\s|\Z)")
# German ordinals: "am 3. Oktober", "1.-3. Jahrhundert", "III. Geschwaders".
_ORDINAL = re.compile(r"[-–]?(?:\d{1,3}\.?[-–/])?\d{1,3}|(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})")
# Numbered or lettered list items at the start of a line: "1. Introduction".
_LIST_MARKER = re.compile(r"\d{1,3}|[IVX]{1,6}|[^\W\d_]")
# Letter-dot chains: "z.B", "u.a", "U.S", "e.g", "Ph.D".
_DOTTED = re.compile(r"(?:[^\W\d_]{1,3}\.)+[^\W\d_]{1,4}")
_COMPOUND_SEP = re.compile(r"[-–/]")
# Anything but whitespace and list bullets: text before it means a sentence has begun.
_CONTENT = re.compile(rf"[^\s{re.escape(_BULLETS)}]")


@dataclass(frozen=True)
class Span:
    """One segment: its text, the exact whitespace after it, and its 0-based paragraph."""

    text: str
    trailing: str
    paragraph: int


def _language(lang: str) -> str:
    """Return "de" or "en" for a tag such as "de-DE" or "en_US", "" for any other language."""
    primary = primary_language(lang)
    # Other languages get the rules every language shares (initials, dotted abbreviations,
    # quotes, line ends) without an abbreviation list: better than refusing the document.
    return primary if primary in LANGUAGES else ""


def _ends_sentence(lang: str, token: str, at_segment_start: bool, next_char: str) -> bool:
    """Tell whether a full stop after token ends the sentence."""
    word = token.lstrip(_OPENERS)
    if not word:
        return True
    if lang == "de" and _ORDINAL.fullmatch(word):
        return False
    if at_segment_start and _LIST_MARKER.fullmatch(word):
        return False
    if len(word) == 1 and word.isalpha():
        return False
    if _DOTTED.fullmatch(word):
        return False
    # "Dipl.-Ing.", "Berliner-Str.": the abbreviation is the last part of the compound.
    word = _COMPOUND_SEP.split(word)[-1]
    abbreviations = ABBREVIATIONS.get(lang, frozenset())
    if word in abbreviations:
        return False
    if next_char.isdigit() and word in _BEFORE_NUMBER.get(lang, frozenset()):
        return False
    # Only at a sentence start is a capital a hint of "Ca. 20" rather than a name like "Max.".
    if at_segment_start and word[:1].lower() + word[1:] in abbreviations:
        return False
    return True


def _candidates(text: str, start: int, end: int) -> Iterator[tuple[int, int, str, str, str]]:
    """Yield (word start, cut, token, punctuation, closers) for words ending a sentence maybe."""
    taken = start
    for word in _WORD.finditer(text, start, end):
        if word.start() < taken:  # swallowed as the stray quote of the previous candidate
            continue
        body = word.group().rstrip(_CLOSERS)
        token = body.rstrip(_PUNCT)
        if len(token) == len(body):
            continue
        cut = word.end()
        stray = _STRAY_AFTER.match(text, cut, end)
        if stray:
            cut = stray.end()
        taken = cut
        yield word.start(), cut, token, body[len(token):], word.group()[len(body):]


def _sentence_ends(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """Return (end of sentence, start of next) pairs inside the line text[start:end]."""
    cuts = []
    content = _CONTENT.search(text, start, end)
    for word_start, cut, token, punct, close in _candidates(text, start, end):
        if cut >= end:
            break
        following = _WS.match(text, cut).end()
        next_char = text[following]
        if not (
            next_char.isupper()
            or next_char.istitle()
            or next_char.isdigit()
            or next_char in _OPENERS
        ):
            continue
        if punct == ".":
            # The segment's first content is searched once per segment, not per candidate.
            at_segment_start = content is None or content.start() >= word_start
            if close:
                # A quote or bracket closed after the stop ends the sentence, unless it
                # is a list marker such as "1.)".
                if at_segment_start and _LIST_MARKER.fullmatch(token):
                    continue
            elif not _ends_sentence(lang, token, at_segment_start, next_char):
                continue
        cuts.append((cut, following))
        content = _CONTENT.search(text, following, end)
    return cuts


def split_text(text: str, lang: str) -> tuple[str, list[Span]]:
    """Split text into (leading whitespace, sentence spans) that join back to text exactly."""
    lang = _language(lang)
    start = _WS.match(text).end()
    leading = text[:start]
    spans: list[Span] = []
    if start == len(text):
        return leading, spans
    # Every line ends a segment, so a heading or a list item never runs into the next line.
    lines = []
    for gap in _PARAGRAPH_GAP.finditer(text, start):
        lines.append((start, gap.start(), gap.end()))
        start = gap.end()
    if start < len(text):
        lines.append((start, len(text.rstrip()), len(text)))
    for paragraph, (line_start, line_end, next_line) in enumerate(lines):
        segment_start = line_start
        for cut, following in _sentence_ends(text, line_start, line_end, lang):
            spans.append(Span(text[segment_start:cut], text[cut:following], paragraph))
            segment_start = following
        spans.append(Span(text[segment_start:line_end], text[line_end:next_line], paragraph))
    return leading, spans


def join_spans(leading: str, spans: list[Span]) -> str:
    """Rebuild the original text from split_text's result."""
    return leading + "".join(span.text + span.trailing for span in spans)


def split_span(span: Span, offset: int) -> tuple[Span, Span]:
    """Cut a segment at a character offset of its text, as the editor's split does."""
    before, after = span.text[:offset], span.text[offset:]
    left, right = before.rstrip(), after.lstrip()
    if not 0 < offset < len(span.text) or not left or not right:
        raise ValueError(_l("Cannot split at character %(offset)s: both parts of the segment "
                            "need text.", offset=str(offset)))
    gap = before[len(left) :] + after[: len(after) - len(right)]
    return Span(left, gap, span.paragraph), Span(right, span.trailing, span.paragraph)


def merge_spans(first: Span, second: Span) -> Span:
    """Join a segment with the one after it, as the editor's merge does."""
    return Span(first.text + first.trailing + second.text, second.trailing, first.paragraph)
