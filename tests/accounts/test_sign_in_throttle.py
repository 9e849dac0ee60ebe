"""The sign-in throttle stops guessing without letting anyone lock a colleague or an office
out (issue 14, finding 16): a browser that has signed in to an account before (its
known-device cookie) has its own failure budget, so a guesser who spends the account's budget
(LOGIN_FAILURES_PER_ACCOUNT, 10 per 15 minutes) or the address's (LOGIN_FAILURES_PER_IP, 50)
blocks only browsers new to the account. All clients here share one address (127.0.0.1), as
an office behind one router does."""

from __future__ import annotations

from tests.conftest import PASSWORD

LOGIN = "/api/v1/auth/login"
TOKENS = "/api/v1/auth/tokens"
DEVICE_COOKIE = "leadsync_device"


def _known_browser(app, person):
    browser = app.test_client()
    assert (
        browser.post(LOGIN, json={"email": person.email, "password": PASSWORD}).status_code == 200
    )
    return browser


def _fail(client, email: str, times: int) -> None:
    for _ in range(times):
        response = client.post(LOGIN, json={"email": email, "password": "not-the-password"})
        assert response.status_code == 401, response.json


def test_a_guesser_cannot_lock_the_person_out_of_their_own_browser(app, org):
    own_browser = _known_browser(app, org.rep)
    guesser = app.test_client()

    _fail(guesser, org.rep.email, 10)

    # The guesser is stopped, even with the right password ...
    blocked = guesser.post(LOGIN, json={"email": org.rep.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json["error"]["code"] == "rate_limited"
    assert int(blocked.headers["Retry-After"]) > 0
    # ... the rep's own browser signs in, and gets a device token, as ever.
    assert (
        own_browser.post(LOGIN, json={"email": org.rep.email, "password": PASSWORD}).status_code
        == 200
    )
    token = own_browser.post(
        TOKENS, json={"email": org.rep.email, "password": PASSWORD, "device_name": "phone"}
    )
    assert token.status_code == 201


def test_guessing_from_a_known_browser_is_bounded_too(app, org):
    """A copied device cookie buys no free guesses: 10 failures and it is refused too."""
    known = _known_browser(app, org.rep)
    _fail(known, org.rep.email, 10)
    assert known.post(LOGIN, json={"email": org.rep.email, "password": PASSWORD}).status_code == 429
    # Its budget is its own: a browser new to the account has not spent anything.
    assert (
        app.test_client()
        .post(LOGIN, json={"email": org.rep.email, "password": PASSWORD})
        .status_code
        == 200
    )


def test_a_device_cookie_counts_only_for_the_accounts_it_signed_in_to(app, org):
    browser = _known_browser(app, org.rep)  # known to the rep's account, not the colleague's
    _fail(app.test_client(), org.rep2.email, 10)
    assert (
        browser.post(LOGIN, json={"email": org.rep2.email, "password": PASSWORD}).status_code == 429
    )


def test_a_forged_device_cookie_counts_as_a_new_browser(app, org):
    genuine = _known_browser(app, org.rep).get_cookie(DEVICE_COOKIE, path="/api/v1/auth").value
    forger = app.test_client()
    forger.set_cookie(DEVICE_COOKIE, genuine[:-2] + "xx", path="/api/v1/auth")
    _fail(forger, org.rep.email, 10)
    assert (
        forger.post(LOGIN, json={"email": org.rep.email, "password": PASSWORD}).status_code == 429
    )


def test_an_address_spent_by_a_guesser_keeps_the_office_signing_in(app, org):
    office = {person.email: _known_browser(app, person) for person in org.people}
    guesser = app.test_client()
    for n in range(50):  # spraying: a few guesses at many accounts, none reaching 10
        _fail(guesser, f"someone{n % 8}@{org.rep.email.split('@')[1]}", 1)

    # The address is spent for browsers new to an account ...
    assert (
        guesser.post(LOGIN, json={"email": org.cs.email, "password": PASSWORD}).status_code == 429
    )
    assert (
        app.test_client()
        .post(LOGIN, json={"email": org.lead.email, "password": PASSWORD})
        .status_code
        == 429
    )
    # ... everyone's own browser still signs in.
    for person in org.people:
        answer = office[person.email].post(
            LOGIN, json={"email": person.email, "password": PASSWORD}
        )
        assert answer.status_code == 200, person.email


def test_the_device_cookie_is_kept_from_scripts_and_other_paths(app, org):
    response = app.test_client().post(LOGIN, json={"email": org.rep.email, "password": PASSWORD})
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith(DEVICE_COOKIE + "=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/api/v1/auth" in cookie
    assert "Max-Age=31536000" in cookie


def test_a_known_browser_sending_bad_text_is_refused_and_counted(app, org):
    known = _known_browser(app, org.rep)
    for bad in ("\u0000", "\ud800"):
        response = known.post(LOGIN, json={"email": f"rep{bad}@x.test", "password": "guess"})
        assert response.status_code == 422, response.data
        assert set(response.json["error"]) >= {"code", "message"}
