"""Scores' metrics and charts: the figures are sacrebleu's, to the last printed digit."""

import ast
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU, CHRF, TER

from webapp.scores.charts import hter_histogram_svg, progress_svg
from webapp.scores.metrics import (
    CorpusScores,
    ReferenceMismatchError,
    RevisionScores,
    SegmentScores,
    document_fingerprint,
    score_against_reference,
    score_corpus,
    score_revision,
    score_segment,
)
from webapp.scores.references import parse_reference
from webapp.scores.report import person_summary

TESTDATA = Path(__file__).resolve().parents[3] / "shared" / "testdata"
SACREBLEU_TESTS = TESTDATA / "sacrebleu"
PUD_PAIRS = TESTDATA / "text" / "ud_pud_en-de_parallel_0001-0500.tsv"
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</title><script>alert(\"x\")</script> & „Zitat“ 'quoted' <b>"


def printed(score):
    """Return a score as sacrebleu's command line prints it with `-w 6`."""
    return f"{score:.6f}"


def german_reference_sentences():
    """Return the 500 German human translations of the UD PUD parallel sample."""
    lines = PUD_PAIRS.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split("\t")[3] for line in lines]


def fake_mt(sentence, variant):
    """Make an MT-like draft of a sentence with one deterministic, post-editable error."""
    words = sentence.split()
    kind = variant % 5
    if kind == 0 or len(words) < 3:
        return sentence
    position = variant % (len(words) - 1)
    if kind == 1:
        del words[position]
    elif kind == 2:
        words[position], words[position + 1] = words[position + 1], words[position]
    elif kind == 3:
        words[position] = words[position].lower().replace("„", '"').replace("“", '"')
    else:
        words[position] = {"der": "die", "die": "das", "und": "sowie"}.get(
            words[position], words[position] + "e"
        )
    return " ".join(words)


@pytest.fixture(scope="module")
def document():
    """Build a 1,000-segment German document as (MT drafts, post-edited targets)."""
    sentences = german_reference_sentences()
    mt, targets = [], []
    for round_ in range(2):
        for index, sentence in enumerate(sentences):
            variant = index + 7 * round_
            mt.append("" if (index + round_) % 113 == 0 else fake_mt(sentence, variant))
            # An empty target is a segment nobody has post-edited yet.
            targets.append("" if (index + round_) % 97 == 0 else sentence)
    return mt, targets


def test_document_fixture_has_the_cases_the_issue_names(document):
    mt, targets = document
    assert len(mt) == len(targets) == 1000
    assert "" in targets and "" in mt
    assert any("„" in target for target in targets)
    assert sum(m == t for m, t in zip(mt, targets, strict=True)) > 100
    assert sum(m != t for m, t in zip(mt, targets, strict=True)) > 500


# Each case: MT draft (hypothesis), post-edited target (reference).
SEGMENT_CASES = {
    "identical": ("Das Haus ist klein.", "Das Haus ist klein."),
    "both empty": ("", ""),
    "empty target": ("Das Haus ist klein.", ""),
    "empty MT": ("", "Das Haus ist klein."),
    "whitespace only target": ("Das Haus ist klein.", "   "),
    "German quotes": (
        '"Wir sind bereit", sagte er am Montag.',
        "„Wir sind bereit“, sagte er am Montag.",
    ),
    "reordered": (
        "Gestern hat der Rat den Plan beschlossen.",
        "Der Rat hat gestern den Plan beschlossen.",
    ),
    "single word": ("Ja", "Ja."),
}


@pytest.mark.parametrize("mt, target", SEGMENT_CASES.values(), ids=SEGMENT_CASES.keys())
def test_segment_scores_print_as_sacrebleu_sentence_score(mt, target):
    ours = score_segment(mt, target)
    expected = [
        BLEU(effective_order=True).sentence_score(mt, [target]),
        CHRF().sentence_score(mt, [target]),
        TER().sentence_score(mt, [target]),
    ]
    assert [printed(ours.bleu), printed(ours.chrf), printed(ours.ter)] == [
        score.format(width=6, score_only=True) for score in expected
    ]


def test_segment_scores_for_empty_text_are_what_sacrebleu_defines():
    assert score_segment("", "") == SegmentScores(bleu=0.0, chrf=0.0, ter=0.0)
    assert score_segment("", "Ein Satz.").ter == 100.0
    assert score_segment("Ein Satz.", "").ter == 100.0


def test_identical_segment_has_full_bleu_chrf_and_no_edits():
    scores = score_segment("Sie wohnt in Köln.", "Sie wohnt in Köln.")
    assert printed(scores.bleu) == "100.000000"
    assert printed(scores.chrf) == "100.000000"
    assert scores.ter == 0.0


def test_hter_counts_edits_per_word_of_the_post_edit():
    # Two insertions to reach a four-word post-edit: 2 / 4 edits. Scored the other way
    # round (post-edit as hypothesis) it would be 2 / 2, which is not HTER.
    assert score_segment("Das ist", "Das ist ein Test").ter == 50.0


def test_every_segment_of_a_1000_segment_document_matches_sentence_score(document):
    mt, targets = document
    bleu, chrf, ter = BLEU(effective_order=True), CHRF(), TER()
    mismatches = []
    for index, (hypothesis, reference) in enumerate(zip(mt, targets, strict=True)):
        ours = score_segment(hypothesis, reference)
        theirs = (
            bleu.sentence_score(hypothesis, [reference]).score,
            chrf.sentence_score(hypothesis, [reference]).score,
            ter.sentence_score(hypothesis, [reference]).score,
        )
        if tuple(map(printed, (ours.bleu, ours.chrf, ours.ter))) != tuple(map(printed, theirs)):
            mismatches.append(index)
    assert mismatches == []


def test_document_scores_print_as_sacrebleu_corpus_score(document):
    mt, targets = document
    ours = score_corpus(mt, targets)
    expected = {
        name: metric.corpus_score(mt, [targets])
        for name, metric in {"bleu": BLEU(), "chrf": CHRF(), "ter": TER()}.items()
    }
    assert isinstance(ours, CorpusScores)
    assert ours.n_segments == 1000
    assert {
        "bleu": printed(ours.bleu),
        "chrf": printed(ours.chrf),
        "ter": printed(ours.ter),
    } == {name: score.format(width=6, score_only=True) for name, score in expected.items()}
    # The document is neither perfect nor hopeless, so the comparison above says something.
    assert 30 < ours.bleu < 100 and 0 < ours.ter < 50


def test_corpus_signatures_are_sacrebleus_own_and_name_its_version(document):
    mt, targets = document
    ours = score_corpus(mt, targets)
    version = sacrebleu.__version__
    assert ours.signature == {
        "bleu": f"nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:{version}",
        "chrf": f"nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:{version}",
        "ter": f"nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:{version}",
    }
    for name, metric in {"bleu": BLEU(), "chrf": CHRF(), "ter": TER()}.items():
        metric.corpus_score(mt[:5], [targets[:5]])
        assert ours.signature[name] == metric.get_signature().format()


def test_sacrebleu_command_line_reproduces_document_figures(document, tmp_path):
    mt, targets = document
    ours = score_corpus(mt, targets)
    (tmp_path / "mt.txt").write_text("".join(f"{line}\n" for line in mt), encoding="utf-8")
    (tmp_path / "post-edit.txt").write_text(
        "".join(f"{line}\n" for line in targets), encoding="utf-8"
    )
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "sacrebleu",
            "post-edit.txt",
            "-i",
            "mt.txt",
            "-m",
            "bleu",
            "chrf",
            "ter",
            "-w",
            "6",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    printed_by_cli = {
        entry["name"]: (printed(entry["score"]), entry["signature"])
        for entry in json.loads(completed.stdout)
    }
    assert printed_by_cli == {
        "BLEU": (printed(ours.bleu), ours.signature["bleu"]),
        "chrF2": (printed(ours.chrf), ours.signature["chrf"]),
        "TER": (printed(ours.ter), ours.signature["ter"]),
    }


def test_german_quotes_cost_edits_against_straight_quotes():
    straight = ['"Wir sind bereit", sagte er.', "Das ist alles."]
    german = ["„Wir sind bereit“, sagte er.", "Das ist alles."]
    ours = score_corpus(straight, german)
    assert printed(ours.ter) == TER().corpus_score(straight, [german]).format(6, True)
    assert printed(ours.bleu) == BLEU().corpus_score(straight, [german]).format(6, True)
    assert ours.ter > 0
    assert score_corpus(german, german).ter == 0.0


def test_corpus_of_identical_and_empty_segments_matches_sacrebleu():
    hypotheses = ["Guten Morgen.", "", "Bis bald!", ""]
    references = ["Guten Morgen.", "", "Bis bald!", "Tschüss."]
    ours = score_corpus(hypotheses, references)
    assert [printed(ours.bleu), printed(ours.chrf), printed(ours.ter)] == [
        BLEU().corpus_score(hypotheses, [references]).format(6, True),
        CHRF().corpus_score(hypotheses, [references]).format(6, True),
        TER().corpus_score(hypotheses, [references]).format(6, True),
    ]


def test_document_without_segments_is_refused_rather_than_given_a_score():
    with pytest.raises(ValueError, match="without segments"):
        score_corpus([], [])


def test_misaligned_corpus_is_refused():
    with pytest.raises(ValueError, match="3 hypotheses but 2 references"):
        score_corpus(["a", "b", "c"], ["a", "b"])


# Reference vectors from sacrebleu's own test suite, read (not imported, not copied) here.


def _evaluate(node, names):
    """Evaluate a literal from a test module, resolving names bound earlier in it."""
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return _evaluate(node.left, names) / _evaluate(node.right, names)
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_evaluate(item, names) for item in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Dict):
        return {
            _evaluate(key, names): _evaluate(value, names)
            for key, value in zip(node.keys, node.values, strict=True)
        }
    return ast.literal_eval(node)


def sacrebleu_test_literals(filename):
    """Return the module-level literal assignments of one of sacrebleu's test files."""
    tree = ast.parse((SACREBLEU_TESTS / filename).read_text(encoding="utf-8"))
    names = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                try:
                    names[target.id] = _evaluate(statement.value, names)
                except (KeyError, ValueError, TypeError):
                    continue  # a call such as namedtuple(...), not a vector
    return names


def test_readme_example_and_default_corpus_bleu_vectors():
    literals = sacrebleu_test_literals("test_bleu.py")
    default_cases = [case for case in literals["test_corpus_bleu_cases"] if case[2] == {}]
    expected = [printed(case[3]) for case in default_cases]
    assert "48.530827" in expected
    found = []
    for hypotheses, references, _, _ in default_cases:
        ours = score_corpus(hypotheses, references[0], more_references=references[1:])
        assert ours.signature["bleu"].startswith(f"nrefs:{len(references)}|")
        found.append(printed(ours.bleu))
    assert found == expected


def test_ter_vectors_including_the_german_wmt_example():
    literals = sacrebleu_test_literals("test_ter.py")
    cases = literals["test_cases"]
    assert len(cases) >= 7
    for hypotheses, references, expected in cases:
        ter = score_corpus(hypotheses, references).ter
        assert abs(ter - 100 * expected) < literals["EPSILON"], (hypotheses, ter)


def test_sentence_bleu_vector_for_default_settings_with_effective_order():
    literals = sacrebleu_test_literals("test_sentence_bleu.py")
    [expected] = [
        case[4] for case in literals["test_cases"] if case[:4] == ("exp", None, False, "13a")
    ]
    ours = score_segment(literals["SYS"], literals["REF"])
    assert abs(ours.bleu - expected) < literals["EPSILON"]


def test_revision_is_scored_against_the_previous_revision_and_the_mt():
    mt = "Der Vertrag wurde gestern unterschreiben."
    first = "Der Vertrag wurde gestern unterschrieben."
    second = "Der Vertrag wurde am Montag unterschrieben."
    scores = score_revision(second, first, mt)
    assert isinstance(scores, RevisionScores)
    assert scores.against_previous == score_segment(first, second)
    assert scores.against_mt == score_segment(mt, second)
    assert scores.against_previous != scores.against_mt


def test_first_revision_is_compared_with_the_mt_draft_it_edited():
    mt = "Das Wetter ist schön heute."
    text = "Heute ist das Wetter schön."
    scores = score_revision(text, None, mt)
    assert scores.against_previous == scores.against_mt == score_segment(mt, text)
    assert scores.against_mt.ter > 0


def test_revision_that_changes_nothing_scores_zero_edits():
    scores = score_revision("Gut so.", "Gut so.", "Gut so!")
    assert scores.against_previous.ter == 0.0
    assert scores.against_mt.ter > 0.0


def test_reference_with_too_few_segments_is_refused_with_both_counts():
    reference = "".join(f"Satz {n}.\n" for n in range(12))
    with pytest.raises(ReferenceMismatchError) as raised:
        parse_reference(reference, expected_segments=14)
    assert str(raised.value) == "The reference has 12 segments; the document has 14."
    assert isinstance(raised.value, ValueError)
    assert (raised.value.found, raised.value.expected) == (12, 14)


def test_reference_message_uses_the_singular_for_one_segment():
    with pytest.raises(
        ReferenceMismatchError,
        match=r"^The reference has 1 segment; the "
        r"document has 2\.$",
    ):
        parse_reference("Nur ein Satz.", expected_segments=2)


def test_reference_lines_become_segments_whatever_the_line_endings():
    text = "\ufeffErster Satz.\r\n\r\nDritter „Satz“.\r\n"
    assert parse_reference(text, 3) == ["Erster Satz.", "", "Dritter „Satz“."]
    assert parse_reference("a\nb", 2) == ["a", "b"]
    assert parse_reference("", 0) == []


def test_trailing_blank_lines_are_forgiven_but_text_is_never_dropped():
    assert parse_reference("a\nb\n\n\n", 2) == ["a", "b"]
    with pytest.raises(ReferenceMismatchError, match="has 3 segments"):
        parse_reference("a\nb\nc\n", 2)


def test_mt_and_post_edit_are_each_scored_against_the_reference():
    mt = ["Er kam spät nach Hause.", "Das Essen war kalt."]
    post_edited = ["Er kam spät heim.", "Das Essen war kalt."]
    reference = ["Er kam spät heim.", "Das Essen war schon kalt."]
    scores = score_against_reference(mt, post_edited, reference)
    assert set(scores) == {"mt", "post_edited"}
    assert printed(scores["mt"].bleu) == BLEU().corpus_score(mt, [reference]).format(6, True)
    assert printed(scores["post_edited"].ter) == TER().corpus_score(
        post_edited, [reference]
    ).format(6, True)
    assert scores["post_edited"].ter < scores["mt"].ter


def test_scoring_against_a_misaligned_reference_is_refused():
    with pytest.raises(ReferenceMismatchError, match="has 1 segment; the document has 2"):
        score_against_reference(["a", "b"], ["a", "b"], ["a"])


def test_fingerprint_is_stable_and_changes_with_any_text():
    pairs = [("Hallo Welt", "Hallo, Welt!"), ("", "Neu")]
    fingerprint = document_fingerprint(pairs)
    assert fingerprint == document_fingerprint(list(pairs))
    # A SHA-256 in hex: the same length however long the document.
    assert re.fullmatch(r"[0-9a-f]{64}", fingerprint)
    assert re.fullmatch(r"[0-9a-f]{64}", document_fingerprint([("Satz " * 2000, "x")] * 50))
    # Equal texts give an equal fingerprint, however they were built...
    assert fingerprint == document_fingerprint(
        [("Hallo " + "Welt", "".join(["Hallo,", " Welt!"])), ("", "Ne" + "u")]
    )
    # ...and one character more in any one of them gives another.
    for index in range(len(pairs)):
        for side in (0, 1):
            changed = [list(pair) for pair in pairs]
            changed[index][side] += "."
            assert document_fingerprint([tuple(pair) for pair in changed]) != fingerprint
    assert document_fingerprint([]) != fingerprint
    assert document_fingerprint([("Hallo Welt", "Hallo, Welt"), ("", "Neu")]) != fingerprint
    assert document_fingerprint(list(reversed(pairs))) != fingerprint
    assert document_fingerprint([("ab", "c")]) != document_fingerprint([("a", "bc")])
    assert document_fingerprint([("a", "b"), ("c", "d")]) != document_fingerprint(
        [("a", "b\x00c"), ("", "d")]
    )


def test_person_summary_totals_and_averages_per_author():
    rows = [
        ("mara", 10, 60.0, 20.0),
        ("Jonas", 5, 30.0, 0.0),
        ("mara", 4, None, 40.0),
        ("mara", 6, 15.5, None),
    ]
    assert person_summary(rows) == [
        {"author": "Jonas", "segments": 1, "words": 5, "seconds": 30.0, "average_hter": 0.0},
        {"author": "mara", "segments": 3, "words": 20, "seconds": 75.5, "average_hter": 30.0},
    ]
    assert person_summary([("lea", 3, 9.0, None)])[0]["average_hter"] is None
    assert person_summary([]) == []


def parse_svg(svg):
    """Parse an SVG string as XML, failing the test if it is not well formed."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def test_hter_histogram_is_well_formed_accessible_svg_with_one_bar_per_filled_band():
    root = parse_svg(hter_histogram_svg([0.0, 5.0, 12.5, 12.5, 100.0, 140.0]))
    title = root.find(f"{SVG}title")
    assert root.get("role") == "img"
    assert title is not None and title.get("id") in root.get("aria-labelledby").split()
    bars = [rect.find(f"{SVG}title").text for rect in root.iter(f"{SVG}rect")]
    assert bars == [
        "HTER 0–10: 2 segments",
        "HTER 10–20: 2 segments",
        "HTER 90–100: 1 segment",
        "HTER over 100: 1 segment",
    ]
    labels = [text.text for text in root.iter(f"{SVG}text")]
    assert "HTER (edits per 100 words of the post-edit)" in labels
    assert "Segments" in labels and "0" in labels and "100" in labels and ">100" in labels


def test_histogram_bar_heights_follow_the_counts():
    root = parse_svg(hter_histogram_svg([1.0, 2.0, 3.0, 4.0, 55.0, 56.0]))
    heights = [float(rect.get("height")) for rect in root.iter(f"{SVG}rect")]
    assert heights[0] == pytest.approx(2 * heights[1])


def test_histogram_y_axis_counts_in_round_steps():
    root = parse_svg(hter_histogram_svg([5.0] * 47 + [15.0] * 3))
    tick_labels = [text.text for text in root.iter(f"{SVG}text") if text.get("x") == "46.0"]
    assert tick_labels == ["0", "10", "20", "30", "40", "50"]
    [tall, short] = [float(rect.get("height")) for rect in root.iter(f"{SVG}rect")]
    assert tall / short == pytest.approx(47 / 3, rel=0.01)  # heights are printed to 0.1


def test_charts_escape_hostile_text():
    histogram = hter_histogram_svg([10.0], title=HOSTILE, chart_id='x" onload="alert(1)')
    progress = progress_svg(
        [(datetime(2024, 5, 2, 9, 0), 1), (datetime(2024, 5, 2, 11, 30), 4)],
        title=HOSTILE,
        y_label=HOSTILE,
    )
    for svg in (histogram, progress):
        root = parse_svg(svg)
        assert "<script" not in svg
        assert root.find(f"{SVG}title").text == HOSTILE
        assert not list(root.iter(f"{SVG}script"))
        assert all("onload" not in element.attrib for element in root.iter())


def test_empty_histogram_says_nothing_is_scored_yet():
    root = parse_svg(hter_histogram_svg([]))
    assert not list(root.iter(f"{SVG}rect"))
    assert "No segments scored yet" in [text.text for text in root.iter(f"{SVG}text")]


def test_histogram_refuses_values_that_are_not_edit_rates():
    with pytest.raises(ValueError, match="finite number"):
        hter_histogram_svg([12.0, float("nan")])


def test_progress_chart_plots_each_update_in_time_order():
    start = datetime(2024, 5, 2, 9, 0)
    points = [(start + timedelta(hours=2), 7), (start, 0), (start + timedelta(hours=1), 3)]
    root = parse_svg(progress_svg(points))
    circles = list(root.iter(f"{SVG}circle"))
    assert [circle.find(f"{SVG}title").text for circle in circles] == [
        "2024-05-02 09:00: 0",
        "2024-05-02 10:00: 3",
        "2024-05-02 11:00: 7",
    ]
    xs = [float(circle.get("cx")) for circle in circles]
    ys = [float(circle.get("cy")) for circle in circles]
    assert xs == sorted(xs) and xs[0] < xs[1] < xs[2]
    assert ys[0] > ys[1] > ys[2]  # more done is drawn higher up
    labels = [text.text for text in root.iter(f"{SVG}text")]
    assert "2024-05-02 09:00" in labels and "2024-05-02 11:00" in labels
    assert "Segments done" in labels and "Time" in labels
    assert (
        "Segments done: 0 at 2024-05-02 09:00, 7 at 2024-05-02 11:00"
        in root.find(f"{SVG}desc").text
    )


def test_progress_chart_with_one_point_or_none_is_still_drawn():
    one = parse_svg(progress_svg([(datetime(2024, 1, 1, 8, 0), 5)]))
    assert len(list(one.iter(f"{SVG}circle"))) == 1
    none = parse_svg(progress_svg([]))
    assert not list(none.iter(f"{SVG}circle"))
    assert "No progress recorded yet" in [text.text for text in none.iter(f"{SVG}text")]
