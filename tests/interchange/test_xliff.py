"""XLIFF import and export, inline codes as placeholders, and safe XML parsing."""

import pytest
from conftest import SHARED_TESTDATA
from lxml import etree
from translate.storage import xliff as toolkit_xliff

from webapp.interchange.formats import FormatError
from webapp.interchange.formats.inline import (
    CLOSE,
    OPEN,
    STANDALONE,
    Code,
    check_codes,
    placeholder,
    render,
    strip_codes,
)
from webapp.interchange.formats.xliff import NS12, NS20, Unit, XliffDocument
from webapp.interchange.formats.xliff_read import read_xliff
from webapp.interchange.formats.xliff_write import write_xliff12, write_xliff20

SHARED = SHARED_TESTDATA / "xliff"
P = [placeholder(i) for i in range(8)]


def shared(name: str) -> bytes:
    return (SHARED / name).read_bytes()


def xliff12(
    body: str, *, file_attrs: str = 'source-language="en" target-language="de"', prefix: str = ""
) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<xliff xmlns="{NS12}" version="1.2">\n'
        f'<file original="a.txt" datatype="plaintext" {file_attrs}><body>\n{body}\n</body>'
        "</file></xliff>"
    ).encode()


def xliff20(body: str, *, langs: str = 'srcLang="en" trgLang="de"') -> bytes:
    root = f'<xliff xmlns="{NS20}" version="2.0" {langs}>'
    return f'{root}\n<file id="f1">\n{body}\n</file></xliff>'.encode()


def segments(doc: XliffDocument) -> list[tuple]:
    return [(u.id, u.source, u.target, u.state, u.notes, u.translate, u.file) for u in doc.units]


# --- The files other tools wrote -------------------------------------------------------

SHARED_FILES = [
    # file, version, source, target, units, untranslatable (counted by reading each file)
    ("matecat-xp_trados_sdlxliff_de-DE.sdlxliff", "1.2", "en-US", "de-DE", 5, 0),
    ("matecat-xp_xliff12_complex_structure.xliff", "1.2", "en-us", "es-es", 1, 0),
    ("matecat-xp_xliff12_entities.xliff", "1.2", "en-US", "fa", 2, 1),
    ("matecat_xliff12_multifile_preserve_space.xliff", "1.2", "ru", "en", 2, 0),
    ("matecat_xliff20_ph_cases.xliff", "2.0", "en-US", "it-IT", 23, 0),
    ("oasis_xliff20_everything-core.xlf", "2.0", "en", "fr", 5, 0),
    ("okapi_ontram_xliff12_de-DE_to_en-US_alttrans.xlf", "1.2", "de-DE", "en-US", 88, 0),
    ("okapi_trados2009_sdlxliff_en_de.xlf", "1.2", "en", "de", 45, 22),
    ("omegat_xliff11_inline_tags.xlf", "1.2", "en", "be", 10, 0),
    ("omegat_xliff20_spec_ex14.5_glossary_module.xlf", "2.0", "en", "pt", 2, 0),
]


@pytest.mark.parametrize(
    ("name", "version", "source", "target", "count", "untranslatable"), SHARED_FILES
)
def test_every_shared_xliff_file_reads_with_its_languages_and_segments(
    name, version, source, target, count, untranslatable
):
    doc = read_xliff(shared(name))
    assert (doc.version, doc.source_lang, doc.target_lang) == (version, source, target)
    assert len(doc.units) == count
    assert sum(not u.translate for u in doc.units) == untranslatable
    assert len({u.id for u in doc.units}) == count


def test_spec_example_without_trglang_needs_the_target_language_from_the_user():
    data = shared("omegat_xliff20_spec_ex9.5_groups_mda.xlf")
    with pytest.raises(FormatError, match="no target language.*trgLang") as error:
        read_xliff(data)
    assert error.value.line == 5  # libxml2 reports where the multi-line <xliff> start tag ends
    doc = read_xliff(data, target_lang="fr")
    assert doc.target_lang == "fr"
    assert len(doc.units) == 8
    desert = next(u for u in doc.units if u.id == "paragraph-12")
    assert not desert.translate
    # Line-wrapped source text reads as one line when whitespace is not preserved.
    assert (
        doc.units[1].source
        == "Oregon is a mostly temperate state. There are many different kinds of birds that thrive"
    )
    title = next(u for u in doc.units if u.id == "title-5")
    assert title.source == P[0] + "High Altitude Birds"
    assert title.target == P[0] + "Oiseaux de haute altitude"


@pytest.mark.parametrize("name", [f[0] for f in SHARED_FILES])
@pytest.mark.parametrize("write", [write_xliff12, write_xliff20])
def test_shared_files_survive_export_and_reimport(name, write):
    doc = read_xliff(shared(name))
    again = read_xliff(write(doc))
    assert segments(again) == segments(doc)
    assert (again.source_lang, again.target_lang) == (doc.source_lang, doc.target_lang)


def test_sdlxliff_seg_source_markers_become_one_segment_each():
    doc = read_xliff(shared("matecat-xp_trados_sdlxliff_de-DE.sdlxliff"))
    assert [u.id for u in doc.units] == [
        f"aee647b1-0f14-4091-aada-813488be9fb7:{n}" for n in range(1, 6)
    ]
    assert [u.source for u in doc.units] == [
        "“Sto attraversando la piazza silenziosa.",
        "Il lago giace calmo e sereno.",
        "Le bianche case pallidamente risplendono sulla collina.",
        "Gatti piccoli e grossi attraversano il mio cammino.”",
        "Marianne Werefkin",
    ]
    assert all(u.target == "" and u.state == "new" for u in doc.units)


def test_trados_confirmed_segment_is_translated_and_multi_sentence_unit_is_split():
    doc = read_xliff(shared("okapi_trados2009_sdlxliff_en_de.xlf"))
    by_source = {u.source: u for u in doc.units}
    started = by_source["Getting Started"]
    assert (started.target, started.state) == ("Erste Schritte", "translated")
    note = [u for u in doc.units if u.id.startswith("9579b265")]
    assert [u.source for u in note] == [
        "Note:",
        "Use only the AC power adapter included with your photo printer.",
        "Other adapters can damage your camera, photo printer, or computer.",
    ]
    ventilation = next(u for u in doc.units if u.source.startswith("For proper ventilation"))
    assert render(ventilation.source, ventilation.codes).startswith("For proper ventilation<ph7/>,")
    skeleton = [u for u in doc.units if not u.translate]
    assert all(strip_codes(u.source).strip() == "" for u in skeleton)


def test_alt_trans_is_ignored_and_needs_translation_reads_as_new():
    doc = read_xliff(shared("okapi_ontram_xliff12_de-DE_to_en-US_alttrans.xlf"))
    first, second = doc.units[0], doc.units[1]
    assert first.source == P[0] + "Das Reisebüro"
    assert (first.target, first.state) == ("", "new")
    assert render(second.source, second.codes) == "<0>tropicana</0> - Das Reisebüro"
    assert "The Travel Agency" not in {u.target for u in doc.units}


def test_plain_units_read_the_same_as_translate_toolkit():
    data = shared("okapi_ontram_xliff12_de-DE_to_en-US_alttrans.xlf")
    ours = [u for u in read_xliff(data).units if not u.codes]
    theirs = {u.getid().split("\x04")[-1]: u.source for u in toolkit_xliff.xlifffile(data).units}
    assert len(ours) > 50
    assert all(theirs[u.id] == u.source for u in ours)


def test_preserved_space_is_kept_exactly_across_several_files():
    doc = read_xliff(shared("matecat_xliff12_multifile_preserve_space.xliff"))
    model = doc.units[1]
    assert model.source.startswith(
        '<model id="12341" categoryId="10">\n  <name>EOS 60D Body</name>\n\n     ...\n\n  <rec'
    )
    assert model.target == model.source
    assert model.file == "test-normalize-spaces.dita"


def test_undeclared_namespace_prefix_is_tolerated_and_ph_content_stays_protected():
    doc = read_xliff(shared("matecat-xp_xliff12_complex_structure.xliff"))
    (unit,) = doc.units
    assert strip_codes(unit.source).split() == ["Choice", "Content", "-", "default"]
    assert "{59}" not in unit.source
    assert len(unit.codes) == 16 and all(c.kind == STANDALONE for c in unit.codes)
    assert unit.codes[0].data == "{59}"


def test_escaped_html_stays_text_and_crowdin_flags_are_read():
    doc = read_xliff(shared("matecat-xp_xliff12_entities.xliff"))
    table, question = doc.units
    assert (table.translate, table.state) == (False, "approved")
    assert "&nbsp;&nbsp;" in table.source and not table.codes
    assert question.state == "approved"
    assert question.target.startswith("با دقت")


def test_xliff_11_paired_codes_keep_their_native_data_and_go_back_on_export():
    doc = read_xliff(shared("omegat_xliff11_inline_tags.xlf"))
    gandalf = next(u for u in doc.units if u.id == "7")
    assert gandalf.source == f"About {P[0]}Gandalf{P[1]}"
    assert [(c.kind, c.data) for c in gandalf.codes] == [(OPEN, "<b>"), (CLOSE, "</b>")]
    exported = etree.fromstring(write_xliff12(doc))
    unit = exported.find(f".//{{{NS12}}}trans-unit[@id='7']")
    bpt = unit.find(f"{{{NS12}}}source/{{{NS12}}}bpt")
    assert (bpt.get("id"), bpt.text, bpt.tail) == ("1", "<b>", "Gandalf")


def test_xliff_20_codes_carry_their_original_data():
    doc = read_xliff(shared("matecat_xliff20_ph_cases.xliff"))
    units = {u.id: u for u in doc.units}
    only = units["ph-only-dataref"]
    assert only.source == P[0] and only.codes[0].data == "<br/>"
    pair = units["sc-ec-alone"]
    assert [(c.kind, c.data) for c in pair.codes] == [(OPEN, "<b>"), (CLOSE, "</b>")]
    assert strip_codes(units["pc-wrapping-words"].source) == "three bold words"
    out = read_xliff(write_xliff20(doc))
    assert [c.data for u in out.units for c in u.codes] == [
        c.data for u in doc.units for c in u.codes
    ]


def test_xliff_20_segments_states_and_overridden_translate():
    doc = read_xliff(shared("oasis_xliff20_everything-core.xlf"))
    first, second = doc.units[:2]
    assert (first.id, first.state, first.target) == ("tu1:1", "translated", "Exemple de segment.")
    assert (second.id, second.state) == ("tu1:2", "new")
    # The <file> says translate="no"; its units say yes and win.
    assert all(u.translate for u in doc.units)
    tu2 = doc.units[-1]
    assert tu2.codes[0].data == "[b [#$tu3]   ]"
    assert tu2.source == f"{P[0]}special text{P[1]} and more\n{P[2]}."


def test_glossary_term_annotation_is_a_code_and_comments_are_dropped():
    doc = read_xliff(shared("omegat_xliff20_spec_ex14.5_glossary_module.xlf"))
    assert doc.units[0].source == f"It was a unique {P[0]}bill.{P[1]}."


# --- Our own small files ---------------------------------------------------------------


def test_groups_inherit_translate_no_and_preserve_space():
    doc = read_xliff(
        xliff12(
            '<group translate="no" xml:space="preserve">'
            '<trans-unit id="1"><source>  Logo  </source></trans-unit>'
            '<trans-unit id="2" translate="yes"><source> keep  this </source></trans-unit>'
            "</group>"
            '<trans-unit id="3"><source>\n   collapse\n   me  </source>'
            "<target>x</target></trans-unit>"
        )
    )
    assert [(u.id, u.source, u.translate) for u in doc.units] == [
        ("1", "  Logo  ", False),
        ("2", " keep  this ", True),
        ("3", "collapse me", True),
    ]


def test_namespace_prefixed_elements_read_like_default_namespace():
    data = (
        f'<x:xliff xmlns:x="{NS12}" version="1.2"><x:file original="p" source-language="en" '
        'target-language="de" datatype="plaintext"><x:body><x:trans-unit id="a">'
        '<x:source>Hello <x:g id="1">world</x:g></x:source><x:target state="translated">Hallo '
        '<x:g id="1">Welt</x:g></x:target><x:note>greeting</x:note></x:trans-unit>'
        "</x:body></x:file></x:xliff>"
    ).encode()
    (unit,) = read_xliff(data).units
    assert (unit.source, unit.target, unit.state, unit.notes) == (
        f"Hello {P[0]}world{P[1]}",
        f"Hallo {P[0]}Welt{P[1]}",
        "translated",
        ["greeting"],
    )


@pytest.mark.parametrize(
    ("target_attrs", "unit_attrs", "expected"),
    [
        ('state="new"', "", "new"),
        ('state="needs-translation"', "", "new"),
        ('state="needs-translation" state-qualifier="x-workbench-rejected"', "", "rejected"),
        ('state="needs-translation" state-qualifier="leveraged-mt"', "", "mt"),
        ('state="needs-review-translation" state-qualifier="mt-suggestion"', "", "mt"),
        ('state="needs-review-translation"', "", "translated"),
        ('state="translated"', "", "translated"),
        ("", "", "translated"),
        ('state="signed-off"', "", "approved"),
        ('state="final"', "", "approved"),
        ('state="translated"', 'approved="yes"', "approved"),
    ],
)
def test_xliff_12_states_map_to_workbench_states(target_attrs, unit_attrs, expected):
    data = xliff12(
        f'<trans-unit id="1" {unit_attrs}><source>a</source>'
        f"<target {target_attrs}>b</target></trans-unit>"
    )
    assert read_xliff(data).units[0].state == expected


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ("", "new"),
        ('state="initial"', "new"),
        ('state="initial" subState="workbench:mt"', "mt"),
        ('state="initial" subState="workbench:rejected"', "rejected"),
        ('state="initial" subState="other:rejected"', "new"),
        ('state="translated"', "translated"),
        ('state="reviewed"', "approved"),
        ('state="final"', "approved"),
    ],
)
def test_xliff_20_states_map_to_workbench_states(attrs, expected):
    data = xliff20(
        f'<unit id="u"><segment {attrs}><source>a</source><target>b</target></segment></unit>'
    )
    assert read_xliff(data).units[0].state == expected


def test_xliff_20_groups_notes_and_several_segments():
    data = xliff20(
        '<group id="g"><group id="h" translate="no"><unit id="u1">'
        "<notes><note>Context: menu</note></notes>"
        "<segment id='s1'><source>One.</source><target>Eins.</target></segment>"
        "<ignorable><source> </source></ignorable>"
        "<segment id='s2'><source>Two.</source></segment></unit></group></group>"
    )
    doc = read_xliff(data)
    assert [(u.id, u.source, u.target, u.notes, u.translate) for u in doc.units] == [
        ("u1:s1", "One.", "Eins.", ["Context: menu"], False),
        ("u1:s2", "Two.", None, ["Context: menu"], False),
    ]


def test_utf16_xliff_with_bom_is_decoded():
    text = xliff12(
        '<trans-unit id="1"><source>Größe</source><target>Size</target></trans-unit>'
    ).decode()
    data = "\ufeff".encode("utf-16-le") + text.replace(
        'encoding="UTF-8"', 'encoding="UTF-16"'
    ).encode("utf-16-le")
    assert read_xliff(data).units[0].source == "Größe"


def document() -> XliffDocument:
    bold, lb = Code("1", OPEN, f'<g xmlns="{NS12}" id="1" ctype="bold"/>'), Code("1", CLOSE, "")
    ph = Code("2", STANDALONE, f'<ph xmlns="{NS12}" id="2">&lt;br/&gt;</ph>', "<br/>")
    return XliffDocument(
        "en",
        "de",
        [
            Unit(
                "a",
                f"Press {P[0]}Save{P[1]}{P[2]}now.",
                f"{P[0]}Speichern{P[1]} drücken{P[2]}jetzt.",
                "approved",
                ["UI button"],
                True,
                "ui.txt",
                [bold, lb, ph],
            ),
            Unit("b", "Untranslated  with two spaces", None, "new", [], True, "ui.txt", []),
            Unit(
                "c", "Machine", "Maschine", "mt", ["from Argos", "check terms"], True, "ui.txt", []
            ),
            Unit("d", "Human", "Mensch", "translated", [], True, "help.txt", []),
            Unit("e", "Logo", "", "new", [], False, "help.txt", []),
        ],
    )


@pytest.mark.parametrize("write", [write_xliff12, write_xliff20])
def test_export_then_import_gives_back_segments_targets_states_and_notes(write):
    doc = document()
    again = read_xliff(write(doc))
    assert segments(again) == segments(doc)
    assert [render(u.source, u.codes) for u in again.units] == [
        render(u.source, u.codes) for u in doc.units
    ]
    assert [render(u.target or "", u.codes) for u in again.units] == [
        render(u.target or "", u.codes) for u in doc.units
    ]


def test_xliff_12_export_puts_the_original_codes_back():
    root = etree.fromstring(write_xliff12(document()))
    target = root.find(f".//{{{NS12}}}trans-unit[@id='a']/{{{NS12}}}target")
    assert target.get("state") == "signed-off"
    g = target.find(f"{{{NS12}}}g")
    assert (dict(g.attrib), g.text, g.tail) == (
        {"id": "1", "ctype": "bold"},
        "Speichern",
        " drücken",
    )
    ph = target.find(f"{{{NS12}}}ph")
    assert (ph.get("id"), ph.text, ph.tail) == ("2", "<br/>", "jetzt.")
    assert root.find(f".//{{{NS12}}}trans-unit[@id='a']").get("approved") == "yes"


def test_xliff_20_export_writes_original_data_and_states():
    root = etree.fromstring(write_xliff20(document()))
    unit = root.find(f".//{{{NS20}}}unit[@id='a']")
    assert unit.find(f"{{{NS20}}}segment").get("state") == "final"
    data = {d.get("id"): d.text for d in unit.iter(f"{{{NS20}}}data")}
    ph = unit.find(f".//{{{NS20}}}target/{{{NS20}}}ph")
    assert data[ph.get("dataRef")] == "<br/>"
    assert unit.find(f".//{{{NS20}}}target/{{{NS20}}}pc").text == "Speichern"
    mt = root.find(f".//{{{NS20}}}unit[@id='c']/{{{NS20}}}segment")
    assert (mt.get("state"), mt.get("subState")) == ("initial", "workbench:mt")
    assert [n.text for n in root.iter(f"{{{NS20}}}note")] == [
        "UI button",
        "from Argos",
        "check terms",
    ]


@pytest.mark.parametrize("write", [write_xliff12, write_xliff20])
def test_a_target_with_misordered_tags_still_exports_valid_xliff(write):
    doc = document()
    broken = f"{P[1]}Speichern{P[0]} drücken jetzt."
    doc.units[0].target = broken
    again = read_xliff(write(doc))
    assert render(again.units[0].target, again.units[0].codes) == "</1>Speichern<1> drücken jetzt."


def test_private_use_character_in_a_file_is_protected_and_written_back():
    data = xliff12('<trans-unit id="1"><source>Icon \ue005 here</source></trans-unit>')
    (unit,) = read_xliff(data).units
    assert unit.source == f"Icon {P[0]} here" and unit.codes[0].data == "\ue005"
    assert "Icon \ue005 here" in write_xliff12(read_xliff(data)).decode()


# --- Refused files ---------------------------------------------------------------------


def test_not_xml_is_refused_with_line_and_column():
    with pytest.raises(FormatError, match=r"line 3, column \d+: not well-formed XML") as error:
        read_xliff(b'<xliff version="1.2">\n<file>\n</xliff>')
    assert error.value.line == 3


def test_not_xliff_is_refused_naming_the_root_element():
    with pytest.raises(FormatError, match="not an XLIFF document: the root element is <html>"):
        read_xliff(b"<html><body>hi</body></html>")


def test_xliff_20_ec_before_its_sc_is_refused_with_unit_and_line():
    data = xliff20(
        '<unit id="u7">\n<segment><source>a <ec startRef="1"/>b\n<sc id="1"/>c</source>'
        "</segment></unit>"
    )
    with pytest.raises(
        FormatError, match=r'line 4: <ec startRef="1"> in the source of unit "u7" comes before'
    ):
        read_xliff(data)


def test_xliff_12_without_target_language_is_refused_unless_given():
    data = xliff12(
        '<trans-unit id="1"><source>a</source></trans-unit>', file_attrs='source-language="en"'
    )
    with pytest.raises(FormatError, match="no target language"):
        read_xliff(data)
    assert read_xliff(data, target_lang="de").target_lang == "de"


def test_files_with_different_language_pairs_are_refused():
    data = (
        f'<xliff xmlns="{NS12}" version="1.2">'
        '<file original="a" source-language="en" target-language="de" datatype="plaintext"><body>'
        '<trans-unit id="1"><source>a</source></trans-unit></body></file>'
        '<file original="b" source-language="en" target-language="fr" datatype="plaintext"><body>'
        '<trans-unit id="2"><source>b</source></trans-unit></body></file></xliff>'
    ).encode()
    with pytest.raises(FormatError, match="different language pairs: en→de .*, en→fr"):
        read_xliff(data)


def test_external_entity_is_refused_and_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        + xliff12('<trans-unit id="1"><source>&x;</source></trans-unit>').decode().split("\n", 1)[1]
    ).encode()
    with pytest.raises(FormatError, match="XXE") as error:
        read_xliff(data)
    assert "TOP-SECRET" not in str(error.value)


def test_billion_laughs_is_refused():
    lol = "".join(f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10))
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY l0 "lol">{lol}]>\n'
        + xliff12('<trans-unit id="1"><source>&l9;</source></trans-unit>')
        .decode()
        .split("\n", 1)[1]
    ).encode()
    with pytest.raises(FormatError, match="billion laughs"):
        read_xliff(data)


def test_doctype_without_entities_is_accepted_and_not_fetched():
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE xliff SYSTEM "http://127.0.0.1:9/xliff.dtd">\n'
        + xliff12('<trans-unit id="1"><source>a</source></trans-unit>').split(b"\n", 1)[1]
    )
    assert read_xliff(data).units[0].source == "a"


def test_oversized_upload_is_refused_with_sizes():
    from webapp.interchange.formats import safexml

    with pytest.raises(FormatError, match="the file is 2.0 MB; the limit is 1 MB"):
        safexml.parse(b" " * 2 * 1_048_576, max_bytes=1_048_576)


# --- QA on inline codes ----------------------------------------------------------------

BOLD = [
    Code("1", OPEN, data="<b>"),
    Code("1", CLOSE, data="</b>"),
    Code("2", STANDALONE),
    Code("3", OPEN),
    Code("3", CLOSE),
]


def test_target_keeping_every_tag_has_no_warning_even_with_a_moved_standalone_tag():
    assert check_codes(BOLD, f"{P[2]}x {P[0]}a{P[1]} {P[3]}b{P[4]}") == []


def test_lost_tag_is_reported_with_its_label():
    (warning,) = check_codes(BOLD, f"{P[0]}a{P[1]} {P[3]}b{P[4]}")
    assert (warning.problem, warning.code, warning.message) == (
        "lost",
        2,
        "Tag <2/> is missing from the translation.",
    )


def test_duplicated_tag_is_reported():
    (warning,) = check_codes(BOLD, f"{P[0]}a{P[1]}{P[2]}{P[2]} {P[3]}b{P[4]}")
    assert warning.problem == "duplicated" and "2 times" in warning.message


def test_close_before_open_is_misordered():
    (warning,) = check_codes(BOLD, f"{P[1]}a{P[0]}{P[2]} {P[3]}b{P[4]}")
    assert (warning.problem, warning.message) == ("misordered", "Tag </1> comes before <1>.")


def test_overlapping_pairs_are_misordered():
    (warning,) = check_codes(BOLD, f"{P[0]}a{P[3]}b{P[1]}c{P[4]}{P[2]}")
    assert warning.problem == "misordered" and "overlap" in warning.message


def test_tag_the_source_does_not_have_is_unknown():
    problems = [w.problem for w in check_codes(BOLD, f"{P[0]}a{P[1]}{P[2]}{P[3]}{P[4]}{P[7]}")]
    assert problems == ["unknown"]


def test_codes_only_in_the_imported_target_are_not_expected_when_the_source_is_given():
    assert check_codes(BOLD, f"{P[0]}a{P[1]}", source_text=f"{P[0]}x{P[1]}") == []
