"""Machine translation in the editor: pre-translate a document, the MT models page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template, request

from webapp.core.access import require_role
from webapp.core.db import get_db
from webapp.core.http import get_or_404
from webapp.core.models import Document
from webapp.core.states import Role
from webapp.documents import domain as documents
from webapp.jobs import runner as jobs
from webapp.mt import engine as mt

bp = Blueprint("mt", __name__)


@bp.post("/documents/<int:doc_id>/pretranslate")
@require_role(Role.TRANSLATOR)
def pretranslate(doc_id: int):
    """Start machine translation of the document and return its progress bar."""
    doc = get_or_404(Document, doc_id)
    src, tgt = mt.mt_pair(doc)
    if not mt.has_route(src, tgt):
        return render_template("jobs/_missing_model.html", message=mt.missing_pair_message(src, tgt),
                               pair=(src, tgt)), 409
    job = jobs.start_pretranslation(current_app._get_current_object(), get_db(), doc)
    return render_template("jobs/_progress.html", job=job), 202


@bp.get("/models")
@require_role(Role.TRANSLATOR)
def models_page():
    """Show which language pairs have an MT model and how to install more."""
    return render_template("models/index.html", pairs=mt.installed_pairs(), error=None,
                           message=None)


@bp.post("/models")
@require_role(Role.ADMIN)
def models_install():
    """Install an uploaded `.argosmodel` file."""
    upload = request.files.get("file")
    error = message = None
    if upload is None or not upload.filename:
        error = "Choose an .argosmodel file."
    else:
        tmp = Path(current_app.instance_path) / "upload.argosmodel"
        upload.save(tmp)
        try:
            pair = mt.install_file(tmp)
            message = f"Installed {pair[0]}→{pair[1]}."
        except (ValueError, OSError) as exc:
            error = str(exc)
        finally:
            tmp.unlink(missing_ok=True)
    status = 400 if error else 200
    return render_template("models/index.html", pairs=mt.installed_pairs(), error=error,
                           message=message), status


@bp.post("/models/index")
@require_role(Role.ADMIN)
def models_install_index():
    """Download and install a language pair from the Argos package index."""
    error = message = None
    src = request.form.get("from_code", "").strip().lower()
    tgt = request.form.get("to_code", "").strip().lower()
    try:
        documents.check_langs(src, tgt, "translate")
        installed = mt.install_from_index(src, tgt)
        message = ("Installed " + ", ".join(f"{a}→{b}" for a, b in installed) + "."
                   if installed else f"{src}→{tgt} is already installed.")
    except (mt.OfflineError, ValueError, OSError) as exc:
        error = str(exc)
    return render_template("models/index.html", pairs=mt.installed_pairs(), error=error,
                           message=message), 400 if error else 200



def init_app(app: Flask) -> None:
    """Register the MT pages."""
    app.register_blueprint(bp)
