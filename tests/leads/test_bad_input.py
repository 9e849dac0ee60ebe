"""Bad input on every leads body: a 4xx in the one error shape, never a 500, nothing changed."""

from __future__ import annotations

from tests.leads.helpers import LEADS, PRODUCTS, error_of, get_lead, iso, new_lead, now

FAR_FUTURE_WITH_OFFSET = "9999-12-31T23:59:59-05:00"
FAR_PAST_WITH_OFFSET = "0001-01-01T00:00:00+05:00"

BAD_LEAD_FIELDS = [
    {"contact_name": 12},
    {"contact_name": ["Ada"]},
    {"contact_name": ""},
    {"contact_name": "   "},
    {"contact_name": "x" * 201},
    {"contact_name": "Ada\x00"},
    {"company": {"name": "X"}},
    {"company": "x" * 201},
    {"notes": "x" * 5001},
    {"notes": "zero\x00byte"},
    {"phone": 4930123456},
    {"phone": "1" * 41},
    {"phone": "call me"},
    {"email": "not-an-email"},
    {"email": "a@" + "b" * 260 + ".com"},
    {"region": "x" * 121},
    {"territory": "x" * 41},
    {"source": 3},
    {"source": ""},
    {"source": "x" * 41},
    {"source": "tiktok"},
    {"product_id": "not-a-uuid"},
    {"product_id": 7},
    {"product_id": "00000000-0000-4000-8000-000000000000"},
    {"product_text": "x" * 201},
    {"quantity": "many"},
    {"quantity": -1},
    {"quantity": 10**11},
    {"quantity": True},
    {"estimated_value": -0.01},
    {"estimated_value": 10**13},
    {"estimated_value": "NaN"},
    {"estimated_value": "Infinity"},
    {"currency": "EURO"},
    {"currency": "12€"},
    {"currency": 978},
    {"priority": "asap"},
    {"priority": None},
    {"next_follow_up_at": "tomorrow"},
    {"next_follow_up_at": "2030-01-01T10:00:00"},
    {"next_follow_up_at": 1700000000},
    {"favourite_colour": "blue"},
]


def _problems_of(response, status, fields) -> str | None:
    """What is wrong with a refusal (None if it is the right one)."""
    if response.status_code != status or not response.is_json:
        return f"{response.status_code} {response.get_data(as_text=True)[:200]}"
    error = response.json.get("error") or {}
    named = set(error.get("fields", {})) | set(error.get("fields", {}).get("set", {}))
    if not isinstance(error.get("code"), str) or not isinstance(error.get("message"), str):
        return f"bad error shape {response.json}"
    if not set(fields) <= named:
        return f"fields {named} do not name {set(fields)}"
    return None


def test_bad_lead_fields_on_create_and_update(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, contact_name="Ada", company="Kept Co")
    problems = []
    for fields in BAD_LEAD_FIELDS:
        created = rep.post(LEADS, json={"contact_name": "Ada", **fields})
        if problem := _problems_of(created, 422, fields):
            problems.append(("create", fields, problem))
        patched = rep.patch(f"{LEADS}/{lead['id']}", json={"base_version": 0, "set": fields})
        if problem := _problems_of(patched, 422, fields):
            problems.append(("update", fields, problem))
    assert not problems, problems
    assert [item["id"] for item in rep.get(LEADS).json["items"]] == [lead["id"]]
    stored = get_lead(rep, lead["id"])
    assert {k: v for k, v in stored.items() if k != "follow_ups"} == lead


def test_times_that_leave_the_calendar_in_utc_are_422(api_as, org):
    """Valid ISO 8601 that overflows once moved to UTC (was a 500)."""
    rep = api_as(org.rep)
    lead = new_lead(rep)
    statuses = []
    for value in (FAR_FUTURE_WITH_OFFSET, FAR_PAST_WITH_OFFSET):
        statuses.append(
            rep.post(LEADS, json={"contact_name": "A", "next_follow_up_at": value}).status_code
        )
        statuses.append(
            rep.post(
                f"{LEADS}/{lead['id']}/followups", json={"kind": "call", "happened_at": value}
            ).status_code
        )
        statuses.append(rep.get(LEADS, query_string={"created_from": value}).status_code)
    assert statuses == [422] * 6


def test_bad_create_only_fields(api_as, org):
    admin = api_as(org.admin)
    problems = []
    for body in (
        {"contact_name": "A", "id": "not-a-uuid"},
        {"contact_name": "A", "owner_id": "me"},
        {"contact_name": "A", "team_id": 5},
        {"contact_name": "A", "stage": "dead"},
        {"contact_name": "A", "stage": "won"},
        {"contact_name": "A", "version": 99},
        {"contact_name": "A", "created_at": "2020-01-01T00:00:00Z"},
        {"contact_name": "A", "possible_duplicate_of": None},
        {"company": "No name"},
    ):
        fields = (set(body) - {"contact_name"}) if "contact_name" in body else {"contact_name"}
        if problem := _problems_of(admin.post(LEADS, json=body), 422, fields):
            problems.append((body, problem))
    assert not problems, problems
    assert admin.get(LEADS).json["items"] == []


def test_a_body_that_is_no_object_is_422(api_as, org):
    admin = api_as(org.admin)
    lead = new_lead(admin)
    url = f"{LEADS}/{lead['id']}"
    problems = []
    for body in ([], "text", 42, None, [{"contact_name": "A"}]):
        for method, target in (
            ("POST", LEADS),
            ("PATCH", url),
            ("POST", f"{url}/stage"),
            ("POST", f"{url}/assign"),
            ("POST", f"{url}/followups"),
            ("POST", PRODUCTS),
        ):
            if problem := _problems_of(admin.open(method, target, json=body), 422, set()):
                problems.append((method, target, body, problem))
    assert not problems, problems
    assert [item["id"] for item in admin.get(LEADS).json["items"]] == [lead["id"]]
    stored = get_lead(admin, lead["id"])
    assert stored["follow_ups"] == [] and stored["version"] == lead["version"]


def test_a_body_that_is_not_json_is_400(api_as, org):
    admin = api_as(org.admin)
    lead = new_lead(admin)
    for url, method in (
        (LEADS, "POST"),
        (f"{LEADS}/{lead['id']}", "PATCH"),
        (f"{LEADS}/{lead['id']}/stage", "POST"),
        (f"{LEADS}/{lead['id']}/assign", "POST"),
        (f"{LEADS}/{lead['id']}/followups", "POST"),
        (PRODUCTS, "POST"),
    ):
        response = admin.open(method, url, data="{oops", content_type="application/json")
        error_of(response, 400, "invalid_json")
    assert get_lead(admin, lead["id"])["version"] == lead["version"]


def test_bad_update_envelopes(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    problems = []
    for body, field in (
        ({"set": {"company": "X"}, "base_version": "latest"}, "base_version"),
        ({"set": {"company": "X"}, "base_version": -1}, "base_version"),
        ({"set": {"company": "X"}, "base_version": True}, "base_version"),
        ({"set": {"company": "X"}, "base_version": 1.5}, "base_version"),
        ({"set": "company=X"}, "set"),
        ({"set": None}, "set"),
        ({"set": {"company": "X"}, "force": True}, "force"),
    ):
        response = rep.patch(f"{LEADS}/{lead['id']}", json=body)
        if problem := _problems_of(response, 422, {field}):
            problems.append((body, problem))
    assert not problems, problems
    stored = get_lead(rep, lead["id"])
    assert stored["company"] is None and stored["version"] == lead["version"]


def test_bad_stage_bodies(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    problems = []
    for body, field in (
        ({}, "stage"),
        ({"stage": "closed"}, "stage"),
        ({"stage": 3}, "stage"),
        ({"stage": "lost", "lost_reason": "x" * 61}, "lost_reason"),
        ({"stage": "lost", "lost_reason": 5}, "lost_reason"),
        ({"stage": "won", "won_value": "a lot"}, "won_value"),
        ({"stage": "won", "won_value": 10**13}, "won_value"),
        ({"stage": "contacted", "note": "x" * 5001}, "note"),
        ({"stage": "contacted", "note": "nul\x00"}, "note"),
        ({"stage": "contacted", "when": "now"}, "when"),
    ):
        response = rep.post(f"{LEADS}/{lead['id']}/stage", json=body)
        if problem := _problems_of(response, 422, {field}):
            problems.append((body, problem))
    assert not problems, problems
    stored = get_lead(rep, lead["id"])
    assert stored["stage"] == "new" and stored["follow_ups"] == []
    assert stored["version"] == lead["version"]


def test_bad_assign_bodies(api_as, org):
    lead = new_lead(api_as(org.rep))
    admin = api_as(org.admin)
    problems = []
    for body, field in (
        ({}, "owner_id"),
        ({"owner_id": "rep2"}, "owner_id"),
        ({"owner_id": None}, "owner_id"),
        ({"owner_id": str(org.rep2.id), "team_id": str(org.team_id)}, "team_id"),
    ):
        response = admin.post(f"{LEADS}/{lead['id']}/assign", json=body)
        if problem := _problems_of(response, 422, {field}):
            problems.append((body, problem))
    assert not problems, problems
    assert get_lead(api_as(org.rep), lead["id"])["owner_id"] == str(org.rep.id)


def test_bad_follow_up_bodies(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    problems = []
    for fields in (
        {"kind": None},
        {"kind": "telepathy"},
        {"happened_at": "yesterday"},
        {"happened_at": None},
        {"next_follow_up_at": "2030-01-01"},
        {"note": "x" * 5001},
        {"note": "\x00"},
        {"outcome": "x" * 201},
        {"quoted_amount": -3},
        {"quoted_amount": "free"},
        {"id": "abc"},
        {"lead_id": "00000000-0000-4000-8000-000000000000"},
        {"author_id": "00000000-0000-4000-8000-000000000000"},
        {"received_at": "2024-01-01T00:00:00Z"},
    ):
        body = {"kind": "call", "happened_at": iso(now()), **fields}
        response = rep.post(f"{LEADS}/{lead['id']}/followups", json=body)
        if problem := _problems_of(response, 422, set(fields)):
            problems.append((fields, problem))
    assert not problems, problems
    stored = get_lead(rep, lead["id"])
    assert stored["follow_ups"] == [] and stored["stage"] == "new"


def test_ids_of_another_organisation_are_refused_and_change_nothing(api_as, org, other_org):
    theirs_admin = api_as(other_org.admin)
    their_product = theirs_admin.post(PRODUCTS, json={"name": "Theirs"}).json
    admin = api_as(org.admin)
    lead = new_lead(admin, company="Kept")
    url = f"{LEADS}/{lead['id']}"
    for response in (
        admin.post(LEADS, json={"contact_name": "A", "product_id": their_product["id"]}),
        admin.post(LEADS, json={"contact_name": "A", "owner_id": str(other_org.rep.id)}),
        admin.post(LEADS, json={"contact_name": "A", "team_id": str(other_org.team_id)}),
        admin.patch(url, json={"set": {"product_id": their_product["id"], "company": "Changed"}}),
        admin.post(f"{url}/assign", json={"owner_id": str(other_org.lead.id)}),
    ):
        error_of(response, 422)
    assert [item["id"] for item in admin.get(LEADS).json["items"]] == [lead["id"]]
    stored = get_lead(admin, lead["id"])
    assert stored["company"] == "Kept" and stored["owner_id"] == str(org.admin.id)
    assert theirs_admin.get(LEADS).json["items"] == []
