"""POST /api/v1/sla/preview: when a new inquiry would be due, worked out as its real clock is.

Every due time below is worked out by hand in the comment beside it. The organisation is in
Berlin; late November 2026 is UTC+1 (``berlin(day, hour, minute)`` gives the UTC instant).
Friday 27 November 2026; Monday 30 November; Tuesday 1 December.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.sla.conftest import berlin

PREVIEW = "/api/v1/sla/preview"
FRIDAY_1630 = "2026-11-27T15:30:00Z"  # Friday 16:30 in Berlin


def december(day: int, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall time in early December 2026 (still UTC+1), in UTC."""
    return datetime(2026, 12, day, hour - 1, minute, tzinfo=UTC)


def office_hours(**extra) -> dict:
    """Mon–Fri 09:00–17:00 in Berlin."""
    day = [{"start": "09:00", "end": "17:00"}]
    return {
        "timezone": "Europe/Berlin",
        "weekly": {d: day for d in ("mon", "tue", "wed", "thu", "fri")},
        **extra,
    }


def z(instant) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def preview(api, **body):
    response = api.post(PREVIEW, json=body)
    assert response.status_code == 200, response.json
    return response.json


def test_friday_afternoon_inquiry_is_due_monday_morning_as_a_real_lead_is(
    app, api_as, berlin_org, clock
):
    admin = api_as(berlin_org.admin)
    # No policy, no calendar: the built-in 2 business hours, Mon–Fri 09–17 in Berlin.
    # Friday 16:30–17:00 is 30 min; the other 90 min run Monday 09:00–10:30.
    answer = preview(admin, metric="first_response", at=FRIDAY_1630)
    assert answer["due_at"] == z(berlin(30, 10, 30))
    # The warning at 80 % of 120 min = 96 min: 30 on Friday, 66 on Monday → 10:06.
    assert answer["warn_at"] == z(berlin(30, 10, 6))
    # Escalation 2 business hours after the deadline: Monday 12:30.
    assert answer["escalate_at"] == z(berlin(30, 12, 30))
    assert answer["business_minutes"] == 120
    assert (answer["policy"], answer["calendar"], answer["timezone"]) == (
        None,
        None,
        "Europe/Berlin",
    )

    # Without `at`: now. A real lead created now gets exactly that deadline.
    clock.set(day=27, hour=16, minute=30)
    now = preview(admin, metric="first_response")
    lead = admin.post("/api/v1/leads", json={"contact_name": "Ada Buyer"}).json
    assert now["at"] == z(berlin(27, 16, 30))
    assert now["due_at"] == lead["sla"]["due_at"] == z(berlin(30, 10, 30))


def test_stored_policies_calendars_and_holidays_count(app, api_as, berlin_org, clock):
    admin = api_as(berlin_org.admin)
    policy = admin.post(
        "/api/v1/sla/policies",
        json={"name": "Within 2 hours", "metric": "first_response", "target_minutes": 120},
    ).json
    urgent = admin.post(
        "/api/v1/sla/policies",
        json={
            "name": "Urgent",
            "metric": "first_response",
            "priority": "urgent",
            "target_minutes": 45,
        },
    ).json
    office = admin.post(
        "/api/v1/sla/calendars",
        json={
            "name": "Office",
            "kind": "sales",
            "definition": office_hours(holidays=["2026-11-30"]),
        },
    ).json
    # Monday is a holiday: 30 min on Friday, 90 min on Tuesday → Tuesday 10:30.
    answer = preview(admin, metric="first_response", at=FRIDAY_1630)
    assert answer["due_at"] == z(december(1, 10, 30))
    assert answer["policy"] == {"id": policy["id"], "name": "Within 2 hours", "unsaved": False}
    assert answer["calendar"] == {
        "id": office["id"],
        "name": "Office",
        "team_id": None,
        "unsaved": False,
    }
    # An urgent inquiry: 45 min, 30 on Friday, 15 on Tuesday → Tuesday 09:15.
    urgent_answer = preview(admin, metric="first_response", priority="urgent", at=FRIDAY_1630)
    assert urgent_answer["due_at"] == z(december(1, 9, 15))
    assert urgent_answer["policy"]["id"] == urgent["id"]

    # The team's own calendar, Saturdays 10:00–14:00 too, counts for the team's leads:
    # 30 min on Friday, 90 on Saturday → Saturday 11:30.
    saturday = office_hours()
    saturday["weekly"]["sat"] = [{"start": "10:00", "end": "14:00"}]
    team_calendar = (
        api_as(berlin_org.lead)
        .post(
            "/api/v1/sla/calendars",
            json={
                "name": "Sales team",
                "kind": "sales",
                "team_id": str(berlin_org.team_id),
                "definition": saturday,
            },
        )
        .json
    )
    for_team = preview(
        admin, metric="first_response", team_id=str(berlin_org.team_id), at=FRIDAY_1630
    )
    assert for_team["due_at"] == z(berlin(28, 11, 30))
    assert for_team["calendar"]["id"] == team_calendar["id"]
    # A team lead previews too (they manage SLAs), and the preview agrees with a real lead.
    clock.set(day=27, hour=16, minute=30)
    lead = api_as(berlin_org.rep).post("/api/v1/leads", json={"contact_name": "Bo"}).json
    assert lead["team_id"] == str(berlin_org.team_id)
    as_team_lead = preview(
        api_as(berlin_org.lead), metric="first_response", team_id=str(berlin_org.team_id)
    )
    assert as_team_lead["due_at"] == lead["sla"]["due_at"] == z(berlin(28, 11, 30))


def test_unsaved_policies_and_calendars_are_honoured_and_not_saved(app, api_as, berlin_org):
    admin = api_as(berlin_org.admin)
    stored = admin.post(
        "/api/v1/sla/policies",
        json={"name": "Within 2 hours", "metric": "first_response", "target_minutes": 120},
    ).json
    admin.post(
        "/api/v1/sla/calendars",
        json={"name": "Office", "kind": "sales", "definition": office_hours()},
    )

    # The stored policy edited to 30 min: Friday 16:30 + 30 min ends at closing, 17:00 —
    # due then, not at Monday's opening.
    edited = preview(
        admin,
        metric="first_response",
        at=FRIDAY_1630,
        policy={"id": stored["id"], "target_minutes": 30},
    )
    assert edited["due_at"] == z(berlin(27, 17, 0))
    assert edited["policy"] == {"id": stored["id"], "name": "Within 2 hours", "unsaved": True}
    # 3 h 15 min: 30 min Friday, 165 min Monday → Monday 11:45.
    longer = preview(
        admin,
        metric="first_response",
        at=FRIDAY_1630,
        policy={"id": stored["id"], "name": "Renamed", "target_minutes": 195},
    )
    assert longer["due_at"] == z(berlin(30, 11, 45))
    assert longer["policy"]["name"] == "Renamed"
    # The same policy switched off in the form: the built-in default (2 h) applies.
    off = preview(
        admin,
        metric="first_response",
        at=FRIDAY_1630,
        policy={"id": stored["id"], "target_minutes": 30, "active": False},
    )
    assert (off["due_at"], off["policy"]) == (z(berlin(30, 10, 30)), None)
    # A new, more specific policy (no id yet) wins for the inquiries it names only.
    new_policy = {"name": "Web", "source": "website", "target_minutes": 20}
    web = preview(
        admin, metric="first_response", source="website", at=FRIDAY_1630, policy=new_policy
    )
    assert web["due_at"] == z(berlin(27, 16, 50))
    assert web["policy"] == {"id": None, "name": "Web", "unsaved": True}
    phone = preview(
        admin, metric="first_response", source="phone", at=FRIDAY_1630, policy=new_policy
    )
    assert phone["due_at"] == z(berlin(30, 10, 30))
    assert phone["policy"]["id"] == stored["id"]

    # Unsaved hours: Saturday 10:00–14:00 added, and Friday closing at 16:00.
    # Friday 16:30 is then closed; 120 min on Saturday from 10:00 → 12:00.
    hours = office_hours()
    hours["weekly"]["fri"] = [{"start": "09:00", "end": "16:00"}]
    hours["weekly"]["sat"] = [{"start": "10:00", "end": "14:00"}]
    tried = preview(
        admin,
        metric="first_response",
        at=FRIDAY_1630,
        calendar={"name": "Office", "definition": hours},
    )
    assert tried["due_at"] == z(berlin(28, 12, 0))
    assert tried["calendar"]["unsaved"] is True
    # A holiday on the Monday, and a special short day on Tuesday (09:00–09:45):
    # 30 min Friday, 45 min Tuesday, 45 min Wednesday from 09:00 → Wednesday 09:45.
    both = preview(
        admin,
        metric="first_response",
        at=FRIDAY_1630,
        calendar={
            "definition": office_hours(
                holidays=["2026-11-30"],
                overrides={"2026-12-01": [{"start": "09:00", "end": "09:45"}]},
            )
        },
    )
    assert both["due_at"] == z(december(2, 9, 45))
    # Both at once: a 30-min policy in the Saturday hours → Saturday 10:30.
    combined = preview(
        admin,
        metric="first_response",
        at=FRIDAY_1630,
        policy={"id": stored["id"], "target_minutes": 30},
        calendar={"definition": hours},
    )
    assert combined["due_at"] == z(berlin(28, 10, 30))

    # The policy being edited measures first responses: it cannot stand in for follow-ups.
    mixed = admin.post(
        PREVIEW,
        json={"metric": "follow_up", "policy": {"id": stored["id"], "target_minutes": 30}},
    )
    assert mixed.status_code == 422
    assert "first_response" in mixed.json["error"]["fields"]["policy"]["id"][0]

    # Nothing of it was saved.
    policies = admin.get("/api/v1/sla/policies").json
    assert [(p["name"], p["target_minutes"], p["active"]) for p in policies] == [
        ("Within 2 hours", 120, True)
    ]
    calendars = admin.get("/api/v1/sla/calendars").json
    assert [c["definition"]["weekly"]["sat"] for c in calendars] == [[]]
    assert calendars[0]["definition"]["holidays"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "metric"),
        ({"metric": "reply"}, "metric"),
        ({"metric": "first_response", "priority": "asap"}, "priority"),
        ({"metric": "first_response", "at": "2026-11-27T16:30:00"}, "at"),  # no zone
        ({"metric": "first_response", "at": "Friday"}, "at"),
        ({"metric": "first_response", "at": "9999-12-31T16:30:00Z"}, "at"),  # due past 9999
        ({"metric": "first_response", "team_id": "not-a-uuid"}, "team_id"),
        ({"metric": "first_response", "policy": {"target_minutes": 0}}, "policy"),
        ({"metric": "first_response", "policy": {"target_minutes": "2h"}}, "policy"),
        ({"metric": "first_response", "policy": {"name": "no target"}}, "policy"),
        ({"metric": "first_response", "calendar": {"definition": "all week"}}, "calendar"),
        ({"metric": "first_response", "calendar": {}}, "calendar"),
        ({"metric": "first_response", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_refused_with_the_field(app, api_as, org, body, field):
    response = api_as(org.admin).post(PREVIEW, json=body)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error"
    assert field in response.json["error"]["fields"]


def test_an_unknown_team_and_invalid_hours_say_what_is_wrong(app, api_as, org, other_org):
    admin = api_as(org.admin)
    # Another organisation's team is no team of this one.
    stranger = admin.post(PREVIEW, json={"metric": "follow_up", "team_id": str(other_org.team_id)})
    assert stranger.status_code == 422
    assert stranger.json["error"]["fields"] == {"team_id": ["No such team."]}

    # The same checks, and messages, as saving the calendar.
    for definition, words in (
        (
            {"timezone": "Mars/Base", "weekly": {"mon": [{"start": "09:00", "end": "17:00"}]}},
            "Mars",
        ),
        ({"timezone": "Europe/Berlin", "weekly": {}}, "at least one opening interval"),
        (
            office_hours(
                weekly={
                    "mon": [{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "17:00"}]
                }
            ),
            "overlaps",
        ),
        (office_hours(holidays=["2026-02-30"]), "holidays[0]"),
    ):
        tried = admin.post(
            PREVIEW, json={"metric": "first_response", "calendar": {"definition": definition}}
        )
        saved = admin.post(
            "/api/v1/sla/calendars", json={"name": "X", "kind": "sales", "definition": definition}
        )
        assert tried.status_code == saved.status_code == 422
        message = tried.json["error"]["fields"]["calendar"]["definition"]
        assert words in message[0]
        assert message == saved.json["error"]["fields"]["definition"]


def test_only_those_who_manage_slas_may_preview(app, api_as, org, client):
    body = {"metric": "first_response"}
    for person in (org.rep, org.cs):
        refused = api_as(person).post(PREVIEW, json=body)
        assert refused.status_code == 403
        assert refused.json["error"]["code"] == "forbidden"
    assert api_as(org.lead).post(PREVIEW, json=body).status_code == 200
    assert client.post(PREVIEW, json=body).status_code == 401
    not_json = api_as(org.admin).post(PREVIEW, data="{", content_type="application/json")
    assert not_json.status_code == 400
