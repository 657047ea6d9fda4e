"""Machine translation with installed Argos Translate packages, one segment per input string.

The installed pairs and the routes between them (direct, or through English), batched
translation, and the cache of loaded engines. Installing packages is `mt/packages.py`.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import argostranslate.package
import argostranslate.settings
import ctranslate2
import packaging.version
import sentencepiece

from webapp.core.messages import _l

PIVOT = "en"

# Argos's default folder, read from ARGOS_PACKAGES_DIR or its settings file when it was imported.
_DEFAULT_PACKAGES_DIR = Path(argostranslate.settings.package_data_dir)

_lock = threading.Lock()
_engines: dict[str, _Engine] = {}


class MissingModelError(Exception):
    """No installed package translates the pair, neither directly nor through English."""

    error_code = "no_model"

    def __init__(self, from_code: str, to_code: str):
        self.from_code = from_code
        self.to_code = to_code
        super().__init__(missing_pair_message(from_code, to_code))


class SameLanguageError(MissingModelError):
    """Both sides are one language: a "translation" would only hand back its input."""

    error_code = "same_language"


def install_hint(from_code: str = "de", to_code: str = "en") -> str:
    """Return how to install a model, with from_code -> to_code as the example."""
    return (
        f"Install one with `argospm install translate-{from_code}_{to_code}` or "
        f"`flask --app wsgi models install {from_code} {to_code}` (both need the internet), "
        "or install a downloaded .argosmodel file with "
        "`flask --app wsgi models install-file PATH`."
    )


def missing_pair_message(from_code: str, to_code: str) -> str:
    """Return the message shown when no model translates from_code to to_code."""
    if from_code == to_code:
        return _l("Machine translation needs two languages, but both sides are %(lang)s: "
                  "there is nothing to translate.", lang=from_code)
    commands = {
        "argospm": f"`argospm install translate-{from_code}_{to_code}`",
        "flask": f"`flask --app wsgi models install {from_code} {to_code}`",
        "install_file": "`flask --app wsgi models install-file PATH`",
    }
    if PIVOT not in (from_code, to_code):
        return _l("No machine translation model for %(source)s → %(target)s is installed. "
                  "Install one with %(argospm)s or %(flask)s (both need the internet), or "
                  "install a downloaded .argosmodel file with %(install_file)s. Models for "
                  "%(source)s → %(pivot)s and %(pivot)s → %(target)s also work, through English.",
                  source=from_code, target=to_code, pivot=PIVOT, **commands)
    return _l("No machine translation model for %(source)s → %(target)s is installed. "
              "Install one with %(argospm)s or %(flask)s (both need the internet), or "
              "install a downloaded .argosmodel file with %(install_file)s.",
              source=from_code, target=to_code, **commands)


def configure(packages_dir: str | os.PathLike | None = None) -> Path:
    """Point Argos at packages_dir (None: Argos's own default) and forget loaded models."""
    path = Path(packages_dir) if packages_dir else _DEFAULT_PACKAGES_DIR
    path.mkdir(parents=True, exist_ok=True)
    # Argos reads ARGOS_PACKAGES_DIR only when it is imported; these are the values it uses.
    argostranslate.settings.package_data_dir = path
    argostranslate.settings.package_dirs = [path]
    with _lock:
        _engines.clear()
    _forget_argos_translations()
    return path


def packages_dir() -> Path:
    """Return the folder Argos installs packages into."""
    return Path(argostranslate.settings.package_data_dir)


def installed_pairs() -> list[tuple[str, str]]:
    """Return the (from_code, to_code) pairs of the installed translation packages."""
    return sorted(_installed_by_pair())


def route(from_code: str, to_code: str) -> list[argostranslate.package.Package]:
    """Return the packages that chain from_code to to_code: direct, or through English."""
    if from_code == to_code:
        # An empty chain would return the input unchanged as its "translation".
        raise SameLanguageError(from_code, to_code)
    packages = _installed_by_pair()
    if (from_code, to_code) in packages:
        return [packages[from_code, to_code]]
    first = packages.get((from_code, PIVOT))
    second = packages.get((PIVOT, to_code))
    if first is not None and second is not None:
        return [first, second]
    raise MissingModelError(from_code, to_code)


def has_route(from_code: str, to_code: str) -> bool:
    """Tell whether installed packages can translate from_code to to_code."""
    try:
        route(from_code, to_code)
    except MissingModelError:
        return False
    return True


def translate_batch(
    texts: Sequence[str],
    from_code: str,
    to_code: str,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 32,
) -> list[str]:
    """Translate each string as exactly one segment; blank strings come back as ""."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    chain = route(from_code, to_code)
    todo = [i for i, text in enumerate(texts) if text and not text.isspace()]
    current = [texts[i] for i in todo]
    # Through English each segment is translated twice, so progress counts translations of
    # a segment by one package; done reaches total exactly when the last batch is back.
    total = len(current) * len(chain)
    done = 0
    for package in chain if current else []:
        engine = _engine(package)
        # Batches of texts of similar length: the engine pads each text of a batch to the
        # longest, so a heading batched with long sentences would cost as much as they do.
        order = sorted(range(len(current)), key=lambda k: len(current[k]))
        translated = [""] * len(current)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            outputs = engine.translate([current[k] for k in batch], batch_size)
            for k, output in zip(batch, outputs, strict=True):
                translated[k] = output
            done += len(batch)
            if progress is not None:
                progress(done, total)
        current = translated
    outputs = [""] * len(texts)
    for i, text in zip(todo, current, strict=True):
        outputs[i] = text
    return outputs


@dataclass(frozen=True)
class _Engine:
    """One package's loaded CTranslate2 translator and SentencePiece model."""

    translator: ctranslate2.Translator
    tokenizer: sentencepiece.SentencePieceProcessor
    target_prefix: str

    def translate(self, texts: list[str], batch_size: int) -> list[str]:
        """Translate each text as one segment in a single CTranslate2 call."""
        tokens = [self.tokenizer.encode(text, out_type=str) for text in texts]
        outputs = [""] * len(texts)
        # Only a blank English middle step can arrive empty; the engine needs tokens.
        todo = [i for i, t in enumerate(tokens) if t]
        if not todo:
            return outputs
        prefix = [[self.target_prefix]] * len(todo) if self.target_prefix else None
        # The decoding options are the ones argostranslate.translate uses, so both agree.
        results = self.translator.translate_batch(
            [tokens[i] for i in todo],
            target_prefix=prefix,
            max_batch_size=batch_size,
            beam_size=argostranslate.settings.beam_size,
            length_penalty=0.2,
            replace_unknowns=True,
        )
        for i, result in zip(todo, results, strict=True):
            outputs[i] = self._detokenize(result.hypotheses[0])
        return outputs

    def _detokenize(self, pieces: list[str]) -> str:
        if self.target_prefix and pieces[:1] == [self.target_prefix]:
            pieces = pieces[1:]
        # Argos also turns "_" into a space here; we keep underscores the source had.
        return self.tokenizer.decode(pieces).replace("▁", " ").strip()


def _engine(package: argostranslate.package.Package) -> _Engine:
    key = str(Path(package.package_path).resolve())
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = load(package)
    return engine


def load(package: argostranslate.package.Package) -> _Engine:
    """Load a package's translator and tokenizer (uncached: `_engine` keeps them)."""
    path = Path(package.package_path)
    sp_model = path / "sentencepiece.model"
    if not sp_model.exists():
        raise ValueError(
            f"The {package.from_code} → {package.to_code} package in {path} has no "
            "sentencepiece.model; only SentencePiece packages are supported."
        )
    settings = argostranslate.settings
    translator = ctranslate2.Translator(
        str(path / "model"),
        device=settings.device,
        inter_threads=settings.inter_threads,
        intra_threads=settings.intra_threads,
        compute_type=settings.compute_type,
    )
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(sp_model))
    return _Engine(translator, tokenizer, package.target_prefix or "")


def _installed_by_pair() -> dict[tuple[str, str], argostranslate.package.Package]:
    best: dict[tuple[str, str], argostranslate.package.Package] = {}
    for package in argostranslate.package.get_installed_packages():
        if package.type != "translate" or not package.from_code or not package.to_code:
            continue
        pair = (package.from_code, package.to_code)
        # Packages installed by hand beside ours may duplicate a pair; the newest wins.
        if pair not in best or _version(package) > _version(best[pair]):
            best[pair] = package
    return best


def _version(package: argostranslate.package.Package) -> packaging.version.Version:
    try:
        return packaging.version.Version(package.package_version)
    except packaging.version.InvalidVersion:
        return packaging.version.Version("0")


def forget(package_path: Path) -> None:
    """Drop the loaded engine of a package folder that was replaced or removed."""
    with _lock:
        _engines.pop(str(Path(package_path).resolve()), None)
    _forget_argos_translations()


def _forget_argos_translations() -> None:
    # argostranslate.translate keeps loaded translations by language pair, not by folder;
    # it is only cleared when it was imported (importing it costs seconds).
    translate = sys.modules.get("argostranslate.translate")
    if translate is not None:
        translate.get_installed_languages.cache_clear()
        translate.installed_translates.clear()


def mt_pair(doc) -> tuple[str, str]:
    """Return the language pair the engine translates for this document."""
    if doc.mode == "review":
        return doc.target_lang, doc.source_lang
    return doc.source_lang, doc.target_lang
