"""TMX import (streamed) and export, language matching, and refusal of unsafe files."""

import io
from datetime import UTC, datetime

import pytest
from conftest import SHARED_TESTDATA
from lxml import etree

from webapp.core.text import language_tag
from webapp.interchange.formats import FormatError, safexml
from webapp.interchange.formats.inline import CLOSE, OPEN, Code, check_codes, placeholder, render, strip_codes
from webapp.interchange.formats.tmx import (
    TranslationUnit,
    iter_tmx,
    lang_matches,
    read_tmx,
    write_tmx,
)
from webapp.interchange.formats.xliff_read import read_xliff

SHARED = SHARED_TESTDATA
P = [placeholder(i) for i in range(8)]


def shared(name: str) -> bytes:
    return (SHARED / "tmx" / name).read_bytes()


def tmx(
    body: str,
    header: str = (
        '<header srclang="en" segtype="sentence" o-tmf="x" adminlang="en" datatype="plaintext"'
        ' creationtool="t" creationtoolversion="1"/>'
    ),
) -> bytes:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f'{declaration}<tmx version="1.4">{header}<body>{body}</body></tmx>'.encode()


@pytest.mark.parametrize(
    ("name", "count", "source", "targets"),
    [
        # counted by reading each file: one unit per target <tuv>
        ("lisa_ImportTest1A_utf16_whitespace.tmx", 2, "en-US", {"fr-CA"}),
        ("lisa_ImportTest1F_utf16_chars.tmx", 3, "en-US", {"en-GB"}),
        ("lisa_ImportTest1H_usascii_ncr.tmx", 3, "en-US", {"en-GB"}),
        ("lisa_ImportTest2A_utf16_bpt_ept.tmx", 7, "en-US", {"fr-CA"}),
        ("lisa_ImportTest2B_rtf_inline_it.tmx", 7, "en-US", {"fr-CA"}),
        ("matecat_export_props_tabs_it_en.tmx", 2, "it-IT", {"en-GB"}),
        ("okapi_trados_tw_utf16_rtfprops.tmx", 11, "en-US", {"fr-FR"}),
        ("omegat_project_save_tmx11.tmx", 5, "en", {"fr"}),
        (
            "omegat_test-multiple-tuv.tmx",
            11,
            "en-US",
            {"es", "es-AR", "es-BO", "fr-CA", "fr", "de", "fr-FR"},
        ),
    ],
)
def test_every_shared_tmx_file_reads_with_its_units_and_languages(name, count, source, targets):
    units = read_tmx(shared(name))
    assert len(units) == count
    assert {u.source_lang for u in units} == {source}
    assert {u.target_lang for u in units} == targets


@pytest.mark.parametrize("name", sorted(p.name for p in (SHARED / "tmx").glob("*.tmx")))
def test_shared_tmx_files_survive_export_and_reimport(name):
    units = read_tmx(shared(name))
    again = read_tmx(write_tmx(units, units[0].source_lang))
    assert [(u.source, u.target, u.source_lang, u.target_lang) for u in again] == [
        (u.source, u.target, u.source_lang, u.target_lang) for u in units
    ]
    assert [[c.data for c in u.codes] for u in again] == [[c.data for c in u.codes] for u in units]


def test_utf16_file_keeps_tabs_and_spaces_written_as_character_references():
    first, second = read_tmx(shared("lisa_ImportTest1A_utf16_whitespace.tmx"))
    assert first.source == "First segment with [\t\t   ]"
    assert second.target == "Second segment avec [  \t\t]"


@pytest.mark.parametrize(
    "name", ["lisa_ImportTest1F_utf16_chars.tmx", "lisa_ImportTest1H_usascii_ncr.tmx"]
)
def test_raw_characters_and_numeric_references_read_the_same(name):
    units = read_tmx(shared(name))
    assert [u.source for u in units] == [
        "à=agrave, é=eacute, æ=aelig",
        "ÿ=U+00FF, ™=U+2122, ’=U+2019",
        "“=U+201C, –=U+2013, ¤=U+00A4",
    ]
    assert all(u.source == u.target for u in units)


def test_tmx_11_lang_attribute_and_tuv_dates_are_read():
    units = read_tmx(shared("omegat_project_save_tmx11.tmx"))
    error = units[3]
    assert (error.source, error.target) == (
        "Error while reading MT results",
        "Erreur lors de la lecture des résultats de TA",
    )
    assert error.creation_id == "Hiroshi Miura"
    assert error.creation_date == datetime(2024, 11, 27, 3, 50, 31, tzinfo=UTC)
    assert error.change_date == datetime(2024, 11, 27, 3, 51, 57, tzinfo=UTC)
    # OmegaT's own {0} placeholders are text, not inline codes.
    assert units[4].source == "Error {0}: {1}" and not units[4].codes


def test_several_targets_per_unit_and_target_language_filter():
    data = shared("omegat_test-multiple-tuv.tmx")
    german = read_tmx(data, target_lang="de-DE")
    assert [(u.source, u.target) for u in german] == [
        ("Hello World!", "Hallo Welt!"),
        ("This is an english sentence.", "Es ist ein Satz in Englisch."),
    ]
    french = read_tmx(data, target_lang="fr")
    assert [u.target for u in french] == [
        "fr_CA Bonjour le monde\u00a0!",
        "fr_CA Bonjour tout le monde\u00a0!",
        "fr Bonjour tout le monde\u00a0!",
        "fr_FR 2 Bonjour les mondes.",
        "fr 2 Bonjour les mondes.",
    ]
    assert [u.target_lang for u in read_tmx(data, target_lang="fr-CA")] == [
        "fr-CA",
        "fr-CA",
        "fr",
        "fr",
    ]


@pytest.mark.parametrize(
    ("code", "wanted", "expected"),
    [
        ("DE-DE", "de", True),
        ("de", "de-DE", True),
        ("de_AT", "DE-at", True),
        ("de-CH", "de-DE", False),
        ("EN-US", "de", False),
        ("En-uS", "en-us", True),
        ("zh-Hant-TW", "zh-TW", True),
        ("", "de", False),
    ],
)
def test_language_codes_match_regardless_of_case_and_region(code, wanted, expected):
    assert lang_matches(code, wanted) is expected


def test_language_codes_are_normalised_to_bcp47_case():
    assert [language_tag(c) for c in ("EN-US", "de_de", "zh-hant-tw", "es-419", "FR")] == [
        "en-US",
        "de-DE",
        "zh-Hant-TW",
        "es-419",
        "fr",
    ]


def test_reordered_paired_codes_keep_their_identity():
    first = read_tmx(shared("lisa_ImportTest2A_utf16_bpt_ept.tmx"))[0]
    assert render(first.source, first.codes) == "The big <1>black</1> <2>cat</2> sleeps."
    assert render(first.target, first.codes) == "Le gros <2>chat</2> <1>noir</1> dors."
    assert [(c.kind, c.data) for c in first.codes] == [
        (OPEN, "<b>"),
        (CLOSE, "</b>"),
        (OPEN, "<u>"),
        (CLOSE, "</u>"),
    ]
    assert check_codes(first.codes, first.target) == []


def test_nested_isolated_highlighted_and_escaped_content_in_codes():
    units = read_tmx(shared("lisa_ImportTest2A_utf16_bpt_ept.tmx"))
    special, nested, begin, end, picture, highlighted = units[1:]
    assert strip_codes(special.source) == 'Test for special characters = <=lt, >=gt, &=amp, "=quot.'
    assert render(nested.source, nested.codes).startswith(
        "Nested formatting = <1><2><3>Bold+Italic+Underlined</3>"
    )
    assert [(c.kind, c.data) for c in begin.codes] == [(OPEN, "<b>")]
    assert [(c.kind, c.data) for c in end.codes] == [(CLOSE, "</b>")]
    assert picture.codes[0].data == '<img src="img.png"/>'
    # The second tuv is the English source here: the header's srclang decides, not the order.
    assert (highlighted.source_lang, strip_codes(highlighted.source)) == (
        "en-US",
        "Some text with a part highlighted.",
    )


def test_matecat_props_and_literal_tab_against_character_reference():
    first, _ = read_tmx(shared("matecat_export_props_tabs_it_en.tmx"))
    assert first.source == "3.2\tcomprendere la qualità della vita affettiva"
    assert first.target == "3.2 \tUnderstanding the quality of affective life"
    assert ("x-MateCAT-status", "TRANSLATED") in first.props
    assert first.tuid == "196899968"
    assert first.creation_date == datetime(2016, 5, 11, 20, 29, 13, tzinfo=UTC)


def test_trados_export_with_rtf_header_props_and_double_escaping():
    units = read_tmx(shared("okapi_trados_tw_utf16_rtfprops.tmx"))
    assert units[0].source == "start &lt; of &lt; body text"
    assert units[0].creation_id == "BATCH_ANALYZER"
    link = units[3]
    assert render(link.source, link.codes) == "To view this click <1>This is a link</1> here"
    assert link.codes[0].data == '<a href="page1.htm">'


def test_header_without_srclang_takes_the_first_tuv_as_source():
    data = tmx(
        '<tu><tuv xml:lang="de"><seg>Haus</seg></tuv>'
        '<tuv xml:lang="en"><seg>house</seg></tuv></tu>',
        header="<header/>",
    )
    (unit,) = read_tmx(data)
    assert (unit.source_lang, unit.source, unit.target_lang, unit.target) == (
        "de",
        "Haus",
        "en",
        "house",
    )


def test_file_without_header_and_with_tu_srclang_and_notes():
    data = (
        b'<tmx version="1.4"><body><tu srclang="EN" creationdate="20240102T030405Z">'
        b'<note>checked</note><prop type="x-domain">news</prop>'
        b'<tuv xml:lang="de-DE"><prop type="x-origin">mt</prop><seg>Haus</seg></tuv>'
        b'<tuv xml:lang="en-GB"><note>British</note><seg>house</seg></tuv></tu></body></tmx>'
    )
    (unit,) = read_tmx(data)
    assert (unit.source_lang, unit.source, unit.target) == ("en-GB", "house", "Haus")
    assert unit.props == [("x-domain", "news"), ("x-origin", "mt")]
    assert unit.notes == ["checked"]
    assert unit.creation_date == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_export_writes_tmx_14b_with_dates_props_and_notes_and_reads_back():
    unit = TranslationUnit(
        "en-US",
        "de-DE",
        f"Press {P[0]}Save{P[1]}",
        f"{P[0]}Speichern{P[1]} drücken",
        props=[("x-document", "manual.txt")],
        notes=["approved by editor"],
        creation_date=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        creation_id="anna",
        change_date=datetime(2025, 2, 3, 4, 5, 6, tzinfo=UTC),
        change_id="ben",
        codes=[Code("1", OPEN, data="<b>"), Code("1", CLOSE, data="</b>")],
    )
    data = write_tmx([unit], "en-US")
    root = etree.fromstring(data)
    assert root.get("version") == "1.4" and root.find("header").get("srclang") == "en-US"
    assert [t.get("{http://www.w3.org/XML/1998/namespace}lang") for t in root.iter("tuv")] == [
        "en-US",
        "de-DE",
    ]
    seg = root.find("body/tu/tuv/seg")
    assert [(e.tag, e.text) for e in seg] == [("bpt", "<b>"), ("ept", "</b>")]
    (again,) = read_tmx(data)
    assert (again.source, again.target, again.props, again.notes) == (
        unit.source,
        unit.target,
        unit.props,
        unit.notes,
    )
    assert (again.creation_date, again.creation_id, again.change_date, again.change_id) == (
        unit.creation_date,
        "anna",
        unit.change_date,
        "ben",
    )


def test_xliff_segment_codes_survive_a_trip_through_tmx():
    doc = read_xliff((SHARED / "xliff" / "omegat_xliff11_inline_tags.xlf").read_bytes())
    units = [
        TranslationUnit("en", "be", u.source, u.target or "", codes=u.codes) for u in doc.units
    ]
    again = read_tmx(write_tmx(units, "en"))
    # Ids become TMX's numeric x; the placeholders, kinds and native data stay.
    assert [u.target for u in again] == [u.target for u in units]
    assert [[(c.kind, c.data) for c in u.codes] for u in again] == [
        [(c.kind, c.data) for c in u.codes] for u in units
    ]


def big_tmx(count: int) -> bytes:
    english = (
        "Sentence number # about the weather today, which was mild and sunny in the north. " * 4
    )
    german = "Satz Nummer # über das Wetter heute, das im Norden mild und sonnig war. " * 4
    tus = "".join(
        f'<tu tuid="{n}"><tuv xml:lang="en"><seg>{english.replace("#", str(n))}</seg></tuv>'
        f'<tuv xml:lang="de"><seg>{german.replace("#", str(n))}</seg></tuv></tu>\n'
        for n in range(count)
    )
    return tmx(tus)


def test_ten_megabyte_memory_streams_with_progress_and_a_small_tree():
    data = big_tmx(16_000)
    assert len(data) > 10_000_000
    seen = []
    units = iter_tmx(io.BytesIO(data), progress=lambda done, total: seen.append((done, total)))
    count = sum(1 for _ in units)
    assert count == 16_000
    assert len(seen) > 100 and seen[-1] == (len(data), len(data))
    # Elements already handed out are freed: the body holds at most one 64 KB chunk's <tu>s
    # (a few hundred here), never the file's 16,000.
    widest = max(len(tu.getparent()) for tu in safexml.iterparse(io.BytesIO(data), {"tu"}))
    assert widest < 1_000


def test_broken_xml_in_a_stream_is_refused_with_its_line():
    data = tmx('<tu><tuv xml:lang="en"><seg>a</seg></tuv>\n<tuv xml:lang="de"><seg>b</tuv></tu>')
    with pytest.raises(FormatError, match=r"line 3, column \d+: not well-formed XML"):
        read_tmx(data)


def test_not_a_tmx_file_is_refused():
    with pytest.raises(FormatError, match="not a TMX document: the root element is <xliff>"):
        read_tmx((SHARED / "xliff" / "omegat_xliff11_inline_tags.xlf").read_bytes())


def test_external_entity_in_tmx_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>&x;</seg></tuv>'
        '<tuv xml:lang="de"><seg>b</seg></tuv></tu></body></tmx>'
    ).encode()
    with pytest.raises(FormatError, match="XXE"):
        read_tmx(data)


def test_billion_laughs_in_utf16_tmx_is_refused():
    lol = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    text = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE tmx [<!ENTITY l0 "lol">{lol}]>'
        '<tmx version="1.4"><header srclang="en"/><body>'
        '<tu><tuv xml:lang="en"><seg>&l9;</seg></tuv>'
        '<tuv xml:lang="de"><seg>b</seg></tuv></tu></body></tmx>'
    )
    with pytest.raises(FormatError, match="billion laughs"):
        read_tmx("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))
