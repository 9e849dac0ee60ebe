"""The README's configuration table and ``app/config.py`` cannot drift apart.

Every backticked name in the first column of the table under "## Configuration" is either
an app setting, which must change the app's config when set in the environment (and whose
documented default must be the real one), or, in a row marked "(make variables)", a
variable of the Makefile. And every environment variable ``app/config.py`` reads must be in
the table.
"""

from __future__ import annotations

import ast
import base64
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.config import load_config

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CONFIG_PY = ROOT / "app" / "config.py"
MAKEFILE = ROOT / "Makefile"
MAKE_MARK = "(make variables)"
ENV_HELPERS = frozenset({"env_str", "env_int", "env_float", "env_bool"})

# One valid, non-default value per documented app setting, and what the app's config then
# holds: {variable: (value, config key, expected config value)}.
_RAW_P256_KEY = base64.urlsafe_b64encode(bytes(range(1, 33))).decode().rstrip("=")
VALUES: dict[str, tuple[str, str, object]] = {
    "DATABASE_URL": (
        "postgresql://u@db.example:5432/leadsync",
        "SQLALCHEMY_DATABASE_URI",
        "postgresql+psycopg://u@db.example:5432/leadsync",
    ),
    "SECRET_KEY": ("s" * 40, "SECRET_KEY", "s" * 40),
    "DATABASE_CONNECT_TIMEOUT": ("3", "DATABASE_CONNECT_TIMEOUT", 3),
    "DATABASE_STATEMENT_TIMEOUT": ("12.5", "DATABASE_STATEMENT_TIMEOUT", 12.5),
    "DATABASE_LOCK_TIMEOUT": ("2.5", "DATABASE_LOCK_TIMEOUT", 2.5),
    "DATABASE_POOL_TIMEOUT": ("4", "DATABASE_POOL_TIMEOUT", 4),
    "LEADSYNC_ENV": ("production", "LEADSYNC_ENV", "production"),
    "FLASK_DEBUG": ("1", "DEBUG", True),
    "LOGIN_FAILURES_PER_ACCOUNT": ("3 per minute", "LOGIN_FAILURES_PER_ACCOUNT", "3 per minute"),
    "LOGIN_FAILURES_PER_IP": ("7 per hour", "LOGIN_FAILURES_PER_IP", "7 per hour"),
    "RATELIMIT_STORAGE_URI": (
        "redis://127.0.0.1:6379/0",
        "RATELIMIT_STORAGE_URI",
        "redis://127.0.0.1:6379/0",
    ),
    "MAX_CONTENT_LENGTH": ("1048576", "MAX_CONTENT_LENGTH", 1048576),
    "IMPORT_MAX_BYTES": ("4194304", "IMPORT_MAX_BYTES", 4194304),
    "SESSION_LIFETIME_DAYS": ("7", "SESSION_LIFETIME_DAYS", 7),
    "LEADSYNC_DEMO_PASSWORD": ("demo-pass-123", "LEADSYNC_DEMO_PASSWORD", "demo-pass-123"),
    "TOMBSTONE_RETENTION_DAYS": ("7", "TOMBSTONE_RETENTION_DAYS", 7),
    "SLA_CHECK_SECONDS": ("120", "SLA_CHECK_SECONDS", 120),
    "REMINDER_SEND_SECONDS": ("5", "REMINDER_SEND_SECONDS", 5),
    "VAPID_PRIVATE_KEY": (_RAW_P256_KEY, "VAPID_PRIVATE_KEY", _RAW_P256_KEY),
    "VAPID_SUBJECT": (
        "mailto:ops@leadsync.example",
        "VAPID_SUBJECT",
        "mailto:ops@leadsync.example",
    ),
    "PUSH_CONCURRENCY": ("8", "PUSH_CONCURRENCY", 8),
    "PUSH_LEASE_SECONDS": ("60", "PUSH_LEASE_SECONDS", 60),
    "PUSH_RETRY_BASE_SECONDS": ("5", "PUSH_RETRY_BASE_SECONDS", 5),
    "PUSH_RETRY_MAX_SECONDS": ("600", "PUSH_RETRY_MAX_SECONDS", 600),
    "PUSH_MAX_ATTEMPTS": ("3", "PUSH_MAX_ATTEMPTS", 3),
    "PUSH_HTTP_TIMEOUT": ("2.5", "PUSH_HTTP_TIMEOUT", 2.5),
    "PUSH_MAX_BATCHES": ("4", "PUSH_MAX_BATCHES", 4),
    "PUSH_ALLOW_INSECURE_ENDPOINTS": ("yes", "PUSH_ALLOW_INSECURE_ENDPOINTS", True),
    "PWA_DIST": ("/srv/leadsync/pwa", "PWA_DIST", "/srv/leadsync/pwa"),
    "INVITE_LIFETIME_DAYS": ("3", "INVITE_LIFETIME_DAYS", 3),
    "PUBLIC_BASE_URL": (
        "https://leads.example.com",
        "PUBLIC_BASE_URL",
        "https://leads.example.com",
    ),
    "SMTP_URL": (
        "smtps://leadsync:mail-secret@mail.example.com",
        "SMTP_HOST",
        "mail.example.com",
    ),
    "SMTP_HOST": ("smtp.example.com", "SMTP_HOST", "smtp.example.com"),
    "SMTP_PORT": ("465", "SMTP_PORT", 465),
    "SMTP_SECURITY": ("ssl", "SMTP_SECURITY", "ssl"),
    "SMTP_USERNAME": ("leadsync", "SMTP_USERNAME", "leadsync"),
    "SMTP_PASSWORD": ("mail-secret", "SMTP_PASSWORD", "mail-secret"),
    "MAIL_FROM": ("Leads <leads@example.com>", "MAIL_FROM", "Leads <leads@example.com>"),
    "QUESTIONS_PER_IP": ("3 per minute", "QUESTIONS_PER_IP", "3 per minute"),
    "QUESTIONS_PER_ORG": ("50 per hour", "QUESTIONS_PER_ORG", "50 per hour"),
    "CONSUMER_MESSAGES_PER_IP": ("5 per minute", "CONSUMER_MESSAGES_PER_IP", "5 per minute"),
    "CONSUMER_MESSAGES_PER_ORG": ("99 per hour", "CONSUMER_MESSAGES_PER_ORG", "99 per hour"),
    "QUESTION_CLAIM_MINUTES": ("30", "QUESTION_CLAIM_MINUTES", 30),
}
# Other variables a value needs to be accepted (production needs a real secret).
EXTRA_ENV = {"LEADSYNC_ENV": {"SECRET_KEY": "p" * 40}}
# Defaults the README describes in words rather than as a value: the config holds nothing
# for them until the app makes one (SECRET_KEY is made in the instance folder).
DESCRIBED_DEFAULTS = {
    "SECRET_KEY": "made on first run",
    "LEADSYNC_DEMO_PASSWORD": "random",
    "VAPID_PRIVATE_KEY": "made on first run",
    "PUBLIC_BASE_URL": "the address",
    "SMTP_URL": "unset",
    "SMTP_HOST": "unset",
    "SMTP_USERNAME": "unset",
    "SMTP_PASSWORD": "unset",
}


@dataclass
class Row:
    names: list[str]
    default: str
    make: bool


def _configuration_table() -> list[Row]:
    text = README.read_text()
    match = re.search(r"^## Configuration\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, "README.md has no '## Configuration' section"
    section = match.group(1)
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    header, rule, *body = table
    assert re.fullmatch(r"\|( *-+ *\|)+", rule.replace(":", "")), rule
    rows = []
    for line in body:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        names = re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", cells[0])
        assert names, f"no backticked variable in {cells[0]!r}"
        rows.append(Row(names, cells[1], MAKE_MARK in cells[0]))
    return rows


ROWS = _configuration_table()
APP_SETTINGS = [name for row in ROWS if not row.make for name in row.names]
MAKE_VARIABLES = [name for row in ROWS if row.make for name in row.names]


def _names_config_py_reads() -> set[str]:
    """Every environment variable ``app/config.py`` reads, found in its source."""
    tree = ast.parse(CONFIG_PY.read_text())
    raw_helper = next(
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "_raw"
    )
    inside_raw = {id(node) for node in ast.walk(raw_helper)}
    names: set[str] = set()
    for node in ast.walk(tree):
        direct = (
            isinstance(node, ast.Attribute)
            and node.attr in ("environ", "environb", "getenv", "getenvb")
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
        )
        # Every read goes through _raw (via the helpers), so none is missed here.
        assert not direct or id(node) in inside_raw, (
            f"app/config.py line {node.lineno} reads os.{node.attr}: use env_str/int/float/bool"
        )
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ENV_HELPERS:
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                f"app/config.py line {node.lineno}: name the variable literally"
            )
            names.add(first.value)
    return names


@pytest.fixture
def clean_env(monkeypatch):
    """No documented or read variable set, whatever the shell running the tests has."""
    for name in {*APP_SETTINGS, *MAKE_VARIABLES, *_names_config_py_reads()}:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_table_lists_settings_and_the_test_has_a_value_for_each():
    assert len(APP_SETTINGS) >= 20, APP_SETTINGS
    assert len(APP_SETTINGS) == len(set(APP_SETTINGS)), "a variable is listed twice"
    assert sorted(VALUES) == sorted(APP_SETTINGS), (
        "every README setting needs exactly one value in VALUES (and no stale ones)"
    )


def test_config_py_reads_only_documented_variables():
    read = _names_config_py_reads()
    assert read, "found no environment reads in app/config.py"
    assert read - set(APP_SETTINGS) == set(), "read by config.py but missing from the README"
    assert set(APP_SETTINGS) - read == set(), "in the README but never read by config.py"
    assert not read & set(MAKE_VARIABLES), "a make variable is read as an app setting"


@pytest.mark.parametrize("name", APP_SETTINGS)
def test_each_documented_setting_reaches_the_app_config(name, tmp_path, clean_env):
    value, key, expected = VALUES[name]
    for extra, extra_value in EXTRA_ENV.get(name, {}).items():
        clean_env.setenv(extra, extra_value)
    default = load_config(tmp_path)[key]
    clean_env.setenv(name, value)
    config = load_config(tmp_path)
    assert config[key] == expected
    assert type(config[key]) is type(expected)
    assert expected != default, f"{value!r} is {name}'s default: pick another"


def _documented_defaults() -> list[tuple[str, str]]:
    pairs = []
    for row in ROWS:
        if len(row.names) == 1:
            parts = [row.default]
        else:
            parts = [part.strip() for part in re.split(r"\s*[,/]\s+", row.default)]
        assert len(parts) == len(row.names), (row.names, row.default)
        pairs += zip(row.names, (part.strip("`") for part in parts), strict=True)
    return pairs


DEFAULTS = dict(_documented_defaults())


@pytest.mark.parametrize("name", APP_SETTINGS)
def test_each_documented_default_is_the_real_one(name, tmp_path, clean_env):
    documented = DEFAULTS[name]
    key = VALUES[name][1]
    actual = load_config(tmp_path)[key]
    if name in DESCRIBED_DEFAULTS:
        assert documented.startswith(DESCRIBED_DEFAULTS[name])
        if name != "SECRET_KEY":
            assert actual is None
        return
    if isinstance(actual, bool):
        assert documented in ("on", "off"), documented
        assert actual is (documented == "on")
    elif isinstance(actual, int | float):
        assert float(documented) == actual
    else:
        assert actual in (
            documented,
            documented.replace("sqlite:///instance/", f"sqlite:///{tmp_path}/"),
            str(ROOT / documented),
        ), (documented, actual)


def test_make_variables_are_the_makefiles(clean_env):
    makefile = MAKEFILE.read_text()
    assert MAKE_VARIABLES == ["HOST", "PORT"]
    for name in MAKE_VARIABLES:
        assert re.search(rf"^{name} \?= {re.escape(DEFAULTS[name])}$", makefile, re.M), name
        run_recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
        assert f"$({name})" in run_recipe, f"`make run` does not use $({name})"
