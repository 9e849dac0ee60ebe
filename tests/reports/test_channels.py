"""The spend ledger (/spend) and the publicity cost input/output table
(GET /reports/channels), against figures worked out by hand below."""

from __future__ import annotations

import pytest

from tests.leads.helpers import error_of
from tests.reports.test_inquiries import follow_up, lead, stage

SPEND = "/api/v1/spend"
REPORT = "/api/v1/reports/channels"
Q1 = {"from": "2026-01-01", "to": "2026-03-31"}


def spend(api, source, day, amount, expect=201, **extra) -> dict:
    response = api.post(SPEND, json={"source": source, "spent_on": day, "amount": amount, **extra})
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def test_admins_keep_the_ledger_in_the_reporting_currency(api_as, org, other_org):
    admin = api_as(org.admin)
    entry = spend(admin, "website", "2026-03-02", "120.50", note="Search ads")
    assert (entry["amount"], entry["currency"], entry["note"]) == (120.5, "USD", "Search ads")
    spend(admin, "website", "2026-03-03", 10, currency="usd")  # its own currency, any case
    error = error_of(admin.post(SPEND, json={
        "source": "website", "spent_on": "2026-03-02", "amount": 5, "currency": "EUR"
    }), 422)  # fmt: skip
    assert "currency" in error["fields"]
    for bad, field in [
        ({"source": "carrier_pigeon"}, "source"),
        ({"amount": -1}, "amount"),
        ({"spent_on": "2026-02-30"}, "spent_on"),
        ({"amount": "lots"}, "amount"),
    ]:
        body = {"source": "website", "spent_on": "2026-03-02", "amount": 5, **bad}
        assert field in error_of(admin.post(SPEND, json=body), 422)["fields"]
    changed = admin.patch(f"{SPEND}/{entry['id']}", json={"amount": 99, "note": None})
    assert (changed.json["amount"], changed.json["note"]) == (99.0, None)
    listed = admin.get(SPEND, query_string={"from": "2026-03-02", "to": "2026-03-02"}).json
    assert [e["id"] for e in listed] == [entry["id"]]
    # Team leads read it; reps and customer service neither read nor write.
    assert len(api_as(org.lead).get(SPEND).json) == 2
    error_of(api_as(org.lead).post(SPEND, json={
        "source": "website", "spent_on": "2026-03-02", "amount": 5
    }), 403)  # fmt: skip
    error_of(api_as(org.rep).get(SPEND), 403)
    error_of(api_as(other_org.admin).patch(f"{SPEND}/{entry['id']}", json={"amount": 1}), 404)
    assert admin.delete(f"{SPEND}/{entry['id']}").status_code == 204
    error_of(admin.delete(f"{SPEND}/{entry['id']}"), 404)


@pytest.fixture
def quarter(berlin_org, api_as, wall):
    """Q1 2026 (Berlin). Spend: website 300 (10 Jan) + 200 (31 Mar); trade show 1000
    (Feb); marketplace 150 (Mar, and no inquiries). Outside: website 999 on 1 Apr, website
    100 in Q4 2025, trade show 500 in Q1 2025.
    Leads: website W1 won 1200, W2 open, W3 lost; trade show T1 won 400, T2 quoted."""
    admin, rep = api_as(berlin_org.admin), api_as(berlin_org.rep)
    for source, day, amount in [
        ("website", "2026-01-10", 300), ("website", "2026-03-31", 200),
        ("trade_show", "2026-02-14", 1000), ("marketplace", "2026-03-05", 150),
        ("website", "2026-04-01", 999), ("website", "2025-12-01", 100),
        ("trade_show", "2025-02-01", 500),
    ]:  # fmt: skip
        spend(admin, source, day, amount)
    wall.at(2026, 1, 12)
    w1 = lead(rep, source="website")
    stage(rep, w1, "won", won_value=1200)
    wall.at(2026, 2, 2)
    lead(rep, source="website")
    w3 = lead(rep, source="website")
    stage(rep, w3, "lost", lost_reason="price_too_high")
    wall.at(2026, 3, 3)
    t1 = lead(rep, source="trade_show")
    stage(rep, t1, "won", won_value=400)
    t2 = lead(rep, source="trade_show")
    follow_up(rep, t2, wall, kind="quote", quoted_amount=80)
    wall.at(2026, 4, 10)


def test_spend_against_what_it_brought(api_as, berlin_org, quarter):
    report = api_as(berlin_org.lead).get(REPORT, query_string=Q1).json
    rows = {r["key"]: r for r in report["rows"]}
    assert [r["key"] for r in report["rows"]] == ["trade_show", "website", "marketplace"]
    pick = ("spend", "inquiries", "cost_per_inquiry", "quoted", "won", "won_value",
            "cost_per_win", "roi")  # fmt: skip
    assert [rows["website"][k] for k in pick] == [500.0, 3, 166.67, 1, 1, 1200.0, 500.0, 1.4]
    assert [rows["trade_show"][k] for k in pick] == [
        1000.0, 2, 500.0, 2, 1, 400.0, 1000.0, -0.6
    ]
    assert [rows["marketplace"][k] for k in pick] == [150.0, 0, None, 0, 0, 0.0, None, -1.0]
    # Q1 is exactly a quarter: compared with Q4 2025 and Q1 2025.
    assert (rows["website"]["previous"]["spend"], rows["website"]["previous"]["roi"]) == (
        100.0, -1.0
    )
    assert rows["trade_show"]["year_ago"]["spend"] == 500.0
    totals = report["totals"]
    assert [totals[k] for k in pick] == [1650.0, 5, 330.0, 3, 2, 1600.0, 825.0, -0.0303]
    assert totals["previous"]["spend"] == 100.0 and totals["previous"]["inquiries"] == 0


def test_by_month_and_one_channel(api_as, berlin_org, quarter):
    report = api_as(berlin_org.admin).get(
        REPORT, query_string={**Q1, "group_by": "month", "source": "website"}
    ).json
    assert [(r["key"], r["spend"], r["inquiries"]) for r in report["rows"]] == [
        ("2026-01", 300.0, 1), ("2026-02", 0.0, 2), ("2026-03", 200.0, 0)
    ]
    # Each month against the month before: February's previous is January.
    assert report["rows"][1]["previous"]["spend"] == 300.0
    assert report["rows"][0]["previous"]["spend"] == 100.0  # December 2025 (1 Dec)


def test_the_channels_table_is_the_organisations(api_as, berlin_org, quarter):
    error_of(api_as(berlin_org.rep).get(REPORT, query_string=Q1), 403)
    error_of(api_as(berlin_org.cs).get(REPORT, query_string=Q1), 403)
    error = error_of(
        api_as(berlin_org.admin).get(
            REPORT, query_string={**Q1, "team_id": str(berlin_org.team_id)}
        ),
        422,
    )
    assert "team_id" in error["fields"]
