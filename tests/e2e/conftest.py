"""Browser tests of the PWA against the real server (Playwright, Debian's Chromium).

A session fixture migrates a temporary SQLite database, loads the demo organisation and
serves the API and ``pwa/dist`` with gunicorn on a free port. Everything here is skipped,
with the reason, when ``pwa/dist`` is not built, Playwright is not installed or there is no
Chromium at ``/usr/bin/chromium``.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# E2E_PWA_DIST: test another build of the PWA (e.g. one per worker tree).
DIST = Path(os.environ.get("E2E_PWA_DIST") or ROOT / "pwa" / "dist")
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "e2e-demo-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 360, "height": 740}

if not (DIST / "index.html").exists():
    pytest.skip(
        "pwa/dist is not built: run `cd pwa && npm ci && npm run build` first",
        allow_module_level=True,
    )
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
)


@pytest.fixture(autouse=True)
def _clean_state() -> Iterator[None]:
    """The browser tests run against their own server; the unit suite's cleanup is not theirs."""
    yield


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="package")
def server(tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
        "PWA_DIST": str(DIST),
        "LEADSYNC_DEMO_PASSWORD": PASSWORD,
        "SECRET_KEY": "e2e-secret-key-that-is-long-enough-0123456789",
        "LEADSYNC_ENV": "development",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    bin_dir = Path(sys.executable).parent
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo-data"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(tmp / "server.log", "w")  # noqa: SIM115 - closed below
    gunicorn = bin_dir / "gunicorn"
    cmd = (
        [
            str(gunicorn),
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--threads",
            "8",
            "wsgi:app",
        ]
        if gunicorn.exists()
        else [*flask, "run", "--port", str(port)]
    )
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError((tmp / "server.log").read_text()) from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


class ApiSession:
    """A plain HTTP client signed in by session cookie, to check what the server holds."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf = None
        answer = self.call("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
        self.csrf = answer["csrf_token"]
        self.user = answer["user"]

    def call(self, method: str, path: str, body=None, expect: int | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.csrf:
            request.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        if expect is not None:
            assert status == expect, (method, path, status, raw[:500])
        elif status >= 400:
            raise AssertionError((method, path, status, raw[:500]))
        return json.loads(raw) if raw else None

    def all_leads(self) -> list[dict]:
        items, after = [], None
        while True:
            query = "?limit=200" + (f"&after={after}" if after else "")
            page = self.call("GET", "/api/v1/leads" + query)
            items += page["items"]
            after = page["next_after"]
            if not after:
                return items


@pytest.fixture(scope="package")
def api(server):
    return lambda email: ApiSession(server, email)


@pytest.fixture(scope="package")
def browser() -> Iterator:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, server):
    contexts = []

    def make():
        context = browser.new_context(viewport=VIEWPORT, base_url=server, service_workers="allow")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="package")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
