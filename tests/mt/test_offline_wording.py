"""Installing from the Argos index on a machine without network says so in words, on the
models page and in the CLI, never as a raw `<urlopen error …>`."""

from __future__ import annotations

import socket
import urllib.error

import argostranslate.settings
import pytest

from webapp.mt import engine as mt
from webapp.mt import packages


@pytest.fixture
def unreachable_index(tmp_path, monkeypatch):
    """Point Argos at an index on a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(argostranslate.settings, "remote_package_index",
                        f"http://127.0.0.1:{port}/index.json")
    monkeypatch.setattr(argostranslate.settings, "local_package_index", tmp_path / "index.json")
    return port


def test_the_models_page_says_the_machine_is_offline_in_words(client, unreachable_index):
    resp = client.post("/models/index", data={"from_code": "de", "to_code": "en"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "This machine seems to be offline" in html
    assert "127.0.0.1 refused the connection" in html
    assert "urlopen" not in html and "Errno" not in html
    assert mt.installed_pairs() == []


def test_the_cli_says_the_machine_is_offline_in_words(runner, unreachable_index):
    result = runner.invoke(args=["models", "install", "de", "en"])
    assert result.exit_code == 1
    assert "This machine seems to be offline" in result.output
    assert "models install-file PATH" in result.output
    assert "urlopen" not in result.output and "Errno" not in result.output


@pytest.mark.parametrize(("reason", "words"), [
    (socket.gaierror(-2, "Name or service not known"),
     "the name index.example.org could not be looked up (no network, or no name server)"),
    (TimeoutError("timed out"), "index.example.org did not answer in time"),
    (OSError(101, "Network is unreachable"), "there is no route to index.example.org"),
])
def test_each_network_failure_is_named_in_words(reason, words):
    url = "https://index.example.org/index.json"
    message = packages.unreachable_message(url, urllib.error.URLError(reason))
    assert message.startswith("This machine seems to be offline: ")
    assert words in message and "Errno" not in message and "urlopen" not in message
