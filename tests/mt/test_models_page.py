"""The MT models page: an admin installs a model from an uploaded file or from the index."""

from __future__ import annotations

import html as html_lib
import io
import threading
import zipfile
from pathlib import Path

import argostranslate.settings
import pytest
from model_archives import TOP, MiB, rebuilt, with_symlink, zip_bomb

from webapp.mt import engine as mt
from webapp.mt import packages

SENTENCE = "Der Vertrag wurde am Montag in Berlin unterzeichnet."


def test_an_admin_installs_an_uploaded_model_file(app, client, argos_packages_dir, tiny_argos_file):
    assert "No Argos Translate model is installed" in client.get("/models").get_data(as_text=True)

    resp = client.post("/models", data={
        "file": (io.BytesIO(tiny_argos_file.read_bytes()), tiny_argos_file.name),
    }, content_type="multipart/form-data")

    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert "Installed de→en from translate-de_en-0_1.argosmodel." in html
    assert "<li>de → en</li>" in html
    assert 'class="message error"' not in html
    assert mt.installed_pairs() == [("de", "en")]
    assert [p.name for p in argos_packages_dir.iterdir()] == ["translate-de_en-0_1"]
    assert list(Path(app.instance_path).glob("*.argosmodel")) == []
    (english,) = mt.translate_batch([SENTENCE], "de", "en")
    assert english and english != SENTENCE


def test_an_admin_installs_a_pair_through_english_from_an_index_file(client, tmp_path, monkeypatch,
                                                                     local_index):
    # The index is read from a local file; Argos itself downloads the packages it lists
    # only over http(s), so local_index serves those from 127.0.0.1.
    index = tmp_path / "served" / "index.json"
    monkeypatch.setattr(argostranslate.settings, "remote_package_index", index.as_uri())

    resp = client.post("/models/index", data={"from_code": "de", "to_code": "fr"})

    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert "Installed de→en, en→fr." in html
    assert "<li>de → en</li>" in html and "<li>en → fr</li>" in html
    assert mt.installed_pairs() == [("de", "en"), ("en", "fr")]
    assert (tmp_path / "index.json").read_bytes() == index.read_bytes()
    assert list(local_index.iterdir()) == []  # the downloads are removed once installed
    (french,) = mt.translate_batch([SENTENCE], "de", "fr")
    assert french and french != SENTENCE

    again = client.post("/models/index", data={"from_code": "DE", "to_code": "en "})
    assert again.status_code == 200
    assert "de→en is already installed." in again.get_data(as_text=True)


def upload_model(client, path: Path, filename: str | None = None):
    """Post a model file to the models page as the upload form does."""
    # Past 500 KB the test client spools the body to a file it never closes: keep below.
    assert path.stat().st_size < 500 * 1024
    return client.post("/models", data={"file": (io.BytesIO(path.read_bytes()),
                                                 filename or path.name)},
                       content_type="multipart/form-data")


def refusal(resp) -> str:
    """Return the error the models page shows, after checking it refused the file."""
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400, page
    assert "Installed" not in page
    return html_lib.unescape(page.split('class="message error" role="alert">')[1].split("</p>")[0])


def nothing_installed(app, argos_packages_dir) -> bool:
    """Tell whether the packages folder, its staging area and the instance folder are clean."""
    return (mt.installed_pairs() == [] and list(argos_packages_dir.iterdir()) == []
            and list(argos_packages_dir.parent.glob(".argos-*")) == []
            and list(Path(app.instance_path).glob("*.argosmodel")) == [])


@pytest.fixture
def opened(monkeypatch):
    """Record the name of every zip member read, to show what was unpacked (clear it first)."""
    names = []
    real = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        names.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return names


def test_a_zip_bomb_member_is_refused_before_anything_is_unpacked(
        app, client, argos_packages_dir, tiny_argos_file, tmp_path, opened):
    bomb = zip_bomb(tiny_argos_file, tmp_path / "bomb.argosmodel", {"model/extra.bin": 32 * MiB})
    assert bomb.stat().st_size < 500 * 1024
    opened.clear()

    message = refusal(upload_model(client, bomb, "kim.argosmodel"))

    assert message.startswith("kim.argosmodel was refused as a zip bomb: ")
    assert "model/extra.bin would unpack to 32 MB" in message
    assert f"{TOP}/model/extra.bin" not in opened
    assert nothing_installed(app, argos_packages_dir)


def test_many_small_members_that_add_up_to_a_bomb_are_refused(
        app, client, argos_packages_dir, tmp_path, opened):
    # Each member alone is too small to matter; together they are 96 MB from ~100 KB.
    bomb = zip_bomb(None, tmp_path / "bomb.argosmodel",
                    {f"stanza/part{i}.bin": MiB - 1 for i in range(96)})
    opened.clear()

    message = refusal(upload_model(client, bomb, "kim.argosmodel"))

    assert message.startswith("kim.argosmodel was refused as a zip bomb: it would unpack to 96 MB")
    assert not any("/stanza/" in name for name in opened)
    assert nothing_installed(app, argos_packages_dir)


def test_a_model_larger_than_max_model_bytes_is_refused(
        app, client, argos_packages_dir, tiny_argos_file):
    app.config["MAX_MODEL_BYTES"] = 1 * MiB  # the tiny model unpacks to about 2 MB

    message = refusal(upload_model(client, tiny_argos_file, "kim.argosmodel"))

    assert message.startswith("kim.argosmodel was refused: it would unpack to 2 MB, more than "
                              "the 1 MB a model may take here (MAX_MODEL_BYTES).")
    assert nothing_installed(app, argos_packages_dir)


@pytest.mark.parametrize(("member", "says"), [
    ("sentencepiece.model", "its sentencepiece.model does not load"),
    ("model/model.bin", "its model does not load"),
])
def test_a_package_whose_model_does_not_load_is_not_installed(
        app, client, argos_packages_dir, tiny_argos_file, tmp_path, member, says):
    fake = rebuilt(tiny_argos_file, tmp_path / "fake.argosmodel", replace={member: b"not really"})

    message = refusal(upload_model(client, fake, "kim.argosmodel"))

    assert message.startswith(f"kim.argosmodel is not a usable Argos model: {says} (")
    assert str(tmp_path) not in message and ".argos-staging" not in message
    assert nothing_installed(app, argos_packages_dir)
    assert 'class="message warn">No Argos Translate model is installed' in upload_model(
        client, fake).get_data(as_text=True)


def test_a_member_that_climbs_out_of_the_package_folder_is_refused(
        app, client, argos_packages_dir, tiny_argos_file, tmp_path):
    escape = rebuilt(tiny_argos_file, tmp_path / "escape.argosmodel",
                     add={f"{TOP}/../../escaped.txt": b"owned"})

    message = refusal(upload_model(client, escape, "../../kim.argosmodel"))

    assert message == (f"kim.argosmodel is not an Argos model: the name "
                       f"'{TOP}/../../escaped.txt' points outside the package folder.")
    assert not list(tmp_path.rglob("escaped.txt"))
    assert nothing_installed(app, argos_packages_dir)


def test_a_symbolic_link_in_the_package_is_refused(
        app, client, argos_packages_dir, tiny_argos_file, tmp_path):
    linked = with_symlink(tiny_argos_file, tmp_path / "linked.argosmodel",
                          "sentencepiece.model", "/etc/passwd")

    message = refusal(upload_model(client, linked, "kim.argosmodel"))

    assert message == (f"kim.argosmodel is not an Argos model: {TOP}/sentencepiece.model "
                       "is a symbolic link.")
    assert nothing_installed(app, argos_packages_dir)


def test_two_admins_uploading_at_once_each_install_their_own_file(
        app, client_as, argos_packages_dir, tiny_argos_file, tiny_argos_file_en_de, monkeypatch):
    # Both uploads are saved before either is installed, as when two requests overlap.
    both_saved = threading.Barrier(2, timeout=30)
    real_install = packages.install_file

    def install_when_both_are_saved(*args, **kwargs):
        both_saved.wait()
        return real_install(*args, **kwargs)

    monkeypatch.setattr(packages, "install_file", install_when_both_are_saved)
    uploads = {"de→en": (client_as("admin", "kim"), tiny_argos_file),
               "en→de": (client_as("admin", "lee"), tiny_argos_file_en_de)}
    pages = {}

    def post(pair):
        who, path = uploads[pair]
        try:
            resp = upload_model(who, path)
            pages[pair] = (resp.status_code, resp.get_data(as_text=True))
        except Exception as exc:  # noqa: BLE001 - the test client re-raises a server error
            pages[pair] = (500, repr(exc))

    threads = [threading.Thread(target=post, args=(pair,)) for pair in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    for pair, (_who, path) in uploads.items():
        status, page = pages[pair]
        assert status == 200, page
        assert f"Installed {pair} from {path.name}." in page
    assert mt.installed_pairs() == [("de", "en"), ("en", "de")]
    assert list(Path(app.instance_path).glob("*.argosmodel")) == []


def test_a_model_from_the_index_keeps_to_max_model_bytes(app, client, argos_packages_dir,
                                                         local_index):
    app.config["MAX_MODEL_BYTES"] = 1 * MiB

    message = refusal(client.post("/models/index", data={"from_code": "de", "to_code": "en"}))

    assert "was refused: it would unpack to 2 MB" in message
    assert mt.installed_pairs() == [] and list(local_index.iterdir()) == []
