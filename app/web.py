"""Serves the built PWA at ``/`` (the API lives under ``/api``)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, send_from_directory
from werkzeug.exceptions import NotFound

web_bp = Blueprint("web", __name__)

PLACEHOLDER = Path(__file__).resolve().parent.parent / "pwa" / "placeholder"


def _dist() -> Path:
    dist = Path(current_app.config["PWA_DIST"])
    return dist if (dist / "index.html").exists() else PLACEHOLDER


@web_bp.get("/")
def index():
    return send_from_directory(_dist(), "index.html", max_age=0)


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
