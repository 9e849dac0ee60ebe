"""No route lets one organisation read or change another's data.

The routes are taken from the app's URL map, not from a hand-written list, so a new route
is covered the day it is added — and a route whose id parameter has no target below fails
here until someone says which record of the other organisation to aim it at.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select

from app.accounts.models import ROLES
from app.business_time import DEFAULT_SALES_HOURS
from app.extensions import db
from app.tenancy import TenantScopeMissing

# For each URL parameter: which of organisation A's records to aim at.
TARGETS: dict[str, Callable] = {
    "user_id": lambda org, extra: org.rep.id,
    "team_id": lambda org, extra: org.team_id,
    "token_id": lambda org, extra: extra["token_id"],
    "lead_id": lambda org, extra: extra["lead_id"],
    "product_id": lambda org, extra: extra["product_id"],
    "policy_id": lambda org, extra: extra["policy_id"],
    "calendar_id": lambda org, extra: extra["calendar_id"],
    "entry_id": lambda org, extra: extra["spend_id"],
    "question_id": lambda org, extra: extra["question_id"],
    "canned_answer_id": lambda org, extra: extra["canned_answer_id"],
    "rule_id": lambda org, extra: extra["rule_id"],
    # The victim has no push subscription here (making one would change the snapshot);
    # tests/push/test_subscriptions.py aims this route at a real one of another org.
    "subscription_id": lambda org, extra: uuid.uuid4(),
}

# Routes whose path names no record (a report by its name): what they answer is the asker's
# own organisation's figures; tests/reports check another organisation's leads never count.
NOT_RECORDS = {"reports.get_report"}

# The public side of consumer questions: anyone holding the organisation's public address
# (its slug) or a conversation's secret reaches them by design, signed in or not;
# tests/questions check what they show and that other secrets answer 404.
PUBLIC = {
    "public_questions.ask",
    "public_questions.public_products",
    "public_questions.get_conversation",
    "public_questions.consumer_message",
}

# Routes that answer their own organisation 404 for the victim's records by design: the
# victim's lead was captured, not handed on from a question, so it has no conversation
# (tests/questions/test_convert.py reads one that has).
OWN_MISSING = {"lead_conversations.lead_conversation"}

# A body that passes validation, so the request reaches the service's own checks.
SAMPLE_BODIES: dict[str, dict] = {
    "users.update_user": {"name": "Hacked", "role": "admin", "active": False},
    "teams.rename_team": {"name": "Hacked"},
    "leads.update_lead": {"set": {"contact_name": "Hacked"}},
    "leads.set_stage": {"stage": "lost", "lost_reason": "other"},
    "leads.assign_lead": {"owner_id": "{attacker_id}"},
    "leads.create_follow_up": {"kind": "note", "note": "x", "happened_at": "2026-01-01T00:00:00Z"},
    "products.update_product": {"name": "Hacked", "active": False},
    "sla.update_policy": {"target_minutes": 1},
    "sla.update_calendar": {"name": "Hacked"},
    "spend.update_spend": {"amount": 1},
    "questions.reply": {"body": "Hacked"},
    "canned_answers.update_canned_answer": {"title": "Hacked", "active": False},
    "assignment.update_rule": {"name": "Hacked", "position": 1},
    "assignment.update_person": {"on_leave": True, "max_open_leads": 0, "regions": ["Mars"]},
}


def api_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def snapshot_of(org_id: uuid.UUID) -> dict[str, list]:
    """Every row of every table that belongs to ``org_id``, as plain data."""
    rows = {}
    for table in db.metadata.sorted_tables:
        key = "org_id" if "org_id" in table.c else ("id" if table.name == "organizations" else None)
        if key is None:
            continue
        result = db.session.execute(
            select(table).where(table.c[key] == org_id).order_by(*table.primary_key)
        )
        rows[table.name] = [tuple(str(v) for v in row) for row in result]
    db.session.rollback()
    return rows


# Every role the permissions module knows (a new role is covered the day it is added); the
# organisation fixtures have one person of each, under the role's own name.
@pytest.mark.parametrize("attacker_role", ROLES)
def test_no_route_reaches_another_organisations_records(app, api_as, org, other_org, attacker_role):
    victim_admin = api_as(org.admin)
    product = victim_admin.post(
        "/api/v1/products", json={"name": "Secret widget", "sku": "SW-1"}
    ).json
    lead = victim_admin.post(
        "/api/v1/leads",
        json={
            "contact_name": "Victim customer",
            "owner_id": str(org.rep.id),
            "phone": "+4930123456",
        },
    ).json
    victim_admin.post(
        f"/api/v1/leads/{lead['id']}/followups",
        json={"kind": "call", "note": "secret call", "happened_at": "2026-01-01T00:00:00Z"},
    )
    policy = victim_admin.post(
        "/api/v1/sla/policies",
        json={"name": "Secret SLA", "metric": "first_response", "target_minutes": 30},
    ).json
    calendar = victim_admin.post(
        "/api/v1/sla/calendars",
        json={"name": "Secret hours", "kind": "sales", "definition": DEFAULT_SALES_HOURS},
    ).json
    spend = victim_admin.post(
        "/api/v1/spend", json={"source": "website", "spent_on": "2026-01-02", "amount": 99}
    ).json
    slug = victim_admin.get("/api/v1/org").json["slug"]
    question = victim_admin.client.post(
        f"/api/v1/public/{slug}/questions",
        json={"name": "Victim consumer", "email": "victim@example.com", "message": "Secret ask"},
    ).json
    canned = victim_admin.post(
        "/api/v1/canned-answers",
        json={"title": "Secret canned", "body": "Secret reply text", "tags": ["secret-tag"]},
    ).json
    rule = victim_admin.post(
        "/api/v1/assignment-rules",
        json={
            "name": "Secret rule",
            "match": {"region": "Secret region"},
            "team_id": str(org.team_id),
        },
    ).json
    extra = {
        "rule_id": rule["id"],
        "question_id": question["id"],
        "canned_answer_id": canned["id"],
        "spend_id": spend["id"],
        "token_id": victim_admin.token_id,
        "lead_id": lead["id"],
        "product_id": product["id"],
        "policy_id": policy["id"],
        "calendar_id": calendar["id"],
    }
    attacker = api_as(getattr(other_org, attacker_role))
    with app.app_context():
        before = snapshot_of(org.id)

    victim_secrets = (
        {str(p.id) for p in org.people}
        | {p.email for p in org.people}
        | {str(org.team_id), str(org.id), *map(str, extra.values())}
        | {"Victim customer", "secret call", "Secret widget", "Secret SLA", "Secret hours"}
        | {"Victim consumer", "Secret ask", "victim@example.com"}
        | {"Secret canned", "Secret reply text", "secret-tag"}
        | {"Secret rule", "Secret region"}
    )
    problems = []
    own_reads = []
    checked = 0
    for rule, method in api_routes(app):
        if rule.endpoint in NOT_RECORDS or rule.endpoint in PUBLIC:
            continue
        params = {}
        for name in rule.arguments:
            if name not in TARGETS:
                problems.append(
                    f"{rule.rule}: no isolation target for <{name}>; add one to TARGETS"
                )
                continue
            params[name] = TARGETS[name](org, extra)
        url = rule.rule
        for name, value in params.items():
            url = url.replace(f"<uuid:{name}>", str(value)).replace(f"<{name}>", str(value))
        body = json.loads(
            json.dumps(SAMPLE_BODIES.get(rule.endpoint, {})).replace(
                "{attacker_id}", str(attacker.person.id)
            )
        )
        response = attacker.open(method, url, json=body if method != "GET" else None)
        checked += 1
        text = response.get_data(as_text=True)
        leaked = sorted(s for s in victim_secrets if s in text)
        if leaked:
            problems.append(f"{method} {url} → {response.status_code} leaks {leaked}")
        if rule.arguments and response.status_code not in (403, 404):
            problems.append(
                f"{method} {url} → {response.status_code}, expected 403/404: {text[:200]}"
            )
        if rule.arguments and method == "GET" and rule.endpoint not in OWN_MISSING:
            own_reads.append(url)

    assert checked >= 10
    assert not problems, "\n".join(problems)
    with app.app_context():
        assert snapshot_of(org.id) == before, "organisation A's rows changed"
    # The same URLs work for their own organisation, so the 404s above are the scope's doing.
    for url in own_reads:
        assert victim_admin.get(url).status_code == 200, url


def test_a_query_on_tenant_data_without_an_organisation_fails_loudly(app_ctx):
    from app.accounts.models import User

    with pytest.raises(TenantScopeMissing):
        db.session.scalars(select(User)).all()


def test_the_scope_filters_even_a_careless_query(app_ctx, org, other_org):
    from app.accounts.models import User
    from app.tenancy import tenant

    with tenant(org.id):
        emails = set(db.session.scalars(select(User.email)))
        assert db.session.get(User, (other_org.id, other_org.rep.id)) is None
    assert emails == {p.email for p in org.people}


def test_snapshot_helper_sees_changes(app, api_as, org):
    """Guard for the test above: the snapshot must notice a change it is meant to catch."""
    with app.app_context():
        before = snapshot_of(org.id)
    api_as(org.admin).patch(f"/api/v1/teams/{org.team_id}", json={"name": "Renamed"})
    with app.app_context():
        assert snapshot_of(org.id) != before
    assert json.dumps(before)  # plain data
