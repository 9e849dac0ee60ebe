"""Bad input to push: every mutation's args, and the envelope around them.

The cases for args are generated from the mutations' own marshmallow schemas (the
registry that ``app/sync/entities.py`` fills): for every field, values of the wrong type,
oversize strings, values outside an enum or a range, null where null is not allowed; then unknown
fields, missing required fields, and ids of another organisation's records. Each bad
mutation must answer ``rejected`` with ``{code, message, fields?}`` naming the field, be
counted (``last_mutation_id`` advances), leave the mutation after it in the same batch to
apply, and change nothing on the server.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import marshmallow as ma
import pytest

from app.changelog import registry
from app.fields import UtcDateTime
from app.sync import entities  # noqa: F401  (fills the registry)
from tests.sync.device import Device

PUSH = "/api/v1/sync/push"
REGISTRY = {name: registry.mutation(name) for name in registry.mutation_names()}


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- the world every case runs in --------------------------------------------------------------


@dataclass
class World:
    org: Any
    other: Any
    apis: dict[str, Any]  # "rep", "lead", "admin", "other_admin"
    product_id: str
    rep_lead: dict  # a lead the rep owns
    rep2_lead: dict  # a lead of the same organisation the rep may not see
    other_product_id: str
    other_lead: dict
    other_follow_up_id: str
    question_id: str  # a consumer's question to the organisation
    other_question_id: str


def _created(response) -> dict:
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def _question(client, api_as, org) -> str:
    slug = api_as(org.admin).get("/api/v1/org").json["slug"]
    body = {"name": "Dana", "email": "dana@example.com", "message": "Does it fold?"}
    return _created(client.post(f"/api/v1/public/{slug}/questions", json=body))["id"]


@pytest.fixture
def world(org, other_org, api_as, client) -> World:
    apis = {
        "rep": api_as(org.rep),
        "lead": api_as(org.lead),
        "admin": api_as(org.admin),
        "cs": api_as(org.cs),
        "other_admin": api_as(other_org.admin),
    }
    rep2, other_rep = api_as(org.rep2), api_as(other_org.rep)
    product = _created(apis["admin"].post("/api/v1/products", json={"name": "Pump", "sku": "P1"}))
    other_product = _created(
        apis["other_admin"].post("/api/v1/products", json={"name": "Valve", "sku": "V1"})
    )
    # Leads handed on from the desk go to the rep (question.convert).
    _created(
        apis["admin"].post(
            "/api/v1/assignment-rules",
            json={"name": "Everything", "match": {}, "owner_id": str(org.rep.id)},
        )
    )
    rep_lead = _created(apis["rep"].post("/api/v1/leads", json={"contact_name": "Ada"}))
    rep2_lead = _created(rep2.post("/api/v1/leads", json={"contact_name": "Bo"}))
    other_lead = _created(other_rep.post("/api/v1/leads", json={"contact_name": "Cy"}))
    other_follow_up = _created(
        other_rep.post(
            f"/api/v1/leads/{other_lead['id']}/followups",
            json={"kind": "call", "happened_at": z(datetime.now(UTC))},
        )
    )
    return World(
        org,
        other_org,
        apis,
        product["id"],
        rep_lead,
        rep2_lead,
        other_product["id"],
        other_lead,
        other_follow_up["id"],
        _question(client, api_as, org),
        _question(client, api_as, other_org),
    )


def snapshot(world: World) -> dict:
    """Everything both organisations hold, as their admins see it: a full pull by a new
    device each, and the REST detail of every lead."""
    state = {}
    for key in ("admin", "other_admin"):
        api = world.apis[key]
        fresh = Device(api, limit=1000)
        fresh.pull_all()
        state[key] = fresh.records
        for lead_id in fresh.of("lead", view=False):
            response = api.get(f"/api/v1/leads/{lead_id}")
            assert response.status_code == 200
            state[key, lead_id] = response.json
    return state


def without(state: dict, lead_ids: set[str]) -> dict:
    """``state`` minus the given leads (what the good mutations of a batch made)."""
    out = {}
    for key, value in state.items():
        if isinstance(key, tuple):
            if key[1] not in lead_ids:
                out[key] = value
        else:
            out[key] = {k: v for k, v in value.items() if not (k[0] == "lead" and k[1] in lead_ids)}
    return out


# --- valid args of each mutation: every field set, so one bad field is the only fault ---------


def valid_args(name: str, w: World) -> dict[str, Any]:
    now = datetime.now(UTC)
    lead_fields = {
        "contact_name": "Dana Buyer",
        "company": "Dana Ltd",
        "phone": "+44 20 7946 0958",
        "email": "dana@example.com",
        "region": "North",
        "territory": "N1",
        "source": "website",
        "product_id": w.product_id,
        "product_text": "a pump",
        "quantity": 2.5,
        "estimated_value": 1200.5,
        "currency": "EUR",
        "priority": "high",
        "notes": "wants a quote",
        "next_follow_up_at": z(now + timedelta(days=2)),
    }
    rep_lead = w.rep_lead["id"]
    return {
        "lead.create": {
            "id": str(uuid.uuid4()),
            **lead_fields,
            "owner_id": str(w.org.rep.id),
            "team_id": str(w.org.team_id),
            "stage": "contacted",
        },
        "lead.update": {"id": rep_lead, "base_version": w.rep_lead["version"], "set": lead_fields},
        "lead.set_stage": {
            "id": rep_lead,
            "stage": "lost",
            "lost_reason": "price_too_high",
            "won_value": 10,
            "note": "they went elsewhere",
        },
        "lead.assign": {"id": rep_lead, "owner_id": str(w.org.rep2.id)},
        "followup.create": {
            "id": str(uuid.uuid4()),
            "lead_id": rep_lead,
            "kind": "quote",
            "note": "sent a quote",
            "outcome": "interested",
            "happened_at": z(now - timedelta(hours=1)),
            "next_follow_up_at": z(now + timedelta(days=3)),
            "quoted_amount": 999.99,
        },
        "question.claim": {"id": w.question_id},
        "question.resolve": {"id": w.question_id},
        "question.convert": {
            "id": w.question_id,
            "lead_id": str(uuid.uuid4()),
            "quantity": 2,
            "note": "Wants a quote by Friday.",
        },
        "question.reply": {
            "id": str(uuid.uuid4()),
            "question_id": w.question_id,
            "body": "It folds flat.",
            "internal": False,
        },
    }[name]


ACTOR = (
    {name: "rep" for name in REGISTRY}
    | {"lead.assign": "lead"}
    | {name: "cs" for name in REGISTRY if name.startswith("question.")}
)


# --- the bad values, from the schemas ----------------------------------------------------------

Path = tuple[str, ...]


def schema_fields(schema: ma.Schema, prefix: Path = ()) -> list[tuple[Path, ma.fields.Field]]:
    found = []
    for field_name, field in schema.fields.items():
        found.append((prefix + (field_name,), field))
        if isinstance(field, ma.fields.Nested):
            found.extend(schema_fields(field.schema, prefix + (field_name,)))
    return found


def _validators(field: ma.fields.Field, kind: type) -> list:
    return [v for v in field.validators if isinstance(v, kind)]


def bad_values(field: ma.fields.Field) -> list[tuple[str, Any]]:
    """(label, value) pairs the field must refuse."""
    bad: list[tuple[str, Any]] = []
    if isinstance(field, ma.fields.Nested):
        bad += [("string", "x"), ("list", [{}]), ("number", 7)]
    elif isinstance(field, ma.fields.UUID):
        bad += [("number", 12345), ("list", ["x"]), ("bool", True), ("malformed", "not-a-uuid")]
    elif isinstance(field, ma.fields.String):
        bad += [("number", 12345), ("list", ["x"]), ("object", {"x": 1}), ("bool", True)]
        if isinstance(field, ma.fields.Email):
            bad.append(("malformed", "not-an-email"))
        if type(field).__name__ == "Currency":
            bad.append(("malformed", "EURO"))
    elif isinstance(field, ma.fields.Decimal):
        bad += [("string", "abc"), ("list", [1]), ("bool", True), ("nan", "NaN")]
        bad += [("infinity", "Infinity")]
    elif isinstance(field, ma.fields.Integer):
        bad += [("string", "abc"), ("float", 1.5), ("list", [1]), ("bool", True)]
    elif isinstance(field, UtcDateTime):
        bad += [("number", 123), ("string", "yesterday"), ("naive", "2024-05-01T10:00:00")]
        bad += [
            ("impossible", "2024-13-45T10:00:00Z"),
            ("out_of_range", "0001-01-01T00:00:00+01:00"),
        ]
    for length in _validators(field, ma.validate.Length):
        if length.max is not None:
            bad.append(("oversize", "x" * (length.max + 1)))
        if length.min:
            bad.append(("empty", ""))
    if _validators(field, ma.validate.OneOf):
        bad.append(("enum", "no-such-value"))
    for limit in _validators(field, ma.validate.Range):
        if limit.min is not None:
            bad.append(("below_range", limit.min - 1))
        if limit.max is not None:
            bad.append(("above_range", limit.max + 1))
    if not field.allow_none:
        bad.append(("null", None))
    return bad


# Values the server checks beyond the schema (the organisation's lists, phone numbers …).
SERVICE_BAD: dict[str, list[tuple[str, Any]]] = {
    "source": [("enum", "carrier-pigeon")],
    "lost_reason": [("enum", "bad-weather")],
    "phone": [("malformed", "call me maybe")],
    "happened_at": [("future", "2999-01-01T00:00:00Z")],
}

# Known bugs outside push.py/mutations.py: (mutation, path, label) → reason.
# (mutation, field path, label) of bad values the server still mishandles; none today.
KNOWN_BUGS: dict[tuple[str, Path, str], str] = {}

# One case per (mutation, field): a batch with every bad value of that field, each between
# two good mutations. A known bug gets a case of its own, marked xfail.
BAD_CASES = []
for _name, _spec in sorted(REGISTRY.items()):
    for _path, _field in schema_fields(_spec.args()):
        _values = bad_values(_field) + SERVICE_BAD.get(_path[-1], [])
        _case_id = f"{_name}-{'.'.join(_path)}"
        _fine = [(lbl, v) for lbl, v in _values if (_name, _path, lbl) not in KNOWN_BUGS]
        BAD_CASES.append(pytest.param(_name, _path, _fine, id=_case_id))
        for _label, _value in _values:
            if (_name, _path, _label) in KNOWN_BUGS:
                _bug = pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[_name, _path, _label])
                BAD_CASES.append(
                    pytest.param(
                        _name, _path, [(_label, _value)], id=f"{_case_id}-{_label}", marks=_bug
                    )
                )


def set_path(args: dict, path: Path, value: Any) -> dict:
    out = json.loads(json.dumps(args))
    target = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out


def drop_path(args: dict, path: Path) -> dict:
    out = json.loads(json.dumps(args))
    target = out
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return out


def names_field(fields: Any, name: str) -> bool:
    """Does an error's ``fields`` mention ``name`` at any depth?"""
    if not isinstance(fields, dict):
        return False
    return name in fields or any(names_field(v, name) for v in fields.values())


def good_create(w: World | None = None, actor: str = "rep") -> dict:
    args = {"id": str(uuid.uuid4()), "contact_name": "Eve"}
    if w is not None and actor == "cs":  # customer service hands every lead to a sales person
        args["owner_id"] = str(w.org.rep.id)
    return {"name": "lead.create", "args": args}


def push_between_goods(w: World, actor: str, bads: list[dict]) -> tuple[list[dict], set[str]]:
    """Push [good, bad, good, bad, …, good] with a new device. Checks that every mutation was
    counted and every good one applied; returns the bad ones' results and the ids of the
    leads the good ones made."""
    api = w.apis[actor]
    goods = [good_create(w, actor) for _ in range(len(bads) + 1)]
    sequence = [goods[0]]
    for bad, good in zip(bads, goods[1:], strict=True):
        sequence += [bad, good]
    batch = [{"id": i, **m} for i, m in enumerate(sequence, start=1)]
    response = api.post(PUSH, json={"client_id": str(uuid.uuid4()), "mutations": batch})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.json
    assert body["last_mutation_id"] == len(batch), body
    assert [r["id"] for r in body["results"]] == list(range(1, len(batch) + 1))
    assert all(r["status"] == "applied" for r in body["results"][0::2]), body
    made = {g["args"]["id"] for g in goods}
    reader = w.apis["admin"]  # customer service does not read the leads it hands on
    for lead_id in made:
        assert reader.get(f"/api/v1/leads/{lead_id}").status_code == 200
    return body["results"][1::2], made


def assert_rejected(result: dict, field: str | None) -> None:
    assert result["status"] == "rejected", result
    error = result["error"]
    assert isinstance(error.get("code"), str) and isinstance(error.get("message"), str), error
    assert set(error) <= {"code", "message", "fields"}, error
    if field is not None:
        assert error["code"] == "validation_error", error
        assert names_field(error.get("fields"), field), error


# --- the args ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_the_valid_args_apply(world, name):
    """The control: the base args the other cases spoil are themselves accepted."""
    api = world.apis[ACTOR[name]]
    mutation = {"id": 1, "name": name, "args": valid_args(name, world)}
    response = api.post(PUSH, json={"client_id": str(uuid.uuid4()), "mutations": [mutation]})
    assert response.status_code == 200
    assert response.json["results"] == [{"id": 1, "status": "applied"}]


@pytest.mark.parametrize(("name", "path", "values"), BAD_CASES)
def test_bad_values_of_an_arg_are_rejected_counted_and_harmless(world, name, path, values):
    args = valid_args(name, world)
    bads = [{"name": name, "args": set_path(args, path, value)} for _, value in values]
    state = snapshot(world)
    results, made = push_between_goods(world, ACTOR[name], bads)
    for (label, value), result in zip(values, results, strict=True):
        try:
            assert_rejected(result, path[-1])
        except AssertionError as error:
            raise AssertionError(f"{label} {value!r:.80}: {result}") from error
    assert without(snapshot(world), made) == state


def _required(name: str) -> list[Path]:
    return [p for p, f in schema_fields(REGISTRY[name].args()) if f.required]


def _unknown_paths(name: str) -> list[Path]:
    paths: list[Path] = [("no_such_field",), ("org_id",), ("version",)]
    for path, field in schema_fields(REGISTRY[name].args()):
        if isinstance(field, ma.fields.Nested):
            # Inside lead.update's set: unknown names, and fields with their own mutations.
            paths += [path + (f,) for f in ("no_such_field", "stage", "owner_id", "version")]
    return paths


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_missing_required_args_are_rejected(world, name):
    paths = _required(name)
    args = valid_args(name, world)
    bads = [{"name": name, "args": drop_path(args, path)} for path in paths]
    state = snapshot(world)
    results, made = push_between_goods(world, ACTOR[name], bads)
    for path, result in zip(paths, results, strict=True):
        assert_rejected(result, path[-1])
    assert without(snapshot(world), made) == state


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_unknown_args_are_rejected(world, name):
    paths = _unknown_paths(name)
    args = valid_args(name, world)
    bads = [{"name": name, "args": set_path(args, path, "surprise")} for path in paths]
    state = snapshot(world)
    results, made = push_between_goods(world, ACTOR[name], bads)
    for path, result in zip(paths, results, strict=True):
        assert_rejected(result, path[-1])
    assert without(snapshot(world), made) == state


# Args that name a record, and which record of the other organisation to name.
FOREIGN: dict[str, dict[Path, str]] = {
    "lead.create": {
        ("owner_id",): "rep",
        ("team_id",): "team",
        ("product_id",): "product",
    },
    "lead.update": {("id",): "lead", ("set", "product_id"): "product"},
    "lead.set_stage": {("id",): "lead"},
    "lead.assign": {("id",): "lead", ("owner_id",): "rep"},
    "followup.create": {("lead_id",): "lead"},
    "question.claim": {("id",): "question"},
    "question.resolve": {("id",): "question"},
    "question.convert": {("id",): "question"},
    "question.reply": {("question_id",): "question"},
}


def test_every_reference_arg_is_covered():
    """A new UUID arg that names a record must be added to FOREIGN (or be a new id)."""
    new_ids = {
        ("lead.create", ("id",)),
        ("followup.create", ("id",)),
        ("question.reply", ("id",)),
        ("question.convert", ("lead_id",)),
    }
    for name, spec in REGISTRY.items():
        for path, field in schema_fields(spec.args()):
            if isinstance(field, ma.fields.UUID) and (name, path) not in new_ids:
                assert path in FOREIGN.get(name, {}), (name, path)


def _foreign_id(w: World, what: str) -> str:
    return {
        "rep": str(w.other.rep.id),
        "team": str(w.other.team_id),
        "product": w.other_product_id,
        "lead": w.other_lead["id"],
        "question": w.other_question_id,
    }[what]


@pytest.mark.parametrize(
    ("name", "path", "what"),
    [
        pytest.param(n, p, what, id=f"{n}-{'.'.join(p)}")
        for n, paths in sorted(FOREIGN.items())
        for p, what in paths.items()
    ],
)
def test_another_organisations_record_is_not_found(world, name, path, what):
    bad = {"name": name, "args": set_path(valid_args(name, world), path, _foreign_id(world, what))}
    state = snapshot(world)
    [result], made = push_between_goods(world, ACTOR[name], [bad])
    if path[-1] in ("id", "lead_id", "question_id"):
        # The lead itself: "no such lead", exactly as for an id that exists nowhere.
        assert_rejected(result, None)
        assert result["error"]["code"] == "not_found", result
    else:
        assert_rejected(result, path[-1])
    assert without(snapshot(world), made) == state


@pytest.mark.parametrize(
    "name", ["lead.update", "lead.set_stage", "lead.assign", "followup.create"]
)
def test_a_lead_of_the_same_organisation_out_of_sight_is_not_found(world, name):
    """The rep may not see rep2's lead: every mutation on it answers not_found."""
    key = "lead_id" if name == "followup.create" else "id"
    args = {**valid_args(name, world), key: world.rep2_lead["id"]}
    if name == "lead.assign":
        args["owner_id"] = str(world.org.rep.id)
    state = snapshot(world)
    [result], made = push_between_goods(world, "rep", [{"name": name, "args": args}])
    assert_rejected(result, None)
    assert result["error"]["code"] in ("not_found", "forbidden"), result
    assert without(snapshot(world), made) == state


def test_a_rep_may_not_assign(world):
    args = valid_args("lead.assign", world)
    state = snapshot(world)
    [result], made = push_between_goods(world, "rep", [{"name": "lead.assign", "args": args}])
    assert_rejected(result, None)
    assert result["error"]["code"] == "forbidden", result
    assert without(snapshot(world), made) == state


@pytest.mark.parametrize("entity", ["lead", "followup"])
def test_a_create_reusing_another_organisations_id_stays_in_its_own(world, entity):
    """Ids are the client's, and keys are (org_id, id): a create with an id another
    organisation happens to use makes a record of the creator's organisation and leaves
    the other's alone (it neither fails nor reveals that the id exists elsewhere)."""
    name = "lead.create" if entity == "lead" else "followup.create"
    taken = world.other_lead["id"] if entity == "lead" else world.other_follow_up_id
    args = {**valid_args(name, world), "id": taken}
    before = snapshot(world)
    response = world.apis["rep"].post(
        PUSH,
        json={"client_id": str(uuid.uuid4()), "mutations": [{"id": 1, "name": name, "args": args}]},
    )
    assert response.json["results"] == [{"id": 1, "status": "applied"}], response.json
    after = snapshot(world)
    assert after["other_admin"] == before["other_admin"]
    assert after["admin"][entity, taken]["version"] > 0


def test_unknown_mutation_is_rejected_and_the_next_applies(world):
    state = snapshot(world)
    [result], made = push_between_goods(
        world, "rep", [{"name": "lead.delete", "args": {"id": world.rep_lead["id"]}}]
    )
    assert_rejected(result, None)
    assert result["error"]["code"] == "unknown_mutation", result
    assert without(snapshot(world), made) == state


# --- the envelope ------------------------------------------------------------------------------


@pytest.fixture
def rep_api(org, api_as):
    """Just a signed-in rep: the envelope tests need no records."""
    return api_as(org.rep)


def _nothing_applied(api, client_id: str, lead_ids: list[str]) -> None:
    for lead_id in lead_ids:
        assert api.get(f"/api/v1/leads/{lead_id}").status_code == 404
    response = api.get(f"/api/v1/sync/pull?client_id={client_id}&limit=1000")
    if response.status_code == 200:  # the client may not even exist (or be someone else's)
        assert response.json["last_mutation_id"] == 0


def _fields_at(fields: dict, path: tuple) -> Any:
    for part in path:
        assert isinstance(fields, dict) and str(part) in fields, (fields, path)
        fields = fields[str(part)]
    return fields


def test_a_body_that_is_not_json_is_400(rep_api):
    for body in ("{not json", '{"client_id": "', "\xff\xfe"):
        response = rep_api.post(PUSH, data=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, (body, response.json)
        assert response.json["error"]["code"] == "invalid_json"


def _envelope_cases():
    """(id, body given a valid mutation and a client id, path of the field to be named)."""

    def mutation_with(**changes):
        return lambda good, cid: {
            "client_id": cid,
            "mutations": [good, {**{**good, "id": 2, "args": good_create()["args"]}, **changes}],
        }

    def mutation_without(key):
        def make(good, cid):
            second = {**good, "id": 2, "args": good_create()["args"]}
            del second[key]
            return {"client_id": cid, "mutations": [good, second]}

        return make

    cases = [
        ("client_id-missing", lambda good, cid: {"mutations": [good]}, ("client_id",)),
        ("client_id-null", lambda g, c: {"client_id": None, "mutations": [g]}, ("client_id",)),
        (
            "client_id-malformed",
            lambda g, c: {"client_id": "abc", "mutations": [g]},
            ("client_id",),
        ),
        ("client_id-number", lambda g, c: {"client_id": 7, "mutations": [g]}, ("client_id",)),
        ("mutations-missing", lambda g, c: {"client_id": c}, ("mutations",)),
        ("mutations-null", lambda g, c: {"client_id": c, "mutations": None}, ("mutations",)),
        ("mutations-object", lambda g, c: {"client_id": c, "mutations": {"0": g}}, ("mutations",)),
        ("mutations-string", lambda g, c: {"client_id": c, "mutations": "x"}, ("mutations",)),
        (
            "mutation-not-object",
            lambda g, c: {"client_id": c, "mutations": [g, 5]},
            ("mutations", 1),
        ),
        ("body-list", lambda g, c: [{"client_id": c, "mutations": [g]}], ()),
        ("body-string", lambda g, c: "push", ()),
        ("unknown-top-level", lambda g, c: {"client_id": c, "mutations": [g], "x": 1}, ("x",)),
    ]
    for key in ("id", "name", "args"):
        cases.append((f"mutation-{key}-missing", mutation_without(key), ("mutations", 1, key)))
    for label, value in [
        ("string", "2"),
        ("fraction", 2.5),
        ("bool", True),
        ("null", None),
        ("list", [2]),
        ("zero", 0),
        ("negative", -1),
        ("huge", 2**63),
    ]:
        cases.append((f"mutation-id-{label}", mutation_with(id=value), ("mutations", 1, "id")))
    for label, value in [
        ("number", 5),
        ("null", None),
        ("list", ["lead.create"]),
        ("object", {"n": 1}),
        ("empty", ""),
        ("oversize", "x" * 65),
    ]:
        cases.append(
            (f"mutation-name-{label}", mutation_with(name=value), ("mutations", 1, "name"))
        )
    for label, value in [("string", "x"), ("list", []), ("null", None), ("number", 1)]:
        cases.append(
            (f"mutation-args-{label}", mutation_with(args=value), ("mutations", 1, "args"))
        )
    for label, value in [("string", "yesterday"), ("number", 5), ("naive", "2024-01-01T00:00:00")]:
        path = ("mutations", 1, "client_time")
        cases.append((f"mutation-client_time-{label}", mutation_with(client_time=value), path))
    cases.append(
        ("mutation-unknown-key", mutation_with(extra=1), ("mutations", 1, "extra")),
    )
    return cases


@pytest.mark.parametrize(
    ("make", "path"), [pytest.param(m, p, id=i) for i, m, p in _envelope_cases()]
)
def test_a_misshapen_body_is_422_with_the_field_named_and_nothing_applied(rep_api, make, path):
    api = rep_api
    client_id = str(uuid.uuid4())
    good = {"id": 1, **good_create()}
    body = make(good, client_id)
    response = api.post(PUSH, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.json["error"]
    assert error["code"] == "validation_error", error
    if path:
        _fields_at(error["fields"], path)
    _nothing_applied(api, client_id, [good["args"]["id"]])


def test_an_out_of_range_client_time_is_422(rep_api):
    api = rep_api
    client_id = str(uuid.uuid4())
    good = {"id": 1, **good_create(), "client_time": "0001-01-01T00:00:00+01:00"}
    response = api.post(PUSH, json={"client_id": client_id, "mutations": [good]})
    assert response.status_code == 422, response.get_data(as_text=True)
    _fields_at(response.json["error"]["fields"], ("mutations", 0, "client_time"))


def _creates(count: int, notes: str | None = None) -> list[dict]:
    out = []
    for i in range(1, count + 1):
        mutation = {"id": i, **good_create()}
        if notes is not None:
            mutation["args"]["notes"] = notes
        out.append(mutation)
    return out


@pytest.mark.parametrize(
    "batch",
    [
        pytest.param(lambda: _creates(501), id="501-mutations"),
        pytest.param(lambda: _creates(1, "n" * (1024 * 1024)), id="one-mutation-over-1MiB"),
        pytest.param(lambda: _creates(3, "n" * 400_000), id="three-mutations-over-1MiB"),
    ],
)
def test_an_oversize_batch_is_413_and_nothing_applied(rep_api, batch):
    api = rep_api
    client_id = str(uuid.uuid4())
    mutations = batch()
    response = api.post(PUSH, json={"client_id": client_id, "mutations": mutations})
    assert response.status_code == 413, response.get_data(as_text=True)[:500]
    assert set(response.json["error"]) >= {"code", "message"}
    _nothing_applied(api, client_id, [m["args"]["id"] for m in mutations[:3]])


def test_500_mutations_are_not_too_many(rep_api):
    api = rep_api
    mutations = [{"id": i, "name": "no.such.mutation", "args": {}} for i in range(1, 501)]
    response = api.post(PUSH, json={"client_id": str(uuid.uuid4()), "mutations": mutations})
    assert response.status_code == 200
    assert response.json["last_mutation_id"] == 500


@pytest.mark.parametrize(
    ("ids", "expected"),
    [([2], 1), ([1, 2, 4, 5], 3), ([1, 3], 2), ([1, 1, 3], 2)],
)
def test_a_gap_is_409_after_committing_what_came_before(rep_api, ids, expected):
    api = rep_api
    client_id = str(uuid.uuid4())
    mutations = [{"id": i, **good_create()} for i in ids]
    response = api.post(PUSH, json={"client_id": client_id, "mutations": mutations})
    assert response.status_code == 409, response.json
    error = response.json["error"]
    assert error["code"] == "mutation_gap" and error["expected"] == expected, error
    assert isinstance(error["message"], str)
    committed, seen = set(), set()
    for m in mutations:  # the first of each id below the gap
        if m["id"] < expected and m["id"] not in seen:
            committed.add(m["args"]["id"])
        seen.add(m["id"])
    for m in mutations:
        status = api.get(f"/api/v1/leads/{m['args']['id']}").status_code
        assert status == (200 if m["args"]["id"] in committed else 404), (m, status)
    pull = api.get(f"/api/v1/sync/pull?client_id={client_id}").json
    assert pull["last_mutation_id"] == expected - 1
    # Sending again from the expected id carries on.
    again = [{"id": expected, **good_create()}]
    response = api.post(PUSH, json={"client_id": client_id, "mutations": again})
    assert response.status_code == 200
    assert response.json["last_mutation_id"] == expected


@pytest.mark.parametrize("who", ["rep2", "other_org_rep"])
@pytest.mark.parametrize("endpoint", ["push", "pull"])
def test_a_client_id_of_another_user_is_403_client_taken(world, api_as, who, endpoint):
    owner = world.apis["rep"]
    client_id = str(uuid.uuid4())
    first = [{"id": 1, **good_create()}]
    assert owner.post(PUSH, json={"client_id": client_id, "mutations": first}).status_code == 200
    thief = api_as(world.org.rep2 if who == "rep2" else world.other.rep)
    attempt = {"id": 2, **good_create()}
    if endpoint == "push":
        response = thief.post(PUSH, json={"client_id": client_id, "mutations": [attempt]})
    else:
        response = thief.get(f"/api/v1/sync/pull?client_id={client_id}")
    assert response.status_code == 403, response.json
    assert response.json["error"]["code"] == "client_taken"
    assert "changes" not in response.json
    assert owner.get(f"/api/v1/leads/{attempt['args']['id']}").status_code == 404
    pull = owner.get(f"/api/v1/sync/pull?client_id={client_id}").json
    assert pull["last_mutation_id"] == 1


def test_a_resent_batch_is_all_duplicate_and_applies_nothing_twice(world):
    api = world.apis["rep"]
    client_id = str(uuid.uuid4())
    args = valid_args("followup.create", world)
    mutations = [
        {"id": 1, **good_create()},
        {"id": 2, "name": "followup.create", "args": args},
        {"id": 3, "name": "lead.delete", "args": {}},
    ]
    body = {"client_id": client_id, "mutations": mutations}
    first = api.post(PUSH, json=body).json
    assert [r["status"] for r in first["results"]] == ["applied", "applied", "rejected"]
    state = snapshot(world)
    again = api.post(PUSH, json=body).json
    assert again == {
        "last_mutation_id": 3,
        "results": [{"id": i, "status": "duplicate"} for i in (1, 2, 3)],
    }
    assert snapshot(world) == state
