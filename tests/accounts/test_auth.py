"""Signing up, signing in and out, device tokens, CSRF and the failed-sign-in limits."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


def test_signup_creates_an_org_with_its_admin_signed_in(client):
    response = client.post(
        "/api/v1/auth/signup",
        json={
            "org_name": "Newco",
            "name": "Nia",
            "email": " Nia@Newco.TEST ",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 201
    body = response.json
    assert body["user"]["role"] == "admin"
    assert body["user"]["email"] == "nia@newco.test"
    assert body["organization"]["name"] == "Newco"
    assert "password" not in body["user"] and "password_hash" not in body["user"]
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json["user"]["id"] == body["user"]["id"]
    assert me.json["csrf_token"] == body["csrf_token"]


def test_signup_with_a_taken_email_is_409(client, org):
    response = client.post(
        "/api/v1/auth/signup",
        json={
            "org_name": "Copy",
            "name": "X",
            "email": org.rep.email.upper(),
            "password": PASSWORD,
        },
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "email_taken"


@pytest.mark.parametrize(
    "body, bad_field",
    [
        ({"org_name": "A", "name": "B", "email": "not-an-email", "password": PASSWORD}, "email"),
        ({"org_name": "A", "name": "B", "email": "a@b.test", "password": "short"}, "password"),
        ({"org_name": "   ", "name": "B", "email": "a@b.test", "password": PASSWORD}, "org_name"),
        ({"org_name": "A", "name": 7, "email": "a@b.test", "password": PASSWORD}, "name"),
        ({"name": "B", "email": "a@b.test", "password": PASSWORD}, "org_name"),
        (
            {
                "org_name": "A",
                "name": "B",
                "email": "a@b.test",
                "password": PASSWORD,
                "admin": True,
            },
            "admin",
        ),
    ],
)
def test_signup_rejects_bad_fields_by_name(client, body, bad_field):
    response = client.post("/api/v1/auth/signup", json=body)
    assert response.status_code == 422
    assert bad_field in response.json["error"]["fields"]
    assert client.get("/api/v1/auth/me").status_code == 401


def test_login_sets_a_safe_session_cookie_and_returns_the_csrf_token(client, org):
    response = client.post(
        "/api/v1/auth/login", json={"email": org.rep.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json["user"]["email"] == org.rep.email
    assert response.json["csrf_token"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_wrong_password_and_unknown_email_answer_the_same(client, org):
    wrong = client.post(
        "/api/v1/auth/login", json={"email": org.rep.email, "password": "nope-nope"}
    )
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "ghost@nowhere.test", "password": "nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json == unknown.json


def test_logout_ends_the_session(client, org):
    token = client.post(
        "/api/v1/auth/login", json={"email": org.rep.email, "password": PASSWORD}
    ).json["csrf_token"]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_cookie_writes_need_the_csrf_header(client, org):
    token = client.post(
        "/api/v1/auth/login", json={"email": org.admin.email, "password": PASSWORD}
    ).json["csrf_token"]
    missing = client.post("/api/v1/teams", json={"name": "East"})
    wrong = client.post("/api/v1/teams", json={"name": "East"}, headers={"X-CSRF-Token": "forged"})
    assert missing.status_code == wrong.status_code == 403
    assert missing.json["error"]["code"] == "csrf_failed"
    names = [t["name"] for t in client.get("/api/v1/teams").json]
    assert "East" not in names  # nothing was written
    ok = client.post("/api/v1/teams", json={"name": "East"}, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201
    # and logout is a write too
    assert client.post("/api/v1/auth/logout").status_code == 403


def test_bearer_requests_need_no_csrf_and_ignore_a_session_cookie(client, org):
    created = client.post(
        "/api/v1/auth/tokens",
        json={"email": org.admin.email, "password": PASSWORD, "device_name": "Robin's phone"},
    )
    assert created.status_code == 201
    secret = created.json["token"]
    response = client.post(
        "/api/v1/teams", json={"name": "West"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 201
    bad = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer lsd_not-a-token"})
    assert bad.status_code == 401


def test_tokens_are_listed_stored_hashed_and_revocable(client, org, app):
    from app.accounts.models import DeviceToken
    from app.extensions import db
    from app.tenancy import tenant

    created = client.post(
        "/api/v1/auth/tokens",
        json={"email": org.rep.email, "password": PASSWORD, "device_name": "Phone"},
    ).json
    auth = {"Authorization": f"Bearer {created['token']}"}
    listed = client.get("/api/v1/auth/tokens", headers=auth).json
    assert [t["name"] for t in listed] == ["Phone"]
    assert "token" not in listed[0]
    with app.app_context(), tenant(org.id):
        stored = db.session.scalars(db.select(DeviceToken)).all()
        assert created["token"] not in {t.token_hash for t in stored}
        assert len(stored) == 1
    assert client.delete(f"/api/v1/auth/tokens/{created['id']}", headers=auth).status_code == 204
    assert client.get("/api/v1/auth/me", headers=auth).status_code == 401


def test_wrong_password_gets_no_token(client, org):
    response = client.post(
        "/api/v1/auth/tokens",
        json={"email": org.rep.email, "password": "guess-guess", "device_name": "X"},
    )
    assert response.status_code == 401
    assert "token" not in response.json


def test_failed_logins_are_throttled_per_account_with_retry_after(client, org, app):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = "3 per 15 minutes"
    try:
        for _ in range(3):
            assert (
                client.post(
                    "/api/v1/auth/login", json={"email": org.rep.email, "password": "wrong-wrong"}
                ).status_code
                == 401
            )
        blocked = client.post(
            "/api/v1/auth/login", json={"email": org.rep.email, "password": PASSWORD}
        )
        assert blocked.status_code == 429
        assert blocked.json["error"]["code"] == "rate_limited"
        assert int(blocked.headers["Retry-After"]) > 0
        # The token endpoint shares the same budget, and other accounts are unaffected.
        assert (
            client.post(
                "/api/v1/auth/tokens",
                json={"email": org.rep.email, "password": PASSWORD, "device_name": "x"},
            ).status_code
            == 429
        )
        assert (
            client.post(
                "/api/v1/auth/login", json={"email": org.rep2.email, "password": PASSWORD}
            ).status_code
            == 200
        )
    finally:
        app.config["LOGIN_FAILURES_PER_ACCOUNT"] = "10 per 15 minutes"


def test_successful_logins_from_one_office_never_count(client, org, app):
    app.config["LOGIN_FAILURES_PER_IP"] = "3 per 15 minutes"
    try:
        for _ in range(10):
            for person in org.people:
                response = client.post(
                    "/api/v1/auth/login", json={"email": person.email, "password": PASSWORD}
                )
                assert response.status_code == 200
        guesser = app.test_client()  # another browser behind the office's address
        for person in org.people[:3]:
            guesser.post(
                "/api/v1/auth/login", json={"email": person.email, "password": "wrong-wrong"}
            )
        # three failures from this address, whichever accounts: browsers new to an account
        # are now throttled there ...
        blocked = guesser.post(
            "/api/v1/auth/login", json={"email": org.cs.email, "password": PASSWORD}
        )
        assert blocked.status_code == 429
        assert "Retry-After" in blocked.headers
        # ... but the office's own browsers, known to their accounts, still sign in.
        assert (
            client.post(
                "/api/v1/auth/login", json={"email": org.cs.email, "password": PASSWORD}
            ).status_code
            == 200
        )
    finally:
        app.config["LOGIN_FAILURES_PER_IP"] = "50 per 15 minutes"
