"""Follow-up compliance (GET /reports/sla) and the breaches of a period
(GET /reports/sla/breaches), from the SLA event history of the month in test_reps."""

from __future__ import annotations

from app.sla.check import run_sla_check
from tests.leads.helpers import error_of
from tests.reports.test_inquiries import MARCH
from tests.reports.test_reps import month  # noqa: F401 (the month's events)

REPORT = "/api/v1/reports/sla"


def test_met_and_breached_from_the_history(app, api_as, berlin_org, month, wall):  # noqa: F811
    """Each step counts for whoever had the lead at that moment. rep: first replies to R1
    and R2 in 60 business minutes (on time), R3 breached and answered 480 business minutes
    after arrival (a day later: 10–17 and 9–10). rep2: S1 breached (and answered 480
    minutes late) before it was given to rep. Follow-up (3 business days from the last
    contact): R1's ran out Thu 5 Mar 11:00, R2's Fri 6 Mar 11:00, R3's Tue 10 Mar 10:00 —
    breaches the check records at their deadlines, so the one run now (2 April) dates the
    last two in March too. Overdue now (by the owner now): R2, R3 and February's R0, never
    answered (R1 and S1 were won). rep's met rate: 2 / (2 + 1 + 3); median of 60, 60, 480
    (nearest rank, ⌈3/2⌉ = 2nd) is 60, the 90th percentile (⌈2.7⌉ = 3rd) 480."""
    wall.at(2026, 4, 2, 12)
    with app.app_context():
        run_sla_check(wall.now)
    report = api_as(berlin_org.lead).get(REPORT, query_string=MARCH).json
    rows = {r["label"]: r for r in report["rows"]}
    row = rows["Acme rep"]
    pick = ("first_response_met", "first_response_breached", "follow_up_met",
            "follow_up_breached", "met_rate", "first_response_median_minutes",
            "first_response_p90_minutes", "overdue_now")  # fmt: skip
    assert [row[k] for k in pick] == [2, 1, 0, 3, 0.3333, 60, 480, 3]
    assert [rows["Acme rep2"][k] for k in pick] == [0, 1, 0, 0, 0.0, 480, 480, 0]
    # A figure of now has no comparison; February had no steps at all.
    assert row["previous"]["overdue_now"] == 0
    assert row["previous"]["first_response_median_minutes"] is None
    assert report["totals"]["met_rate"] == 0.2857  # 2 / (2 + 2 + 3), both together
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
    # Each breach names who had the lead when it happened.
    assert sorted(i["owner_name"] for i in items) == ["Acme rep", "Acme rep", "Acme rep2"]
    lead = api_as(berlin_org.lead).get(f"/api/v1/leads/{items[0]['lead_id']}")
    assert lead.status_code == 200
    # A rep sees their own breaches, of leads they may still open: S1's breach counts in
    # rep2's table, but S1 is rep's now and is not listed (no contact, no link) for rep2.
    own = api_as(berlin_org.rep2).get(f"{REPORT}/breaches", query_string=MARCH).json["items"]
    assert own == []
    table = api_as(berlin_org.rep2).get(REPORT, query_string=MARCH).json["rows"]
    assert [r["first_response_breached"] for r in table] == [1]
    error_of(api_as(berlin_org.cs).get(f"{REPORT}/breaches", query_string=MARCH), 403)


def test_response_times_over_periods_of_every_shape(api_as, berlin_org, month):  # noqa: F811
    """The response times are read from a histogram kept per day, month and year; a period
    is whichever of those make it up. First replies met: rep's R1 (2 Mar) and R2 (3 Mar)
    after 60 minutes, R3 (5 Mar) after 480; rep2's S1 (6 Mar) after 480. Each period below
    mixes the spans differently and must see exactly the replies it holds."""
    def times(start: str, end: str) -> dict:
        report = api_as(berlin_org.admin).get(REPORT, query_string={"from": start, "to": end})
        figures = ("first_response_median_minutes", "first_response_p90_minutes")
        found = {r["label"]: tuple(r[k] for k in figures) for r in report.json["rows"]}
        found["all"] = tuple(report.json["totals"][k] for k in figures)
        return found

    every = {"Acme rep": (60, 480), "Acme rep2": (480, 480), "all": (60, 480)}
    assert times("2026-03-01", "2026-03-31") == every  # a month
    assert times("2026-01-01", "2026-12-31") == every  # a year
    assert times("2026-02-25", "2026-03-31") == every  # days, then a month
    assert times("2025-03-01", "2026-03-31") == every  # months, then months of a new year
    assert times("2025-12-30", "2027-01-02") == every  # days, a year, days
    # Only the days of R1 and R2: 60 and 60.
    assert times("2026-03-02", "2026-03-03") == {"Acme rep": (60, 60), "all": (60, 60)}
    # From R3's day on, through whole months to the year's end: 480s only.
    assert times("2026-03-04", "2026-12-31") == {
        "Acme rep": (480, 480), "Acme rep2": (480, 480), "all": (480, 480)
    }
    # Nothing in April 2026 (its rows are there for March, the month before) or in 2025
    # (rep's row is there for the leads overdue now).
    assert times("2026-04-01", "2026-04-30") == dict.fromkeys(every, (None, None))
    assert times("2025-01-01", "2025-12-31") == {"Acme rep": (None, None), "all": (None, None)}
