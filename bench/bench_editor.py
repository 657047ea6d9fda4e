"""Time the editor in Chromium: the first focused row, the save round trip, the first page's bytes.

The server is what `make serve` runs (gunicorn with gunicorn.conf.py, wsgi:app, via
tests/server_process.py) on a loopback port and a SQLite file, migrated with `init-db`, the
curated glossary and the seed article loaded with `seed`, an account made with `create-user`.
A 10,000-segment German review document (the UD PUD sentences, numbered) is uploaded through
the API beside the seed. Debian's Chromium, driven by Playwright, logs in through the form.

For each document:
- first focused row: milliseconds from the start of navigation to the moment the first row
  takes the focus (editor.js does it on DOMContentLoaded), read in the page with
  performance.now(); one cold load (the browser's cache off; the server's workers have
  served the page before) and the median of --repeat warm reloads;
- save round trip: Ctrl+Enter in an open row until the saved row is back in the page (the
  `segment-saved` event editor.js fires on its swap), median and worst of --saves saves in a
  row (each Ctrl+Enter also opens the next segment, as a translator goes on);
- first page bytes: the HTML and the CSS and JS it loads (no XHR, no icon), from the cold
  load's Resource Timing entries: as sent over the wire (transferSize) and unpacked.

Goals: first focused row under 250 ms, save round trip under 100 ms, first page under 120 KB.
Run: .venv/bin/python bench/bench_editor.py [--repeat 9] [--saves 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # run from anywhere, without installing

from server_process import PASSWORD, Server, app_env, flask, login, prepare, upload  # noqa: E402

PUD = ROOT.parent / "shared" / "testdata" / "text" / "ud_pud_en-de_parallel_0001-0500.tsv"
ARTICLE = ROOT / "translations" / "kim-putin.de.txt"
GOALS = {"first_row": 250.0, "save": 100.0, "bytes": 120 * 1024}
# Recorded in the page before any of its scripts runs.
PROBE = """
window.__bench = {};
document.addEventListener("focusin", function (ev) {
  if (window.__bench.firstRow === undefined && ev.target.matches && ev.target.matches("tr.seg")) {
    window.__bench.firstRow = performance.now();
  }
}, true);
window.addEventListener("keydown", function (ev) {
  if (ev.ctrlKey && ev.key === "Enter") window.__bench.saveStart = performance.now();
}, true);
document.addEventListener("segment-saved", function () {
  window.__bench.saved = performance.now();
}, true);
"""
def german_sentences(n: int) -> list[str]:
    """Return n distinct German sentences (numbered UD PUD sentences, else the seed's)."""
    if PUD.exists():
        lines = PUD.read_text(encoding="utf-8").splitlines()[1:]
        base = [f[3] for f in (line.split("\t") for line in lines) if len(f) == 4]
    else:
        base = [s.strip() + "." for s in ARTICLE.read_text(encoding="utf-8").split(". ")
                if s.strip()]
    return [f"{base[i % len(base)].rstrip('.')} [{i}]." for i in range(n)]


def log_in(page, base: str) -> None:
    """Log the page in through the form, as a translator does."""
    page.goto(base + "/login")
    page.get_by_label("User name").fill("storm")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


TIMING = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  return {first_byte: n.responseStart, html: n.responseEnd, dom: n.domInteractive,
          ready: n.domContentLoadedEventEnd, row: window.__bench.firstRow};
}"""


def first_row(page, url: str) -> dict:
    """Load the editor; return when (ms from navigation start) its first row took the focus,
    with the milestones before it."""
    page.goto(url)
    page.wait_for_function("() => window.__bench && window.__bench.firstRow !== undefined")
    return page.evaluate(TIMING)


def save_round_trips(page, saves: int) -> tuple[list[float], list[str]]:
    """Open the first row, then save with Ctrl+Enter `saves` times; return each round trip,
    and the rows after whose save the next one did not open by itself."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.keyboard.press("Enter")
    times, stuck = [], []
    for i in range(saves):
        editing = page.locator("tr.seg.editing textarea[name=target]")
        editing.wait_for()
        number = page.locator("tr.seg.editing").get_attribute("data-number")
        page.keyboard.type(f" {i}")
        page.evaluate("() => { window.__bench.saved = undefined; }")
        page.keyboard.press("Control+Enter")
        page.wait_for_function("() => window.__bench.saved !== undefined")
        times.append(page.evaluate("() => window.__bench.saved - window.__bench.saveStart"))
        # The next row opens; wait until it has, so that the next save starts from rest.
        try:
            page.locator(f'tr.seg.editing:not([data-number="{number}"])').wait_for(timeout=5000)
        except PlaywrightTimeout:
            stuck.append(number)
            page.locator(f'tr.seg[data-number="{int(number) + 1}"]').click()
    page.keyboard.press("Escape")
    return times, stuck


KINDS = {"document": "html", "stylesheet": "css", "script": "js"}


def cold_load(context, url: str) -> tuple[dict, dict]:
    """Load the editor with the browser's cache off; return its timing and the bytes of its
    HTML, CSS and JS as [sent (headers and body), unpacked]."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    timing = first_row(page, url)
    sizes = {kind: [0, 0] for kind in KINDS.values()}
    for request in finished:
        kind = KINDS.get(request.resource_type)
        if kind is not None:
            sent = request.sizes()
            sizes[kind][0] += sent["responseBodySize"] + sent["responseHeadersSize"]
            sizes[kind][1] += len(request.response().body())
    page.close()
    return timing, sizes


def measure(browser, base: str, url: str, repeat: int, saves: int) -> dict:
    """Return the figures of one document."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="de-DE")
    context.add_init_script(PROBE)
    page = context.new_page()
    log_in(page, base)
    # "Cold" is the browser's cache, not gunicorn's workers: each has served the page once.
    for _ in range(6):
        page.request.get(url)
    cold, sizes = cold_load(context, url)
    warm = [first_row(page, url) for _ in range(repeat)]
    trips, stuck = save_round_trips(page, saves)
    context.close()
    mid = {k: statistics.median(w[k] for w in warm) for k in warm[0]}
    return {"cold": cold, "warm": mid, "trips": trips, "stuck": stuck, "sizes": sizes}


def report(name: str, fig: dict) -> list[str]:
    """Print one document's figures; return the goals it misses."""
    trip = statistics.median(fig["trips"])
    s = fig["sizes"]
    wire = s["html"][0] + s["css"][0] + s["js"][0]
    unpacked = s["html"][1] + s["css"][1] + s["js"][1]
    print(f"{name}:")
    for label, t in (("cold (no cache)", fig["cold"]), ("warm (median)", fig["warm"])):
        print(f"  first focused row  {label:16} {t['row']:5.0f} ms   (first byte {t['first_byte']:.0f},"
              f" HTML in {t['html']:.0f}, DOM {t['dom']:.0f}, scripts run {t['ready']:.0f})"
              f"   goal < {GOALS['first_row']:.0f} ms")
    print(f"  save round trip    median {trip:5.1f} ms, worst {max(fig['trips']):5.1f} ms"
          f" over {len(fig['trips'])} saves   goal < {GOALS['save']:.0f} ms")
    if fig["stuck"]:
        print(f"  NOTE: after saving row(s) {', '.join(fig['stuck'])} the next row did not open by"
              " itself (it had to be clicked)")
    print(f"  first page         {wire / 1024:5.1f} KB sent ({unpacked / 1024:.1f} KB unpacked:"
          f" HTML {s['html'][1] / 1024:.1f}, CSS {s['css'][1] / 1024:.1f},"
          f" JS {s['js'][1] / 1024:.1f})   goal < {GOALS['bytes'] / 1024:.0f} KB")
    missed = []
    if max(fig["cold"]["row"], fig["warm"]["row"]) >= GOALS["first_row"]:
        missed.append(f"{name}: first focused row")
    if trip >= GOALS["save"]:
        missed.append(f"{name}: save round trip")
    if wire >= GOALS["bytes"]:
        missed.append(f"{name}: first page bytes")
    return missed


def main() -> None:
    """Start the server, build the documents, measure each, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="warm reloads per document")
    parser.add_argument("--saves", type=int, default=15, help="saves per document")
    parser.add_argument("--segments", type=int, default=10_000, help="the long document's")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-editor-"))
    (work / "argos").mkdir()
    env = app_env(f"sqlite:///{work / 'bench.sqlite'}", work / "instance",
                  ARGOS_PACKAGES_DIR=str(work / "argos"))
    server = None
    try:
        prepare(env)
        flask(env, "seed")  # the curated glossary and the seed article (document 1)
        server = Server(env, work / "gunicorn.log").start()
        token = login(server.port)
        long_doc = upload(server.port, token, german_sentences(args.segments),
                          name="long.de.txt", mode="review")
        base = f"http://127.0.0.1:{server.port}"
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        print(f"bench_editor: gunicorn -c gunicorn.conf.py on loopback, SQLite; Debian Chromium "
              f"({chromium}); {args.repeat} warm loads, {args.saves} saves per document")
        missed = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium,
                                         args=["--no-sandbox", "--disable-gpu"])
            for name, doc in (("seed article (38 segments)", 1),
                              (f"long document ({args.segments:,} segments)", long_doc)):
                missed += report(name, measure(browser, base, f"{base}/documents/{doc}",
                                               args.repeat, args.saves))
            browser.close()
        print("goals missed: " + ("; ".join(missed) if missed else "none"))
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
