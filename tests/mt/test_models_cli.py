"""`flask models install-file` refuses what the models page refuses, naming the file."""

from __future__ import annotations

from model_archives import MiB, rebuilt, zip_bomb

from webapp.mt import engine as mt


def test_install_file_refuses_a_zip_bomb(runner, argos_packages_dir, tiny_argos_file, tmp_path):
    bomb = zip_bomb(tiny_argos_file, tmp_path / "kim.argosmodel", {"model/extra.bin": 64 * MiB})

    result = runner.invoke(args=["models", "install-file", str(bomb)])

    assert result.exit_code == 1
    assert "Error: kim.argosmodel was refused as a zip bomb: " in result.output
    assert mt.installed_pairs() == [] and list(argos_packages_dir.iterdir()) == []
    assert list(argos_packages_dir.parent.glob(".argos-*")) == []


def test_install_file_refuses_a_model_that_does_not_load(
        runner, argos_packages_dir, tiny_argos_file, tmp_path):
    fake = rebuilt(tiny_argos_file, tmp_path / "kim.argosmodel",
                   replace={"sentencepiece.model": b"not really"})

    result = runner.invoke(args=["models", "install-file", str(fake)])

    assert result.exit_code == 1
    assert ("Error: kim.argosmodel is not a usable Argos model: its sentencepiece.model does "
            "not load (") in result.output
    assert mt.installed_pairs() == [] and list(argos_packages_dir.iterdir()) == []


def test_install_file_keeps_to_max_model_bytes(app, runner, argos_packages_dir, tiny_argos_file):
    app.config["MAX_MODEL_BYTES"] = 1 * MiB

    result = runner.invoke(args=["models", "install-file", str(tiny_argos_file)])

    assert result.exit_code == 1
    assert f"Error: {tiny_argos_file.name} was refused: it would unpack to 2 MB" in result.output
    assert mt.installed_pairs() == []


def test_a_missing_model_is_still_explained_with_the_install_hint(runner, argos_packages_dir):
    result = runner.invoke(args=["models", "list"])

    assert "No Argos Translate model is installed." in result.output
    assert "argospm install translate-de_en" in result.output
    assert "models install-file PATH" in result.output
