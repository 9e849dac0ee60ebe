"""Issue 14, finding 9: a team lead could disable capture for their team with a calendar
open one minute a week and an organisation-wide policy of 525,600 minutes (each capture took
13.6 s and ended in a 500). Now calendars hold at least an hour a week, policies are the
admins', an unreachable target is refused with 422, and a calendar saved before these rules
(held in the database as it was) neither slows nor fails a capture."""

from __future__ import annotations

import time
import uuid

from app.changelog import versions as changes
from app.extensions import db
from app.sla.models import Calendar, SlaPolicy
from app.tenancy import tenant

POLICIES = "/api/v1/sla/policies"
CALENDARS = "/api/v1/sla/calendars"
PREVIEW = "/api/v1/sla/preview"
PUSH = "/api/v1/sync/push"
YEAR_OF_MINUTES = 525_600


def weekly(minutes_on_monday: int) -> dict:
    """UTC hours open on Mondays from 09:00 for ``minutes_on_monday`` minutes."""
    end = 9 * 60 + minutes_on_monday
    return {
        "timezone": "UTC",
        "weekly": {"mon": [{"start": "09:00", "end": f"{end // 60:02d}:{end % 60:02d}"}]},
    }


def assert_refused(response, status: int, field: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.json["error"]
    assert set(error) >= {"code", "message"}
    if field:
        assert field in error["fields"], error
    return error


def store_as_before_the_rules(app, org, minutes_on_monday: int = 1) -> None:
    """An organisation-wide calendar one minute a week and a year-long policy, as they could
    be saved before this fix (straight into the database: the API refuses them now)."""
    with app.app_context(), tenant(org.id):
        calendar = Calendar(
            org_id=org.id,
            id=uuid.uuid4(),
            name="A minute a week",
            kind="sales",
            team_id=None,
            definition=weekly(minutes_on_monday),
        )
        policy = SlaPolicy(
            org_id=org.id,
            id=uuid.uuid4(),
            name="A year",
            item_type="lead",
            metric="first_response",
            target_minutes=YEAR_OF_MINUTES,
            warn_ratio=0.8,
            active=True,
        )
        for row in (calendar, policy):
            changes.stamp(row)
            db.session.add(row)
        db.session.commit()


# --- who sets policies -----------------------------------------------------------------


def test_policies_are_the_admins_and_team_leads_keep_their_teams_calendars(api_as, org):
    body = {"name": "Fast", "metric": "first_response", "target_minutes": 60}
    error = assert_refused(api_as(org.lead).post(POLICIES, json=body), 403, "")
    assert error["code"] == "forbidden"
    policy = api_as(org.admin).post(POLICIES, json=body)
    assert policy.status_code == 201, policy.json
    patched = api_as(org.lead).patch(
        f"{POLICIES}/{policy.json['id']}", json={"target_minutes": YEAR_OF_MINUTES}
    )
    assert_refused(patched, 403, "")
    assert api_as(org.admin).get(POLICIES).json[0]["target_minutes"] == 60
    # The team lead still sets their own team's hours.
    own = api_as(org.lead).post(
        CALENDARS,
        json={
            "name": "Ours",
            "kind": "sales",
            "team_id": str(org.team_id),
            "definition": weekly(60),
        },
    )
    assert own.status_code == 201, own.json


# --- a sane minimum of open time -------------------------------------------------------


def test_a_calendar_needs_an_hour_a_week(api_as, org):
    lead = api_as(org.lead)
    team = str(org.team_id)
    body = {"name": "Thin", "kind": "sales", "team_id": team, "definition": weekly(59)}
    error = assert_refused(lead.post(CALENDARS, json=body), 422, "definition")
    assert "at least 60 minutes a week, not 59" in error["fields"]["definition"][0]
    made = lead.post(CALENDARS, json={**body, "definition": weekly(60)})
    assert made.status_code == 201, made.json
    thinned = lead.patch(f"{CALENDARS}/{made.json['id']}", json={"definition": weekly(1)})
    assert_refused(thinned, 422, "definition")
    assert lead.get(CALENDARS).json[0]["definition"]["weekly"]["mon"] == [
        {"start": "09:00", "end": "10:00"}
    ]
    preview = lead.post(
        PREVIEW, json={"metric": "first_response", "calendar": {"definition": weekly(1)}}
    )
    error = assert_refused(preview, 422, "calendar")
    assert "definition" in error["fields"]["calendar"]


def test_a_year_of_minutes_in_an_hour_a_week_is_previewed_at_once(api_as, org):
    # 525,600 minutes at 60 a week are 8,760 weeks: from Monday 2026-11-23 08:00 UTC the
    # last minute is Monday 10:00 8,759 weeks on, 61,313 days later: 2194-10-06 10:00 UTC
    # (168 years of 365 days and 41 leap days are 61,361 days, to 2194-11-23; 48 days
    # back is 6 October).
    began = time.perf_counter()
    preview = api_as(org.lead).post(
        PREVIEW,
        json={
            "metric": "first_response",
            "at": "2026-11-23T08:00:00Z",
            "policy": {"target_minutes": YEAR_OF_MINUTES},
            "calendar": {"definition": weekly(60)},
        },
    )
    elapsed = time.perf_counter() - began
    assert preview.status_code == 200, preview.json
    assert preview.json["due_at"] == "2194-10-06T10:00:00.000Z"
    assert elapsed < 1.0, f"took {elapsed:.2f}s"


# --- unreachable targets: 422 on save and preview, a capped deadline at capture ---------


def test_an_unreachable_target_is_refused_on_save_and_in_the_preview(app, api_as, org):
    store_as_before_the_rules(app, org)
    admin = api_as(org.admin)
    body = {"name": "Year", "metric": "first_response", "target_minutes": YEAR_OF_MINUTES}
    error = assert_refused(admin.post(POLICIES, json=body), 422, "target_minutes")
    assert "A minute a week" in error["fields"]["target_minutes"][0]
    # A target of 1,000 minutes is 1,000 weeks there: reachable, saved.
    ok = admin.post(POLICIES, json={**body, "target_minutes": 1000})
    assert ok.status_code == 201, ok.json
    stretched = admin.patch(f"{POLICIES}/{ok.json['id']}", json={"target_minutes": 500_000})
    assert_refused(stretched, 422, "target_minutes")
    kept = [p["target_minutes"] for p in admin.get(POLICIES).json if p["id"] == ok.json["id"]]
    assert kept == [1000]
    # The preview of that stretch (the stricter 1,000 minutes no longer in the way).
    preview = admin.post(
        PREVIEW,
        json={
            "metric": "first_response",
            "policy": {"id": ok.json["id"], "target_minutes": YEAR_OF_MINUTES},
        },
    )
    error = assert_refused(preview, 422, "policy")
    assert "target_minutes" in error["fields"]["policy"]


def test_capture_in_a_calendar_from_before_the_rules_is_quick_and_capped(app, api_as, org):
    store_as_before_the_rules(app, org)
    rep = api_as(org.rep)
    began = time.perf_counter()
    lead = rep.post("/api/v1/leads", json={"contact_name": "Ada Buyer"})
    elapsed = time.perf_counter() - began
    assert lead.status_code == 201, lead.get_data(as_text=True)
    # 525,600 weeks from 2026 end past the year 9999: due at the horizon instead.
    assert lead.json["sla"]["due_at"] == "9999-12-31T00:00:00.000Z"
    assert elapsed < 2.0, f"took {elapsed:.2f}s"

    began = time.perf_counter()
    pushed = rep.post(
        PUSH,
        json={
            "client_id": str(uuid.uuid4()),
            "mutations": [
                {
                    "id": 1,
                    "name": "lead.create",
                    "args": {"id": str(uuid.uuid4()), "contact_name": "Eve"},
                }
            ],
        },
    )
    elapsed = time.perf_counter() - began
    assert pushed.status_code == 200, pushed.get_data(as_text=True)
    assert pushed.json["results"][0]["status"] == "applied", pushed.json
    assert elapsed < 2.0, f"took {elapsed:.2f}s"
