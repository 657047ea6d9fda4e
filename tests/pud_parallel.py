"""Real parallel news for the aligner: PUD documents, with English sentences joined and split."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

PUD_NAME = "text/ud_pud_en-de_parallel_0001-0500.tsv"


@dataclass
class Parallel:
    """German segments, English sentences and the links that are right."""

    de: list[str]
    en: list[str]
    gold: set[tuple[tuple[int, ...], tuple[int, ...]]]


def load_documents(testdata: Path) -> list[list[tuple[str, str]]]:
    """Return the PUD pairs (English, German) grouped into their documents, in file order."""
    docs: dict[str, list[tuple[str, str]]] = {}
    with (testdata / PUD_NAME).open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            docs.setdefault(row["doc_id"], []).append((row["en_source"], row["de_reference"]))
    return list(docs.values())


def _split_sentence(text: str, rng: random.Random) -> tuple[str, str] | None:
    words = text.split(" ")
    if len(words) < 6:
        return None
    cut = rng.randint(len(words) // 3, 2 * len(words) // 3)
    return " ".join(words[:cut]), " ".join(words[cut:])


def perturb(pairs: list[tuple[str, str]], seed: int, rate: float = 0.1) -> Parallel:
    """Return the document with about `rate` of its English joined (2:1) and as much split (1:2)."""
    rng = random.Random(seed)
    out = Parallel([], [], set())
    k = 0
    while k < len(pairs):
        en, de = pairs[k]
        roll = rng.random()
        if roll < rate and k + 1 < len(pairs):
            en2, de2 = pairs[k + 1]
            out.gold.add(((len(out.de), len(out.de) + 1), (len(out.en),)))
            out.de += [de, de2]
            out.en.append(f"{en} {en2}")
            k += 2
            continue
        halves = _split_sentence(en, rng) if roll < 2 * rate else None
        if halves:
            out.gold.add(((len(out.de),), (len(out.en), len(out.en) + 1)))
            out.en += list(halves)
        else:
            out.gold.add(((len(out.de),), (len(out.en),)))
            out.en.append(en)
        out.de.append(de)
        k += 1
    return out


def concatenate(parts: list[Parallel]) -> Parallel:
    """Return one long document made of several, the links renumbered."""
    out = Parallel([], [], set())
    for part in parts:
        d, e = len(out.de), len(out.en)
        out.gold |= {(tuple(i + d for i in de), tuple(j + e for j in en)) for de, en in part.gold}
        out.de += part.de
        out.en += part.en
    return out


def score(links, gold: set) -> tuple[float, float]:
    """Return the precision and recall of predicted links against the right ones."""
    found = {(tuple(link.de), tuple(link.en)) for link in links}
    right = len(found & gold)
    return right / max(len(found), 1), right / max(len(gold), 1)
