"""Tests for webapp.textio: uploads decode to clean LF text or are refused with a clear reason."""

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.documents.textio import DecodedText, TextImportError, decode_text

LIMIT = 5 * 1024 * 1024
QUOTE = "Pjöngjang – „Zitat“ über 20.000 Arbeiter für 5 €"


def refusal(data, max_bytes=LIMIT):
    """Return the message decode_text refuses data with."""
    with pytest.raises(TextImportError) as info:
        decode_text(data, max_bytes)
    return str(info.value)


# --- accepted encodings ----------------------------------------------------------------


def test_utf8_without_bom_is_read_as_utf8():
    assert decode_text(f"{QUOTE}\n".encode(), LIMIT) == DecodedText(
        text=f"{QUOTE}\n", encoding="utf-8", had_bom=False, newline="\n"
    )


def test_utf8_bom_is_recorded_and_left_out_of_the_text():
    decoded = decode_text(codecs.BOM_UTF8 + QUOTE.encode(), LIMIT)
    assert decoded.text == QUOTE
    assert (decoded.encoding, decoded.had_bom) == ("utf-8-sig", True)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_in_either_byte_order_is_read(codec):
    decoded = decode_text(f"\ufeff{QUOTE}\n".encode(codec), LIMIT)
    assert decoded.text == f"{QUOTE}\n"
    assert (decoded.encoding, decoded.had_bom) == ("utf-16", True)


def test_cp1252_text_falls_back_when_not_utf8():
    decoded = decode_text(f"{QUOTE}\n".encode("cp1252"), LIMIT)
    assert decoded.text == f"{QUOTE}\n"
    assert (decoded.encoding, decoded.had_bom) == ("cp1252", False)


def test_latin1_text_is_read_through_cp1252():
    decoded = decode_text("Grüße aus Köln, Ærø und Señor Núñez.".encode("latin-1"), LIMIT)
    assert decoded.text == "Grüße aus Köln, Ærø und Señor Núñez."
    assert decoded.encoding == "cp1252"


# --- line ends -------------------------------------------------------------------------


def test_crlf_is_normalised_to_lf_and_remembered():
    decoded = decode_text(b"Erste Zeile.\r\nZweite Zeile.\r\n", LIMIT)
    assert decoded.text == "Erste Zeile.\nZweite Zeile.\n"
    assert decoded.newline == "\r\n"


def test_old_mac_cr_is_normalised_to_lf_and_remembered():
    decoded = decode_text(b"Erste Zeile.\rZweite Zeile.\r", LIMIT)
    assert decoded.text == "Erste Zeile.\nZweite Zeile.\n"
    assert decoded.newline == "\r"


def test_mixed_line_ends_all_become_lf_and_the_commonest_is_remembered():
    decoded = decode_text(b"a\r\nb\r\nc\nd\re", LIMIT)
    assert decoded.text == "a\nb\nc\nd\ne"
    assert decoded.newline == "\r\n"


def test_crlf_in_utf16_is_normalised_too():
    decoded = decode_text("\ufeffEins\r\nZwei".encode("utf-16-le"), LIMIT)
    assert (decoded.text, decoded.newline) == ("Eins\nZwei", "\r\n")


def test_text_without_line_breaks_reports_lf():
    assert decode_text(b"Nur eine Zeile.", LIMIT).newline == "\n"


# --- refusals --------------------------------------------------------------------------


def test_empty_file_is_refused():
    assert refusal(b"") == "The file is empty."


def test_file_with_only_a_bom_is_refused_as_empty():
    assert refusal(codecs.BOM_UTF8) == "The file is empty."
    assert refusal(codecs.BOM_UTF16_LE) == "The file is empty."


def test_whitespace_only_file_is_refused():
    assert refusal(b" \r\n\t\n  ") == "The file contains only whitespace."


def test_png_is_refused_as_binary():
    png_header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    assert refusal(png_header) == "The file looks binary (NUL bytes at byte 8), not text."


def test_utf16_without_bom_is_refused_as_binary():
    assert "looks binary (NUL bytes at byte 1)" in refusal("Hallo".encode("utf-16-le"))


def test_many_control_characters_are_refused_as_binary():
    data = bytes(range(1, 32)) * 20 + b"text"
    assert refusal(data) == "The file looks binary (540 control characters), not text."


def test_a_stray_control_character_is_refused_with_its_place():
    message = refusal(b"Erste Zeile mit genug Text davor.\nZweite \x1b[0m Zeile mit Text.")
    assert message == (
        "The file contains the control character 0x1B at line 2, column 8, which plain text "
        "does not use; remove it and upload again."
    )


def test_nul_inside_utf16_text_is_refused():
    assert "control character 0x00" in refusal(
        "\ufeffHallo\x00 Welt, wie geht es?".encode("utf-16-le")
    )


def test_too_large_file_is_refused_before_decoding():
    # Not decodable either: the size is what the person has to fix first.
    data = b"\x81" * int(12.3 * 1024 * 1024)
    assert refusal(data) == "The file is 12.3 MB; the limit is 5 MB."


def test_file_just_over_the_limit_shows_exact_byte_counts():
    assert refusal(b"a" * (LIMIT + 1)) == (
        "The file is 5,242,881 bytes; the limit is 5,242,880 bytes."
    )


def test_file_exactly_at_the_limit_is_accepted():
    assert len(decode_text(b"a" * 1000, 1000).text) == 1000
    assert refusal(b"a" * 1001, 1000) == "The file is 1001 bytes; the limit is 1000 bytes."


def test_undecodable_byte_is_named_with_its_position():
    data = "Diese Datei ist kaputt: ".encode("cp1252") + b"\x81 und mehr."
    assert refusal(data) == (
        "The file is not UTF-8, UTF-16 with BOM, or Latin-1/cp1252 text: "
        "undecodable byte 0x81 at position 24."
    )


def test_broken_utf8_after_a_utf8_bom_is_refused():
    assert refusal(codecs.BOM_UTF8 + b"ok \xff") == (
        "The file starts with a UTF-8 byte-order mark but is not valid UTF-8: "
        "undecodable byte 0xFF at position 6."
    )


def test_truncated_utf16_is_refused():
    assert "not valid UTF-16" in refusal(codecs.BOM_UTF16_LE + b"A\x00B")


def test_utf32_is_refused_with_advice():
    assert refusal("Hallo".encode("utf-32")) == (
        "The file is UTF-32 text, which is not supported; save it as UTF-8."
    )


def test_import_error_is_a_value_error():
    assert issubclass(TextImportError, ValueError)


# --- properties ------------------------------------------------------------------------

# Any text a person could type: no surrogates, no control characters but tab and line ends.
typed_text = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r\f"),
    ),
    min_size=1,
).filter(lambda text: not text.isspace() and not text.startswith("\ufeff"))


@settings(database=None, max_examples=200)
@given(text=typed_text, codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_any_typed_text_decodes_back_with_lf_line_ends(text, codec):
    decoded = decode_text(text.encode(codec), LIMIT)
    assert decoded.text == text.replace("\r\n", "\n").replace("\r", "\n")
    assert decoded.encoding == codec
    assert decoded.had_bom == (codec != "utf-8")


@settings(database=None, max_examples=200)
@given(data=st.binary(max_size=64))
def test_any_bytes_are_decoded_or_refused_whole(data):
    try:
        decoded = decode_text(data, LIMIT)
    except TextImportError as error:
        assert str(error).startswith("The file ")
    else:
        assert decoded.text.strip()
        assert "\r" not in decoded.text
