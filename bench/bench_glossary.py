"""Benchmark glossary matching and term QA against a naive regex-per-term baseline."""

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from a checkout, no install needed

from webapp.glossary.checks import check_segment  # noqa: E402
from webapp.glossary.csvfile import load_csv  # noqa: E402
from webapp.glossary.entries import Entry, Glossary  # noqa: E402
from webapp.glossary.matching import find_terms  # noqa: E402

# Sentence pairs in the style of the seed article (our own English), cycled to build documents.
PAIRS = [
    (
        "Russland hat den UN-Sicherheitsrat (UNSC) zum ersten Mal seit Beginn der Bestrafung Pjöngjangs"
        " im Jahr 2006 öffentlich gespalten.",
        "Russia publicly split the UN Security Council (UNSC) for the first time since it began punishing"
        " Pyongyang in 2006.",
    ),
    (
        "Das kommunistische Nordkorea wurde in den frühen Tagen des Kalten Krieges mit Unterstützung der"
        " Sowjetunion gegründet.",
        "Communist North Korea was founded in the early days of the Cold War with the support"
        " of the Soviet Union.",
    ),
    (
        "Im Juli besuchte der russische Verteidigungsminister Sergej Schoigu Pjöngjang und sah die verbotenen"
        " ballistischen Raketen des Nordens.",
        "In July Russian defence minister Sergei Shoigu visited Pyongyang and saw the North's banned"
        " ballistic missiles.",
    ),
    (
        "Artyom Lukin, Professor an der Far Eastern Federal University in Wladiwostok, schrieb in einem"
        " Bericht für 38 North.",
        "Artyom Lukin, a professor at Far Eastern Federal University in Vladivostok, wrote in a report"
        " for 38 Nord.",
    ),
    (
        "Moskau hat bestritten, gegen die UN-Sanktionen verstoßen zu haben,"
        " zitierte die Nachrichtenagentur Interfax.",
        "Moscow has denied violating UN sanctions, the news agency Interfax reported.",
    ),
    (
        "Später kämpfte Nordkorea im Koreakrieg gegen den Süden und die Vereinten Nationen.",
        "Later North Korea fought the South and the United Nations in the Korean War.",
    ),
    (
        "Nach dem jüngsten Atomtest seines Landes im Jahr 2017 unternahm Kim Schritte.",
        "After his country's latest nuclear test in 2017, Kim took steps.",
    ),
    (
        "Die Beziehungen zwischen dem Kreml und Peking sind eng, sagten Analysten am Montag.",
        "Relations between the Kremlin and Beijing are close, analysts said on Monday.",
    ),
]


def pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvwz") + rng.choice("aeiou") for _ in range(rng.randint(2, 5)))


def document(size: int, seed: int = 1) -> list[tuple[str, str]]:
    # A unique made-up word and number per segment keeps the word-form cache honest.
    rng = random.Random(seed)
    segments = []
    for i in range(size):
        de, en = PAIRS[i % len(PAIRS)]
        word = pseudo_word(rng).capitalize()
        segments.append((f"{de} {word} Nr. {i}.", f"{en} {word} no. {i}."))
    return segments


def big_glossary(base: Glossary, extra: int, seed: int = 2) -> Glossary:
    rng = random.Random(seed)
    bigger = base.copy()
    while len(bigger) < len(base) + extra:
        de = " ".join(pseudo_word(rng).capitalize() for _ in range(rng.randint(1, 3)))
        if de.casefold() not in bigger:
            bigger.add(Entry(terms={"de": de, "en": pseudo_word(rng)}))
    return bigger


class NaiveBaseline:
    """One compiled regex per term variant, run over every segment: what a first version would do."""

    ENDINGS = "(?:s|es|e|en|n|er|em|ern|'s|’s)?"

    def __init__(self, glossary: Glossary, source_lang: str, target_lang: str) -> None:
        def rx(term: str) -> re.Pattern[str]:
            return re.compile(r"(?<!\w)" + re.escape(term) + self.ENDINGS + r"(?!\w)", re.IGNORECASE)

        self.rules = [
            (
                entry,
                [rx(v) for v in entry.variants(source_lang)],
                [rx(v) for v in entry.variants(target_lang)],
                [rx(v) for v in entry.forbidden_in(target_lang)],
            )
            for entry in glossary
        ]

    def check(self, source: str, target: str) -> list[str]:
        found = []
        for _entry, sources, targets, forbidden in self.rules:
            if any(r.search(source) for r in sources) and not any(r.search(target) for r in targets):
                found.append("missing_term")
            found += ["forbidden_term" for r in forbidden for _ in r.finditer(target)]
        return found


def timed(fn, repeat: int = 1) -> float:
    best = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best.append(time.perf_counter() - start)
    return statistics.median(best)


def report(label: str, glossary: Glossary, doc: list[tuple[str, str]], long_de: str, long_en: str) -> None:
    print(f"\n== {label}")
    naive = NaiveBaseline(glossary, "de", "en")

    def rebuild():
        glossary.replace_all(glossary.entries)  # what any edit does: drop the compiled matchers
        find_terms(glossary, "x", "de")
        find_terms(glossary, "x", "en")

    print(f"compile matchers after a change:         {timed(rebuild, repeat=5) * 1000:8.2f} ms")

    def keystroke():
        find_terms(glossary, long_en, "en")
        check_segment(glossary, long_de, long_en, "de", "en")

    ours = timed(keystroke, repeat=50)
    base = timed(lambda: naive.check(long_de, long_en), repeat=50)
    print(
        f"keystroke pause, 2,000-char segment:     {ours * 1000:8.2f} ms"
        f"   (naive re per term {base * 1000:.2f} ms, {base / ours:.1f}x)"
    )

    def rerun():
        glossary.add(Entry(terms={"de": "Hungersnot", "en": "famine"}))
        for de, en in doc:
            check_segment(glossary, de, en, "de", "en")
        glossary.remove("Hungersnot")

    ours_doc = timed(rerun, repeat=3)
    # The baseline is slow on a big glossary: time a slice and scale it up.
    sample = doc[: min(len(doc), 1_000)]
    base_doc = timed(lambda: [naive.check(de, en) for de, en in sample]) * len(doc) / len(sample)
    print(
        f"glossary change, QA over {len(doc):,} segments: {ours_doc:6.2f} s"
        f"   ({ours_doc / len(doc) * 1e6:.0f} µs/segment;"
        f" naive ~{base_doc:.2f} s, {base_doc / ours_doc:.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--segments", type=int, default=10_000)
    parser.add_argument(
        "--extra-entries", type=int, default=2_000, help="synthetic entries for the big glossary"
    )
    args = parser.parse_args()

    curated = load_csv((ROOT / "glossary.csv").read_bytes())
    doc = document(args.segments)
    long_de = " ".join(de for de, _ in doc[:16])[:2000]
    long_en = " ".join(en for _, en in doc[:16])[:2000]
    print(f"Python {sys.version.split()[0]}; long segment {len(long_de)} chars; document {len(doc)} segments")
    report(f"curated glossary ({len(curated)} entries)", curated, doc, long_de, long_en)
    bigger = big_glossary(curated, args.extra_entries)
    report(f"large glossary ({len(bigger)} entries)", bigger, doc, long_de, long_en)


if __name__ == "__main__":
    main()
