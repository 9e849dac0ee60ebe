"""HTTP routes of the history import: read the upload, import, commit, answer."""

from __future__ import annotations

from flask import current_app, request
from flask_login import login_required
from flask_smorest import Blueprint

from app.accounts.auth import acting_user
from app.extensions import db
from app.http import wire_response
from app.imports import service
from app.imports.csvfile import uploaded_text

imports_bp = Blueprint(
    "imports", __name__, url_prefix="/api/v1/imports", description="History import (CSV)"
)

_UPLOAD = {
    "requestBody": {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string",
                                                                     "format": "binary"}}}
            },
        }
    }
}  # fmt: skip


def _text() -> str:
    # An import is larger than any other request: its own limit (IMPORT_MAX_BYTES).
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
    return uploaded_text(request)


@imports_bp.route("/leads", methods=["POST"])
@login_required
@imports_bp.doc(**_UPLOAD)
def import_leads():
    """Past inquiries from a CSV file (admins): every row checked first; 422 lists each bad
    row by line number and imports nothing; else all in one transaction →
    ``{imported, duplicates_flagged}``."""
    result = service.import_leads_csv(acting_user(), _text())
    db.session.commit()
    return wire_response(result, 201)


@imports_bp.route("/followups", methods=["POST"])
@login_required
@imports_bp.doc(**_UPLOAD)
def import_follow_ups():
    """Past follow-ups from a CSV file (admins), each found by its lead's ``lead_ref``
    (external_ref) or ``lead_id`` → ``{imported, leads}``."""
    result = service.import_follow_ups_csv(acting_user(), _text())
    db.session.commit()
    return wire_response(result, 201)


BLUEPRINTS = (imports_bp,)
