"""Build real, tiny Argos Translate packages offline and offer them as pytest fixtures."""

from __future__ import annotations

import io
import json
import shutil
import threading
import zipfile
import zlib
from functools import lru_cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import argostranslate.settings
import ctranslate2
import numpy as np
import pytest
import sentencepiece

from webapp.mt import engine as mt

LANGUAGE_NAMES = {"de": "German", "en": "English", "fr": "French"}

# Every tiny package trains on the same text with the same settings, so all of them share
# one SentencePiece model and a pivot re-tokenises the middle language the same way.
CORPUS = """\
Der Vertrag wurde am Montag in Berlin unterzeichnet.
Die Übersetzung muss bis Freitag fertig sein.
Wir prüfen jeden Satz zweimal, bevor wir ihn freigeben.
Das Glossar enthält die wichtigsten Begriffe des Projekts.
Bitte speichern Sie die Datei, bevor Sie das Fenster schließen.
Der Bericht beschreibt die Lage in den größeren Städten.
Die Regierung hat neue Regeln für die Schulen beschlossen.
Können Sie mir sagen, wo der Bahnhof ist?
Heute ist das Wetter schön, morgen soll es regnen.
Die Sitzung beginnt um zehn Uhr im großen Saal.
Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.
Hallo Welt! Wie geht es dir?
The contract was signed in Berlin on Monday.
The translation must be finished by Friday.
We check every sentence twice before we release it.
The glossary contains the most important terms of the project.
Please save the file before you close the window.
The report describes the situation in the larger cities.
The government has adopted new rules for the schools.
Can you tell me where the station is?
The weather is nice today, tomorrow it is supposed to rain.
The meeting starts at ten o'clock in the large hall.
The quick brown fox jumps over the lazy dog.
Hello world! How are you?
Le contrat a été signé lundi à Berlin.
La traduction doit être terminée vendredi.
Nous vérifions chaque phrase deux fois avant de la publier.
Le glossaire contient les termes les plus importants du projet.
Veuillez enregistrer le fichier avant de fermer la fenêtre.
Le rapport décrit la situation dans les grandes villes.
Le gouvernement a adopté de nouvelles règles pour les écoles.
Pouvez-vous me dire où se trouve la gare?
Il fait beau aujourd'hui, demain il devrait pleuvoir.
La réunion commence à dix heures dans la grande salle.
Portez ce vieux whisky au juge blond qui fume.
Bonjour le monde! Comment allez-vous?
Numbers 0 1 2 3 4 5 6 7 8 9, quotes "a" 'b' (c) [d] - e: f; g / h % & + = # @ * ?
"""

VOCAB_SIZE = 320
D_MODEL = 128
NUM_HEADS = 2
NUM_LAYERS = 2
FFN_DIM = 128
MAX_POSITIONS = 1024
PACKAGE_VERSION = "0.1"


@lru_cache(maxsize=1)
def sentencepiece_model() -> bytes:
    """Train the shared SentencePiece model once per process and return its bytes."""
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS.splitlines()),
        model_writer=model,
        vocab_size=VOCAB_SIZE,
        # The corpus is far too small for a fixed vocabulary size; take what it yields.
        hard_vocab_limit=False,
        character_coverage=1.0,
        model_type="unigram",
        # Language tokens as multilingual Argos packages have, for target_prefix tests.
        user_defined_symbols=[f"__{code}__" for code in LANGUAGE_NAMES],
        minloglevel=2,
    )
    return model.getvalue()


def _pieces(sp_bytes: bytes) -> list[str]:
    processor = sentencepiece.SentencePieceProcessor(model_proto=sp_bytes)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


# The translation model is wired by hand, not trained: it copies the source token at the
# decoder's own position and writes a fixed, pair-specific substitute for it. Its output is
# therefore deterministic, one token per source token, different for every input and every
# language pair, and it always stops, because the source ends in </s> and </s> maps to itself.
def _copy_model_spec(pieces: list[str], seed: int) -> ctranslate2.specs.TransformerSpec:
    rng = np.random.default_rng(seed)
    vocab = len(pieces)
    half = D_MODEL // 2  # dims [0, half) carry the token, [half, D_MODEL) the position
    k = half // 2  # each half is [v, -v] so its mean is zero and layer norm only rescales

    tokens = rng.standard_normal((vocab, k))
    tokens /= np.linalg.norm(tokens, axis=1, keepdims=True)
    substitute = np.arange(vocab)
    specials = {pieces.index(t) for t in ("<unk>", "<s>", "</s>")}
    ordinary = np.array([i for i in range(vocab) if i not in specials])
    substitute[ordinary] = rng.permutation(ordinary)
    source_of = np.argsort(substitute)  # the source token whose substitute is token j

    frequencies = 300.0 ** (-np.arange(k // 2) / (k // 2 - 1))
    angles = np.arange(MAX_POSITIONS)[:, None] * frequencies[None, :]
    waves = np.concatenate([np.sin(angles), np.cos(angles)], axis=1)  # |wave| is constant

    def zeros(*shape):
        return np.zeros(shape, dtype=np.float32)

    def block(v):
        return np.concatenate([v, -v], axis=-1).astype(np.float32)

    source_embeddings = np.concatenate([block(tokens), zeros(vocab, half)], axis=1)
    positions = np.concatenate([zeros(MAX_POSITIONS, half), block(waves)], axis=1)

    spec = ctranslate2.specs.TransformerSpec.from_config(NUM_LAYERS, NUM_HEADS)
    spec.config.add_source_eos = True
    for side in (spec.encoder, spec.decoder):
        side.scale_embeddings = False
        side.position_encodings.encodings = positions
        side.layer_norm.gamma = np.ones(D_MODEL, dtype=np.float32)
        side.layer_norm.beta = zeros(D_MODEL)
        for layer in side.layer:
            # Every sub-layer except the decoder's last cross-attention adds nothing.
            for sub in (layer.self_attention, layer.ffn, getattr(layer, "attention", None)):
                if sub is None:
                    continue
                sub.layer_norm.gamma = np.ones(D_MODEL, dtype=np.float32)
                sub.layer_norm.beta = zeros(D_MODEL)
            attention = layer.self_attention
            attention.linear[0].weight = zeros(3 * D_MODEL, D_MODEL)
            attention.linear[1].weight = zeros(D_MODEL, D_MODEL)
            layer.ffn.linear_0.weight = zeros(FFN_DIM, D_MODEL)
            layer.ffn.linear_1.weight = zeros(D_MODEL, FFN_DIM)
            if hasattr(layer, "attention"):
                layer.attention.linear[0].weight = zeros(D_MODEL, D_MODEL)
                layer.attention.linear[1].weight = zeros(2 * D_MODEL, D_MODEL)
                layer.attention.linear[2].weight = zeros(D_MODEL, D_MODEL)

    spec.encoder.embeddings[0].weight = source_embeddings
    # The decoder ignores what it wrote so far: its state is only its position.
    spec.decoder.embeddings.weight = zeros(vocab, D_MODEL)

    # Head 0 of the last cross-attention: query and key compare positions, value is the token.
    cross = spec.decoder.layer[-1].attention
    sharpness = 40.0
    query = zeros(D_MODEL, D_MODEL)
    query[: half, half:] = np.eye(half) * sharpness
    keys_values = zeros(2 * D_MODEL, D_MODEL)
    keys_values[: half, half:] = np.eye(half)
    keys_values[D_MODEL : D_MODEL + half, :half] = np.eye(half)
    cross.linear[0].weight = query
    cross.linear[1].weight = keys_values
    out = zeros(D_MODEL, D_MODEL)
    out[:half, :half] = np.eye(half) * 4.0
    cross.linear[2].weight = out

    spec.decoder.projection.weight = (
        np.concatenate([block(tokens[source_of]), zeros(vocab, half)], axis=1) * 20.0
    ).astype(np.float32)
    spec.decoder.projection.bias = zeros(vocab)

    spec.register_source_vocabulary(pieces)
    spec.register_target_vocabulary(pieces)
    return spec


class _HandWiredConverter(ctranslate2.converters.Converter):
    """Hand a ready spec to CTranslate2's own converter, which validates and saves it."""

    def __init__(self, spec):
        self._spec = spec

    def _load(self):
        return self._spec


# MiniSBD, Argos 1.11's default sentence splitter, would download an ONNX model for the
# language. A package may ship its own in minisbd/, so we write one: a lookup table that
# ends a sentence at . ! ? and nowhere else. There is no onnx package here, so the few
# protobuf messages are encoded directly (field numbers from onnx/onnx.proto).
def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _int(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def _bytes(field: int, value: bytes | str) -> bytes:
    if isinstance(value, str):
        value = value.encode()
    return _varint(field << 3 | 2) + _varint(len(value)) + value


def _tensor_type(elem_type: int, dims: list) -> bytes:
    shape = b"".join(
        _bytes(1, _bytes(2, d) if isinstance(d, str) else _int(1, d)) for d in dims
    )
    return _bytes(1, _int(1, elem_type) + _bytes(2, shape))


def _value_info(name: str, elem_type: int, dims: list) -> bytes:
    return _bytes(1, name) + _bytes(2, _tensor_type(elem_type, dims))


FLOAT, INT64 = 1, 7
SENTENCE_ENDS = (".", "!", "?")


def minisbd_model(lang: str) -> bytes:
    """Return an ONNX sentence splitter in MiniSBD's format that ends sentences at . ! ?"""
    units = ["<PAD>", "<UNK>", *SENTENCE_ENDS]
    # Classes: 0 inside a token, 1 token end, 2 sentence end.
    table = np.zeros((len(units), 5), dtype=np.float32)
    table[:, 0] = 1.0
    table[2:, 0] = 0.0
    table[2:, 2] = 1.0
    initializer = (
        _int(1, len(units)) + _int(1, 5) + _int(2, FLOAT) + _bytes(8, "table")
        + _bytes(9, table.tobytes())
    )
    gather = (
        _bytes(1, "table") + _bytes(1, "units") + _bytes(2, "logits") + _bytes(3, "lookup")
        + _bytes(4, "Gather") + _bytes(5, _bytes(1, "axis") + _int(3, 0) + _int(20, 2))
    )
    graph = (
        _bytes(1, gather) + _bytes(2, "minisbd-tiny") + _bytes(5, initializer)
        + _bytes(11, _value_info("units", INT64, ["batch", "length"]))
        + _bytes(11, _value_info("features", FLOAT, ["batch", "length", "features"]))
        + _bytes(12, _value_info("logits", FLOAT, ["batch", "length", 5]))
    )
    vocab = {
        "lang": lang,
        "idx": 0,
        "cutoff": 0,
        "lower": False,
        "_unit2id": {u: i for i, u in enumerate(units)},
        "_id2unit": units,
    }
    config = {"feat_funcs": [], "max_seqlen": 1000, "batch_size": 32}
    metadata = b"".join(
        _bytes(14, _bytes(1, key) + _bytes(2, value))
        for key, value in (
            ("lang_code", lang),
            ("config", json.dumps(config)),
            ("vocab", json.dumps(vocab)),
        )
    )
    opset = _bytes(8, _bytes(1, "") + _int(2, 13))
    return _int(1, 8) + _bytes(2, "argos_tiny") + _bytes(7, graph) + opset + metadata


def package_name(from_code: str, to_code: str) -> str:
    """Return the file stem Argos's index uses, e.g. translate-de_en-0_1."""
    return f"translate-{from_code}_{to_code}-{PACKAGE_VERSION.replace('.', '_')}"


def build_tiny_package(
    out_dir: Path, from_code: str = "de", to_code: str = "en", target_prefix: str = ""
) -> Path:
    """Build a real Argos .argosmodel for from_code -> to_code in out_dir and return its path."""
    out_dir = Path(out_dir)
    name = package_name(from_code, to_code)
    work = out_dir / f"{name}.build"
    sp_bytes = sentencepiece_model()
    seed = zlib.crc32(f"{from_code}-{to_code}".encode())
    _HandWiredConverter(_copy_model_spec(_pieces(sp_bytes), seed)).convert(
        str(work / "model"), force=True
    )
    metadata = {
        "package_version": PACKAGE_VERSION,
        "argos_version": "1.11.0",
        "type": "translate",
        "from_code": from_code,
        "from_name": LANGUAGE_NAMES.get(from_code, from_code),
        "to_code": to_code,
        "to_name": LANGUAGE_NAMES.get(to_code, to_code),
        "links": [],
    }
    if target_prefix:
        metadata["target_prefix"] = target_prefix
    archive = out_dir / f"{name}.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{name}/metadata.json", json.dumps(metadata, indent=2))
        zf.writestr(
            f"{name}/README.md",
            f"Tiny test package {from_code} -> {to_code}: hand-wired weights, not a real "
            "translation model. Built by tests/argos_tiny.py.\n",
        )
        zf.writestr(f"{name}/sentencepiece.model", sp_bytes)
        zf.writestr(f"{name}/minisbd/{from_code}.onnx", minisbd_model(from_code))
        for path in sorted((work / "model").iterdir()):
            zf.write(path, f"{name}/model/{path.name}")
    for path in (work / "model").iterdir():
        path.unlink()
    (work / "model").rmdir()
    work.rmdir()
    return archive


def model_drafts(app, texts: list[str], from_code: str, to_code: str) -> list[str]:
    """Return what the installed model gives for texts, glossary terms kept as a job keeps them."""
    from webapp.core.db import get_sessionmaker
    from webapp.glossary.protect import MtGuard

    with app.app_context(), get_sessionmaker(app)() as db:
        glossary = app.extensions["webapp.glossary"].get(db).glossary
    guard = MtGuard(glossary, from_code, to_code)
    return guard.restore(mt.translate_batch(guard.protect(list(texts)), from_code, to_code))


@pytest.fixture(scope="session")
def tiny_argos_dir(tmp_path_factory) -> Path:
    """Return a session-wide folder holding the built .argosmodel files."""
    return tmp_path_factory.mktemp("argos-tiny")


def _tiny(directory: Path, from_code: str, to_code: str) -> Path:
    path = directory / f"{package_name(from_code, to_code)}.argosmodel"
    return path if path.exists() else build_tiny_package(directory, from_code, to_code)


@pytest.fixture(scope="session")
def tiny_argos_file(tiny_argos_dir) -> Path:
    """Return the path of a tiny de -> en .argosmodel, built once per session."""
    return _tiny(tiny_argos_dir, "de", "en")


@pytest.fixture(scope="session")
def tiny_argos_file_en_de(tiny_argos_dir) -> Path:
    """Return the path of a tiny en -> de .argosmodel, built once per session."""
    return _tiny(tiny_argos_dir, "en", "de")


@pytest.fixture(scope="session")
def tiny_argos_file_en_fr(tiny_argos_dir) -> Path:
    """Return the path of a tiny en -> fr .argosmodel, built once per session."""
    return _tiny(tiny_argos_dir, "en", "fr")


@pytest.fixture
def argos_packages_dir(tmp_path):
    """Point Argos at an empty packages folder for one test, then restore the previous one."""
    previous = mt.packages_dir()
    packages = tmp_path / "argos-packages"
    mt.configure(str(packages))
    yield packages
    mt.configure(str(previous))


@pytest.fixture
def argos_installed(argos_packages_dir, tiny_argos_file, tiny_argos_file_en_de):
    """Install the tiny de -> en and en -> de packages with Argos's own installer."""
    import argostranslate.package

    argostranslate.package.install_from_path(tiny_argos_file)
    argostranslate.package.install_from_path(tiny_argos_file_en_de)
    return argos_packages_dir


@pytest.fixture
def local_index(tmp_path, monkeypatch, tiny_argos_file, tiny_argos_file_en_fr):
    """Serve an Argos package index with de -> en and en -> fr from 127.0.0.1 (tmp_path/served);
    yield the downloads folder."""
    served = tmp_path / "served"
    served.mkdir()
    for path in (tiny_argos_file, tiny_argos_file_en_fr):
        shutil.copy(path, served / path.name)
    handler = partial(QuietHandler, directory=str(served))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    entries = []
    for path in (tiny_argos_file, tiny_argos_file_en_fr):
        with zipfile.ZipFile(path) as archive:
            (meta,) = [n for n in archive.namelist() if n.endswith("/metadata.json")]
            entry = json.loads(archive.read(meta))
        entry["links"] = [f"{base}/{path.name}"]
        entries.append(entry)
    (served / "index.json").write_text(json.dumps(entries))
    monkeypatch.setattr(argostranslate.settings, "remote_package_index", f"{base}/index.json")
    monkeypatch.setattr(argostranslate.settings, "local_package_index", tmp_path / "index.json")
    monkeypatch.setattr(argostranslate.settings, "downloads_dir", tmp_path / "downloads")
    (tmp_path / "downloads").mkdir()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path / "downloads"
    server.shutdown()
    server.server_close()
    thread.join()


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without logging each request to stderr."""

    def log_message(self, format, *args):
        pass
