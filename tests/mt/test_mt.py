"""Tests for webapp.mt on real, tiny Argos packages built by argos_tiny."""

from __future__ import annotations

import json
import math
import socket
import zipfile
from functools import partial

import argostranslate.package
import argostranslate.settings
import ctranslate2
import pytest
from argos_tiny import build_tiny_package

from webapp.mt import engine as mt
from webapp.mt import packages

GERMAN = [
    "Der Vertrag wurde am Montag in Berlin unterzeichnet.",
    "Die Übersetzung muss bis Freitag fertig sein.",
    "Das Glossar enthält die wichtigsten Begriffe des Projekts.",
    "Können Sie mir sagen, wo der Bahnhof ist?",
    "Hallo Welt! Wie geht es dir?",
]


def numbered(n: int) -> list[str]:
    """Return n distinct German inputs."""
    return [f"{GERMAN[i % len(GERMAN)]} {i}" for i in range(n)]


class CountingTranslator:
    """Wrap ctranslate2.Translator to count how often it is built and called."""

    built: list[str]
    batches: list[int]

    def __init__(self, real, built, batches, *args, **kwargs):
        self._real = real(*args, **kwargs)
        self.built, self.batches = built, batches
        built.append(args[0] if args else kwargs.get("model_path"))

    def translate_batch(self, tokens, **options):
        self.batches.append(len(tokens))
        return self._real.translate_batch(tokens, **options)


@pytest.fixture
def counting(monkeypatch):
    """Count Translator constructions and translate_batch calls made by webapp.mt."""
    built: list[str] = []
    batches: list[int] = []
    wrapper = partial(CountingTranslator, ctranslate2.Translator, built, batches)
    monkeypatch.setattr(ctranslate2, "Translator", wrapper)
    mt.configure(mt.packages_dir())  # drop engines loaded before the wrapper was in place
    return built, batches


def test_installing_with_argos_makes_the_pair_available(argos_packages_dir, tiny_argos_file):
    assert mt.packages_dir() == argos_packages_dir
    assert mt.installed_pairs() == []
    assert not mt.has_route("de", "en")

    argostranslate.package.install_from_path(tiny_argos_file)

    assert mt.installed_pairs() == [("de", "en")]
    assert mt.has_route("de", "en")
    assert [(p.from_code, p.to_code) for p in mt.route("de", "en")] == [("de", "en")]


def test_translation_matches_argos_translate_itself(argos_installed):
    import argostranslate.translate

    for sentence in GERMAN[:3]:
        ours = mt.translate_batch([sentence], "de", "en")
        theirs = argostranslate.translate.translate(sentence, "de", "en")
        assert ours == [theirs]
        assert ours[0] and ours[0] != sentence


def test_argos_splits_sentences_with_the_packaged_splitter_offline(argos_installed):
    import argostranslate.sbd

    (package,) = [p for p in mt.route("de", "en")]
    splitter = argostranslate.sbd.MiniSBDSentencizer(package)

    assert splitter.split_sentences("Hallo Welt! Wie geht es dir? Gut.") == [
        "Hallo Welt!",
        "Wie geht es dir?",
        "Gut.",
    ]


def test_each_input_is_one_segment_with_order_and_blanks_kept(argos_installed):
    texts = numbered(100)
    for i in (0, 17, 50, 99):
        texts[i] = ["", "   ", "\n", " \t "][i % 4]

    outputs = mt.translate_batch(texts, "de", "en", batch_size=16)

    assert len(outputs) == 100
    for text, output in zip(texts, outputs, strict=True):
        if text.strip():
            assert output.strip()
        else:
            assert output == ""
    # Distinct inputs give distinct outputs, and each is what that input gives on its own.
    assert len({o for o in outputs if o}) == 96
    for i in (1, 2, 49, 51, 98):
        assert outputs[i] == mt.translate_batch([texts[i]], "de", "en")[0]


def test_engine_is_called_once_per_batch_with_progress(argos_installed, counting):
    built, batches = counting
    seen = []

    outputs = mt.translate_batch(
        numbered(75), "de", "en", progress=lambda done, total: seen.append((done, total)),
        batch_size=10,
    )

    assert len(outputs) == 75
    assert len(batches) == math.ceil(75 / 10)
    assert batches == [10] * 7 + [5]
    assert seen == [(min(10 * k, 75), 75) for k in range(1, 9)]


def test_blank_inputs_never_reach_the_engine(argos_installed, counting):
    built, batches = counting

    assert mt.translate_batch(["", "  ", "\n"], "de", "en") == ["", "", ""]
    assert built == [] and batches == []


def test_translator_is_loaded_lazily_once_and_reused(argos_installed, counting):
    built, batches = counting
    assert mt.has_route("de", "en") and mt.installed_pairs()
    assert built == []

    first = mt.translate_batch(GERMAN, "de", "en")
    second = mt.translate_batch(GERMAN, "de", "en")

    assert first == second
    assert len(built) == 1
    assert len(batches) == 2


def test_pivot_through_english_chains_two_packages(
    argos_packages_dir, tiny_argos_file, tiny_argos_file_en_fr
):
    packages.install_file(tiny_argos_file)
    packages.install_file(tiny_argos_file_en_fr)
    seen = []

    chain = mt.route("de", "fr")
    french = mt.translate_batch(GERMAN, "de", "fr", progress=lambda d, t: seen.append((d, t)))

    assert [(p.from_code, p.to_code) for p in chain] == [("de", "en"), ("en", "fr")]
    english = mt.translate_batch(GERMAN, "de", "en")
    assert french == mt.translate_batch(english, "en", "fr")
    assert all(french) and french != english
    assert seen[-1] == (2 * len(GERMAN), 2 * len(GERMAN))


def test_a_package_target_prefix_is_forced_and_then_removed(
    argos_packages_dir, tmp_path, counting
):
    packages.install_file(build_tiny_package(tmp_path, "de", "en", target_prefix="__en__"))
    prefixes = []
    real = CountingTranslator.translate_batch

    def spy(self, tokens, **options):
        prefixes.append(options.get("target_prefix"))
        return real(self, tokens, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CountingTranslator, "translate_batch", spy)
        outputs = mt.translate_batch(GERMAN, "de", "en")

    assert prefixes == [[["__en__"]] * len(GERMAN)]
    assert all(outputs)
    assert not any("__en__" in o or o.startswith("en ") for o in outputs)


def test_missing_pair_names_the_pair_and_how_to_install(argos_installed):
    with pytest.raises(mt.MissingModelError) as excinfo:
        mt.translate_batch(["Hallo Welt!"], "de", "fr")

    message = str(excinfo.value)
    assert "de → fr" in message
    assert "argospm install translate-de_fr" in message
    assert "models install-file" in message
    assert (excinfo.value.from_code, excinfo.value.to_code) == ("de", "fr")
    assert not mt.has_route("de", "fr")
    assert mt.missing_pair_message("de", "fr") == message


def test_a_pair_of_one_language_is_refused_rather_than_echoed(argos_installed):
    with pytest.raises(mt.SameLanguageError) as excinfo:
        mt.translate_batch(["Hallo Welt!"], "de", "de")

    message = str(excinfo.value)
    assert "both sides are de" in message and "nothing to translate" in message
    # Callers that already handle a missing model show this message the same way.
    assert isinstance(excinfo.value, mt.MissingModelError)
    assert not mt.has_route("de", "de")
    assert mt.missing_pair_message("de", "de") == message
    with pytest.raises(mt.SameLanguageError):
        mt.route("en", "en")


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _broken_archives(tmp_path, tiny):
    garbage = tmp_path / "garbage.argosmodel"
    garbage.write_bytes(b"this is not a zip archive\n" * 100)
    truncated = tmp_path / "truncated.argosmodel"
    truncated.write_bytes(tiny.read_bytes()[: tiny.stat().st_size // 2])
    corrupted = tmp_path / "corrupted.argosmodel"
    data = bytearray(tiny.read_bytes())
    with zipfile.ZipFile(tiny) as archive:
        info = archive.getinfo("translate-de_en-0_1/model/model.bin")
    middle = info.header_offset + 100 + info.compress_size // 2
    data[middle : middle + 64] = bytes(64)
    corrupted.write_bytes(bytes(data))
    return {
        "garbage": (garbage, "not an Argos model"),
        "truncated": (truncated, "not an Argos model"),
        "corrupted": (corrupted, "damaged"),
        "no metadata": (
            _zip(tmp_path / "nometa.argosmodel", {"translate-de_en/model/model.bin": b"x"}),
            "metadata.json is missing",
        ),
        "bad metadata": (
            _zip(tmp_path / "badmeta.argosmodel", {"translate-de_en/metadata.json": b"{nope"}),
            "metadata.json is not JSON",
        ),
        "no pair": (
            _zip(tmp_path / "nopair.argosmodel", {"p/metadata.json": json.dumps({"x": 1})}),
            "from_code and to_code",
        ),
        "no model": (
            _zip(
                tmp_path / "nomodel.argosmodel",
                {"p/metadata.json": json.dumps({"from_code": "de", "to_code": "en"})},
            ),
            "lacks model/model.bin, sentencepiece.model",
        ),
        "two folders": (
            _zip(tmp_path / "two.argosmodel", {"a/metadata.json": "{}", "b/metadata.json": "{}"}),
            "exactly one folder",
        ),
        "escaping": (
            _zip(tmp_path / "escape.argosmodel", {"a/../../metadata.json": "{}"}),
            "points outside the package folder",
        ),
    }


@pytest.mark.parametrize(
    "case",
    ["garbage", "truncated", "corrupted", "no metadata", "bad metadata", "no pair", "no model",
     "two folders", "escaping"],
)
def test_install_file_rejects_a_broken_file_and_installs_nothing(
    argos_packages_dir, tiny_argos_file, tmp_path, case
):
    path, message = _broken_archives(tmp_path, tiny_argos_file)[case]

    with pytest.raises(ValueError, match=message):
        packages.install_file(path)

    assert list(argos_packages_dir.iterdir()) == []
    assert mt.installed_pairs() == []


def test_install_file_returns_the_pair_and_can_reinstall(argos_packages_dir, tiny_argos_file):
    assert packages.install_file(tiny_argos_file) == ("de", "en")
    before = mt.translate_batch(GERMAN, "de", "en")

    assert packages.install_file(tiny_argos_file) == ("de", "en")

    assert mt.installed_pairs() == [("de", "en")]
    assert [p.name for p in argos_packages_dir.iterdir()] == ["translate-de_en-0_1"]
    assert not list(argos_packages_dir.parent.glob(".argos-replaced-*"))
    assert not list(argos_packages_dir.parent.glob(".argos-staging-*"))
    assert mt.translate_batch(GERMAN, "de", "en") == before


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_install_from_index_offline_raises_offline_error(argos_packages_dir, monkeypatch, tmp_path):
    index = tmp_path / "index.json"
    monkeypatch.setattr(
        argostranslate.settings, "remote_package_index",
        f"http://127.0.0.1:{_closed_port()}/index.json",
    )
    monkeypatch.setattr(argostranslate.settings, "local_package_index", index)

    with pytest.raises(packages.OfflineError, match="offline"):
        packages.install_from_index("de", "en")

    assert not index.exists()
    assert mt.installed_pairs() == []


def test_install_from_index_installs_both_legs_through_english(argos_packages_dir, local_index):
    installed = packages.install_from_index("de", "fr")

    assert installed == [("de", "en"), ("en", "fr")]
    assert mt.installed_pairs() == [("de", "en"), ("en", "fr")]
    assert all(mt.translate_batch(GERMAN, "de", "fr"))
    assert list(local_index.iterdir()) == []  # downloads are removed once installed
    assert packages.install_from_index("de", "en") == []  # already installed, nothing downloaded


def test_install_from_index_rejects_a_pair_it_does_not_have(argos_packages_dir, local_index):
    with pytest.raises(ValueError, match="no de → ja model"):
        packages.install_from_index("de", "ja")
    assert mt.installed_pairs() == []
