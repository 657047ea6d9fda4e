"""Machine translation in the editor: pre-translate a document, the MT models page."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template, request

from webapp.core.access import require_role
from webapp.core.db import get_db
from webapp.core.http import get_or_404
from webapp.core.messages import _l
from webapp.core.models import Document
from webapp.core.states import Role
from webapp.documents import importing
from webapp.jobs import runner as jobs
from webapp.mt import engine as mt
from webapp.mt import packages

bp = Blueprint("mt", __name__)


@bp.post("/documents/<int:doc_id>/pretranslate")
@require_role(Role.TRANSLATOR)
def pretranslate(doc_id: int):
    """Start machine translation of the document and return its progress bar."""
    doc = get_or_404(Document, doc_id)
    try:
        job = jobs.start_pretranslation(current_app._get_current_object(), get_db(), doc)
    except mt.MissingModelError as exc:
        return render_template("jobs/_missing_model.html", doc=doc,
                               pair=(exc.from_code, exc.to_code)), 409
    except jobs.AlreadyRunning as exc:
        # The running job's own progress bar, which goes on polling, and why nothing started.
        return render_template("jobs/_progress.html", job=exc.job, error=str(exc)), 409
    return render_template("jobs/_progress.html", job=job), 202


@bp.get("/models")
@require_role(Role.TRANSLATOR)
def models_page():
    """Show which language pairs have an MT model and how to install more."""
    return render_template("mt/index.html", pairs=mt.installed_pairs(), error=None,
                           message=None)


@bp.post("/models")
@require_role(Role.ADMIN)
def models_install():
    """Install an uploaded `.argosmodel` file."""
    # Models are far larger than documents (50-150 MB): this route alone, admins only,
    # takes bodies up to what a model may unpack to; the archive checks do the rest.
    request.max_content_length = current_app.config["MAX_MODEL_BYTES"]
    upload = request.files.get("file")
    error = message = None
    if upload is None or not upload.filename:
        error = _l("Choose an .argosmodel file.")
    else:
        name = shown_name(upload.filename)
        # A private file per upload: two admins uploading at once must not install each
        # other's file, nor delete it under the other's feet.
        fd, tmp = tempfile.mkstemp(prefix="model-upload-", suffix=".argosmodel",
                                   dir=current_app.instance_path)
        try:
            with os.fdopen(fd, "wb") as out:
                upload.save(out)
            pair = packages.install_file(tmp, name=name,
                                   max_bytes=current_app.config["MAX_MODEL_BYTES"])
            message = _l("Installed %(source)s→%(target)s from %(file)s.", source=pair[0],
                         target=pair[1], file=name)
        except (ValueError, OSError) as exc:
            error = str(exc)
        finally:
            Path(tmp).unlink(missing_ok=True)
    status = 400 if error else 200
    return render_template("mt/index.html", pairs=mt.installed_pairs(), error=error,
                           message=message), status


def shown_name(filename: str) -> str:
    """Return an uploaded file's own name, as the person chose it, without any folders."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:120] or _l("The uploaded file")


@bp.post("/models/index")
@require_role(Role.ADMIN)
def models_install_index():
    """Download and install a language pair from the Argos package index."""
    error = message = None
    src = request.form.get("from_code", "").strip().lower()
    tgt = request.form.get("to_code", "").strip().lower()
    try:
        importing.check_langs(src, tgt, "translate")
        installed = packages.install_from_index(src, tgt,
                                          max_bytes=current_app.config["MAX_MODEL_BYTES"])
        message = (_l("Installed %(pairs)s.", pairs=", ".join(f"{a}→{b}" for a, b in installed))
                   if installed else _l("%(source)s→%(target)s is already installed.",
                                        source=src, target=tgt))
    except (packages.OfflineError, ValueError, OSError) as exc:
        error = str(exc)
    return render_template("mt/index.html", pairs=mt.installed_pairs(), error=error,
                           message=message), 400 if error else 200



def init_app(app: Flask) -> None:
    """Register the MT pages."""
    app.register_blueprint(bp)
