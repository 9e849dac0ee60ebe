"""Serves the built PWA at ``/`` (the API lives under ``/api``), and the API docs' ReDoc."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, send_from_directory
from werkzeug.exceptions import NotFound

web_bp = Blueprint("web", __name__)

PLACEHOLDER = Path(__file__).resolve().parent.parent / "pwa" / "placeholder"
# ReDoc's standalone bundle and its licences, vendored (see README.txt there): the docs
# page at /api/v1/docs loads it from here (config.REDOC_BUNDLE_URL), never from a CDN.
REDOC_DIR = Path(__file__).resolve().parent / "static" / "vendor" / "redoc"
REDOC_FILES = frozenset({"redoc.standalone.js", "redoc.standalone.js.LICENSE.txt", "LICENSE"})
REDOC_MAX_AGE = 24 * 3600  # the name carries no version: a day, then revalidate (ETag)


def _dist() -> Path:
    dist = Path(current_app.config["PWA_DIST"])
    return dist if (dist / "index.html").exists() else PLACEHOLDER


@web_bp.get("/")
def index():
    return send_from_directory(_dist(), "index.html", max_age=0)


# Part of the API docs, like flask-smorest's own "api-docs" blueprint (the route checks
# that every API route is documented and isolated pass over documentation by that name).
docs_assets_bp = Blueprint("api-docs-assets", __name__)


@docs_assets_bp.get("/api/v1/docs/redoc/<name>")
def redoc_asset(name: str):
    if name not in REDOC_FILES:
        raise NotFound()
    mimetype = "text/plain" if name != "redoc.standalone.js" else None
    return send_from_directory(REDOC_DIR, name, max_age=REDOC_MAX_AGE, mimetype=mimetype)


@web_bp.get("/<path:path>")
def asset(path: str):
    if path.startswith("api/"):
        raise NotFound()
    try:
        return send_from_directory(_dist(), path)
    except NotFound:
        # Client-side routes (/leads/…) get the app shell; real missing files stay 404.
        if "." in Path(path).name:
            raise
        return send_from_directory(_dist(), "index.html", max_age=0)
