"""Sessions end on the server: a kept cookie signs in nobody after sign-out (issue 14,
finding 10), and an admin's password reset ends every session and device token of the person
(finding 11). Real cookie clients and real bearer tokens throughout."""

from __future__ import annotations

from tests.conftest import PASSWORD

COOKIE = "leadsync_session"
ME = "/api/v1/auth/me"


def _browser(app, person):
    """A fresh test client (its own cookie jar) signed in by cookie; returns it and its
    CSRF token."""
    client = app.test_client()
    response = client.post("/api/v1/auth/login", json={"email": person.email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return client, response.json["csrf_token"]


def _device(app, person) -> dict[str, str]:
    response = app.test_client().post(
        "/api/v1/auth/tokens",
        json={"email": person.email, "password": PASSWORD, "device_name": "phone"},
    )
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _replay(app, cookie_value: str):
    """What someone holding a copy of the cookie gets from GET /auth/me."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie_value)
    return thief.get(ME)


def test_a_cookie_kept_after_sign_out_signs_in_nobody(app, org):
    browser, csrf = _browser(app, org.rep)
    saved = browser.get_cookie(COOKIE).value
    assert _replay(app, saved).status_code == 200  # the copy works while signed in

    assert browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204

    replayed = _replay(app, saved)
    assert replayed.status_code == 401
    assert replayed.json["error"]["code"] == "unauthorized"
    assert browser.get(ME).status_code == 401


def test_signing_out_one_browser_keeps_the_others_and_the_devices(app, org):
    laptop, laptop_csrf = _browser(app, org.rep)
    tablet, _ = _browser(app, org.rep)
    phone = _device(app, org.rep)

    assert (
        laptop.post("/api/v1/auth/logout", headers={"X-CSRF-Token": laptop_csrf}).status_code == 204
    )

    assert laptop.get(ME).status_code == 401
    assert tablet.get(ME).json["user"]["email"] == org.rep.email
    assert app.test_client().get(ME, headers=phone).status_code == 200


def test_signing_in_again_after_sign_out_works(app, org):
    browser, csrf = _browser(app, org.rep)
    browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    again = browser.post("/api/v1/auth/login", json={"email": org.rep.email, "password": PASSWORD})
    assert again.status_code == 200
    assert browser.get(ME).status_code == 200


def test_a_cookie_without_a_server_side_session_signs_in_nobody(app, org):
    """A cookie made before sessions were kept on the server (no session id) could never be
    signed out, so it is not honoured: the person signs in once more."""
    browser, _ = _browser(app, org.rep)
    with browser.session_transaction() as cookie_session:
        cookie_session.pop("sid")
    assert browser.get(ME).status_code == 401


def test_an_admin_password_reset_ends_every_session_and_token_of_the_person(app, org, api_as):
    browser, _ = _browser(app, org.rep)
    saved = browser.get_cookie(COOKIE).value
    phone = _device(app, org.rep)
    colleague_phone = _device(app, org.rep2)

    reset = api_as(org.admin).patch(
        f"/api/v1/users/{org.rep.id}", json={"password": "a whole new secret"}
    )
    assert reset.status_code == 200, reset.json

    assert browser.get(ME).status_code == 401
    assert _replay(app, saved).status_code == 401
    refused = app.test_client().get(ME, headers=phone)
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "unauthorized"
    # The person's token list shows none left; a colleague's device is untouched.
    assert app.test_client().get(ME, headers=colleague_phone).status_code == 200
    fresh = app.test_client().post(
        "/api/v1/auth/tokens",
        json={"email": org.rep.email, "password": "a whole new secret", "device_name": "new"},
    )
    assert fresh.status_code == 201
    tokens = app.test_client().get(
        "/api/v1/auth/tokens", headers={"Authorization": f"Bearer {fresh.json['token']}"}
    )
    assert [t["name"] for t in tokens.json] == ["new"]
