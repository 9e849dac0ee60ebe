"""Why inquiries are lost, and the demand report (GET /reports/lost), against figures
worked out by hand below."""

from __future__ import annotations

import pytest

from tests.reports.test_inquiries import MARCH, lead, stage

REPORT = "/api/v1/reports/lost"


@pytest.fixture
def losses(berlin_org, api_as, wall):
    """Berlin wall times. Lost in March 2026 (and lost now):
    L1 "Blue  Widget" ×10, 1000, no matching product (3 Mar; created in February);
    L2 "blue widget" ×5, 400, no matching product (6 Mar);
    L3 catalogue "Pump X" ×2, 300, customisation needed (8 Mar);
    L4 900, price too high (9 Mar); L5 price too high at 23:30 on 31 Mar;
    L9 "Blue widget" ×1, 200 EUR (another currency), no matching product (14 Mar).
    Not counted: L6 lost at 00:30 on 1 April; L7 lost 12 Mar, reopened 13 Mar.
    February: L8 price too high (10 Feb).
    """
    rep = api_as(berlin_org.rep)
    pump = api_as(berlin_org.admin).post(
        "/api/v1/products", json={"name": "Pump X", "sku": "PX-1"}
    ).json["id"]

    def lost(created, closed, reason, **fields):
        wall.at(*created)
        lead_id = lead(rep, source="website", **fields)
        wall.at(*closed)
        stage(rep, lead_id, "lost", lost_reason=reason)
        return lead_id

    lost((2026, 2, 25), (2026, 3, 3), "no_matching_product",
         product_text="Blue  Widget", quantity=10, estimated_value=1000)  # fmt: skip
    lost((2026, 3, 5), (2026, 3, 6), "no_matching_product",
         product_text="blue widget", quantity=5, estimated_value=400)  # fmt: skip
    lost((2026, 3, 7), (2026, 3, 8), "customisation_needed",
         product_id=pump, quantity=2, estimated_value=300)  # fmt: skip
    lost((2026, 3, 8), (2026, 3, 9), "price_too_high", estimated_value=900)
    lost((2026, 3, 9), (2026, 3, 31, 23, 30), "price_too_high")
    lost((2026, 3, 10), (2026, 4, 1, 0, 30), "no_matching_product", product_text="Gizmo")
    reopened = lost((2026, 3, 11), (2026, 3, 12), "no_matching_product", product_text="Gizmo")
    wall.at(2026, 3, 13)
    stage(rep, reopened, "contacted", note="They called back")
    lost((2026, 2, 1), (2026, 2, 10), "price_too_high")
    lost((2026, 3, 1), (2026, 3, 14), "no_matching_product",
         product_text="Blue widget", quantity=1, estimated_value=200, currency="EUR")  # fmt: skip
    wall.at(2026, 4, 2, 12)
    return pump


def test_by_reason_with_shares(api_as, berlin_org, losses):
    report = api_as(berlin_org.lead).get(REPORT, query_string=MARCH).json
    assert report["group_by"] == "reason"
    rows = [
        (r["key"], r["label"], r["lost"], r["share"], r["previous"]["lost"], r["previous"]["share"])
        for r in report["rows"]
    ]
    assert rows == [
        ("no_matching_product", "No matching product", 3, 0.5, 0, 0.0),
        ("price_too_high", "Price too high", 2, 0.3333, 1, 1.0),
        ("customisation_needed", "Customisation needed", 1, 0.1667, 0, 0.0),
    ]
    totals = report["totals"]
    assert (totals["lost"], totals["share"], totals["quantity"]) == (6, 1.0, 18.0)
    assert (totals["estimated_value"], totals["other_currency"]) == (2600.0, 1)
    assert (totals["previous"]["lost"], totals["year_ago"]["lost"]) == (1, 0)
    assert totals["year_ago"]["share"] is None  # nothing lost a year ago: no share


def test_the_demand_report_folds_typed_names(api_as, berlin_org, losses):
    report = api_as(berlin_org.admin).get(
        REPORT, query_string={**MARCH, "group_by": "product"}
    ).json
    rows = [
        (r["key"], r["label"], r["lost"], r["share"], r["quantity"], r["estimated_value"],
         r["other_currency"])
        for r in report["rows"]
    ]  # fmt: skip
    assert rows == [
        ("text:blue widget", "Blue widget", 3, 0.75, 16.0, 1400.0, 1),
        (f"product:{losses}", "Pump X", 1, 0.25, 2.0, 300.0, 0),
    ]
    totals = report["totals"]
    assert (totals["lost"], totals["quantity"], totals["estimated_value"]) == (4, 18.0, 1700.0)


def test_lost_has_no_time_grouping(api_as, berlin_org):
    response = api_as(berlin_org.admin).get(REPORT, query_string={**MARCH, "group_by": "week"})
    assert response.status_code == 422
    assert "group_by" in response.json["error"]["fields"]
