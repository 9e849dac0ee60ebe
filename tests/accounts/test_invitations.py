"""Inviting a person by email: the admin adds them without a password, the link (emailed
through a real SMTP server on loopback, and shown once to the admin) lets them choose one
and signs them in; used, expired, withdrawn and unknown links say why; guessing is throttled.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.accounts.models import Invitation
from app.config import ConfigError, load_config
from app.database import set_clock
from app.extensions import db
from app.tenancy import all_orgs
from tests.conftest import PASSWORD
from tests.mail.smtp import Inbox, free_port, running_smtp

NEW_PASSWORD = "my own new secret"


@pytest.fixture
def inbox(app, monkeypatch) -> Iterator[Inbox]:
    """A real SMTP server on loopback that takes the sign-in ``mail-pass``, and the app
    pointed at it."""
    for server in running_smtp(
        app, monkeypatch, mail_from="LeadSync <invites@leadsync.test>", password="mail-pass"
    ):
        yield server.inbox


@pytest.fixture
def clock():
    """Move time forward: ``clock.advance(days=8)``."""

    class Clock:
        offset = timedelta()

        def advance(self, **kwargs) -> None:
            self.offset += timedelta(**kwargs)

    c = Clock()
    previous = set_clock(lambda: datetime.now(UTC) + c.offset)
    yield c
    set_clock(previous)


def invite(admin, email_address: str = "nina@acme.test", **extra):
    body = {"email": email_address, "name": "Nina New", "role": "rep", **extra}
    response = admin.post("/api/v1/users", json=body)
    assert response.status_code == 201, response.json
    return response


def token_of(url: str) -> str:
    return url.rsplit("/invite/", 1)[1]


def test_an_invited_person_gets_the_link_by_email_chooses_a_password_and_is_signed_in(
    api_as, org, app, inbox, client
):
    admin = api_as(org.admin)
    response = invite(admin, team_ids=[str(org.team_id)])
    assert response.headers["Cache-Control"] == "no-store"
    person = response.json
    assert person["role"] == "rep" and person["team_ids"] == [str(org.team_id)]
    invitation = person["invitation"]
    assert invitation["email"] == "sent"
    # Without PUBLIC_BASE_URL the link points where the admin's request came to.
    assert invitation["url"].startswith("http://localhost/invite/")
    token = token_of(invitation["url"])

    message = inbox.only_message()
    assert message["To"] == "nina@acme.test"
    assert message["From"] == "LeadSync <invites@leadsync.test>"
    assert message["Subject"] == "You are invited to Acme on LeadSync"
    text = message.get_content()
    assert invitation["url"] in text.split()
    assert "Acme Admin has invited you to Acme" in text
    assert "nina@acme.test" in text
    assert inbox.recipients[0] == ["nina@acme.test"]

    # Only a hash of the secret is stored.
    with app.app_context(), all_orgs():
        stored = db.session.scalars(select(Invitation)).one()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in repr([getattr(stored, c.key) for c in Invitation.__table__.c])

    # No password works before the invitation is accepted.
    for guess in ("", PASSWORD, NEW_PASSWORD):
        login = client.post(
            "/api/v1/auth/login", json={"email": "nina@acme.test", "password": guess}
        )
        assert login.status_code in (401, 422)

    # The admin sees the person as invited, not yet signed up.
    waiting = admin.get("/api/v1/users/invitations").json
    assert [(w["user_id"], w["live"]) for w in waiting] == [(person["id"], True)]
    assert waiting[0]["expires_at"] == invitation["expires_at"]

    # The link, opened with no one signed in, says who and where.
    guest = app.test_client()
    shown = guest.post("/api/v1/auth/invitation", json={"token": token})
    assert shown.status_code == 200
    assert shown.json == {
        "org_name": "Acme",
        "name": "Nina New",
        "email": "nina@acme.test",
        "expires_at": invitation["expires_at"],
    }
    accepted = guest.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": NEW_PASSWORD}
    )
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["user"]["email"] == "nina@acme.test" and accepted.json["csrf_token"]
    # Signed in by the same answer, as /login does.
    me = guest.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json["user"]["id"] == person["id"]
    # From now on the chosen password is the way in.
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": "nina@acme.test", "password": NEW_PASSWORD}
        ).status_code
        == 200
    )
    assert admin.get("/api/v1/users/invitations").json == []
    assert any(u["id"] == person["id"] for u in admin.get("/api/v1/users").json)


def test_the_link_uses_the_public_base_url_when_set(api_as, org, app, inbox, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://leads.example.com/")
    url = invite(api_as(org.admin)).json["invitation"]["url"]
    assert url.startswith("https://leads.example.com/invite/")
    assert url in inbox.only_message().get_content()


def test_a_line_break_in_a_name_cannot_add_a_header_or_a_recipient(api_as, org, inbox):
    admin = api_as(org.admin)
    renamed = admin.patch("/api/v1/org", json={"name": "Acme\nBcc: spy@evil.test"})
    assert renamed.status_code == 200
    response = invite(admin, name="Nina\r\nCc: spy@evil.test")
    assert response.json["invitation"]["email"] == "sent"
    message = inbox.only_message()
    assert message["Subject"] == "You are invited to Acme Bcc: spy@evil.test on LeadSync"
    assert message["Bcc"] is None and message["Cc"] is None
    assert inbox.recipients[0] == ["nina@acme.test"]


def test_the_mail_server_login_is_used_when_configured(api_as, org, app, inbox, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_USERNAME", "leadsync")
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "mail-pass")
    assert invite(api_as(org.admin)).json["invitation"]["email"] == "sent"
    assert inbox.logins == [("leadsync", "mail-pass")]
    assert len(inbox.messages) == 1

    # A refused login: nothing is sent, the admin is told, and the link still works.
    monkeypatch.setitem(app.config, "SMTP_PASSWORD", "wrong")
    answer = invite(api_as(org.admin), "omar@acme.test").json["invitation"]
    assert answer["email"] == "failed"
    assert len(inbox.messages) == 1
    assert (
        api_as(org.admin)
        .client.post("/api/v1/auth/invitation", json={"token": token_of(answer["url"])})
        .json["email"]
        == "omar@acme.test"
    )


def test_without_a_mail_server_the_admin_gets_the_link_to_hand_over(api_as, org, app, client):
    assert app.config["SMTP_HOST"] is None
    answer = invite(api_as(org.admin)).json["invitation"]
    assert answer["email"] == "not_configured"
    token = token_of(answer["url"])
    accepted = client.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": NEW_PASSWORD}
    )
    assert accepted.status_code == 200


def test_an_unreachable_mail_server_still_creates_the_person_and_returns_the_link(
    api_as, org, app, monkeypatch, caplog
):
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())  # nothing listens there
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "none")
    with caplog.at_level(logging.DEBUG):
        response = invite(api_as(org.admin))
    answer = response.json["invitation"]
    assert answer["email"] == "failed"
    assert "mail" in caplog.text  # the failure is logged …
    assert token_of(answer["url"]) not in caplog.text  # … without the secret
    assert response.json["id"] in {u["id"] for u in api_as(org.admin).get("/api/v1/users").json}


def test_a_used_link_cannot_be_used_again(api_as, org, client, app):
    token = token_of(invite(api_as(org.admin)).json["invitation"]["url"])
    first = client.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": NEW_PASSWORD}
    )
    assert first.status_code == 200
    other = app.test_client()
    again = other.post(
        "/api/v1/auth/invitation/accept", json={"token": token, "password": "someone else's pw"}
    )
    assert again.status_code == 404
    assert again.json["error"]["code"] == "invitation_used"
    assert "Sign in" in again.json["error"]["message"]
    assert other.get("/api/v1/auth/me").status_code == 401
    opened = other.post("/api/v1/auth/invitation", json={"token": token})
    assert (opened.status_code, opened.json["error"]["code"]) == (404, "invitation_used")
    # The first password stands; the second never took.
    login = other.post(
        "/api/v1/auth/login", json={"email": "nina@acme.test", "password": "someone else's pw"}
    )
    assert login.status_code == 401


def test_an_expired_link_is_refused_and_a_new_one_works(api_as, org, client, app, clock):
    admin = api_as(org.admin)
    old = invite(admin).json
    clock.advance(days=app.config["INVITE_LIFETIME_DAYS"], seconds=1)
    for path, body in (
        ("/api/v1/auth/invitation", {}),
        ("/api/v1/auth/invitation/accept", {"password": NEW_PASSWORD}),
    ):
        response = client.post(path, json={"token": token_of(old["invitation"]["url"]), **body})
        assert response.status_code == 404
        assert response.json["error"]["code"] == "invitation_expired"
        assert "Ask your administrator" in response.json["error"]["message"]
    assert [w["live"] for w in admin.get("/api/v1/users/invitations").json] == [False]

    fresh = admin.post(f"/api/v1/users/{old['id']}/invitation")
    assert fresh.status_code == 201 and fresh.headers["Cache-Control"] == "no-store"
    assert fresh.json["email"] == "not_configured"
    accepted = client.post(
        "/api/v1/auth/invitation/accept",
        json={"token": token_of(fresh.json["url"]), "password": NEW_PASSWORD},
    )
    assert accepted.status_code == 200


def test_the_lifetime_is_configurable(api_as, org, app, monkeypatch, clock):
    monkeypatch.setitem(app.config, "INVITE_LIFETIME_DAYS", 2)
    answer = invite(api_as(org.admin)).json["invitation"]
    token = token_of(answer["url"])
    clock.advance(days=1, hours=23)
    assert (
        api_as(org.admin).client.post("/api/v1/auth/invitation", json={"token": token}).status_code
        == 200
    )
    clock.advance(hours=1, seconds=1)
    assert (
        api_as(org.admin).client.post("/api/v1/auth/invitation", json={"token": token}).status_code
        == 404
    )


def test_resending_kills_the_old_link(api_as, org, client, inbox):
    admin = api_as(org.admin)
    person = invite(admin).json
    old_token = token_of(person["invitation"]["url"])
    resent = admin.post(f"/api/v1/users/{person['id']}/invitation")
    assert resent.status_code == 201 and resent.json["email"] == "sent"
    new_token = token_of(resent.json["url"])
    assert new_token != old_token
    assert [resent.json["url"] in m.get_content() for m in inbox.messages] == [False, True]

    dead = client.post(
        "/api/v1/auth/invitation/accept", json={"token": old_token, "password": NEW_PASSWORD}
    )
    assert (dead.status_code, dead.json["error"]["code"]) == (404, "invitation_withdrawn")
    assert (
        client.post(
            "/api/v1/auth/invitation/accept", json={"token": new_token, "password": NEW_PASSWORD}
        ).status_code
        == 200
    )

    # Once they have a password there is nothing to resend.
    again = admin.post(f"/api/v1/users/{person['id']}/invitation")
    assert (again.status_code, again.json["error"]["code"]) == (409, "already_signed_up")
    # Nor for someone the admin gave a password.
    with_password = admin.post(f"/api/v1/users/{org.rep.id}/invitation")
    assert with_password.status_code == 409


def test_only_admins_invite_and_see_invitations(api_as, org):
    person = invite(api_as(org.admin)).json
    for who in (org.lead, org.rep, org.cs):
        someone = api_as(who)
        assert someone.get("/api/v1/users/invitations").status_code == 403
        assert someone.post(f"/api/v1/users/{person['id']}/invitation").status_code in (403, 404)
        created = someone.post(
            "/api/v1/users", json={"email": "sneaky@acme.test", "name": "S", "role": "admin"}
        )
        assert created.status_code == 403


def test_deactivating_or_setting_a_password_withdraws_the_link(api_as, org, client):
    admin = api_as(org.admin)
    first = invite(admin).json
    admin.patch(f"/api/v1/users/{first['id']}", json={"active": False})
    refused = client.post(
        "/api/v1/auth/invitation", json={"token": token_of(first["invitation"]["url"])}
    )
    assert (refused.status_code, refused.json["error"]["code"]) == (404, "invitation_withdrawn")
    inactive = admin.post(f"/api/v1/users/{first['id']}/invitation")
    assert (inactive.status_code, inactive.json["error"]["code"]) == (409, "inactive")
    # Reactivated, they still have no password: a new invitation is what lets them in.
    admin.patch(f"/api/v1/users/{first['id']}", json={"active": True})
    assert [w["live"] for w in admin.get("/api/v1/users/invitations").json] == [False]
    assert admin.post(f"/api/v1/users/{first['id']}/invitation").status_code == 201

    second = invite(admin, "omar@acme.test").json
    admin.patch(f"/api/v1/users/{second['id']}", json={"password": PASSWORD})
    refused = client.post(
        "/api/v1/auth/invitation/accept",
        json={"token": token_of(second["invitation"]["url"]), "password": NEW_PASSWORD},
    )
    assert refused.json["error"]["code"] == "invitation_withdrawn"
    login = client.post(
        "/api/v1/auth/login", json={"email": "omar@acme.test", "password": PASSWORD}
    )
    assert login.status_code == 200


def test_setting_the_password_directly_still_works(api_as, org, client):
    response = api_as(org.admin).post(
        "/api/v1/users",
        json={"email": "pat@acme.test", "name": "Pat", "role": "cs", "password": PASSWORD},
    )
    assert response.status_code == 201 and response.json["invitation"] is None
    assert api_as(org.admin).get("/api/v1/users/invitations").json == []
    login = client.post("/api/v1/auth/login", json={"email": "pat@acme.test", "password": PASSWORD})
    assert login.status_code == 200


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/v1/auth/invitation", {}, "token"),
        ("/api/v1/auth/invitation", {"token": 12}, "token"),
        ("/api/v1/auth/invitation", {"token": "x" * 101}, "token"),
        ("/api/v1/auth/invitation/accept", {"token": "{token}"}, "password"),
        ("/api/v1/auth/invitation/accept", {"token": "{token}", "password": "short"}, "password"),
        ("/api/v1/auth/invitation/accept", {"token": "{token}", "password": ["x" * 9]}, "password"),
        ("/api/v1/auth/invitation/accept", {"password": NEW_PASSWORD}, "token"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_the_link_stays_good(
    api_as, org, client, path, body, field
):
    token = token_of(invite(api_as(org.admin)).json["invitation"]["url"])
    body = {k: (token if v == "{token}" else v) for k, v in body.items()}
    response = client.post(path, json=body)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["fields"]
    assert client.post("/api/v1/auth/invitation", json={"token": token}).status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401


def test_inviting_checks_the_person_like_adding_one(api_as, org):
    admin = api_as(org.admin)
    bad = admin.post("/api/v1/users", json={"email": "not-an-email", "name": "", "role": "boss"})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"email", "name", "role"}
    taken = admin.post("/api/v1/users", json={"email": org.rep.email, "name": "R", "role": "rep"})
    assert (taken.status_code, taken.json["error"]["code"]) == (409, "email_taken")
    assert admin.get("/api/v1/users/invitations").json == []


def test_unknown_links_are_404_and_guessing_is_throttled_per_address(api_as, org, app, client):
    token = token_of(invite(api_as(org.admin)).json["invitation"]["url"])
    app.config["LOGIN_FAILURES_PER_IP"] = "3 per 15 minutes"
    try:
        # Opening a good link never counts, however often.
        for _ in range(5):
            assert client.post("/api/v1/auth/invitation", json={"token": token}).status_code == 200
        for guess in ("guess-1", "guess-2", "guess-3"):
            miss = client.post("/api/v1/auth/invitation", json={"token": guess})
            assert (miss.status_code, miss.json["error"]["code"]) == (404, "invitation_unknown")
        blocked = client.post("/api/v1/auth/invitation", json={"token": token})
        assert blocked.status_code == 429
        assert blocked.json["error"]["code"] == "rate_limited"
        assert int(blocked.headers["Retry-After"]) > 0
        accept = client.post(
            "/api/v1/auth/invitation/accept", json={"token": token, "password": NEW_PASSWORD}
        )
        assert accept.status_code == 429
        # The budget is the sign-in one: password guessing from there is blocked too.
        login = client.post("/api/v1/auth/login", json={"email": org.rep.email, "password": "x"})
        assert login.status_code == 429
    finally:
        app.config["LOGIN_FAILURES_PER_IP"] = "50 per 15 minutes"


def test_the_secret_is_never_logged(api_as, org, client, app, monkeypatch, caplog):
    # A mail server that refuses: the one path where the app itself logs about an invitation.
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "none")
    with caplog.at_level(logging.DEBUG):
        person = invite(api_as(org.admin)).json
        resent = api_as(org.admin).post(f"/api/v1/users/{person['id']}/invitation").json
        for url in (person["invitation"]["url"], resent["url"]):
            token = token_of(url)
            client.post("/api/v1/auth/invitation", json={"token": token})
            client.post("/api/v1/auth/invitation/accept", json={"token": token, "password": "x"})
            for _ in range(2):
                client.post(
                    "/api/v1/auth/invitation/accept",
                    json={"token": token, "password": NEW_PASSWORD},
                )
    logged = caplog.text
    assert logged.count("not sent") == 2
    for url in (person["invitation"]["url"], resent["url"]):
        token = token_of(url)
        assert token not in logged
        assert hashlib.sha256(token.encode()).hexdigest() not in logged


def test_accepting_changes_nothing_devices_hold_about_the_person(api_as, org, client):
    admin = api_as(org.admin)
    person = invite(admin, team_ids=[str(org.team_id)]).json
    client.post(
        "/api/v1/auth/invitation/accept",
        json={"token": token_of(person["invitation"]["url"]), "password": NEW_PASSWORD},
    )
    after = admin.get(f"/api/v1/users/{person['id']}").json
    assert after == {k: v for k, v in person.items() if k != "invitation"}


def test_smtp_security_must_be_a_known_word(tmp_path, monkeypatch):
    monkeypatch.setenv("SMTP_SECURITY", "tls-please")
    with pytest.raises(ConfigError, match="SMTP_SECURITY"):
        load_config(tmp_path)
