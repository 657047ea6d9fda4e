"""TMX imports into the memory as background jobs: store and check the upload, then import it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from sqlalchemy.orm import Session

from webapp.core import messages
from webapp.core.messages import Message, _l, _ln
from webapp.core.models import Job
from webapp.interchange.formats import safexml
from webapp.interchange.formats.safexml import FormatError
from webapp.jobs.progress import Progress
from webapp.tm import tmxio
from webapp.tm.store import MemoryCache

JOB_KIND = "tm_import"


class ImportRefused(ValueError):
    """A TMX upload refused before any job starts, with the HTTP status to answer."""

    error_code = "tmx_refused"

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


class ImportFailed(Exception):
    """A stored TMX upload that could not be imported; the job shows this message."""


class _RootSeen(Exception):
    """Stops the quick check of an upload once its root element is known."""


def _reason(exc: BaseException) -> str:
    # The error's own Message when it is one, so the outer message renders it translated
    # (FormatError keeps it as .message; its args hold it as plain text).
    arg = exc.args[0] if len(exc.args) == 1 else None
    message = getattr(exc, "message", None)
    if isinstance(message, Message) and arg == message:
        return message
    return arg if isinstance(arg, str) else str(exc)


def upload_dir(instance_path: str | os.PathLike) -> Path:
    """Return the folder where uploads wait for their import job."""
    return Path(instance_path) / "tm-imports"


def check_head(path: Path) -> None:
    """Refuse at once a file that is not XML, not TMX, or declares entities."""
    def root(element) -> None:
        if element.tag != "tmx":
            name = element.tag.rpartition("}")[2]
            # The line goes into the message itself: FormatError would prefix it as plain text.
            line = element.sourceline
            error = FormatError(_l("line %(line)s: not a TMX document: the root element is "
                                   "<%(name)s>", line=str(line), name=name) if line else
                                _l("not a TMX document: the root element is <%(name)s>",
                                   name=name))
            error.line = line
            raise error
        raise _RootSeen

    with path.open("rb") as stream:
        try:
            for _ in safexml.iterparse(stream, set(), on_root=root):
                break
        except _RootSeen:
            return


def store_upload(
    db: Session, upload, folder: Path, limit: int, *, source_lang: str | None,
    target_lang: str | None, author: str,
) -> Job:
    """Store an upload (anything with `filename` and `save(path)`) and add its queued job."""
    # The caller submits the committed job to the app's job runner.
    if upload is None or not upload.filename:
        raise ImportRefused(_l("Send the TMX file as the multipart field 'file'."), 400)
    job = Job(kind=JOB_KIND, status="queued",
              message=_l("Importing %(name)s.", name=upload.filename))
    db.add(job)
    db.flush()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"job-{job.id}.tmx"
    upload.save(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImportRefused(_l("The TMX file is %(size)s MB; the limit is %(limit)s MB.",
                                   size=round(size / 1048576, 1), limit=limit // 1048576), 413)
        if size == 0:
            raise ImportRefused(_l("The TMX file is empty."))
        try:
            check_head(path)
        except FormatError as exc:
            raise ImportRefused(_l("The TMX file cannot be imported: %(error)s.",
                                   error=_reason(exc))) from None
    except ImportRefused:
        path.unlink(missing_ok=True)
        db.rollback()
        raise
    options = {
        "origin": os.path.basename(upload.filename.replace("\\", "/"))[:255],
        "source_lang": (source_lang or "").strip() or None,
        "target_lang": (target_lang or "").strip() or None,
        "author": author,
    }
    (folder / f"job-{job.id}.json").write_text(json.dumps(options), encoding="utf-8")
    job.total = size
    db.commit()
    return job


def run_import(db: Session, job: Job, folder: Path, cache: MemoryCache | None) -> str:
    """Import a stored TMX upload into the memory, recording progress on the job."""
    path = folder / f"job-{job.id}.tmx"
    meta = folder / f"job-{job.id}.json"
    if not path.exists():
        raise ImportFailed("The uploaded TMX file is gone; upload it again.")
    options = json.loads(meta.read_text(encoding="utf-8")) if meta.exists() else {}
    job.total, job.done = path.stat().st_size, 0
    db.commit()

    progress = Progress(None, job.id)

    def on_batch(done: int, total: int | None, result: tmxio.ImportResult) -> None:
        # In the batch's own transaction: progress and units become visible together.
        progress.record(db, job, done, total or job.total)

    try:
        with path.open("rb") as stream:
            result = tmxio.import_tmx(
                db, stream, options.get("origin") or path.name, job_id=job.id,
                source_lang=options.get("source_lang"), target_lang=options.get("target_lang"),
                on_batch=on_batch,
            )
    except FormatError as exc:
        path.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
        raise ImportFailed(_l("The TMX file was not imported, nothing was added: %(reason)s.",
                              reason=messages.of(exc))) from None
    path.unlink(missing_ok=True)
    meta.unlink(missing_ok=True)
    job.done = job.total
    db.commit()
    # Build the indexes now, off the request, so the first lookup after an import is fast.
    if cache is not None:
        for source_key, target_key in result.pairs:
            cache.index(db, source_key, target_key, wait=True)
    pairs = ", ".join(f"{s}→{t}" for s, t in sorted(result.pairs)) or _l("no language pair")
    origin = options.get("origin") or _l("the file")
    if result.duplicates:
        return _ln("Imported %(n)s unit (%(duplicates)s already in the memory) from %(origin)s "
                   "(%(pairs)s).", "Imported %(n)s units (%(duplicates)s already in the memory) "
                   "from %(origin)s (%(pairs)s).", result.added, duplicates=result.duplicates,
                   origin=origin, pairs=pairs)
    return _ln("Imported %(n)s unit from %(origin)s (%(pairs)s).",
               "Imported %(n)s units from %(origin)s (%(pairs)s).", result.added,
               origin=origin, pairs=pairs)
