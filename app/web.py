"""Serves the built PWA at ``/`` (the API lives under ``/api``), and the API docs' ReDoc."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request, send_from_directory
from flask_talisman import Talisman
from werkzeug.exceptions import NotFound
from werkzeug.routing import PathConverter

web_bp = Blueprint("web", __name__)


class PwaPath(PathConverter):
    """Any path outside /api/: the PWA's files and client-side routes.

    The shell's catch-all must not match /api/… at all: when it did, a GET on a POST-only
    API path (/api/v1/auth/login) landed here as a 404, and Allow listed GET. Now routing
    answers 405 with the methods the path really has.
    """

    regex = r"(?!api/)[^/].*?"


# Before the routes below are added (deferred functions run in the order recorded).
web_bp.record_once(lambda state: state.app.url_map.converters.setdefault("pwa_path", PwaPath))

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


@web_bp.get("/<pwa_path:path>")
def asset(path: str):
    try:
        return send_from_directory(_dist(), path)
    except NotFound:
        # Client-side routes (/leads/…) get the app shell; real missing files stay 404.
        if "." in Path(path).name:
            raise
        return send_from_directory(_dist(), "index.html", max_age=0)


# --- security headers ------------------------------------------------------------------------
# flask-talisman writes them on every response; this subclass only picks the policy by what
# the response is. Three policies: the API (JSON only: nothing may load, nothing may frame
# it), the PWA (its own scripts and styles only — the built index.html has no inline script
# or style, tests/test_security_headers.py checks it) and the API docs (ReDoc injects its
# styles at run time and searches in a blob: worker; nothing external, so ReDoc's footer
# logo from its CDN stays blocked).
API_CSP = {
    "default-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
}
PWA_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
DOCS_CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "blob:",
    "base-uri": "'none'",
    "form-action": "'none'",
    "frame-ancestors": "'none'",
}
HSTS_MAX_AGE = 365 * 24 * 3600


def allowed_frame_ancestors() -> list[str] | None:
    """The origins a page let frame it (``g.frame_ancestors``), or None: not embeddable.

    The public consumer pages (/q/<slug>, /c/<token>) are embedded by the organisation's
    own site, so they set ``g.frame_ancestors`` to the organisation's ``public_origins``
    while they answer (an empty list: nobody); every other response may be framed by
    nobody, except a page that writes its own policy and leaves framing out of it.
    """
    origins = g.get("frame_ancestors")
    return list(origins) if origins is not None else None


class SecurityHeaders(Talisman):
    """Talisman with LeadSync's policy per kind of response (see the policies above)."""

    def _get_local_options(self) -> dict[str, Any]:
        options = dict(super()._get_local_options())
        endpoint = request.endpoint or ""
        if endpoint.startswith("web."):
            options["content_security_policy"] = PWA_CSP
        elif endpoint.startswith("api-docs"):
            options["content_security_policy"] = DOCS_CSP
        return options

    def _set_response_headers(self, response: Response) -> Response:
        own_policy = response.headers.get("Content-Security-Policy")
        response = super()._set_response_headers(response)
        origins = allowed_frame_ancestors()
        if own_policy:
            # A page that wrote its own policy (the consumer pages) keeps it, and says who
            # may frame it through g.frame_ancestors (see allowed_frame_ancestors).
            response.headers["Content-Security-Policy"] = own_policy
            if origins is not None:
                kept = [
                    part.strip()
                    for part in own_policy.split(";")
                    if part.strip() and not part.strip().startswith("frame-ancestors")
                ]
                ancestors = " ".join(origins) if origins else "'none'"
                response.headers["Content-Security-Policy"] = "; ".join(
                    [*kept, f"frame-ancestors {ancestors}"]
                )
            elif "frame-ancestors" not in own_policy:
                # Not said here: the page's own choice stands (it is meant to be embedded).
                response.headers.pop("X-Frame-Options", None)
        elif origins:
            policy = response.headers.get("Content-Security-Policy", "")
            response.headers["Content-Security-Policy"] = policy.replace(
                "frame-ancestors 'none'", "frame-ancestors " + " ".join(origins)
            )
        if origins:
            # X-Frame-Options cannot name several origins; frame-ancestors says it.
            response.headers.pop("X-Frame-Options", None)
        return response


def install_security_headers(app: Flask) -> SecurityHeaders:
    """CSP, X-Content-Type-Options, frame refusal, Referrer-Policy and (production) HSTS."""
    production = app.config["LEADSYNC_ENV"] == "production"
    return SecurityHeaders(
        app,
        content_security_policy=API_CSP,
        frame_options="DENY",
        referrer_policy="no-referrer",
        # HSTS on HTTPS answers in production (browsers ignore it over plain HTTP);
        # the TLS redirect and the cookie flags stay with the proxy and app.config.
        strict_transport_security=production,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        strict_transport_security_include_subdomains=False,
        force_https=False,
        session_cookie_secure=app.config.get("SESSION_COOKIE_SECURE", False),
        session_cookie_http_only=app.config.get("SESSION_COOKIE_HTTPONLY", True),
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        x_content_type_options=True,
    )
