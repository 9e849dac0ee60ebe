"""Security headers on every answer: CSP per kind of page, no framing, no sniffing, HSTS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import g

from app import create_app
from tests.questions.conftest import slug_of

ROOT = Path(__file__).resolve().parent.parent


def csp(response) -> dict[str, str]:
    """The Content-Security-Policy as directive → sources."""
    policy = response.headers["Content-Security-Policy"]
    directives = [part.strip().split(" ", 1) for part in policy.split(";") if part.strip()]
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def assert_common_headers(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert csp(response)["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_api_answers_allow_nothing_to_load_or_frame(api_as, org, client):
    for response in (
        api_as(org.admin).get("/api/v1/teams"),  # 200
        client.get("/api/v1/teams"),  # 401
        client.get("/api/v1/no-such-thing"),  # 404
        client.delete("/api/v1/auth/login"),  # 405
    ):
        assert_common_headers(response)
        policy = csp(response)
        assert policy["default-src"] == "'none'"
        assert "script-src" not in policy and "style-src" not in policy


def test_the_pwa_may_run_its_own_files_only(client):
    for path in ("/", "/leads/some-lead"):  # the shell, and a client-side route
        response = client.get(path)
        assert response.status_code == 200
        assert_common_headers(response)
        policy = csp(response)
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["connect-src"] == "'self'"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("index", ["pwa/index.html", "pwa/dist/index.html"])
def test_the_pwa_shell_has_no_inline_script_or_style(index):
    # Under script-src/style-src 'self' an inline one would not run: the shell would break.
    path = ROOT / index
    if not path.exists():
        pytest.skip(f"{index} is not built here")
    html = path.read_text()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I)
    assert scripts, "the shell loads its script"
    assert all("src=" in attributes and not body.strip() for attributes, body in scripts)
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html, re.I)


def test_the_api_docs_load_redoc_from_the_app_only(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_common_headers(response)
    policy = csp(response)
    assert policy["default-src"] == "'none'"
    # ReDoc's own bundle from the app, its spec from the app; no host anywhere.
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert "http" not in response.headers["Content-Security-Policy"]
    assert b'src="/api/v1/docs/redoc/redoc.standalone.js"' in response.data


def test_no_hsts_outside_production(client):
    response = client.get("/api/v1/teams", base_url="https://leadsync.test")
    assert "Strict-Transport-Security" not in response.headers


def _production_app(tmp_path):
    return create_app(
        {
            "LEADSYNC_ENV": "production",
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def test_hsts_in_production_over_https(tmp_path):
    client = _production_app(tmp_path).test_client()
    for answer in (
        client.get("/api/v1/no-such-thing", base_url="https://leadsync.test"),
        # behind the TLS-terminating proxy
        client.get("/api/v1/no-such-thing", headers={"X-Forwarded-Proto": "https"}),
    ):
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    # Over plain HTTP browsers ignore it; the app does not redirect (the proxy does).
    plain = client.get("/api/v1/no-such-thing")
    assert plain.status_code == 404
    assert "Strict-Transport-Security" not in plain.headers


def test_a_page_names_who_may_frame_it(tmp_path):
    # The mechanism the public consumer pages (/q/<slug>, /c/<token>) use: they keep their
    # own policy and set g.frame_ancestors to the organisation's public_origins.
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'frame.db'}"})

    @app.get("/embeddable")
    def embeddable():
        g.frame_ancestors = ["https://shop.example", "https://www.shop.example"]
        return "form", 200, {"Content-Security-Policy": "default-src 'none'; form-action 'self'"}

    @app.get("/embeddable-by-nobody")
    def embeddable_by_nobody():
        g.frame_ancestors = []  # an organisation without public origins
        return "form", 200, {"Content-Security-Policy": "default-src 'none'"}

    client = app.test_client()
    response = client.get("/embeddable")
    policy = csp(response)
    assert policy == {
        "default-src": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "https://shop.example https://www.shop.example",
    }
    # X-Frame-Options cannot name two origins; it would forbid what frame-ancestors allows.
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    nobody = client.get("/embeddable-by-nobody")
    assert csp(nobody) == {"default-src": "'none'", "frame-ancestors": "'none'"}
    assert nobody.headers["X-Frame-Options"] == "DENY"


def test_the_consumer_pages_keep_their_own_policy(client, api_as, org):
    response = client.get(f"/q/{slug_of(api_as, org)}")
    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == "'none'" and "script-src" not in policy  # no script runs
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
