"""The organisation's public address: made at signup, shown and changed through /org."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.accounts.models import slug_from_name

ROOT = Path(__file__).resolve().parents[2]


def _signup(client, org_name: str, email: str):
    response = client.post(
        "/api/v1/auth/signup",
        json={"org_name": org_name, "name": "Founder", "email": email, "password": "x" * 12},
    )
    assert response.status_code == 201, response.json
    return response.json["organization"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Acme", "acme"),
        ("  Müller & Söhne GmbH ", "muller-sohne-gmbh"),
        ("Demo Trading Co.", "demo-trading-co"),
        ("AB", "ab-org"),
        ("東京商事", "org"),
        ("x" * 200, "x" * 54),
    ],
)
def test_a_slug_is_lowercase_ascii_words_joined_by_dashes(name, slug):
    assert slug_from_name(name) == slug


def test_signup_gives_a_unique_slug_and_org_shows_it(app):
    first = _signup(app.test_client(), "Acme Trading", "a@one.test")
    second = _signup(app.test_client(), "ACME trading!", "b@two.test")
    third = _signup(app.test_client(), "Acme Trading", "c@three.test")
    assert [first["slug"], second["slug"], third["slug"]] == [
        "acme-trading",
        "acme-trading-2",
        "acme-trading-3",
    ]


def test_an_admin_changes_the_slug_and_devices_get_the_new_version(api_as, org, other_org):
    admin = api_as(org.admin)
    before = admin.get("/api/v1/org").json
    changed = admin.patch("/api/v1/org", json={"slug": " Acme-Shop-2 "})
    assert changed.status_code == 200, changed.json
    assert changed.json["slug"] == "acme-shop-2"
    assert changed.json["version"] > before["version"]
    assert admin.get("/api/v1/org").json["slug"] == "acme-shop-2"
    # The public form now answers at the new address, and no longer at the old one.
    assert admin.client.get("/q/acme-shop-2").status_code == 200
    assert admin.client.get(f"/q/{before['slug']}").status_code == 404


@pytest.mark.parametrize("slug", ["ab", "a" * 61, "acme shop", "acme_shop", "açme", "", None, 7])
def test_an_invalid_slug_is_422_naming_the_field(api_as, org, slug):
    response = api_as(org.admin).patch("/api/v1/org", json={"slug": slug})
    assert response.status_code == 422
    assert "slug" in response.json["error"]["fields"]


def test_a_slug_another_organisation_has_is_409_naming_the_field(api_as, org, other_org):
    theirs = api_as(other_org.admin).get("/api/v1/org").json["slug"]
    admin = api_as(org.admin)
    before = admin.get("/api/v1/org").json
    response = admin.patch("/api/v1/org", json={"slug": theirs, "name": "Renamed"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "slug_taken"
    assert "slug" in response.json["error"]["fields"]
    assert admin.get("/api/v1/org").json == before  # nothing of the request was kept


def test_only_an_admin_changes_the_slug(api_as, org):
    response = api_as(org.lead).patch("/api/v1/org", json={"slug": "lead-choice"})
    assert response.status_code == 403


def _flask(args, env):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_organisations_stored_before_slugs_get_one_in_the_migration(tmp_path):
    path = tmp_path / "old.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "x" * 40}
    assert _flask(["db", "upgrade", "0012_daily_tallies"], env).returncode == 0
    with sqlite3.connect(path) as conn:
        for n, name in enumerate(["Old Co", "Old Co", "Zürich Works"]):
            conn.execute(
                "INSERT INTO organizations (id, name, default_country, timezone, created_at,"
                " currency, version) VALUES (?, ?, 'DE', 'UTC', ?, 'EUR', 0)",
                (f"{n:032x}", name, f"2026-01-0{n + 1} 00:00:00.000000"),
            )
    up = _flask(["db", "upgrade"], env)
    assert up.returncode == 0, up.stderr
    with sqlite3.connect(path) as conn:
        slugs = conn.execute("SELECT slug FROM organizations ORDER BY created_at").fetchall()
    assert slugs == [("old-co",), ("old-co-2",), ("zurich-works",)]
    down = _flask(["db", "downgrade", "0012_daily_tallies"], env)
    assert down.returncode == 0, down.stderr
