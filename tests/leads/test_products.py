"""The product catalogue: admins manage it, everyone reads the active part of it."""

from __future__ import annotations

import pytest

from tests.leads.helpers import LEADS, PRODUCTS, error_of, new_lead, uid


def test_an_admin_adds_and_edits_products(api_as, org):
    admin = api_as(org.admin)
    created = admin.post(
        PRODUCTS, json={"name": "Pump", "sku": "P-1", "list_price": "120.50", "currency": "eur"}
    )
    assert created.status_code == 201, created.json
    product = created.json
    assert product["active"] is True and product["currency"] == "EUR"
    assert product["list_price"] == 120.5 and product["version"] > 0
    changed = admin.patch(
        f"{PRODUCTS}/{product['id']}", json={"name": "Big pump", "list_price": 99}
    )
    assert changed.status_code == 200
    assert changed.json["version"] > product["version"]
    stored = admin.get(f"{PRODUCTS}/{product['id']}").json
    assert (stored["name"], stored["list_price"], stored["sku"]) == ("Big pump", 99.0, "P-1")


def test_the_client_may_choose_a_product_id_once(api_as, org):
    admin = api_as(org.admin)
    product_id = uid()
    assert admin.post(PRODUCTS, json={"id": product_id, "name": "A"}).json["id"] == product_id
    error_of(admin.post(PRODUCTS, json={"id": product_id, "name": "B"}), 409, "already_exists")
    assert [p["name"] for p in admin.get(PRODUCTS).json] == ["A"]


@pytest.mark.parametrize("who", ["lead", "rep", "cs"])
def test_only_admins_manage_the_catalogue(api_as, org, who):
    admin = api_as(org.admin)
    product = admin.post(PRODUCTS, json={"name": "Pump"}).json
    person = api_as(getattr(org, who))
    error_of(person.post(PRODUCTS, json={"name": "Mine"}), 403)
    error_of(person.patch(f"{PRODUCTS}/{product['id']}", json={"name": "Renamed"}), 403)
    # Everyone reads it.
    assert [p["name"] for p in person.get(PRODUCTS).json] == ["Pump"]
    assert person.get(f"{PRODUCTS}/{product['id']}").json["name"] == "Pump"


def test_a_sku_is_unique_within_the_organisation(api_as, org, other_org):
    admin = api_as(org.admin)
    first = admin.post(PRODUCTS, json={"name": "Pump", "sku": "P-1"}).json
    second = admin.post(PRODUCTS, json={"name": "Valve", "sku": "V-1"}).json
    error_of(admin.post(PRODUCTS, json={"name": "Copy", "sku": "P-1"}), 409, "sku_taken")
    error_of(admin.patch(f"{PRODUCTS}/{second['id']}", json={"sku": "P-1"}), 409, "sku_taken")
    # Keeping one's own SKU is no clash; another organisation may use the same SKU.
    assert admin.patch(f"{PRODUCTS}/{first['id']}", json={"sku": "P-1"}).status_code == 200
    assert (
        api_as(other_org.admin).post(PRODUCTS, json={"name": "X", "sku": "P-1"}).status_code == 201
    )
    assert sorted(p["sku"] for p in admin.get(PRODUCTS).json) == ["P-1", "V-1"]


def test_products_without_a_sku_do_not_clash(api_as, org):
    admin = api_as(org.admin)
    for n, sku in enumerate([None, None, "", "  "]):
        response = admin.post(PRODUCTS, json={"name": f"Loose {n}", "sku": sku})
        assert response.status_code == 201, response.json
        assert response.json["sku"] is None
    assert len(admin.get(PRODUCTS).json) == 4


def test_inactive_products_leave_the_list_and_cannot_start_leads(api_as, org):
    admin = api_as(org.admin)
    live = admin.post(PRODUCTS, json={"name": "Live"}).json
    retired = admin.post(PRODUCTS, json={"name": "Retired", "active": False}).json
    assert retired["active"] is False
    rep = api_as(org.rep)
    assert [p["id"] for p in rep.get(PRODUCTS).json] == [live["id"]]
    everything = admin.get(PRODUCTS, query_string={"include_inactive": "true"}).json
    assert {p["id"] for p in everything} == {live["id"], retired["id"]}
    assert len(rep.get(PRODUCTS, query_string={"include_inactive": "true"}).json) == 2
    assert rep.get(f"{PRODUCTS}/{retired['id']}").json["active"] is False
    error_of(rep.post(LEADS, json={"contact_name": "X", "product_id": retired["id"]}), 422)
    # Reactivated, it may be chosen again.
    admin.patch(f"{PRODUCTS}/{retired['id']}", json={"active": True})
    assert new_lead(rep, product_id=retired["id"])["product_id"] == retired["id"]


def test_another_organisations_product_is_404(api_as, org, other_org):
    product = api_as(org.admin).post(PRODUCTS, json={"name": "Ours"}).json
    theirs = api_as(other_org.admin)
    error_of(theirs.get(f"{PRODUCTS}/{product['id']}"), 404)
    error_of(theirs.patch(f"{PRODUCTS}/{product['id']}", json={"name": "Stolen"}), 404)
    assert theirs.get(PRODUCTS).json == []
    assert api_as(org.admin).get(f"{PRODUCTS}/{product['id']}").json["name"] == "Ours"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": 5},
        {"name": "x" * 201},
        {"name": "P", "sku": "s" * 65},
        {"name": "P", "list_price": -1},
        {"name": "P", "list_price": "lots"},
        {"name": "P", "currency": "EURO"},
        {"name": "P", "active": "yes please"},
        {"name": "P", "version": 7},
        {"name": "P", "colour": "red"},
        {"name": "P", "id": "not-a-uuid"},
    ],
)
def test_bad_product_bodies_are_422_and_change_nothing(api_as, org, body):
    admin = api_as(org.admin)
    error = error_of(admin.post(PRODUCTS, json=body), 422, "validation_error")
    assert error["fields"]
    assert admin.get(PRODUCTS, query_string={"include_inactive": "true"}).json == []
    product = admin.post(PRODUCTS, json={"name": "Pump"}).json
    patch_body = {k: v for k, v in body.items() if k != "name" or v != "P"}
    if patch_body and patch_body != {"id": "not-a-uuid"}:
        error_of(admin.patch(f"{PRODUCTS}/{product['id']}", json=patch_body), 422)
    assert admin.get(f"{PRODUCTS}/{product['id']}").json == product
