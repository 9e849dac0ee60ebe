"""Creating leads: ids, defaults, the organisation's lists, and who may give a lead to whom."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.leads.models import DEFAULT_SOURCES, Lead
from app.tenancy import tenant
from tests.leads.helpers import LEADS, PRODUCTS, error_of, get_lead, new_lead, uid


def test_a_rep_captures_a_lead_with_the_defaults(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, contact_name="Ada Buyer", company="Buyer GmbH", source="website")
    assert lead["owner_id"] == str(org.rep.id)
    assert lead["created_by"] == str(org.rep.id)
    assert lead["team_id"] == str(org.team_id)
    assert lead["stage"] == "new"
    assert lead["priority"] == "normal"
    assert lead["possible_duplicate_of"] is None
    assert lead["created_at"].endswith("Z") and lead["updated_at"].endswith("Z")
    assert lead["version"] > 0
    again = get_lead(rep, lead["id"])
    assert again["company"] == "Buyer GmbH" and again["follow_ups"] == []


def test_the_client_may_choose_the_id_and_a_second_create_is_409(api_as, org, app):
    rep = api_as(org.rep)
    lead_id = uid()
    first = new_lead(rep, id=lead_id, contact_name="First")
    assert first["id"] == lead_id
    error_of(rep.post(LEADS, json={"id": lead_id, "contact_name": "Second"}), 409, "already_exists")
    assert get_lead(rep, lead_id)["contact_name"] == "First"
    # Even someone who cannot see the first lead cannot take its id over.
    error_of(
        api_as(org.rep2).post(LEADS, json={"id": lead_id, "contact_name": "Third"}),
        409,
        "already_exists",
    )
    with app.app_context(), tenant(org.id):
        assert db.session.query(Lead).count() == 1


def test_another_organisation_may_use_the_same_id(api_as, org, other_org):
    lead_id = uid()
    new_lead(api_as(org.rep), id=lead_id, contact_name="Ours")
    theirs = new_lead(api_as(other_org.rep), id=lead_id, contact_name="Theirs")
    assert theirs["id"] == lead_id
    assert get_lead(api_as(org.rep), lead_id)["contact_name"] == "Ours"
    assert get_lead(api_as(other_org.rep), lead_id)["contact_name"] == "Theirs"


def test_every_default_source_is_accepted_and_others_are_refused(api_as, org):
    rep = api_as(org.rep)
    for source in DEFAULT_SOURCES:
        assert new_lead(rep, source=source)["source"] == source
    error = error_of(rep.post(LEADS, json={"contact_name": "X", "source": "tiktok"}), 422)
    assert "source" in error["fields"]


def test_the_organisations_own_source_list_replaces_the_defaults(api_as, org, app):
    from app.accounts.models import Organization

    with app.app_context():
        db.session.get(Organization, org.id).lead_sources = ["fair", "website"]
        db.session.commit()
    rep = api_as(org.rep)
    assert new_lead(rep, source="fair")["source"] == "fair"
    error = error_of(rep.post(LEADS, json={"contact_name": "X", "source": "trade_show"}), 422)
    assert "fair" in error["fields"]["source"][0]


def test_the_priority_and_an_open_stage_may_be_given(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, priority="urgent", stage="contacted")
    assert (lead["priority"], lead["stage"]) == ("urgent", "contacted")


@pytest.mark.parametrize("stage", ["won", "lost"])
def test_a_new_lead_cannot_start_closed(api_as, org, stage):
    rep = api_as(org.rep)
    error = error_of(rep.post(LEADS, json={"contact_name": "X", "stage": stage}), 422)
    assert "stage" in error["fields"]
    assert rep.get(LEADS).json["items"] == []


def test_product_must_be_an_active_product_of_the_organisation(api_as, org, other_org):
    admin = api_as(org.admin)
    active = admin.post(PRODUCTS, json={"name": "Pump", "sku": "P-1"}).json
    retired = admin.post(PRODUCTS, json={"name": "Old pump", "sku": "P-0"}).json
    assert admin.patch(f"{PRODUCTS}/{retired['id']}", json={"active": False}).status_code == 200
    foreign = api_as(other_org.admin).post(PRODUCTS, json={"name": "Their pump"}).json

    rep = api_as(org.rep)
    assert new_lead(rep, product_id=active["id"])["product_id"] == active["id"]
    for product_id in (retired["id"], foreign["id"], uid()):
        error = error_of(rep.post(LEADS, json={"contact_name": "X", "product_id": product_id}), 422)
        assert "product_id" in error["fields"]
    assert len(rep.get(LEADS).json["items"]) == 1


def test_customer_service_must_name_an_owner(api_as, org):
    cs = api_as(org.cs)
    error = error_of(cs.post(LEADS, json={"contact_name": "Caller"}), 422)
    assert "owner_id" in error["fields"]
    handed = new_lead(
        cs, contact_name="Caller", owner_id=str(org.rep.id), source="customer_service"
    )
    assert handed["owner_id"] == str(org.rep.id)
    assert handed["created_by"] == str(org.cs.id)
    assert handed["team_id"] == str(org.team_id)
    # The rep now has it; customer service does not see leads.
    assert get_lead(api_as(org.rep), handed["id"])["contact_name"] == "Caller"
    get_lead(cs, handed["id"], expect=404)


def test_customer_service_cannot_hand_a_lead_to_customer_service(api_as, org):
    error = error_of(
        api_as(org.cs).post(LEADS, json={"contact_name": "X", "owner_id": str(org.cs.id)}), 422
    )
    assert "owner_id" in error["fields"]


def test_a_rep_cannot_give_a_lead_to_someone_else(api_as, org):
    rep = api_as(org.rep)
    error_of(rep.post(LEADS, json={"contact_name": "X", "owner_id": str(org.rep2.id)}), 403)
    assert api_as(org.rep2).get(LEADS).json["items"] == []
    # Naming oneself is fine.
    assert new_lead(rep, owner_id=str(org.rep.id))["owner_id"] == str(org.rep.id)


def test_a_team_lead_gives_leads_within_their_teams_only(api_as, org, app):
    from app.accounts import service as accounts

    with app.app_context(), tenant(org.id):
        admin = org.user(org.admin)
        outsider = accounts.create_user(
            admin,
            {
                "email": f"outsider-{uid()[:8]}@acme.test",
                "name": "Outsider",
                "role": "rep",
                "password": "correct horse battery",
                "team_ids": [],
            },
        )
        outsider_id = str(outsider.id)
        db.session.commit()
    lead = api_as(org.lead)
    assert new_lead(lead, owner_id=str(org.rep2.id))["owner_id"] == str(org.rep2.id)
    error_of(lead.post(LEADS, json={"contact_name": "X", "owner_id": outsider_id}), 403)


def test_an_admin_gives_leads_to_any_active_sales_person(api_as, org, app):
    from app.accounts import service as accounts

    admin = api_as(org.admin)
    lead = new_lead(admin, owner_id=str(org.rep2.id))
    assert lead["owner_id"] == str(org.rep2.id) and lead["team_id"] == str(org.team_id)
    with app.app_context(), tenant(org.id):
        accounts.update_user(org.user(org.admin), org.rep2.id, {"active": False})
        db.session.commit()
    error = error_of(
        admin.post(LEADS, json={"contact_name": "X", "owner_id": str(org.rep2.id)}), 422
    )
    assert "owner_id" in error["fields"]


def test_owner_and_team_of_another_organisation_are_refused(api_as, org, other_org):
    admin = api_as(org.admin)
    for body in (
        {"contact_name": "X", "owner_id": str(other_org.rep.id)},
        {"contact_name": "X", "team_id": str(other_org.team_id)},
    ):
        error = error_of(admin.post(LEADS, json=body), 422)
        assert set(error["fields"]) & {"owner_id", "team_id"}
    assert admin.get(LEADS).json["items"] == []


def test_a_rep_cannot_file_a_lead_under_a_team_they_are_not_in(api_as, org, app):
    from app.accounts import service as accounts

    with app.app_context(), tenant(org.id):
        other_team = accounts.create_team(org.user(org.admin), "Export")
        other_team_id = str(other_team.id)
        db.session.commit()
    rep = api_as(org.rep)
    error = error_of(rep.post(LEADS, json={"contact_name": "X", "team_id": other_team_id}), 422)
    assert "team_id" in error["fields"]
    # An admin may file a lead under any team of the organisation.
    admin_lead = new_lead(api_as(org.admin), owner_id=str(org.rep.id), team_id=other_team_id)
    assert admin_lead["team_id"] == other_team_id


def test_a_browser_session_creates_leads_with_its_csrf_token(api_as, org):
    browser = api_as(org.rep, mode="cookie")
    assert new_lead(browser, contact_name="From the PWA")["owner_id"] == str(org.rep.id)
    refused = browser.post(LEADS, json={"contact_name": "Forged"}, headers={"X-CSRF-Token": ""})
    error_of(refused, 403, "csrf_failed")
    assert [i["contact_name"] for i in browser.get(LEADS).json["items"]] == ["From the PWA"]


def test_a_capture_counts_from_when_it_was_made(api_as, org):
    """Captured offline at 08:15 and synced at noon, a lead is three hours and more old: its
    reply clock started at the capture, as the phone showed it. A phone's clock may be wrong:
    ahead counts from the arrival, more than 30 days back from 30 days ago."""
    from datetime import UTC, datetime, timedelta

    rep = api_as(org.rep)
    now = datetime.now(UTC)

    def created(captured: datetime) -> tuple[datetime, datetime]:
        lead = new_lead(rep, captured_at=captured.isoformat().replace("+00:00", "Z"))
        return (
            datetime.fromisoformat(lead["created_at"]),
            datetime.fromisoformat(lead["sla"]["started_at"]),
        )

    early = now - timedelta(hours=3, minutes=45)
    at, started = created(early)
    assert abs((at - early).total_seconds()) < 0.01 and started == at
    at, _ = created(now + timedelta(days=2))
    assert abs((at - now).total_seconds()) < 60
    at, _ = created(now - timedelta(days=45))
    assert abs((at - (now - timedelta(days=30))).total_seconds()) < 60
