"""The PWA's checks before saving (pwa/src/rules.js) are the server's rules.

rules.js holds its rules as a JSON block between ``/* rules:begin */`` and
``/* rules:end */``; this compares it with the marshmallow schemas the server loads a
mutation's args with: required fields, ``Length`` max (and min), ``OneOf`` choices and
``Range`` bounds. A limit changed on one side only fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import marshmallow as ma
import pytest

from app.leads.schemas import FollowUpCreateArgs, LeadCreateArgs, StageArgs

RULES_JS = Path(__file__).resolve().parents[1] / "pwa" / "src" / "rules.js"


def client_rules() -> dict:
    text = RULES_JS.read_text(encoding="utf-8")
    match = re.search(r"/\* rules:begin \*/(.*?)/\* rules:end \*/", text, re.S)
    assert match, "rules.js has no rules:begin … rules:end block"
    return json.loads(match.group(1))


def validators(field: ma.fields.Field) -> list:
    return list(field.validators)


def server_rules(schema_class: type[ma.Schema]) -> dict:
    schema = schema_class()
    rules = {"required": set(), "maxLength": {}, "minLength": {}, "oneOf": {}, "range": {}}
    for name, field in schema.fields.items():
        if field.required:
            rules["required"].add(name)
        for v in validators(field):
            if isinstance(v, ma.validate.Length):
                if v.max is not None:
                    rules["maxLength"][name] = v.max
                if v.min:
                    rules["minLength"][name] = v.min
            elif isinstance(v, ma.validate.OneOf):
                rules["oneOf"][name] = list(v.choices)
            elif isinstance(v, ma.validate.Range):
                rules["range"][name] = [v.min, v.max]
    return rules


CASES = [("lead", LeadCreateArgs), ("followup", FollowUpCreateArgs), ("stage", StageArgs)]


@pytest.mark.parametrize(("name", "schema_class"), CASES, ids=[c[0] for c in CASES])
def test_client_rules_are_the_servers(name, schema_class):
    client = client_rules()[name]
    server = server_rules(schema_class)
    assert set(client["required"]) == server["required"]
    assert client["maxLength"] == server["maxLength"]
    assert client["oneOf"] == server["oneOf"]
    assert {f: [float(x) for x in r] for f, r in client["range"].items()} == {
        f: [float(x) for x in r] for f, r in server["range"].items()
    }
    # A Length(min=1) field (not blank on the server) is checked as required when present.
    assert set(server["minLength"]) - {"source"} <= set(client["notBlank"]) | set(
        client["required"]
    )


def test_a_differing_limit_fails(monkeypatch):
    """The comparison is not vacuous: a changed server limit is caught."""
    phone = LeadCreateArgs._declared_fields["phone"]
    length = next(v for v in phone.validators if isinstance(v, ma.validate.Length))
    monkeypatch.setattr(length, "max", 41)
    assert server_rules(LeadCreateArgs)["maxLength"]["phone"] == 41
    assert client_rules()["lead"]["maxLength"]["phone"] != 41
