"""Installing Argos Translate packages: archive checks, staging, a load test, the index.

A `.argosmodel` file is checked from its zip directory before one byte is unpacked, unpacked
beside the packages folder, loaded and made to translate a word, and only then moved into
place, one install at a time across threads and processes. `install_from_index` downloads
a pair (or its two legs through English) from the Argos index and installs it the same way.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import os
import shutil
import socket
import ssl
import stat
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import argostranslate.package
import argostranslate.settings
import sentencepiece

from webapp.core.messages import N_, _l, _ln
from webapp.mt.engine import PIVOT, forget, installed_pairs, load, packages_dir

try:
    import fcntl
except ImportError:  # Windows: one server process, the thread lock is enough
    fcntl = None

# What a .argosmodel may unpack to (the app's MAX_MODEL_BYTES overrides the total). Argos's
# own packages unpack to 100-400 MB from archives that are 1-3 times smaller, in a few
# dozen files; a zip bomb reaches ~1000:1.
MAX_MODEL_BYTES = 1 << 30
MAX_MODEL_FILES = 10_000
MAX_RATIO = 100
_SMALL_MEMBER = 1 << 20

_install_lock = threading.Lock()


class OfflineError(Exception):
    """The Argos package index or a package download could not be reached."""

    error_code = "offline"


def install_file(
    path: str | os.PathLike, *, name: str | None = None, max_bytes: int = MAX_MODEL_BYTES
) -> tuple[str, str]:
    """Check, unpack and load a .argosmodel file, then install it; return its language pair.

    `name` is the file name the person knows, for the messages (an upload is saved under a
    private temporary name); `max_bytes` caps what the archive may unpack to.
    """
    path = Path(path)
    name = name or path.name
    # Unpacked and loaded beside the packages folder, where Argos does not look: nobody can
    # pick a half-written or broken package, and a refused one leaves nothing behind.
    staging = Path(tempfile.mkdtemp(prefix=".argos-staging-", dir=packages_dir().parent))
    try:
        top, from_code, to_code = _unpack(path, name, staging, max_bytes)
        _check_loads(staging / top, name)
        with _installing():
            _put_in_place(staging / top, name, from_code, to_code)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return from_code, to_code


def _put_in_place(staged: Path, name: str, from_code: str, to_code: str) -> None:
    """Move a checked package folder into the packages folder, replacing its older copies."""
    target = packages_dir() / staged.name
    backup = None
    if target.exists():
        try:
            current = argostranslate.package.Package(target)
            pair = (current.from_code, current.to_code)
        except (OSError, ValueError):
            pair = None  # a broken leftover: replacing it repairs it
        if pair not in (None, (from_code, to_code)):
            raise ValueError(_l("%(name)s would replace the %(source)s → %(target)s model in "
                                "the folder %(folder)s; uninstall that one first.", name=name,
                                source=pair[0], target=pair[1], folder=target.name))
        # Set aside beside the packages folder: inside it Argos would list a second package.
        backup = Path(tempfile.mkdtemp(prefix=".argos-replaced-", dir=packages_dir().parent))
        target.rename(backup / target.name)
    try:
        shutil.move(staged, target)
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        if backup is not None:
            (backup / target.name).rename(target)
        raise
    finally:
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
        forget(target)
    # The file just installed is the one that translates, not an older copy of the pair.
    for other in argostranslate.package.get_installed_packages():
        if (other.from_code, other.to_code) == (from_code, to_code) and (
            other.package_path.resolve() != target.resolve()
        ):
            argostranslate.package.uninstall(other)
            forget(other.package_path)


@contextlib.contextmanager
def _installing() -> Iterator[None]:
    """Hold the install lock: one install at a time, across threads and server processes."""
    with _install_lock, open(packages_dir().parent / ".argos-install.lock", "a") as lock_file:
        if fcntl is not None:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield


def install_from_index(
    from_code: str, to_code: str, *, max_bytes: int = MAX_MODEL_BYTES
) -> list[tuple[str, str]]:
    """Install a pair, or its two legs through English, from the Argos index; return new pairs.

    Each download passes the checks of install_file, with max_bytes.
    """
    _refresh_index()
    available = {
        (p.from_code, p.to_code): p
        for p in argostranslate.package.get_available_packages()
        if p.type == "translate"
    }
    if (from_code, to_code) in available:
        wanted = [(from_code, to_code)]
    elif (from_code, PIVOT) in available and (PIVOT, to_code) in available:
        wanted = [(from_code, PIVOT), (PIVOT, to_code)]
    else:
        raise ValueError(_l(
            "The Argos package index has no %(source)s → %(target)s model, nor %(source)s → "
            "%(pivot)s and %(pivot)s → %(target)s to go through English.",
            source=from_code, target=to_code, pivot=PIVOT))
    already = set(installed_pairs())
    installed = []
    for pair in wanted:
        if pair in already:
            continue
        package = available[pair]
        try:
            download = package.download()
        # Argos signals a failed download with a bare Exception after its own retries.
        except Exception as exc:
            raise OfflineError(_l(
                "The %(source)s → %(target)s model could not be downloaded: this machine "
                "seems to be offline, or the download server did not answer. %(advice)s",
                source=pair[0], target=pair[1], advice=_offline_advice())) from exc
        try:
            installed.append(install_file(download, max_bytes=max_bytes))
        finally:
            download.unlink(missing_ok=True)
    return installed


def _unpack(path: Path, name: str, staging: Path, max_bytes: int) -> tuple[str, str, str]:
    """Check that path is an Argos package, unpack it into staging; return its folder and pair.

    Everything that can be refused from the zip directory (names, kinds, sizes, compression
    ratios, free space) is refused before one byte is unpacked.
    """
    if not path.is_file():
        raise ValueError(_l("%(name)s is not a file.", name=name))
    if not zipfile.is_zipfile(path):
        raise ValueError(_l("%(name)s is not an Argos model: a .argosmodel file is a zip "
                            "archive.", name=name))
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            top = _check_members(members, name, path.stat().st_size, max_bytes,
                                 shutil.disk_usage(staging).free)
            names = {info.filename.rstrip("/") for info in members}
            try:
                info = archive.getinfo(f"{top}/metadata.json")
            except KeyError:
                raise ValueError(_l("%(name)s is not an Argos model: %(file)s is missing.",
                                    name=name, file=top + "/metadata.json")) from None
            if info.file_size > _SMALL_MEMBER:
                raise ValueError(_l("%(name)s is not an Argos model: its metadata.json is "
                                    "%(size)s; a few KB would do.", name=name,
                                    size=_size(info.file_size)))
            metadata = json.loads(archive.read(info))
            if not isinstance(metadata, dict) or metadata.get("type", "translate") != "translate":
                raise ValueError(_l("%(name)s is not an Argos translation model.", name=name))
            from_code, to_code = metadata.get("from_code"), metadata.get("to_code")
            if not (isinstance(from_code, str) and from_code
                    and isinstance(to_code, str) and to_code):
                raise ValueError(_l("%(name)s: metadata.json does not name from_code and "
                                    "to_code.", name=name))
            missing = [part for part in ("model/model.bin", "sentencepiece.model")
                       if f"{top}/{part}" not in names]
            if missing:
                raise ValueError(_l("%(name)s is not a usable Argos model: it lacks "
                                    "%(files)s.", name=name, files=", ".join(missing)))
            for info in members:
                _extract(archive, info, staging, name)
    # zipfile checks each member's CRC as it is read, and never reads past its stated size.
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValueError(_l("%(name)s is a damaged zip archive: %(reason)s", name=name,
                            reason=str(exc))) from exc
    except NotImplementedError as exc:
        raise ValueError(_l("%(name)s uses a zip compression this server cannot read: "
                            "%(reason)s", name=name, reason=str(exc))) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(_l("%(name)s is not an Argos model: metadata.json is not JSON.",
                            name=name)) from exc
    except OSError as exc:
        raise ValueError(_l("%(name)s could not be unpacked: %(reason)s.", name=name,
                            reason=str(exc.strerror or exc))) from exc
    return top, from_code, to_code


def _check_members(
    members: list[zipfile.ZipInfo], name: str, archive_size: int, max_bytes: int, free: int
) -> str:
    """Refuse an archive whose entries could escape, or fill the disk; return its one folder."""
    if len(members) > MAX_MODEL_FILES:
        raise ValueError(_l("%(name)s is not an Argos model: it holds %(files)s files (a model "
                            "has a few dozen; at most %(max)s are accepted).", name=name,
                            files=len(members), max=MAX_MODEL_FILES))
    seen: set[str] = set()
    tops = set()
    for info in members:
        member = info.filename
        parts = PurePosixPath(member).parts
        if (not parts or member.startswith("/") or "\\" in member or ".." in parts
                or ":" in parts[0]):
            raise ValueError(_l("%(name)s is not an Argos model: the name %(member)s points "
                                "outside the package folder.", name=name, member=repr(member)))
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind == stat.S_IFLNK:
            raise ValueError(_l("%(name)s is not an Argos model: %(member)s is a symbolic link.",
                                name=name, member=member))
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise ValueError(_l("%(name)s is not an Argos model: %(member)s is not a plain "
                                "file.", name=name, member=member))
        if info.flag_bits & 0x1:
            raise ValueError(_l("%(name)s is not an Argos model: %(member)s is encrypted.",
                                name=name, member=member))
        key = "/".join(parts)
        if key in seen:
            raise ValueError(_l("%(name)s is not an Argos model: it holds %(member)s twice.",
                                name=name, member=member))
        seen.add(key)
        tops.add(parts[0])
        # Only what is large can fill a disk: a small member may compress as well as it likes.
        if info.file_size > _SMALL_MEMBER and info.file_size > MAX_RATIO * info.compress_size:
            raise ValueError(_l(
                "%(name)s was refused as a zip bomb: %(member)s would unpack to %(size)s from "
                "%(packed)s (more than %(ratio)s:1; real models compress far less).",
                name=name, member=member, size=_size(info.file_size),
                packed=_size(info.compress_size), ratio=MAX_RATIO))
    if len(tops) != 1:
        raise ValueError(_l("%(name)s is not an Argos model: it must hold exactly one folder "
                            "with metadata.json in it.", name=name))
    total = sum(info.file_size for info in members)
    if total > max_bytes:
        raise ValueError(_l(
            "%(name)s was refused: it would unpack to %(size)s, more than the %(max)s a model "
            "may take here (MAX_MODEL_BYTES).", name=name, size=_size(total),
            max=_size(max_bytes)))
    if total > _SMALL_MEMBER and total > MAX_RATIO * max(archive_size, 1):
        raise ValueError(_l(
            "%(name)s was refused as a zip bomb: it would unpack to %(size)s from %(packed)s "
            "(more than %(ratio)s:1; real models compress far less).", name=name,
            size=_size(total), packed=_size(archive_size), ratio=MAX_RATIO))
    if total > free:
        raise ValueError(_l("%(name)s needs %(size)s to unpack, but only %(free)s are free on "
                            "the disk of the packages folder.", name=name, size=_size(total),
                            free=_size(free)))
    return tops.pop()


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, staging: Path, name: str) -> None:
    """Write one checked member below staging, never more bytes than its stated size."""
    target = staging.joinpath(*PurePosixPath(info.filename).parts)
    if not target.resolve().is_relative_to(staging.resolve()):
        raise ValueError(_l("%(name)s is not an Argos model: the name %(member)s points "
                            "outside the package folder.", name=name,
                            member=repr(info.filename)))
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    left = info.file_size
    with archive.open(info) as source, open(target, "xb") as out:
        while chunk := source.read(min(1 << 20, left + 1)):
            left -= len(chunk)
            if left < 0:
                raise zipfile.BadZipFile(f"{info.filename} is longer than its stated size.")
            out.write(chunk)


def _check_loads(folder: Path, name: str) -> None:
    """Load the unpacked package as a translation would and translate one word, or say why not."""
    def reason(exc: Exception) -> str:
        # The engines name the private staging folder; the person knows only their file.
        return str(exc).replace(f"{folder}{os.sep}", "").replace(str(folder), name)

    sp_model = folder / "sentencepiece.model"
    try:
        sentencepiece.SentencePieceProcessor(model_file=str(sp_model))
    except (RuntimeError, OSError) as exc:
        raise ValueError(_l("%(name)s is not a usable Argos model: its sentencepiece.model "
                            "does not load (%(reason)s).", name=name,
                            reason=reason(exc))) from exc
    try:
        package = argostranslate.package.Package(folder)
        engine = load(package)
    except Exception as exc:  # noqa: BLE001 - CTranslate2 and Argos raise many kinds
        raise ValueError(_l("%(name)s is not a usable Argos model: its model does not load "
                            "(%(reason)s).", name=name, reason=reason(exc))) from exc
    try:
        engine.translate(["Hello"], 1)
    except Exception as exc:  # noqa: BLE001 - whatever breaks, the package is not usable
        raise ValueError(_l("%(name)s is not a usable Argos model: it fails to translate a "
                            "word (%(reason)s).", name=name, reason=reason(exc))) from exc


def _size(n: int) -> str:
    """Return a byte count for a person: 300 MB, 306 KB."""
    if n >= 1 << 20:
        return _l("%(size)s MB", size=round(n / (1 << 20)))
    if n >= 1024:
        return _l("%(size)s KB", size=round(max(n, 1) / 1024))
    return _ln("%(n)s byte", "%(n)s bytes", n)


def _offline_advice() -> str:
    """Return what to do without internet access, in the reader's language."""
    return _l(OFFLINE_ADVICE)


OFFLINE_ADVICE = N_("Download the .argosmodel file on a machine with internet access and "
                     "install it here with the upload form, or with "
                     "`flask --app wsgi models install-file PATH`.")


def unreachable_message(url: str, exc: BaseException) -> str:
    """Return, in words, why the package index at url could not be read, and what to do."""
    host = urllib.parse.urlsplit(url).hostname or url
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(exc, urllib.error.HTTPError):
        return _l("The Argos package index at %(host)s answered with an error (HTTP %(status)s "
                  "%(reason)s); try again later. %(advice)s", host=host, status=str(exc.code),
                  reason=str(exc.reason), advice=_offline_advice())
    # Each reason is the clause after "because", in the reader's language.
    if isinstance(reason, socket.gaierror):
        why = _l("the name %(host)s could not be looked up (no network, or no name server)",
                 host=host)
    elif isinstance(reason, ConnectionRefusedError):
        why = _l("%(host)s refused the connection", host=host)
    elif isinstance(reason, TimeoutError | socket.timeout):
        why = _l("%(host)s did not answer in time", host=host)
    elif isinstance(reason, ssl.SSLError):
        why = _l("the secure connection to %(host)s failed", host=host)
    elif isinstance(reason, OSError) and reason.errno in _NO_ROUTE:
        why = _l("there is no route to %(host)s", host=host)
    else:
        why = _l("%(host)s could not be reached", host=host)
    return _l("This machine seems to be offline: the Argos package index could not be "
              "downloaded, because %(why)s. %(advice)s", why=why, advice=_offline_advice())


_NO_ROUTE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN}


def _refresh_index() -> None:
    """Download the package index as Argos's update_package_index does, but report failure."""
    # Argos's own update_package_index logs and swallows any error, so offline would look
    # like success with a stale or missing index.
    url = argostranslate.settings.remote_package_index
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            data = response.read()
    except (OSError, http.client.HTTPException) as exc:
        raise OfflineError(unreachable_message(url, exc)) from exc
    try:
        index = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        index = None
    if not isinstance(index, list):
        raise ValueError(_l("The Argos package index at %(url)s is not a JSON list of "
                            "packages.", url=url))
    local = Path(argostranslate.settings.local_package_index)
    local.parent.mkdir(parents=True, exist_ok=True)
    partial = local.with_name(local.name + ".part")
    partial.write_bytes(data)
    partial.replace(local)
