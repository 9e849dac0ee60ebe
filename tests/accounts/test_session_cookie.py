"""The session cookie lasts SESSION_LIFETIME_DAYS after its last use, and still ends at once.

A rep's installed app must stay signed in across a browser or phone restart (a cookie with an
expiry, not a browser-session cookie), every request renews it (sliding), and sign-out, a
password change and deactivation end it at once even though the browser keeps the cookie.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import flask.sessions
import itsdangerous.timed
import pytest

from app.config import ConfigError, load_config
from tests.conftest import PASSWORD

COOKIE = "leadsync_session"


class Clock:
    """Moves the time the session machinery sees: the cookie's expiry (Flask) and the
    signature's timestamp and age check (itsdangerous)."""

    def __init__(self, monkeypatch) -> None:
        self.offset = timedelta(0)
        clock = self

        class ShiftedDatetime(datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.now(tz) + clock.offset

        monkeypatch.setattr(flask.sessions, "datetime", ShiftedDatetime)
        real_time = itsdangerous.timed.time.time
        monkeypatch.setattr(
            itsdangerous.timed.TimestampSigner,
            "get_timestamp",
            lambda _self: int(real_time() + clock.offset.total_seconds()),
        )

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, **delta) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(COOKIE + "=")]
    assert len(cookies) == 1, response.headers.getlist("Set-Cookie")
    return cookies[0]


def _expires(set_cookie: str) -> datetime:
    attrs = dict(part.strip().split("=", 1) for part in set_cookie.split(";")[1:] if "=" in part)
    return parsedate_to_datetime(attrs["Expires"])


def _sign_in(client, email):
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return response


def _close_enough(a: datetime, b: datetime) -> bool:
    return abs(a - b) < timedelta(minutes=1)


def test_sign_in_sets_a_cookie_that_lasts_thirty_days(client, org, clock):
    cookie = _session_cookie(_sign_in(client, org.rep.email))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert _close_enough(_expires(cookie), clock.now() + timedelta(days=30))


def test_signup_sets_a_lasting_cookie_too(client, clock):
    response = client.post(
        "/api/v1/auth/signup",
        json={"org_name": "Newco", "name": "Nia", "email": "nia@newco.test", "password": PASSWORD},
    )
    assert response.status_code == 201
    assert _close_enough(_expires(_session_cookie(response)), clock.now() + timedelta(days=30))


def test_the_cookie_is_renewed_by_use_and_ends_after_a_lifetime_unused(client, org, clock):
    _sign_in(client, org.rep.email)
    clock.advance(days=20)
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    # renewed: thirty days from this request, not from the sign-in
    assert _close_enough(_expires(_session_cookie(me)), clock.now() + timedelta(days=30))
    clock.advance(days=20)  # 40 days after sign-in, 20 after the last use
    assert client.get("/api/v1/auth/me").status_code == 200
    clock.advance(days=31)  # unused for longer than the lifetime
    assert client.get("/api/v1/auth/me").status_code == 401


def test_the_lifetime_is_the_setting(app, client, org, clock, monkeypatch):
    monkeypatch.setitem(app.config, "PERMANENT_SESSION_LIFETIME", timedelta(days=2))
    cookie = _session_cookie(_sign_in(client, org.rep.email))
    assert _close_enough(_expires(cookie), clock.now() + timedelta(days=2))
    clock.advance(days=3)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_session_lifetime_days_maps_to_flasks_lifetime(tmp_path, monkeypatch):
    monkeypatch.delenv("SESSION_LIFETIME_DAYS", raising=False)
    config = load_config(tmp_path)
    assert config["SESSION_LIFETIME_DAYS"] == 30
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=30)
    assert config["SESSION_REFRESH_EACH_REQUEST"] is True
    monkeypatch.setenv("SESSION_LIFETIME_DAYS", "7")
    assert load_config(tmp_path)["PERMANENT_SESSION_LIFETIME"] == timedelta(days=7)
    # create_app(overrides) wins, and the lifetime follows it
    config = load_config(tmp_path, {"SESSION_LIFETIME_DAYS": 3})
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=3)


@pytest.mark.parametrize("value", ["0", "-1", "thirty"])
def test_a_bad_session_lifetime_is_refused(tmp_path, monkeypatch, value):
    monkeypatch.setenv("SESSION_LIFETIME_DAYS", value)
    with pytest.raises(ConfigError, match="SESSION_LIFETIME_DAYS"):
        load_config(tmp_path)


def test_a_session_from_before_lifetimes_gets_one_on_its_next_request(app, client, org, clock):
    _sign_in(client, org.rep.email)
    # What a cookie made before this release holds: the same, without "_permanent".
    with client.session_transaction() as session:
        session.permanent = False
    assert client.get_cookie(COOKIE) is not None
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert _close_enough(_expires(_session_cookie(me)), clock.now() + timedelta(days=30))


# --- ending a session at once, although the browser keeps its lasting cookie -------------


def _kept_cookie(client) -> str:
    return client.get_cookie(COOKIE).value


def _replay(app, value):
    """Another client presenting the kept cookie (a browser that never dropped it)."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other.get("/api/v1/auth/me")


def test_sign_out_ends_the_lasting_session(app, client, org):
    token = _sign_in(client, org.rep.email).json["csrf_token"]
    logout = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token})
    assert logout.status_code == 204
    assert "Expires=Thu, 01 Jan 1970" in _session_cookie(logout)  # deleted in this browser
    assert client.get("/api/v1/auth/me").status_code == 401
    # Signing in again afterwards starts a new lasting session.
    assert _session_cookie(_sign_in(client, org.rep.email))
    assert client.get("/api/v1/auth/me").status_code == 200


@pytest.mark.parametrize(
    "change", [{"password": "a-brand-new-password"}, {"active": False}], ids=["password", "off"]
)
def test_a_password_change_or_deactivation_ends_the_lasting_session(
    app, client, org, api_as, change
):
    _sign_in(client, org.rep.email)
    kept = _kept_cookie(client)
    assert _replay(app, kept).status_code == 200
    admin = api_as(org.admin)
    assert admin.patch(f"/api/v1/users/{org.rep.id}", json=change).status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401
    assert _replay(app, kept).status_code == 401
