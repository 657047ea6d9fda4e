"""Hostile .argosmodel files, made from the tiny real package: bombs, fakes, escapes, links."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

MiB = 1 << 20
TOP = "translate-de_en-0_1"


def rebuilt(tiny: Path, out: Path, replace: dict[str, bytes] | None = None,
            add: dict[str, bytes] | None = None) -> Path:
    """Copy the tiny package to out, with members (named below its folder) replaced or added."""
    replace = replace or {}
    with zipfile.ZipFile(tiny) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            inner = info.filename.removeprefix(f"{TOP}/")
            zf.writestr(info.filename, replace.get(inner, source.read(info)))
        for name, data in (add or {}).items():
            zf.writestr(name, data)
    return out


def zip_bomb(tiny: Path | None, out: Path, members: dict[str, int]) -> Path:
    """Return the tiny package (or just its metadata) plus members of zeros (name → size).

    Zeros deflate about 1000:1, as the 306 KB file that unpacked to 300 MiB did.
    """
    if tiny is not None:
        rebuilt(tiny, out)
    else:
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr(f"{TOP}/metadata.json", '{"from_code": "de", "to_code": "en"}')
    zero = bytes(MiB)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as zf:
        for name, size in members.items():
            with zf.open(f"{TOP}/{name}", "w", force_zip64=True) as member:
                for start in range(0, size, MiB):
                    member.write(zero[: min(MiB, size - start)])
    return out


def with_symlink(tiny: Path, out: Path, inner: str, points_to: str) -> Path:
    """Return the tiny package whose member `inner` is a symbolic link to `points_to`."""
    rebuilt(tiny, out)
    with zipfile.ZipFile(out) as zf:
        entries = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            if info.filename == f"{TOP}/{inner}":
                link = zipfile.ZipInfo(info.filename)
                link.create_system = 3  # Unix, so the mode bits below are read
                link.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(link, points_to)
            else:
                zf.writestr(info, data)
    return out
