"""The dictionary panel's lookups in Debian's FreeDict deu-eng (519,000 index lines, 100 MB of
articles in dictzip chunks): the cost of the first lookup in a process (opening the index),
then of a lookup of every distinct word of the seed article, against reading the whole
dictionary with gzip once, which is what a lookup without dictzip random access would cost.

Prints: open (s), lookups (n, median and p95 ms, max ms), words with a hit, and the ratio of
one gzip read to the median lookup.
Run: .venv/bin/python bench/bench_dictionary.py
"""

from __future__ import annotations

import gzip
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp.glossary import dictionary  # noqa: E402


def main() -> None:
    """Time the first lookup, then every word of the seed, and one full gzip read."""
    book = dictionary.Dictionary()
    if not book.available:
        sys.exit(dictionary.INSTALL_HINT)
    started = time.perf_counter()
    book.lookup("Waffe")
    opened = time.perf_counter() - started
    text = (ROOT / "translations" / "kim-putin.de.txt").read_text()
    words = sorted(set(re.findall(r"[^\W\d_]+", text)))
    times, found = [], 0
    for word in words:
        t0 = time.perf_counter()
        found += bool(book.lookup(word))
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    t0 = time.perf_counter()
    gzip.open(book.base + ".dict.dz").read()
    whole = time.perf_counter() - t0
    median = statistics.median(times)
    print(f"first lookup (opens the index): {opened:.2f} s")
    print(f"lookups: {len(times)} words of the seed, median {median:.2f} ms, "
          f"p95 {times[int(len(times) * 0.95)]:.2f} ms, max {times[-1]:.1f} ms")
    print(f"words with a hit: {found} of {len(words)}")
    print(f"one gzip read of the whole dictionary: {whole:.2f} s "
          f"= {whole * 1000 / median:,.0f} x a median lookup")


if __name__ == "__main__":
    main()
