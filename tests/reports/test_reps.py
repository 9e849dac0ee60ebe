"""The rep appraisal (GET /reports/reps): sales, inquiries and workload per person, scored
against the team's best, against figures worked out by hand below."""

from __future__ import annotations

import pytest

from app.sla.check import run_sla_check
from tests.leads.helpers import error_of
from tests.reports.test_inquiries import MARCH, follow_up, lead, stage

REPORT = "/api/v1/reports/reps"


@pytest.fixture
def month(app, berlin_org, api_as, wall):
    """March 2026, Berlin, the default calendar (Mon–Fri 09–17, first reply in 2 hours).

    rep: R1 (Mon 2 Mar 10:00) called 11:00 — on time — won 1000 on 10 Mar; R2 (3 Mar 10:00)
    called 11:00 — on time; R3 (4 Mar 10:00) not answered in time (the check at 13:00
    records the breach), quote of 100 on 5 Mar.
    rep2: S1 (Thu 5 Mar 10:00) breached at 13:00, called 6 Mar, won 3000 on 20 Mar; on
    25 Mar the admin gives S1 to rep: its inquiry (and its late first reply) now count for
    rep, its sale stays rep2's.
    February: rep's R0.
    """
    rep, rep2 = api_as(berlin_org.rep), api_as(berlin_org.rep2)

    def check(*when):
        wall.at(*when)
        with app.app_context():
            run_sla_check(wall.now)

    wall.at(2026, 2, 10)
    lead(rep, source="website")
    wall.at(2026, 3, 2, 10)
    r1 = lead(rep, source="website")
    wall.at(2026, 3, 2, 11)
    follow_up(rep, r1, wall, kind="call")
    wall.at(2026, 3, 3, 10)
    r2 = lead(rep, source="website")
    wall.at(2026, 3, 3, 11)
    follow_up(rep, r2, wall, kind="call")
    wall.at(2026, 3, 4, 10)
    r3 = lead(rep, source="website")
    check(2026, 3, 4, 13)
    wall.at(2026, 3, 5, 10)
    follow_up(rep, r3, wall, kind="quote", quoted_amount=100)
    s1 = lead(rep2, source="phone")
    check(2026, 3, 5, 13)
    wall.at(2026, 3, 6, 10)
    follow_up(rep2, s1, wall, kind="call")
    wall.at(2026, 3, 10, 12)
    stage(rep, r1, "won", won_value=1000)
    wall.at(2026, 3, 20, 12)
    stage(rep2, s1, "won", won_value=3000)
    wall.at(2026, 3, 25, 12)
    moved = api_as(berlin_org.admin).post(
        f"/api/v1/leads/{s1}/assign", json={"owner_id": str(berlin_org.rep.id)}
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    wall.at(2026, 4, 2, 12)


PICK = ("inquiries", "follow_ups", "quotes", "won", "sales", "first_response_met_rate",
        "score", "rank")  # fmt: skip


def test_each_rep_scored_against_the_teams_best(api_as, berlin_org, month):
    report = api_as(berlin_org.lead).get(REPORT, query_string=MARCH).json
    assert report["group_by"] == "owner"
    rows = [(r["label"], [r[k] for k in PICK]) for r in report["rows"]]
    # rep:  0.5·1000/3000 + 0.3·4/4 + 0.2·3/3 = 0.6667
    # rep2: 0.5·3000/3000 + 0.3·0/4 + 0.2·1/3 = 0.5667
    # First replies, each counted for who had the lead then: rep met R1 and R2 and let R3
    # breach (2/3); rep2 let S1 breach before giving it away (0/1).
    assert rows == [
        ("Acme rep", [4, 3, 1, 1, 1000.0, 0.6667, 0.6667, 1]),
        ("Acme rep2", [0, 1, 0, 1, 3000.0, 0.0, 0.5667, 2]),
    ]
    previous = {r["label"]: (r["previous"]["inquiries"], r["previous"]["score"],
                             r["previous"]["rank"]) for r in report["rows"]}  # fmt: skip
    assert previous == {"Acme rep": (1, 0.3, 1), "Acme rep2": (0, 0.0, 2)}
    totals = report["totals"]
    assert [totals[k] for k in PICK] == [4, 4, 1, 2, 4000.0, 0.5, None, None]


def test_by_team(api_as, berlin_org, month):
    report = api_as(berlin_org.admin).get(REPORT, query_string={**MARCH, "group_by": "team"})
    [row] = report.json["rows"]
    assert (row["key"], row["label"]) == (str(berlin_org.team_id), "Acme Sales")
    assert [row[k] for k in PICK] == [4, 4, 1, 2, 4000.0, 0.5, 1.0, 1]


def test_a_rep_sees_their_own_row_only(api_as, berlin_org, month):
    report = api_as(berlin_org.rep2).get(REPORT, query_string=MARCH).json
    assert [(r["label"], r["follow_ups"], r["sales"]) for r in report["rows"]] == [
        ("Acme rep2", 1, 3000.0)
    ]
    error_of(
        api_as(berlin_org.rep2).get(
            REPORT, query_string={**MARCH, "owner_id": str(berlin_org.rep.id)}
        ),
        403,
    )
    error_of(api_as(berlin_org.cs).get(REPORT, query_string=MARCH), 403)


def test_the_organisations_own_weights(api_as, berlin_org, month):
    admin = api_as(berlin_org.admin)
    assert admin.get("/api/v1/org").json["appraisal_weights"] == {
        "sales": 0.5, "inquiries": 0.3, "workload": 0.2
    }
    for bad in ({"sales": 0.5, "inquiries": 0.5, "workload": 0.5}, {"sales": 1}, {"sales": -1}):
        error = error_of(admin.patch("/api/v1/org", json={"appraisal_weights": bad}), 422)
        assert "appraisal_weights" in error["fields"]
    weights = {"sales": 0.2, "inquiries": 0.2, "workload": 0.6}
    changed = admin.patch("/api/v1/org", json={"appraisal_weights": weights})
    assert changed.status_code == 200 and changed.json["appraisal_weights"] == weights
    rows = admin.get(REPORT, query_string=MARCH).json["rows"]
    # rep:  0.2·1000/3000 + 0.2·4/4 + 0.6·3/3 = 0.8667; rep2: 0.2·1 + 0 + 0.6·1/3 = 0.4
    assert [(r["label"], r["score"], r["rank"]) for r in rows] == [
        ("Acme rep", 0.8667, 1), ("Acme rep2", 0.4, 2)
    ]
    restored = admin.patch("/api/v1/org", json={"appraisal_weights": None})
    assert restored.json["appraisal_weights"]["sales"] == 0.5


def test_the_reporting_currency_decides_what_adds_up(api_as, berlin_org, wall):
    admin = api_as(berlin_org.admin)
    assert admin.get("/api/v1/org").json["currency"] == "USD"
    error_of(admin.patch("/api/v1/org", json={"currency": "EURO"}), 422)
    assert admin.patch("/api/v1/org", json={"currency": "eur"}).json["currency"] == "EUR"
    rep = api_as(berlin_org.rep)
    wall.at(2026, 3, 2)
    euro = lead(rep, source="website", currency="EUR")
    stage(rep, euro, "won", won_value=700)
    dollar = lead(rep, source="website", currency="USD")
    stage(rep, dollar, "won", won_value=900)
    plain = lead(rep, source="website")  # no currency: the organisation's
    stage(rep, plain, "won", won_value=100)
    wall.at(2026, 4, 2)
    totals = admin.get(REPORT, query_string=MARCH).json["totals"]
    assert (totals["sales"], totals["other_currency"], totals["won"]) == (800.0, 1, 3)
    spend = admin.post(
        "/api/v1/spend", json={"source": "website", "spent_on": "2026-03-02", "amount": 5,
                               "currency": "USD"}
    )  # fmt: skip
    assert "currency" in error_of(spend, 422)["fields"]
