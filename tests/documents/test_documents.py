"""Documents domain: import, revisions with a version check, split, merge, export."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from webapp.core.db import get_sessionmaker
from webapp.core.models import Change, Document, Revision, Segment
from webapp.core.states import Action, State
from webapp.documents import export, importing, originals, queries, textio
from webapp.segments import editing

LIMIT = 5 * 1024 * 1024


@pytest.fixture
def db(app):
    """Return a session on the test database."""
    with app.app_context():
        with get_sessionmaker(app)() as session:
            yield session


def segments_of(db, doc):
    """Return the document's segments in order."""
    return list(db.scalars(
        select(Segment).where(Segment.document_id == doc.id).order_by(Segment.position)
    ))


def test_review_import_makes_each_sentence_an_mt_draft_with_a_revision(db, seed_bytes):
    doc = importing.import_text(db, seed_bytes, "kim-putin.de.txt", "en", "de", "review", LIMIT)
    segs = segments_of(db, doc)
    assert len(segs) > 30
    assert all(s.state == State.MT and s.version == 1 for s in segs)
    assert all(s.target == s.mt and s.source == "" for s in segs)
    assert segs[0].target.startswith("Kim Jong Un: Warum sich Nordkoreas")
    revs = db.scalar(select(func.count()).select_from(Revision))
    assert revs == len(segs)
    assert doc.source_kind == "none"


def test_exporting_an_unedited_review_document_gives_back_the_imported_text(db, seed_bytes):
    doc = importing.import_text(db, seed_bytes, "kim-putin.de.txt", "en", "de", "review", LIMIT)
    exp = export.export_text(db, doc)
    assert exp.text == seed_bytes.decode("utf-8")
    assert exp.untranslated == 0
    assert exp.filename == "kim-putin.de.txt"


def test_translate_mode_export_fills_missing_targets_with_source_and_counts_them(db):
    text = "The UN Security Council met.\nIt adjourned.\n"
    doc = importing.import_text(db, text.encode(), "a.en.txt", "en", "de", "translate", LIMIT)
    first, second = segments_of(db, doc)
    editing.save_target(db, first, "Der UN-Sicherheitsrat tagte.", 0, "ann")
    exp = export.export_text(db, doc)
    assert exp.text == "Der UN-Sicherheitsrat tagte.\nIt adjourned.\n"
    assert exp.untranslated == 1
    assert exp.filename == "a.de.txt"


def test_crlf_and_bom_are_normalised_on_import(db):
    data = "\ufeffErster Satz.\r\nZweiter Satz.\r\n".encode()
    doc = importing.import_text(db, data, "x.txt", "en", "de", "review", LIMIT)
    assert export.export_text(db, doc).text == "Erster Satz.\nZweiter Satz.\n"


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    (b"x" * (LIMIT + 1), "limit"),
])
def test_refused_import_names_the_problem_and_stores_nothing(db, data, words):
    with pytest.raises(textio.TextImportError, match=words):
        importing.import_text(db, data, "bad.txt", "en", "de", "translate", LIMIT)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Document)) == 0
    assert db.scalar(select(func.count()).select_from(Segment)) == 0


@pytest.mark.parametrize("src, tgt, mode, words", [
    ("en", "en", "translate", "same"),
    ("e n", "de", "translate", "language code"),
    ("en", "de", "rewrite", "Mode"),
])
def test_bad_languages_or_mode_are_refused(db, src, tgt, mode, words):
    with pytest.raises(importing.DocumentError, match=words):
        importing.import_text(db, b"Hallo.", "x.txt", src, tgt, mode, LIMIT)


def test_every_save_is_a_revision_and_bumps_the_version(db):
    doc = importing.import_text(db, b"Hallo Welt.", "x.txt", "en", "de", "review", LIMIT)
    (seg,) = segments_of(db, doc)
    editing.save_target(db, seg, "Hallo, Welt.", 1, "ann", seconds=4.5)
    editing.save_target(db, seg, "Hallo, liebe Welt.", 2, "bob")
    revs, changes = editing.history(db, seg)
    assert [(r.version, r.text, r.author, r.replaced_version) for r in revs] == [
        (3, "Hallo, liebe Welt.", "bob", 2),
        (2, "Hallo, Welt.", "ann", 1),
        (1, "Hallo Welt.", "", None),
    ]
    assert revs[1].seconds == 4.5
    assert seg.state == State.TRANSLATED and seg.version == 3
    assert [c.action for c in changes] == [Action.EDIT, Action.EDIT]


def test_a_stale_save_is_refused_and_overwrites_nothing(db):
    doc = importing.import_text(db, b"Hallo Welt.", "x.txt", "en", "de", "review", LIMIT)
    (seg,) = segments_of(db, doc)
    editing.save_target(db, seg, "Erste Fassung.", 1, "ann")
    with pytest.raises(editing.ConflictError) as info:
        editing.save_target(db, seg, "Zweite Fassung.", 1, "bob")
    assert info.value.attempted == "Zweite Fassung."
    assert info.value.segment.target == "Erste Fassung."
    db.expire_all()
    assert db.get(Segment, seg.id).target == "Erste Fassung."
    assert db.scalar(select(func.count()).select_from(Revision)) == 2


def test_a_save_decided_on_a_state_that_changed_meanwhile_is_refused(app, db):
    from webapp.core.states import Role
    from webapp.review import workflow as review

    doc = importing.import_text(db, b"Hallo Welt.", "x.txt", "en", "de", "review", LIMIT)
    (seg,) = segments_of(db, doc)
    # An editor approves the segment after the translator's request read it as MT.
    with get_sessionmaker(app)() as other:
        review.set_state(other, other.get(Segment, seg.id), State.APPROVED, "eve", Role.EDITOR)
    with pytest.raises(editing.ConflictError):
        editing.save_target(db, seg, "Übersetzt.", 1, "ann", State.TRANSLATED)
    db.expire_all()
    assert db.get(Segment, seg.id).state == State.APPROVED
    assert db.get(Segment, seg.id).target == "Hallo Welt."
    assert db.scalar(select(func.count()).select_from(Revision)) == 1


def test_over_long_or_nul_targets_are_refused(db):
    doc = importing.import_text(db, b"Hallo Welt.", "x.txt", "en", "de", "review", LIMIT)
    (seg,) = segments_of(db, doc)
    with pytest.raises(importing.DocumentError, match="at most"):
        editing.save_target(db, seg, "x" * 20001, 1, "ann")
    with pytest.raises(importing.DocumentError, match="NUL"):
        editing.save_target(db, seg, "a\x00b", 1, "ann")
    assert db.get(Segment, seg.id).version == 1


def test_split_then_merge_gives_back_the_segment_and_the_layout(db):
    text = "Er traf Putin 2019. Später stand er neben Kim.\n\nNeuer Absatz.\n"
    doc = importing.import_text(db, text.encode(), "x.txt", "en", "de", "review", LIMIT)
    segs = segments_of(db, doc)
    assert [s.target for s in segs] == ["Er traf Putin 2019.", "Später stand er neben Kim.",
                                       "Neuer Absatz."]
    first = segs[0]
    editing.merge_segments(db, first, "ann")
    segs = segments_of(db, doc)
    assert [s.target for s in segs] == ["Er traf Putin 2019. Später stand er neben Kim.",
                                       "Neuer Absatz."]
    assert [s.position for s in segs] == [0, 1]
    assert export.export_text(db, doc).text == text
    editing.split_segment(db, segs[0], len("Er traf Putin 2019."), "ann")
    segs = segments_of(db, doc)
    assert [s.target for s in segs] == ["Er traf Putin 2019.", "Später stand er neben Kim.",
                                       "Neuer Absatz."]
    assert [s.position for s in segs] == [0, 1, 2]
    assert export.export_text(db, doc).text == text
    actions = db.scalars(select(Change.action).order_by(Change.id)).all()
    assert actions == [Action.IMPORT, Action.MERGE, Action.SPLIT]


def test_split_refuses_an_offset_that_leaves_an_empty_side(db):
    doc = importing.import_text(db, b"Hallo Welt.", "x.txt", "en", "de", "review", LIMIT)
    (seg,) = segments_of(db, doc)
    with pytest.raises(importing.DocumentError):
        editing.split_segment(db, seg, 0, "ann")


def test_merging_the_last_segment_is_refused(db):
    doc = importing.import_text(db, b"Hallo Welt.", "x.txt", "en", "de", "review", LIMIT)
    (seg,) = segments_of(db, doc)
    with pytest.raises(importing.DocumentError, match="last segment"):
        editing.merge_segments(db, seg, "ann")


def test_restoring_a_revision_adds_a_new_one(db):
    doc = importing.import_text(db, b"Hallo Welt.", "x.txt", "en", "de", "review", LIMIT)
    (seg,) = segments_of(db, doc)
    editing.save_target(db, seg, "Falsch.", 1, "ann")
    editing.restore_revision(db, seg, 1, "ann")
    revs, _ = editing.history(db, seg)
    assert [(r.version, r.kind, r.text) for r in revs][:2] == [
        (3, "restore", "Hallo Welt."), (2, "edit", "Falsch.")]


def test_an_original_with_another_sentence_count_is_proposed_then_accepted(db):
    doc = importing.import_text(db, b"Eins. Zwei.", "x.txt", "en", "de", "review", LIMIT)
    proposal = originals.propose(db, doc, b"One. Two. Three.", "o.txt", LIMIT, "ann")
    assert len(proposal.links) == 2 and proposal.sentences == 3
    assert [s.source for s in segments_of(db, doc)] == ["", ""]
    originals.accept(db, doc, proposal, proposal.version, "ann")
    assert [s.source for s in segments_of(db, doc)][0].startswith("One.")
    assert doc.source_kind == "original"


def test_filters_narrow_by_state_and_text_with_like_wildcards_escaped(db):
    text = "Wachstum um 50% erwartet. Nichts davon. Ein_Unterstrich hier."
    doc = importing.import_text(db, text.encode(), "x.txt", "en", "de", "review", LIMIT)
    segs = segments_of(db, doc)
    editing.save_target(db, segs[1], "Nichts davon, sagte er.", 1, "ann")
    found, total = queries.page_segments(db, doc.id, flt=queries.SegmentFilter(query="50%"))
    assert total == 1 and found[0].id == segs[0].id
    found, total = queries.page_segments(db, doc.id, flt=queries.SegmentFilter(query="n_u"))
    assert total == 1 and found[0].id == segs[2].id
    found, total = queries.page_segments(
        db, doc.id, flt=queries.SegmentFilter(states=[State.TRANSLATED]))
    assert [s.id for s in found] == [segs[1].id]
