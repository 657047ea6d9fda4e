"""Command-line interface, run through Flask's CLI runner on the test database."""

from __future__ import annotations

import pytest
from argos_tiny import model_drafts

from webapp.mt import engine as mt


def test_every_command_has_help(runner):
    for args in (["init-db"], ["import"], ["pretranslate"], ["export"], ["seed"],
                 ["models"], ["models", "list"], ["models", "install"],
                 ["models", "install-file"]):
        result = runner.invoke(args=[*args, "--help"])
        assert result.exit_code == 0, args
        assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_seed_imports_the_article_once_and_says_the_model_is_missing(runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "Imported kim-putin.de.txt as document 1" in first.output
    assert "de → en" in first.output and "argospm install translate-de_en" in first.output
    again = runner.invoke(args=["seed"])
    assert "kim-putin.de.txt is document 1." in again.output


def test_seed_back_translates_when_the_model_is_installed(runner, argos_installed):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "Back-translating de→en" in result.output
    assert "back-translated (de→en)" in result.output


def test_import_pretranslate_export_round(app, runner, tmp_path, argos_installed):
    src = tmp_path / "note.en.txt"
    src.write_text("Kim met Putin.\nThey talked about arms.\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(src), "--from", "en", "--to", "de",
                                 "--pretranslate"])
    assert result.exit_code == 0, result.output
    assert "Imported note.en.txt as document 1: 2 segments" in result.output
    assert "Pre-translating en→de" in result.output and "2 segments pre-translated" in result.output
    out = tmp_path / "out.txt"
    result = runner.invoke(args=["export", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").split("\n")
    assert len(lines) == 3 and lines[2] == "" and all(lines[:2])
    # The drafts are what the installed en → de model says, not an echo of the source.
    sources = ["Kim met Putin.", "They talked about arms."]
    assert lines[:2] == model_drafts(app, sources, "en", "de")
    assert lines[:2] != sources


def test_export_defaults_to_translations_and_counts_untranslated(runner, tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("One. Two.", encoding="utf-8")
    assert runner.invoke(args=["import", str(src), "--from", "en", "--to", "de"]).exit_code == 0
    result = runner.invoke(args=["export", "1"])
    assert result.exit_code == 0
    assert (tmp_path / "a.de.txt").read_text(encoding="utf-8") == "One. Two."
    assert "2 segments had no target" in result.output


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"\x00\x01\x02\x03" * 10, "binary"),
])
def test_import_refuses_bad_files_with_the_file_name(runner, tmp_path, content, words):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = runner.invoke(args=["import", str(bad), "--from", "en", "--to", "de"])
    assert result.exit_code != 0
    assert "bad.txt" in result.output and words in result.output


def test_models_list_and_install_file(runner, argos_packages_dir, tiny_argos_file):
    result = runner.invoke(args=["models", "list"])
    assert "No Argos Translate model is installed" in result.output
    assert "argospm" in result.output
    result = runner.invoke(args=["models", "install-file", str(tiny_argos_file)])
    assert result.exit_code == 0, result.output
    assert "Installed de→en" in result.output
    assert runner.invoke(args=["models", "list"]).output.strip() == "de→en"
    assert mt.has_route("de", "en")


def test_models_install_file_refuses_garbage(runner, tmp_path):
    junk = tmp_path / "junk.argosmodel"
    junk.write_bytes(b"not a zip at all")
    result = runner.invoke(args=["models", "install-file", str(junk)])
    assert result.exit_code != 0 and "Error" in result.output
    assert mt.installed_pairs() == []


def test_pretranslate_unknown_document(runner):
    result = runner.invoke(args=["pretranslate", "42"])
    assert result.exit_code != 0 and "no document 42" in result.output
