"""SMTP_URL: one variable for the mail server, which wins over the separate SMTP_* ones."""

from __future__ import annotations

import pytest

from app.config import ConfigError, load_config

SMTP_VARIABLES = (
    "SMTP_URL",
    "SMTP_HOST",
    "SMTP_PORT",
    "SMTP_SECURITY",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",
)


@pytest.fixture
def env(monkeypatch):
    for name in SMTP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def smtp_settings(config: dict) -> tuple:
    return tuple(
        config[key]
        for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_USERNAME", "SMTP_PASSWORD")
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # STARTTLS on the submission port; %40 is an @ inside the password
        (
            "smtp://desk%40acme.example:s3cr%40t@mail.acme.example:587",
            ("mail.acme.example", 587, "starttls", "desk@acme.example", "s3cr@t"),
        ),
        # no port: 587 for smtp://, 465 for smtps:// (TLS from the first byte)
        ("smtp://mail.acme.example", ("mail.acme.example", 587, "starttls", None, None)),
        ("smtps://u:p@mail.acme.example", ("mail.acme.example", 465, "ssl", "u", "p")),
        ("smtps://u:p@mail.acme.example:2465", ("mail.acme.example", 2465, "ssl", "u", "p")),
        # a local relay without TLS: port 25 unless given
        ("smtp://relay.internal?security=none", ("relay.internal", 25, "none", None, None)),
        ("smtp://127.0.0.1:2525?security=none", ("127.0.0.1", 2525, "none", None, None)),
    ],
)
def test_smtp_url_gives_host_port_security_and_sign_in(env, tmp_path, url, expected):
    env.setenv("SMTP_URL", url)
    assert smtp_settings(load_config(tmp_path)) == expected


# The separate variables, as an older installation sets them.
SEPARATE = {
    "SMTP_HOST": "old.example",
    "SMTP_PORT": "2525",
    "SMTP_SECURITY": "none",
    "SMTP_USERNAME": "old-user",
    "SMTP_PASSWORD": "old-pass",
}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # The URL names no sign-in, so none is used: nothing mixes in from the old variables.
        ("smtps://mail.example.com", ("mail.example.com", 465, "ssl", None, None)),
        # Without SMTP_URL the separate variables still work.
        (None, ("old.example", 2525, "none", "old-user", "old-pass")),
    ],
)
def test_smtp_url_wins_over_the_separate_variables_which_work_without_it(
    env, tmp_path, url, expected
):
    for name, value in SEPARATE.items():
        env.setenv(name, value)
    if url is not None:
        env.setenv("SMTP_URL", url)
    assert smtp_settings(load_config(tmp_path)) == expected


def test_a_host_unset_by_the_caller_sends_no_mail_whatever_the_environment_says(env, tmp_path):
    env.setenv("SMTP_HOST", "mail.example.com")
    assert smtp_settings(load_config(tmp_path, {"SMTP_HOST": None}))[0] is None


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://user:hunter2@mail.example.com", "must start with smtp:// (STARTTLS) or smtps://"),
        ("mail.example.com:587", "must start with smtp://"),
        ("smtp://user:hunter2@", "names no host"),
        ("smtp://user:hunter2@mail.example.com:99999", "is not a URL"),
        ("smtp://user:hunter2@mail.example.com:port", "is not a URL"),
        ("smtp://user:hunter2@mail.example.com/inbox", "takes no path"),
        ("smtp://user:hunter2@mail.example.com?tls=1", "takes only ?security=, not tls"),
        ("smtp://user:hunter2@mail.example.com?security=ssl", "must be starttls or none"),
        ("smtps://user:hunter2@mail.example.com?security=none", "must be ssl with smtps://"),
    ],
)
def test_a_bad_smtp_url_stops_the_app_naming_the_variable_but_not_the_password(
    env, tmp_path, url, says
):
    env.setenv("SMTP_URL", url)
    with pytest.raises(ConfigError) as refused:
        load_config(tmp_path)
    message = str(refused.value)
    assert message.startswith("SMTP_URL") and says in message
    assert "hunter2" not in message
