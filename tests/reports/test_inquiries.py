"""The inquiry classification summary (GET /reports/inquiries), figure by figure, against
numbers worked out by hand below."""

from __future__ import annotations

import csv
import io

import pytest

from tests.leads.helpers import error_of, iso

REPORT = "/api/v1/reports/inquiries"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def lead(api, **fields) -> str:
    response = api.post("/api/v1/leads", json={"contact_name": "Buyer", **fields})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json["id"]


def follow_up(api, lead_id, wall, **fields) -> None:
    body = {"happened_at": iso(wall.now), **fields}
    response = api.post(f"/api/v1/leads/{lead_id}/followups", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)


def stage(api, lead_id, to, **extra) -> None:
    response = api.post(f"/api/v1/leads/{lead_id}/stage", json={"stage": to, **extra})
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.fixture
def march(berlin_org, api_as, wall):
    """The organisation of the hand-worked figures (Berlin wall times):

    March 2026 — A website 2 Mar, called, won 1000 on 5 Mar; B website 10 Mar, quoted 250,
    lost on price; C phone 31 Mar 23:30 (still March), untouched; D phone 15 Mar in EUR,
    won 500 (another currency: counted apart). E phone 1 Apr 00:10: April, not March.
    February 2026 — F website 20 Feb, untouched.
    March 2025 — G trade show 12 Mar, won 300; H trade show 13 Mar, lost.
    """
    rep = api_as(berlin_org.rep)
    ids = {}
    wall.at(2026, 3, 2, 10)
    ids["A"] = lead(rep, source="website")
    wall.at(2026, 3, 2, 11)
    follow_up(rep, ids["A"], wall, kind="call")
    wall.at(2026, 3, 5, 15)
    stage(rep, ids["A"], "won", won_value=1000)
    wall.at(2026, 3, 10, 9)
    ids["B"] = lead(rep, source="website")
    wall.at(2026, 3, 11, 9)
    follow_up(rep, ids["B"], wall, kind="quote", quoted_amount=250)
    wall.at(2026, 3, 20, 9)
    stage(rep, ids["B"], "lost", lost_reason="price_too_high")
    wall.at(2026, 3, 31, 23, 30)
    ids["C"] = lead(rep, source="phone")
    wall.at(2026, 3, 15, 12)
    ids["D"] = lead(rep, source="phone", currency="EUR")
    stage(rep, ids["D"], "won", won_value=500)
    wall.at(2026, 4, 1, 0, 10)
    ids["E"] = lead(rep, source="phone")
    wall.at(2026, 2, 20, 12)
    ids["F"] = lead(rep, source="website")
    wall.at(2025, 3, 12, 12)
    ids["G"] = lead(rep, source="trade_show")
    stage(rep, ids["G"], "won", won_value=300)
    wall.at(2025, 3, 13, 12)
    ids["H"] = lead(rep, source="trade_show")
    stage(rep, ids["H"], "lost", lost_reason="no_response")
    wall.at(2026, 4, 2, 12)  # the report is read in April
    return ids


ZERO = {
    "inquiries": 0, "open": 0, "contacted": 0, "quoted": 0, "won": 0, "lost": 0,
    "won_value": 0.0, "other_currency": 0, "quote_rate": None, "win_rate": None,
}  # fmt: skip


def figures(row: dict) -> dict:
    return {k: row[k] for k in ZERO}


def test_march_by_source_with_both_comparisons(api_as, berlin_org, march):
    report = api_as(berlin_org.admin).get(REPORT, query_string=MARCH).json
    assert (report["from"], report["to"], report["timezone"]) == (
        "2026-03-01", "2026-03-31", "Europe/Berlin"
    )
    assert (report["group_by"], report["currency"]) == ("source", "USD")
    rows = {r["key"]: r for r in report["rows"]}
    # Biggest first, then by label; a channel seen only a year ago is listed too.
    assert [r["key"] for r in report["rows"]] == ["phone", "website", "trade_show"]
    assert figures(rows["website"]) == {
        "inquiries": 2, "open": 0, "contacted": 2, "quoted": 2, "won": 1, "lost": 1,
        "won_value": 1000.0, "other_currency": 0, "quote_rate": 1.0, "win_rate": 0.5,
    }  # fmt: skip
    # C (23:30 on the last day) belongs to March; E (00:10 on 1 April) does not.
    assert figures(rows["phone"]) == {
        "inquiries": 2, "open": 1, "contacted": 0, "quoted": 1, "won": 1, "lost": 0,
        "won_value": 0.0, "other_currency": 1, "quote_rate": 0.5, "win_rate": 0.5,
    }  # fmt: skip
    assert figures(rows["trade_show"]) == ZERO
    assert rows["website"]["previous"] == {
        **ZERO, "inquiries": 1, "open": 1, "quote_rate": 0.0, "win_rate": 0.0
    }
    assert rows["phone"]["previous"] == ZERO
    assert rows["trade_show"]["year_ago"] == {
        "inquiries": 2, "open": 0, "contacted": 0, "quoted": 1, "won": 1, "lost": 1,
        "won_value": 300.0, "other_currency": 0, "quote_rate": 0.5, "win_rate": 0.5,
    }  # fmt: skip
    assert rows["trade_show"]["label"] == "Trade show"
    totals = report["totals"]
    assert figures(totals) == {
        "inquiries": 4, "open": 1, "contacted": 2, "quoted": 3, "won": 2, "lost": 1,
        "won_value": 1000.0, "other_currency": 1, "quote_rate": 0.75, "win_rate": 0.5,
    }  # fmt: skip
    assert totals["previous"]["inquiries"] == 1
    assert totals["year_ago"]["won_value"] == 300.0


def test_by_week_each_week_against_its_own_comparisons(api_as, berlin_org, march):
    report = api_as(berlin_org.admin).get(REPORT, query_string={**MARCH, "group_by": "week"})
    weeks = {r["key"]: r for r in report.json["rows"]}
    # 1 March 2026 is a Sunday: ISO week 9 holds one day of the period, week 14 two.
    assert list(weeks) == ["2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13", "2026-W14"]
    assert [weeks[k]["inquiries"] for k in weeks] == [0, 1, 2, 0, 0, 1]
    assert weeks["2026-W11"]["won"] == 1  # D, created 15 Mar (Sunday of week 11)
    # Week 14 is 30–31 March: its previous is the two days before; a year ago 30–31 March.
    assert weeks["2026-W14"]["previous"]["inquiries"] == 0
    assert weeks["2026-W11"]["year_ago"]["inquiries"] == 2  # G and H: 12–13 March 2025
    assert report.json["totals"]["inquiries"] == 4


def test_iso_weeks_across_the_year_end(api_as, berlin_org, wall):
    rep = api_as(berlin_org.rep)
    wall.at(2025, 12, 30, 10)
    lead(rep, source="website")
    wall.at(2026, 1, 5, 8)
    lead(rep, source="website")
    wall.at(2026, 1, 20, 8)
    report = api_as(berlin_org.lead).get(
        REPORT, query_string={"from": "2025-12-22", "to": "2026-01-11", "group_by": "week"}
    ).json
    assert [(r["key"], r["inquiries"]) for r in report["rows"]] == [
        ("2025-W52", 0), ("2026-W01", 1), ("2026-W02", 1)
    ]
    assert report["rows"][1]["label"].startswith("Week 1, 2026")


def test_an_empty_period_has_no_rows_and_no_ratios(api_as, berlin_org):
    report = api_as(berlin_org.admin).get(
        REPORT, query_string={"from": "2020-01-01", "to": "2020-01-31"}
    ).json
    assert report["rows"] == []
    assert figures(report["totals"]) == ZERO


def test_a_lead_reassigned_after_winning_counts_for_its_current_owner(
    api_as, berlin_org, march
):
    admin = api_as(berlin_org.admin)
    moved = admin.post(
        f"/api/v1/leads/{march['A']}/assign", json={"owner_id": str(berlin_org.rep2.id)}
    )
    assert moved.status_code == 200, moved.get_data(as_text=True)
    rows = {
        r["key"]: r
        for r in admin.get(REPORT, query_string={**MARCH, "group_by": "owner"}).json["rows"]
    }
    assert rows[str(berlin_org.rep2.id)]["inquiries"] == 1
    assert rows[str(berlin_org.rep2.id)]["label"] == "Acme rep2"
    assert rows[str(berlin_org.rep.id)]["inquiries"] == 3


def test_who_sees_what(api_as, berlin_org, other_org, march):
    rep2 = api_as(berlin_org.rep2)
    # A rep sees only their own figures: rep2 owns nothing in March.
    assert rep2.get(REPORT, query_string=MARCH).json["totals"]["inquiries"] == 0
    error_of(rep2.get(REPORT, query_string={**MARCH, "owner_id": str(berlin_org.rep.id)}), 403)
    error_of(api_as(berlin_org.cs).get(REPORT, query_string=MARCH), 403)
    boss = api_as(berlin_org.lead)
    assert boss.get(REPORT, query_string=MARCH).json["totals"]["inquiries"] == 4
    admin = api_as(berlin_org.admin)
    other_team = admin.post("/api/v1/teams", json={"name": "Elsewhere"}).json["id"]
    error_of(boss.get(REPORT, query_string={**MARCH, "team_id": other_team}), 403)
    # Another organisation's team is simply unknown here.
    error_of(
        boss.get(REPORT, query_string={**MARCH, "team_id": str(other_org.team_id)}), 422
    )
    assert api_as(other_org.admin).get(REPORT, query_string=MARCH).json["rows"] == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2026-03-31", "to": "2026-03-01"}, "to"),
        ({"from": "2020-01-01", "to": "2025-12-31"}, "to"),
        ({**MARCH, "group_by": "colour"}, "group_by"),
        ({**MARCH, "source": "carrier_pigeon"}, "source"),
        ({**MARCH, "priority": "whenever"}, "priority"),
        ({**MARCH, "owner_id": "00000000-0000-0000-0000-000000000001"}, "owner_id"),
        ({**MARCH, "product_id": "00000000-0000-0000-0000-000000000001"}, "product_id"),
        ({"to": "2026-03-01"}, "from"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
    ],
)
def test_bad_parameters_name_the_field(api_as, berlin_org, params, field):
    error = error_of(api_as(berlin_org.admin).get(REPORT, query_string=params), 422)
    assert field in error["fields"], error


def test_csv_is_the_same_table(api_as, berlin_org, march):
    admin = api_as(berlin_org.admin)
    as_json = admin.get(REPORT, query_string=MARCH).json
    response = admin.get(REPORT, query_string={**MARCH, "format": "csv"})
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["key"] for r in table] == [r["key"] for r in as_json["rows"]] + ["total"]
    for row, expected in zip(table, [*as_json["rows"], as_json["totals"]], strict=True):
        for name in ZERO:
            value = expected[name]
            assert row[name] == ("" if value is None else str(value)), name
            previous = expected["previous"][name]
            assert row[f"previous_{name}"] == ("" if previous is None else str(previous))
    by_accept = admin.get(REPORT, query_string=MARCH, headers={"Accept": "text/csv"})
    assert by_accept.get_data(as_text=True) == response.get_data(as_text=True)


def test_unknown_report_is_404(api_as, berlin_org):
    error_of(api_as(berlin_org.admin).get("/api/v1/reports/horoscope", query_string=MARCH), 404)


def test_a_whole_year_compares_with_the_year_before(api_as, berlin_org, march):
    report = api_as(berlin_org.admin).get(
        REPORT, query_string={"from": "2026-01-01", "to": "2026-12-31"}
    ).json
    totals = report["totals"]
    # 2026 holds A–F (E in April, F in February); the year before, G and H.
    assert totals["inquiries"] == 6
    assert totals["previous"] == totals["year_ago"]
    assert (totals["previous"]["inquiries"], totals["previous"]["won_value"]) == (2, 300.0)
