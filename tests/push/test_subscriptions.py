"""The VAPID key endpoint and the subscriptions API: validation, ownership, isolation."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from sqlalchemy import select

from app.config import load_config
from app.extensions import db
from app.push.models import PushSubscription
from app.push.vapid import b64url, get_vapid, parse_private_key
from app.tenancy import all_orgs
from tests.push.conftest import subscribe
from tests.push.standin import FakeBrowser, unb64url

SUBS = "/api/v1/push/subscriptions"


def a_browser(host: str = "https://push.example.com") -> FakeBrowser:
    token = uuid.uuid4().hex
    return FakeBrowser(endpoint=f"{host}/wpush/v2/{token}", token=token)


def all_subscriptions(app) -> list[tuple]:
    with app.app_context(), all_orgs():
        rows = db.session.execute(
            select(PushSubscription.org_id, PushSubscription.user_id, PushSubscription.endpoint)
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_the_key_is_a_p256_point_kept_in_the_instance_folder(app, client):
    first = client.get("/api/v1/push/key")
    assert first.status_code == 200  # no sign-in needed
    raw = unb64url(first.json["public_key"])
    assert len(raw) == 65 and raw[0] == 4
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    assert client.get("/api/v1/push/key").json == first.json
    key_file = Path(app.instance_path) / "vapid_private.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # A restart (a new identity read from the file) serves the same key.
    fresh = Flask("restart", instance_path=app.instance_path)
    fresh.config.update(load_config(Path(app.instance_path)))
    assert get_vapid(fresh).public_key == first.json["public_key"]


@pytest.mark.parametrize("form", ["pem", "raw", "der"])
def test_a_key_from_the_environment_in_any_usual_form(tmp_path, monkeypatch, form):
    key = ec.generate_private_key(ec.SECP256R1())
    encoded = {
        "pem": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "raw": b64url(key.private_numbers().private_value.to_bytes(32, "big")),
        "der": b64url(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        ),
    }[form]
    monkeypatch.setenv("VAPID_PRIVATE_KEY", encoded)
    monkeypatch.setenv("VAPID_SUBJECT", "mailto:ops@leadsync.example")
    app = Flask("env", instance_path=str(tmp_path))
    app.config.update(load_config(tmp_path))  # the environment, read as the app reads it
    identity = get_vapid(app)
    expected = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert identity.public_key == b64url(expected)
    assert identity.subject == "mailto:ops@leadsync.example"
    assert not (tmp_path / "vapid_private.pem").exists()


def test_a_key_on_another_curve_is_refused():
    other = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError):
        parse_private_key(other.decode())


def test_subscribe_list_resubscribe_and_delete(app, api_as, org):
    rep = api_as(org.rep)
    browser = a_browser()
    created = rep.post(SUBS, json=browser.to_json(device_name="Work phone"))
    assert created.status_code == 201, created.json
    assert created.json["endpoint"] == browser.endpoint
    assert created.json["device_name"] == "Work phone"
    assert "keys" not in created.json

    # The same endpoint again (keys rotated by the browser): updated, not doubled.
    browser.private_key = ec.generate_private_key(ec.SECP256R1())
    again = rep.post(SUBS, json=browser.to_json())
    assert again.status_code == 200 and again.json["id"] == created.json["id"]
    listed = rep.get(SUBS)
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json] == [created.json["id"]]
    with app.app_context(), all_orgs():
        stored = db.session.scalars(select(PushSubscription)).one()
        assert stored.p256dh == browser.p256dh
        db.session.remove()

    second = subscribe(rep, a_browser(), expirationTime=4_102_444_800_000)
    assert second["expires_at"] == "2100-01-01T00:00:00.000Z"
    assert len(rep.get(SUBS).json) == 2
    assert rep.delete(f"{SUBS}/{created.json['id']}").status_code == 204
    assert [s["id"] for s in rep.get(SUBS).json] == [second["id"]]
    assert rep.delete(f"{SUBS}/{created.json['id']}").status_code == 404


def test_you_see_and_delete_only_your_own(app, api_as, org, other_org):
    rep = api_as(org.rep)
    mine = subscribe(rep, a_browser())
    for intruder in (org.rep2, org.admin, other_org.admin, other_org.rep):
        api = api_as(intruder)
        assert api.get(SUBS).json == []
        response = api.delete(f"{SUBS}/{mine['id']}")
        assert response.status_code == 404, (intruder.email, response.json)
        assert response.json["error"]["code"] == "not_found"
    assert [s["id"] for s in rep.get(SUBS).json] == [mine["id"]]


def test_an_endpoint_moves_to_whoever_subscribes_it_last(app, api_as, org, other_org):
    browser = a_browser()
    subscribe(api_as(org.rep), browser)
    # The same browser, now signed in as a teammate: the endpoint moves, not duplicates.
    subscribe(api_as(org.rep2), browser)
    assert all_subscriptions(app) == [(org.id, org.rep2.id, browser.endpoint)]
    assert api_as(org.rep).get(SUBS).json == []
    # …and into another organisation's account.
    moved = api_as(other_org.rep).post(SUBS, json=browser.to_json())
    assert moved.status_code == 201
    assert all_subscriptions(app) == [(other_org.id, other_org.rep.id, browser.endpoint)]


def _invalid(body_change) -> dict:
    body = a_browser().to_json()
    body_change(body)
    return body


def _set(path, value):
    def change(body):
        target = body
        for name in path[:-1]:
            target = target[name]
        target[path[-1]] = value

    return change


def _drop(path):
    def change(body):
        target = body
        for name in path[:-1]:
            target = target[name]
        del target[path[-1]]

    return change


NOT_ON_CURVE = b64url(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize(
    ("change", "field_path"),
    [
        (_set(["endpoint"], "http://push.example.com/x"), ["endpoint"]),
        (_set(["endpoint"], "ftp://push.example.com/x"), ["endpoint"]),
        (_set(["endpoint"], "https://10.1.2.3/x"), ["endpoint"]),
        (_set(["endpoint"], "https://169.254.169.254/latest"), ["endpoint"]),
        (_set(["endpoint"], "https://user:pw@push.example.com/x"), ["endpoint"]),
        (_set(["endpoint"], "not a url"), ["endpoint"]),
        (_set(["endpoint"], "https://push.example.com/" + "x" * 2100), ["endpoint"]),
        (_drop(["endpoint"]), ["endpoint"]),
        (_drop(["keys"]), ["keys"]),
        (_set(["keys", "p256dh"], b64url(b"\x04" + b"\x00" * 31)), ["keys", "p256dh"]),
        (_set(["keys", "p256dh"], NOT_ON_CURVE), ["keys", "p256dh"]),
        (_set(["keys", "p256dh"], "!!not base64!!"), ["keys", "p256dh"]),
        (_set(["keys", "auth"], b64url(b"\x00" * 15)), ["keys", "auth"]),
        (_drop(["keys", "auth"]), ["keys", "auth"]),
        (_set(["expirationTime"], "soon"), ["expirationTime"]),
        (_set(["device_name"], "x" * 121), ["device_name"]),
    ],
)
def test_invalid_subscriptions_are_422_naming_the_field(app, api_as, org, change, field_path):
    response = api_as(org.rep).post(SUBS, json=_invalid(change))
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == "validation_error"
    fields = error["fields"]
    for name in field_path:
        assert name in fields, fields
        fields = fields[name]
    assert all_subscriptions(app) == []


def test_plain_http_loopback_endpoints_only_in_tests_or_when_allowed(app, api_as, org, monkeypatch):
    rep = api_as(org.rep)
    local = a_browser("http://127.0.0.1:8999")
    monkeypatch.setitem(app.config, "TESTING", False)
    refused = rep.post(SUBS, json=local.to_json())
    assert refused.status_code == 422 and "endpoint" in refused.json["error"]["fields"]
    assert rep.post(SUBS, json=a_browser("https://localhost").to_json()).status_code == 422
    monkeypatch.setitem(app.config, "PUSH_ALLOW_INSECURE_ENDPOINTS", True)
    assert rep.post(SUBS, json=local.to_json()).status_code == 201


def test_unknown_members_of_the_browser_json_are_ignored(api_as, org):
    body = a_browser().to_json()
    body["keys"]["future"] = "x"
    body["somethingNew"] = 1
    assert api_as(org.rep).post(SUBS, json=body).status_code == 201


def test_signing_in_is_needed(client):
    assert client.get(SUBS).status_code == 401
    assert client.post(SUBS, json=a_browser().to_json()).status_code == 401
    assert client.delete(f"{SUBS}/{uuid.uuid4()}").status_code == 401


def test_cookie_sessions_need_the_csrf_token(api_as, org):
    rep = api_as(org.rep, mode="cookie")
    assert rep.post(SUBS, json=a_browser().to_json()).status_code == 201
    rep.headers.pop("X-CSRF-Token")
    assert rep.post(SUBS, json=a_browser().to_json()).status_code == 403


def test_deleting_a_user_deletes_their_subscriptions(app, api_as, org):
    subscribe(api_as(org.rep), a_browser())
    with app.app_context(), all_orgs():
        db.session.delete(org.user(org.rep))
        db.session.commit()
        db.session.remove()
    assert all_subscriptions(app) == []
