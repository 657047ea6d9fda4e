"""The scores report, its downloads, API and CLI: sacrebleu's figures, cached, never on a save."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from browser import browser_login, screenshot
from conftest import PASSWORD
from sacrebleu.metrics import BLEU, CHRF, TER

from webapp.core.db import get_sessionmaker
from webapp.core.models import Job, Revision, Segment
from webapp.scores import metrics as scoring

HX = {"HX-Request": "true"}
MT = [
    "Der Präsident sagte am Montag, die Gespräche seien „sehr konstruktiv“ gewesen.",
    "Die Regierung in Berlin wollte sich dazu nicht äußern.",
    "Das Treffen findet im nächsten Monat statt.",
    "Beide Seiten betonten die Bedeutung der Zusammenarbeit.",
    "Ein Sprecher bestätigte die Angaben am Abend.",
]
# Post-edits: a German-quotes fix, an emptied target, the MT accepted unchanged, a rewrite.
EDITS = {
    0: "Der Präsident sagte am Montag, die Gespräche seien „äußerst konstruktiv“ gewesen.",
    1: "",
    2: MT[2],
    3: "Beide Seiten betonten, wie wichtig die Zusammenarbeit sei.",
}
HOSTILE = '</title><script>alert("x")</script> & <b>fett</b> =1+2'


def settle(app) -> None:
    """Wait until the background worker has run all it was given, and what that queued."""
    executor = app.extensions["webapp.jobs"].executor
    for _ in range(3):
        executor.submit(lambda: None).result(timeout=120)


def import_doc(client, sentences, name="bericht.de.txt") -> int:
    """Import sentences, one paragraph each, as a review document; return its id."""
    data = "\n\n".join(sentences).encode()
    resp = client.post("/documents", data={
        "file": (io.BytesIO(data), name), "source_lang": "en", "target_lang": "de",
        "mode": "review",
    }, content_type="multipart/form-data")
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def segments(client, doc_id) -> list[dict]:
    """Return the document's segments through the API."""
    return client.get(f"/api/documents/{doc_id}/segments?limit=1000").get_json()["segments"]


def save(client, seg: dict, text: str, seconds: float = 10.0):
    """Save a target from the edit row, based on the segment's current version."""
    current = client.get(f"/api/segments/{seg['id']}").get_json()
    resp = client.post(f"/segments/{seg['id']}", headers=HX, data={
        "target": text, "version": str(current["version"]), "seconds": str(seconds)})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp


def scores(app, client, doc_id) -> dict:
    """Return the document's fresh scores from the API, letting the background job finish."""
    resp = client.get(f"/api/documents/{doc_id}/scores")
    if resp.status_code == 202:
        settle(app)
        resp = client.get(f"/api/documents/{doc_id}/scores")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


@pytest.fixture
def doc(client):
    """Return a five-segment review document with four segments post-edited."""
    doc_id = import_doc(client, MT)
    segs = segments(client, doc_id)
    assert [s["target"] for s in segs] == MT
    for index, text in EDITS.items():
        save(client, segs[index], text, seconds=10.0 + index)
    return doc_id


def edited_pairs():
    """Return the (MT drafts, post-edits) of the post-edited segments."""
    return [MT[i] for i in EDITS], list(EDITS.values())


def all_pairs():
    """Return every MT draft and the current target (an untouched draft is its own target)."""
    return list(MT), [EDITS.get(i, text) for i, text in enumerate(MT)]


def test_corpus_figures_equal_sacrebleus_own(app, client, doc):
    data = scores(app, client, doc)
    bleu, chrf, ter = BLEU(), CHRF(), TER()
    # The headline covers all MT drafts against the current targets.
    hyps, refs = all_pairs()
    assert data["bleu"] == bleu.corpus_score(hyps, [refs]).score
    assert data["chrf"] == chrf.corpus_score(hyps, [refs]).score
    assert data["ter"] == ter.corpus_score(hyps, [refs]).score
    assert data["signature"] == {"bleu": bleu.get_signature().format(),
                                 "chrf": chrf.get_signature().format(),
                                 "ter": ter.get_signature().format()}
    assert data["post_edited"] == 4 and data["with_mt"] == 5
    # The post-edited segments alone are reported beside it.
    hyps, refs = edited_pairs()
    assert data["post_edited_figures"]["bleu"] == bleu.corpus_score(hyps, [refs]).score
    assert data["post_edited_figures"]["ter"] == ter.corpus_score(hyps, [refs]).score

    html = client.get(f"/documents/{doc}/report").get_data(as_text=True)
    row = re.search(r'<tr id="fig-post_edited">(.*?)</tr>', html, re.S).group(1)
    printed = [f"{m.corpus_score(hyps, [refs]).score:.1f}" for m in (bleu, chrf, ter)]
    assert re.findall(r'<td class="n fig">([^<]*)</td>', row) == printed
    assert bleu.get_signature().format() in html and ter.get_signature().format() in html


def test_segment_scores_equal_sacrebleus_sentence_scores(app, client, doc):
    data = scores(app, client, doc)
    by_number = {s["number"]: s for s in data["segments"]}
    bleu, chrf, ter = BLEU(effective_order=True), CHRF(), TER()
    for index, text in EDITS.items():
        got = by_number[index + 1]
        assert got["bleu"] == bleu.sentence_score(MT[index], [text]).score
        assert got["chrf"] == chrf.sentence_score(MT[index], [text]).score
        assert got["ter"] == ter.sentence_score(MT[index], [text]).score
    # The untouched draft is scored against itself, and flagged as not post-edited.
    untouched = by_number[5]
    assert untouched["post_edited"] is False
    assert untouched["bleu"] == bleu.sentence_score(MT[4], [MT[4]]).score
    assert untouched["ter"] == ter.sentence_score(MT[4], [MT[4]]).score == 0.0


def test_the_segment_row_shows_hter_once_scored_in_the_background(app, client, doc):
    settle(app)
    seg = segments(client, doc)[0]
    row = client.get(f"/segments/{seg['id']}").get_data(as_text=True)
    expected = TER().sentence_score(MT[0], [EDITS[0]]).score
    assert f"HTER {round(expected)}</span>" in row
    assert f"TER {expected:.1f}" in row and "BLEU" in row

    untouched = client.get(f"/segments/{segments(client, doc)[4]['id']}").get_data(as_text=True)
    assert "HTER" not in untouched and "seg-scores" not in untouched


def test_saving_computes_no_score_in_the_request(app, client, doc, monkeypatch):
    scores(app, client, doc)
    calls = []
    for name in ("score_corpus", "score_segment"):
        real = getattr(scoring, name)

        def counting(*args, _real=real, _name=name, **kwargs):
            calls.append((_name, threading.current_thread() is threading.main_thread()))
            return _real(*args, **kwargs)

        monkeypatch.setattr(scoring, name, counting)

    seg = segments(client, doc)[4]
    row = save(client, seg, "Ein Sprecher bestätigte am Abend die Angaben.").get_data(as_text=True)
    assert not [c for c in calls if c[1]], "the save request scored something itself"
    # Unless the worker was quicker than the response, the row asks again shortly.
    assert "HTER" in row or f"/segments/{seg['id']}/scores?tries=1" in row
    client.get(f"/documents/{doc}")
    assert not [c for c in calls if c[1]], "the editor page scored something itself"
    settle(app)
    assert ("score_segment", False) in calls
    assert not [c for c in calls if c[0] == "score_corpus"], "a save rescored the document"
    polled = client.get(f"/segments/{seg['id']}/scores?tries=1").get_data(as_text=True)
    assert "HTER" in polled


def test_a_storm_of_saves_to_one_segment_scores_it_once_with_the_last_text(app, client, doc,
                                                                            monkeypatch):
    from webapp.scores import scorer

    settle(app)
    calls, batches = [], []
    real = scoring.score_segment
    monkeypatch.setattr(scoring, "score_segment",
                        lambda hyp, ref: calls.append((hyp, ref)) or real(hyp, ref))
    real_refresh = scorer.refresh_segments
    monkeypatch.setattr(scorer, "refresh_segments",
                        lambda db, ids, pace=None: batches.append(set(ids))
                        or real_refresh(db, ids, pace))
    seg = segments(client, doc)[4]
    texts = [f"Ein Sprecher bestätigte die Angaben, Fassung {n}." for n in range(12)]
    # The background worker is busy meanwhile, as it would be under a storm of saves.
    gate = threading.Event()
    app.extensions["webapp.jobs"].executor.submit(gate.wait, 60)
    try:
        for text in texts:
            save(client, seg, text)
    finally:
        gate.set()
    settle(app)
    assert batches == [{seg["id"]}], "one batch for the storm, not one per save"
    assert calls == [(MT[4], texts[-1])], "one scoring per segment, not one per save"
    row = client.get(f"/segments/{seg['id']}").get_data(as_text=True)
    assert f"HTER {round(TER().sentence_score(MT[4], [texts[-1]]).score)}</span>" in row
    # Each revision is scored when it is read: the history has all twelve, the report too.
    data = scores(app, client, doc)
    got = next(s for s in data["segments"] if s["id"] == seg["id"])
    assert got["ter"] == TER().sentence_score(MT[4], [texts[-1]]).score
    assert got["bleu"] == BLEU(effective_order=True).sentence_score(MT[4], [texts[-1]]).score
    html = client.get(f"/segments/{seg['id']}/history", headers=HX).get_data(as_text=True)
    against_previous = TER().sentence_score(texts[-2], [texts[-1]]).score
    assert f"TER {against_previous:.1f} against the previous" in html


def test_background_rescoring_rests_so_that_saves_keep_their_share(monkeypatch):
    from webapp.scores import scorer

    now, slept = [0.0], []
    monkeypatch.setattr(scorer.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(scorer.time, "sleep", lambda s: slept.append(s) or None)
    pace = scorer.Pacer(share=0.2, slice_seconds=0.002)
    now[0] = 0.001
    pace()  # within its slice: works on
    now[0] = 0.003
    pace()  # 3 ms of work: rests four times as long
    assert slept == [pytest.approx(0.012)]


def test_a_save_invalidates_the_cached_document_scores(app, client, doc, monkeypatch):
    before = scores(app, client, doc)
    corpus_calls = []
    real = scoring.score_corpus
    monkeypatch.setattr(scoring, "score_corpus",
                        lambda *a, **k: corpus_calls.append(1) or real(*a, **k))
    # Fresh figures come from the cache, however often they are asked for.
    for _ in range(3):
        assert client.get(f"/api/documents/{doc}/scores").status_code == 200
    settle(app)
    assert corpus_calls == []

    save(client, segments(client, doc)[4], "Ein Sprecher bestätigte am Abend alles.")
    stale = client.get(f"/api/documents/{doc}/scores")
    assert stale.status_code == 202 and stale.get_json()["status"] == "computing"
    # The last figures stay visible until the new ones are in.
    assert stale.get_json()["bleu"] == before["bleu"]
    after = scores(app, client, doc)
    hyps, refs = edited_pairs()
    hyps.append(MT[4])
    refs.append("Ein Sprecher bestätigte am Abend alles.")
    assert after["post_edited"] == 5
    assert after["bleu"] == BLEU().corpus_score(hyps, [refs]).score != before["bleu"]
    assert after["ter"] == TER().corpus_score(hyps, [refs]).score


def test_the_report_page_polls_while_scoring_and_swaps_in_the_result(app, client, doc):
    html = client.get(f"/documents/{doc}/report").get_data(as_text=True)
    match = re.search(r'hx-get="(/jobs/(\d+))"', html)
    assert match and 'id="report-status"' in html
    settle(app)
    resp = client.get(match.group(1), headers=HX)
    # The finished job tells the page, and the report, listening, reloads itself.
    finished = json.loads(resp.headers["HX-Trigger"])["job-finished"]
    assert finished["id"] == int(match.group(2)) and finished["kind"] == "score"
    report = re.search(r'<div id="report"[^>]* hx-get="([^"]+)" hx-trigger="job-finished '
                       r'from:body"', html)
    assert report, html[:500]
    resp = client.get(report.group(1).replace("&amp;", "&"),
                      headers={**HX, "HX-Target": "report"})
    body = resp.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="report"') and "report-status" not in body


def test_approved_targets_are_scored_separately(app, client, client_as, doc):
    segs = segments(client, doc)
    editor = client_as("editor")
    resp = editor.post(f"/segments/{segs[3]['id']}/state", headers=HX,
                       data={"state": "approved"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    # A later change keeps the approved text on record as approved.
    save(client, segs[0], EDITS[0] + " Danach.")
    data = scores(app, client, doc)
    approved = data["approved"]
    assert approved["segments"] == 1
    assert approved["bleu"] == BLEU().corpus_score([MT[3]], [[EDITS[3]]]).score
    assert approved["ter"] == TER().corpus_score([MT[3]], [[EDITS[3]]]).score
    html = client.get(f"/documents/{doc}/report").get_data(as_text=True)
    assert 'id="fig-approved"' in html and "nothing approved yet" not in html


def test_a_segment_rescored_after_a_save_keeps_its_approved_text(app, client, client_as, doc):
    from webapp.core.models import SegmentScore
    from webapp.scores import facts

    segs = segments(client, doc)
    editor = client_as("editor")
    # Segment 4 approved by review, then rejected; segment 3 approved, fixed by the editor
    # (saved as approved), then rejected. A translator then saves both.
    for seg, fix in ((segs[3], None), (segs[2], "Das Treffen findet im Juni statt.")):
        editor.post(f"/segments/{seg['id']}/state", headers=HX, data={"state": "approved"})
        if fix:
            save(editor, seg, fix)
        editor.post(f"/segments/{seg['id']}/state", headers=HX,
                    data={"state": "rejected", "comment": "Bitte noch einmal."})
        save(client, seg, f"Neu: {MT[segs.index(seg)]}")
    settle(app)
    with app.app_context(), get_sessionmaker(app)() as db:
        for seg, approved in ((segs[3], EDITS[3]), (segs[2], "Das Treffen findet im Juni statt.")):
            mt = MT[segs.index(seg)]
            row = db.get(SegmentScore, seg["id"])
            assert row.digest == scoring.digest(mt, f"Neu: {mt}")
            assert row.approved_digest == scoring.digest(mt, approved)
            assert row.approved_ter == TER().sentence_score(mt, [approved]).score
        # The rescoring reads no whole history, yet finds the approved texts a full read does.
        ids = [s["id"] for s in segs]
        light = facts.gather(db, doc, ids, history=False).segments
        assert [s.approved for s in light] == [s.approved for s in facts.gather(db, doc,
                                                                                     ids).segments]


def test_marking_an_untouched_draft_translated_is_a_post_edit_of_no_edits(app, client, doc):
    seg = segments(client, doc)[4]
    resp = client.post(f"/segments/{seg['id']}/state", headers=HX, data={"state": "translated"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    data = scores(app, client, doc)
    assert data["post_edited"] == 5
    assert data["segments"][4]["ter"] == 0.0
    report = client.get(f"/documents/{doc}/report.json").get_json()
    # The emptied segment (EDITS[1]) is new, not translated: 4 of the 5 are.
    assert report["progress"][-1]["translated"] == 4


def test_a_reference_with_the_wrong_segment_count_is_refused(app, client, client_as, doc):
    editor = client_as("editor")
    resp = editor.post(f"/documents/{doc}/reference", data={
        "file": (io.BytesIO(b"Nur eine Zeile.\nUnd noch eine.\n"), "ref.txt")},
        content_type="multipart/form-data")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "The reference has 2 segments; the document has 5." in html
    assert scores(app, client, doc)["reference"] is None


def test_a_reference_scores_the_mt_and_the_post_edits(app, client, client_as, doc):
    reference = [
        "Der Präsident sagte am Montag, die Gespräche seien „sehr konstruktiv“ verlaufen.",
        "Die Bundesregierung wollte sich dazu nicht äußern.",
        "Das Treffen ist für den nächsten Monat geplant.",
        "Beide Seiten hoben hervor, wie wichtig die Zusammenarbeit sei.",
        "Ein Sprecher bestätigte am Abend die Angaben.",
    ]
    editor = client_as("editor")
    resp = editor.post(f"/documents/{doc}/reference", data={
        "file": (io.BytesIO(("\n".join(reference) + "\n").encode()), "ref.de.txt")},
        content_type="multipart/form-data")
    assert resp.status_code == 303
    data = scores(app, client, doc)
    targets = [EDITS.get(i, MT[i]) for i in range(5)]
    ref = data["reference"]
    assert ref["name"] == "ref.de.txt"
    assert ref["mt"]["bleu"] == BLEU().corpus_score(MT, [reference]).score
    assert ref["mt"]["chrf"] == CHRF().corpus_score(MT, [reference]).score
    assert ref["post_edited"]["ter"] == TER().corpus_score(targets, [reference]).score
    html = client.get(f"/documents/{doc}/report").get_data(as_text=True)
    assert "MT drafts against the reference" in html and "ref.de.txt" in html


def test_the_target_side_of_an_xliff_file_is_a_reference(app, client, client_as, doc):
    reference = [text.replace("die", "jene") for text in MT]
    units = "".join(
        f'<trans-unit id="{i}"><source>x</source><target>{text}</target></trans-unit>'
        for i, text in enumerate(reference, 1))
    xlf = ('<?xml version="1.0" encoding="UTF-8"?><xliff version="1.2" '
           'xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en" '
           f'target-language="de" datatype="plaintext" original="x"><body>{units}</body>'
           "</file></xliff>")
    editor = client_as("editor")
    resp = editor.post(f"/documents/{doc}/reference", data={
        "file": (io.BytesIO(xlf.encode()), "ref.xlf")}, content_type="multipart/form-data")
    assert resp.status_code == 303, resp.get_data(as_text=True)
    ref = scores(app, client, doc)["reference"]
    assert ref["mt"]["bleu"] == BLEU().corpus_score(MT, [reference]).score
    short = xlf.replace(units, units.split("</trans-unit>", 1)[0] + "</trans-unit>")
    resp = editor.post(f"/documents/{doc}/reference", data={
        "file": (io.BytesIO(short.encode()), "short.xlf")}, content_type="multipart/form-data")
    assert resp.status_code == 400
    assert "The reference has 1 segment; the document has 5." in resp.get_data(as_text=True)


def test_a_split_after_the_upload_says_the_reference_no_longer_lines_up(app, client,
                                                                        client_as, doc):
    editor = client_as("editor")
    editor.post(f"/documents/{doc}/reference", data={
        "file": (io.BytesIO("\n".join(MT).encode()), "ref.txt")},
        content_type="multipart/form-data")
    seg = segments(client, doc)[2]
    assert client.post(f"/segments/{seg['id']}/split", headers=HX,
                       data={"offset": "11"}).status_code == 200
    html = client.get(f"/documents/{doc}/report").get_data(as_text=True)
    assert "no longer lines up" in html
    assert scores(app, client, doc)["reference"] is None


def test_csv_lists_every_segment_and_neutralises_formulas(app, client, doc):
    segs = segments(client, doc)
    for seg, text in zip(segs[:4], ["=HYPERLINK(\"http://x\")", "+49 30 1234", "-1", "@SUM(A1)"],
                         strict=True):
        save(client, seg, text)
    settle(app)
    resp = client.get(f"/documents/{doc}/report.csv")
    assert resp.mimetype == "text/csv"
    assert 'filename="bericht.de.scores.csv"' in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["number"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert [r["target"] for r in rows[:4]] == [
        "'=HYPERLINK(\"http://x\")", "'+49 30 1234", "'-1", "'@SUM(A1)"]
    assert rows[0]["hter"] == f"{TER().sentence_score(MT[0], [rows[0]['target'][1:]]).score:.2f}"
    assert rows[4]["post_edited"] == "no" and rows[4]["hter"] == ""


def test_the_json_report_holds_figures_segments_people_and_progress(app, client, doc):
    scores(app, client, doc)
    resp = client.get(f"/documents/{doc}/report.json")
    assert 'filename="bericht.de.report.json"' in resp.headers["Content-Disposition"]
    data = resp.get_json()
    assert data["status"] == "ready"
    assert data["figures"]["post_edited"]["segments"] == 4
    assert [s["number"] for s in data["segments"]] == [1, 2, 3, 4, 5]
    assert data["segments"][2]["scores"]["ter"] == 0.0
    (ada,) = data["persons"]
    assert ada["author"] == "ada" and ada["segments"] == 4
    assert ada["seconds"] == 10 + 11 + 12 + 13
    hters = [TER().sentence_score(MT[i], [t]).score for i, t in EDITS.items()]
    assert ada["average_hter"] == pytest.approx(sum(hters) / 4)
    # The emptied segment (EDITS[1]) is new again, not translated.
    assert data["progress"][-1]["translated"] == 3


def test_the_report_table_sorts_by_hter_bleu_and_time(app, client, doc):
    scores(app, client, doc)

    def order(query=""):
        html = client.get(f"/documents/{doc}/report{query}").get_data(as_text=True)
        return [int(n) for n in re.findall(r'<tr id="score-\d+">\s*<td class="num"><a [^>]*>(\d+)<',
                                           html)]

    ter = {i + 1: TER().sentence_score(MT[i], [t]).score for i, t in EDITS.items()}
    bleu = {i + 1: BLEU(effective_order=True).sentence_score(MT[i], [t]).score
            for i, t in EDITS.items()}
    by_hter = sorted(ter, key=lambda n: (-ter[n], n))
    assert order() == by_hter + [5]
    assert order("?sort=bleu") == sorted(bleu, key=lambda n: (bleu[n], n)) + [5]
    assert order("?sort=time") == [4, 3, 2, 1, 5]
    assert order("?sort=time&order=asc") == [1, 2, 3, 4, 5]
    table = client.get(f"/documents/{doc}/report?sort=bleu",
                       headers={**HX, "HX-Target": "report-segments"})
    assert table.get_data(as_text=True).lstrip().startswith('<section class="panel" id="report-')
    assert "HX-Request" in table.headers["Vary"]
    assert client.get(f"/documents/{doc}/report?sort=nonsense").status_code == 400


def test_history_scores_each_revision_against_the_previous_and_the_mt(app, client, doc):
    seg = segments(client, doc)[0]
    second = EDITS[0].replace("Montag", "Dienstag")
    save(client, seg, second, seconds=42)
    settle(app)
    html = client.get(f"/segments/{seg['id']}/history", headers=HX).get_data(as_text=True)
    against_previous = TER().sentence_score(EDITS[0], [second]).score
    against_mt = TER().sentence_score(MT[0], [second]).score
    assert f"TER {against_previous:.1f} against the previous" in html
    assert f"HTER {against_mt:.1f}" in html and "42" in html


def test_per_person_figures_count_each_persons_saves(app, client, client_as, doc):
    segs = segments(client, doc)
    bea = client_as("translator", "bea")
    save(bea, segs[4], "Ein Sprecher bestätigte die Angaben.", seconds=30)
    save(bea, segs[0], MT[0], seconds=5)
    data = client.get(f"/documents/{doc}/report.json").get_json()
    settle(app)
    data = client.get(f"/documents/{doc}/report.json").get_json()
    people = {p["author"]: p for p in data["persons"]}
    assert people["bea"]["segments"] == 2 and people["bea"]["seconds"] == 35
    # bea restored the MT wording of segment 1: her HTER there is 0.
    hter_5 = TER().sentence_score(MT[4], ["Ein Sprecher bestätigte die Angaben."]).score
    assert people["bea"]["average_hter"] == pytest.approx(hter_5 / 2)
    assert people["ada"]["segments"] == 4
    html = client.get(f"/documents/{doc}/report").get_data(as_text=True)
    # The name is data: translate="no" keeps it out of the pseudo-locale check.
    assert re.search(r"<th scope=\"row\" translate=\"no\">bea</th><td class=\"n\">2</td>", html)


def test_cli_score_prints_the_figures_and_signature(app, client, runner, doc):
    result = runner.invoke(args=["score", str(doc)])
    assert result.exit_code == 0, result.output
    bleu = BLEU()
    hyps, refs = edited_pairs()
    assert f"BLEU  = {bleu.corpus_score(hyps, [refs]).score:6.2f}" in result.output
    hyps, refs = all_pairs()
    assert f"BLEU  = {bleu.corpus_score(hyps, [refs]).score:6.2f}" in result.output
    assert bleu.get_signature().format() in result.output
    result = runner.invoke(args=["score", str(doc), "--format", "json"])
    data = json.loads(result.output)
    assert data["ter"] == TER().corpus_score(hyps, [refs]).score
    chrf = CHRF()
    chrf.corpus_score(hyps, [refs])
    assert data["signature"]["chrf"] == chrf.get_signature().format()
    assert runner.invoke(args=["score", "999"]).exit_code != 0
    assert "corpus BLEU" in runner.invoke(args=["score", "--help"]).output


def test_hostile_text_is_escaped_in_the_page_and_the_charts(app, client):
    doc = import_doc(client, [HOSTILE, "Zweiter Satz."], name=f"{HOSTILE}.txt")
    seg = segments(client, doc)[0]
    save(client, seg, HOSTILE + " <img src=x onerror=alert(1)>")
    scores(app, client, doc)
    html = client.get(f"/documents/{doc}/report").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    for svg in re.findall(r"<svg .*?</svg>", html, re.S):
        ET.fromstring(svg)  # well-formed: nothing broke out of a label
        assert "script" not in svg
    row = client.get(f"/segments/{seg['id']}").get_data(as_text=True)
    assert "<script>alert" not in row
    data = client.get(f"/documents/{doc}/report.json").get_json()
    assert data["segments"][0]["mt"].startswith(HOSTILE.strip())


def test_the_editor_links_to_the_report(client, doc):
    html = client.get(f"/documents/{doc}").get_data(as_text=True)
    assert f'href="/documents/{doc}/report"' in html


def test_the_api_is_described_in_openapi(client):
    spec = client.get("/api/openapi.json").get_json()
    op = spec["paths"]["/api/documents/{doc_id}/scores"]["get"]
    assert set(op["responses"]) >= {"200", "202", "404"}
    assert "Scores" in spec["components"]["schemas"]


def test_unknown_documents_are_404(client):
    assert client.get("/documents/999/report").status_code == 404
    resp = client.get("/api/documents/999/scores")
    assert resp.status_code == 404 and "999" in resp.get_json()["message"]


@pytest.mark.parametrize("role, reads, uploads", [
    ("translator", True, False), ("editor", True, True), ("admin", True, True),
])
def test_route_matrix(app, client, client_as, doc, role, reads, uploads):
    seg = segments(client, doc)[0]
    who = client_as(role)
    for url in (f"/documents/{doc}/report", f"/documents/{doc}/report.csv",
                f"/documents/{doc}/report.json", f"/segments/{seg['id']}/scores",
                f"/api/documents/{doc}/scores"):
        assert who.get(url).status_code in ((200, 202) if reads else (403,)), url
    # The report's refresh polls the one job route.
    with get_sessionmaker(app)() as db:
        job_id = db.query(Job).order_by(Job.id.desc()).first().id
    assert who.get(f"/jobs/{job_id}").status_code == (200 if reads else 403)
    resp = who.post(f"/documents/{doc}/reference", data={
        "file": (io.BytesIO("\n".join(MT).encode()), "ref.txt")},
        content_type="multipart/form-data")
    assert resp.status_code == (303 if uploads else 403)
    page = who.get(f"/documents/{doc}/report").get_data(as_text=True)
    assert ('name="file"' in page) == uploads
    settle(app)


def test_nobody_logged_out_sees_a_report(anon_client, client, doc):
    for url in (f"/documents/{doc}/report", f"/documents/{doc}/report.csv",
                f"/documents/{doc}/report.json"):
        resp = anon_client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert anon_client.get(f"/api/documents/{doc}/scores").status_code == 401
    resp = anon_client.post(f"/documents/{doc}/reference", data={})
    assert resp.status_code in (302, 401, 403)


def all_mt(app, doc):
    """Return a document's MT drafts in order."""
    with app.app_context(), get_sessionmaker(app)() as db:
        return [s.mt for s in db.query(Segment).filter_by(document_id=doc)
                .order_by(Segment.position)]


def test_a_thousand_segment_document_matches_sacrebleu(app, client):
    """Post-edit 1,000 segments behind the app's back, as a bulk import would, and score."""
    sentences = [f"Satz Nummer {i}: die Lage im Land bleibt „angespannt“." for i in range(1000)]
    doc = import_doc(client, sentences)
    edits = {}
    with app.app_context(), get_sessionmaker(app)() as db:
        rows = db.query(Segment).filter_by(document_id=doc).order_by(Segment.position).all()
        for seg in rows:
            if seg.position % 3:
                continue
            text = seg.mt.replace("bleibt", "ist weiterhin").replace("„", "\"")
            seg.target, seg.version, seg.state = text, seg.version + 1, 20
            db.add(Revision(segment=seg, version=seg.version, text=text, state=20,
                            kind="edit", author="bulk", seconds=3.0))
            edits[seg.position] = (seg.mt, text)
        db.commit()
    data = scores(app, client, doc)
    hyps = [seg_mt for seg_mt, _ in edits.values()]
    refs = [t for _, t in edits.values()]
    assert data["post_edited"] == len(edits) == 334
    pe = data["post_edited_figures"]
    assert f"{pe['bleu']:.6f}" == f"{BLEU().corpus_score(hyps, [refs]).score:.6f}"
    # The headline: all 1,000 drafts against their current targets.
    hyps = all_mt(app, doc)
    refs = [edits[i][1] if i in edits else hyps[i] for i in range(1000)]
    assert f"{data['bleu']:.6f}" == f"{BLEU().corpus_score(hyps, [refs]).score:.6f}"
    assert f"{data['chrf']:.6f}" == f"{CHRF().corpus_score(hyps, [refs]).score:.6f}"
    assert f"{data['ter']:.6f}" == f"{TER().corpus_score(hyps, [refs]).score:.6f}"


def test_a_score_job_retried_from_the_command_line_finishes_without_redoing_work(app, client,
                                                                                runner, doc):
    job_id = client.get(f"/api/documents/{doc}/scores").get_json()["job_id"]
    settle(app)
    with app.app_context(), get_sessionmaker(app)() as db:
        db.get(Job, job_id).status = "failed"
        db.commit()
    result = runner.invoke(args=["jobs", "retry", str(job_id)])
    assert result.exit_code == 0, result.output
    app.extensions["webapp.jobs"].wait(job_id, timeout=60)
    with app.app_context(), get_sessionmaker(app)() as db:
        job = db.get(Job, job_id)
        assert job.status == "done" and "refresh by themselves" in job.message


def test_downloads_of_a_document_named_in_any_script_keep_its_name(app, client):
    doc_id = import_doc(client, MT[:2], name="отчёт 2024.de.txt")
    settle(app)
    for url, filename in ((f"/documents/{doc_id}/report.csv", "отчёт_2024.de.scores.csv"),
                          (f"/documents/{doc_id}/report.json", "отчёт_2024.de.report.json")):
        resp = client.get(url)
        assert resp.status_code == 200
        disposition = resp.headers["Content-Disposition"]
        # RFC 5987: the UTF-8 name for browsers, an ASCII one for the rest.
        assert f"filename*=UTF-8''{quote(filename, safe='')}" in disposition
        assert re.search(r'filename="[ -~]+"', disposition)


def tmx_file(units: list[tuple[str, str]]) -> bytes:
    """Return a TMX 1.4 file of German-English units."""
    tus = "".join(f'<tu><tuv xml:lang="de"><seg>{s}</seg></tuv><tuv xml:lang="en"><seg>{t}</seg>'
                  "</tuv></tu>" for s, t in units)
    return ('<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="de" '
            f'creationtool="t" segtype="sentence"/><body>{tus}</body></tmx>').encode()


def test_a_tm_prefilled_revision_is_no_person_in_the_report(app, client):
    source = ["Der Vertrag wurde gestern unterzeichnet.", "Die Regierung hat das Gesetz beschlossen."]
    resp = client.post("/api/tm/import", data={
        "file": (io.BytesIO(tmx_file([(source[0], "The contract was signed yesterday.")])),
                 "memory.tmx")}, content_type="multipart/form-data")
    assert resp.status_code == 202, resp.get_json()
    app.extensions["webapp.jobs"].wait(resp.get_json()["id"], timeout=60)
    resp = client.post("/api/documents", data={
        "file": (io.BytesIO("\n\n".join(source).encode()), "vertrag.de.txt"),
        "source_lang": "de", "target_lang": "en", "mode": "translate", "tm_prefill": "1",
    }, content_type="multipart/form-data")
    assert resp.status_code == 201 and resp.get_json()["tm_prefilled"] == 1
    doc_id = resp.get_json()["id"]
    filled, empty = segments(client, doc_id)
    history = client.get(f"/api/segments/{filled['id']}/history").get_json()
    assert [(r["kind"], r["author"]) for r in history["revisions"]][0] == ("tm", "TM")
    save(client, empty, "The government passed the law.", seconds=7)
    settle(app)
    client.get(f"/documents/{doc_id}/report")
    settle(app)
    data = client.get(f"/documents/{doc_id}/report.json").get_json()
    # The memory's text counts for nobody: ada saved one segment, and only she is listed.
    assert [(p["author"], p["segments"], p["seconds"]) for p in data["persons"]] == [
        ("ada", 1, 7.0)]
    html = client.get(f"/documents/{doc_id}/report").get_data(as_text=True)
    assert ('<th scope="row" translate="no">ada</th>' in html
            and '<th scope="row" translate="no">TM</th>' not in html)


@pytest.mark.browser
def test_in_a_browser_the_report_fills_in_and_sorts_without_a_reload(client, doc, live_server,
                                                                     page):
    browser_login(page, live_server.url, "ada", PASSWORD)
    page.goto(f"{live_server.url}/documents/{doc}/report")
    # The first figures arrive from the background job while the page waits.
    page.locator("#fig-post_edited td.fig").first.wait_for(timeout=30_000)
    assert page.locator("#report-status").count() == 0
    hyps, refs = edited_pairs()
    assert page.locator("#fig-post_edited td.fig").first.inner_text() == (
        f"{BLEU().corpus_score(hyps, [refs]).score:.1f}")
    page.locator("#report-segments th a", has_text="BLEU").click()
    page.wait_for_url("**sort=bleu**")
    first = page.locator("#report-segments tbody tr td.num").first.inner_text()
    bleu = {i + 1: BLEU(effective_order=True).sentence_score(MT[i], [t]).score
            for i, t in EDITS.items()}
    assert int(first) == min(bleu, key=lambda n: (bleu[n], n))
    assert page.locator("svg.chart").count() == 2
    screenshot(page, "report")
