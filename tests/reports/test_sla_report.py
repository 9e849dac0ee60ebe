"""Follow-up compliance (GET /reports/sla) and the breaches of a period
(GET /reports/sla/breaches), from the SLA event history of the month in test_reps."""

from __future__ import annotations

from app.sla.check import run_sla_check
from tests.leads.helpers import error_of
from tests.reports.test_inquiries import MARCH
from tests.reports.test_reps import month  # noqa: F401 (the month's events)

REPORT = "/api/v1/reports/sla"


def test_met_and_breached_from_the_history(app, api_as, berlin_org, month, wall):  # noqa: F811
    """All four leads are rep's now (S1 was given to rep after its late first reply).
    First response: R1 and R2 answered in 60 business minutes (on time); R3 and S1 breached
    and answered 480 business minutes after arrival (a day later: 10–17 and 9–10).
    Follow-up (3 business days from the last contact): R1's ran out Thu 5 Mar 11:00, R2's
    Fri 6 Mar 11:00, R3's Tue 10 Mar 10:00 — breaches the check records at their deadlines,
    so the one run now (2 April) dates the last two in March too. Overdue now: R2, R3 and
    February's R0, never answered (R1 and S1 were won). Met rate: 2 / (2 + 2 + 3). Median
    of 60, 60, 480, 480 (nearest rank, ⌈4/2⌉ = 2nd) is 60; the 90th percentile (⌈3.6⌉ =
    4th) is 480."""
    wall.at(2026, 4, 2, 12)
    with app.app_context():
        run_sla_check(wall.now)
    report = api_as(berlin_org.lead).get(REPORT, query_string=MARCH).json
    [row] = report["rows"]
    assert row["label"] == "Acme rep"
    pick = ("first_response_met", "first_response_breached", "follow_up_met",
            "follow_up_breached", "met_rate", "first_response_median_minutes",
            "first_response_p90_minutes", "overdue_now")  # fmt: skip
    assert [row[k] for k in pick] == [2, 2, 0, 3, 0.2857, 60, 480, 3]
    # A figure of now has no comparison; February had no steps at all.
    assert row["previous"]["overdue_now"] == 0
    assert row["previous"]["first_response_median_minutes"] is None
    assert report["totals"]["met_rate"] == 0.2857
    by_team = api_as(berlin_org.admin).get(REPORT, query_string={**MARCH, "group_by": "team"})
    assert [r["first_response_breached"] for r in by_team.json["rows"]] == [2]


def test_the_breaches_of_the_period_link_to_their_leads(api_as, berlin_org, month):  # noqa: F811
    items = api_as(berlin_org.lead).get(f"{REPORT}/breaches", query_string=MARCH).json["items"]
    assert sorted((i["contact_name"], i["metric"]) for i in items) == [
        ("Buyer", "first_response"), ("Buyer", "first_response"), ("Buyer", "follow_up")
    ]
    assert [i["breached_at"] for i in items] == sorted(
        (i["breached_at"] for i in items), reverse=True
    )
    assert {i["owner_name"] for i in items} == {"Acme rep"}
    lead = api_as(berlin_org.lead).get(f"/api/v1/leads/{items[0]['lead_id']}")
    assert lead.status_code == 200
    # A rep sees their own only; customer service none.
    assert api_as(berlin_org.rep2).get(f"{REPORT}/breaches", query_string=MARCH).json == {
        "items": []
    }
    error_of(api_as(berlin_org.cs).get(f"{REPORT}/breaches", query_string=MARCH), 403)
