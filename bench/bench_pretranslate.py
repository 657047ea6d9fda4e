"""Time the app's pre-translation path against CTranslate2 directly and Argos per segment.

On the same 1,000 German segments and the same Argos package (the tests' tiny de→en model,
built here and installed with Argos's own installer into a temporary packages folder):

  app     webapp.mt.translate_batch, what a pre-translation job runs
  (a)     ctranslate2.Translator.translate_batch on segments tokenised beforehand: the limit
  (b)     argostranslate.translate.translate called once per segment: what a user would do

Goals: app at least 0.9x the throughput of (a), and at least 5x that of (b).
Run: .venv/bin/python bench/bench_pretranslate.py [--segments 1000] [--slice 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # run from anywhere, without installing

PUD = ROOT.parent / "shared" / "testdata" / "text" / "ud_pud_en-de_parallel_0001-0500.tsv"


def german_segments(n: int) -> list[str]:
    """Return n distinct German sentences (real ones, numbered once they repeat)."""
    if PUD.exists():
        lines = PUD.read_text(encoding="utf-8").splitlines()[1:]
        base = [line.split("\t")[3] for line in lines if line.count("\t") == 3]
    else:
        from argos_tiny import CORPUS

        base = CORPUS.splitlines()[:12]
    return [s if i < len(base) else f"{s} (Nr. {i})" for i, s in
            ((i, base[i % len(base)]) for i in range(n))]


def main() -> None:
    """Build the package, run the three paths in turns, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--segments", type=int, default=1000)
    parser.add_argument("--slice", type=int, default=100,
                        help="segments per turn; the app path sees this many per call")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-pretranslate-"))
    os.environ["ARGOS_PACKAGES_DIR"] = str(work / "packages")
    import argostranslate.package
    import argostranslate.settings
    import ctranslate2
    import sentencepiece
    from argos_tiny import build_tiny_package

    from webapp.mt import engine as mt

    mt.configure(work / "packages")
    argostranslate.package.install_from_path(build_tiny_package(work, "de", "en"))
    (package,) = mt.route("de", "en")
    segments = german_segments(args.segments)
    settings = argostranslate.settings

    # (a) the limit: the same model and decoding options, tokens prepared beforehand.
    translator = ctranslate2.Translator(
        str(Path(package.package_path) / "model"), device=settings.device,
        inter_threads=settings.inter_threads, intra_threads=settings.intra_threads,
        compute_type=settings.compute_type)
    sp = sentencepiece.SentencePieceProcessor(
        model_file=str(Path(package.package_path) / "sentencepiece.model"))
    tokens = [sp.encode(s, out_type=str) for s in segments]

    def direct(part: slice):
        return translator.translate_batch(
            tokens[part], max_batch_size=32, beam_size=settings.beam_size, length_penalty=0.2,
            replace_unknowns=True)

    def app(part: slice):
        return mt.translate_batch(segments[part], "de", "en")

    import argostranslate.translate

    def per_segment(part: slice):
        return [argostranslate.translate.translate(s, "de", "en") for s in segments[part]]

    # Warm-up: load every model once, outside the timing.
    app(slice(0, 2)), direct(slice(0, 2)), per_segment(slice(0, 1))

    # The three paths take turns on slices of the same segments, each slice in a rotated
    # order, so a busy machine slows all three alike instead of whichever ran last.
    paths = {"app": app, "direct": direct, "argos": per_segment}
    wall = dict.fromkeys(paths, 0.0)
    cpu = dict.fromkeys(paths, 0.0)
    outputs: dict[str, list] = {k: [] for k in paths}
    step = args.slice
    for k, first in enumerate(range(0, len(segments), step)):
        part = slice(first, first + step)
        names = list(paths)[k % 3:] + list(paths)[:k % 3]
        for name in names:
            w, c = time.perf_counter(), time.process_time()
            outputs[name] += paths[name](part)
            wall[name] += time.perf_counter() - w
            cpu[name] += time.process_time() - c

    same = sum(a == sp.decode(r.hypotheses[0]).replace("▁", " ").strip()
               for a, r in zip(outputs["app"], outputs["direct"], strict=True))
    n = len(segments)
    print(f"bench_pretranslate: {n} German segments, tiny de→en Argos package, the three "
          f"paths taking turns on slices of {step}")
    print(f"  {'path':44} {'wall':>9} {'segments/s':>11} {'CPU':>9}")
    for name, label in (("app", "app: webapp.mt.translate_batch"),
                        ("direct", "(a) ctranslate2 on pre-tokenised segments"),
                        ("argos", "(b) argostranslate.translate per segment")):
        print(f"  {label:44} {wall[name]:7.2f} s {n / wall[name]:11.1f} {cpu[name]:7.2f} s")
    print(f"  app vs (a): {wall['direct'] / wall['app']:.2f}x the throughput "
          f"(CPU time: {cpu['direct'] / cpu['app']:.2f}x; goal >= 0.9x)")
    print(f"  app vs (b): {wall['argos'] / wall['app']:.2f}x the throughput "
          f"(CPU time: {cpu['argos'] / cpu['app']:.2f}x; goal >= 5x)")
    print(f"  identical outputs app vs (a): {same}/{n}")


if __name__ == "__main__":
    main()
