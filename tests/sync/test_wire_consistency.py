"""Pull writes records in SQL (for speed), REST in Python: both must send the same thing."""

from __future__ import annotations

import orjson
from sqlalchemy import select, update

from app.changelog.stored import refresh_stored_changes
from app.extensions import db
from app.leads.models import FollowUp, Lead
from app.leads.wire import FOLLOW_UP_KEYS, LEAD_KEYS, follow_up_wire, lead_wire
from app.tenancy import all_orgs
from tests.sync.syncing import Replica


class Anything:
    def __getattr__(self, name):
        return None


def test_the_key_lists_match_the_serializers():
    assert tuple(lead_wire(Anything())) == (*LEAD_KEYS, "sla")
    assert tuple(follow_up_wire(Anything())) == FOLLOW_UP_KEYS


def _leads_of_every_shape(api_as, org) -> tuple[dict, dict]:
    admin = api_as(org.admin)
    product = admin.post(
        "/api/v1/products", json={"name": "Mixer", "sku": "M-1", "list_price": "12.50"}
    ).json
    rep = api_as(org.rep)
    lead = rep.post(
        "/api/v1/leads",
        json={
            "contact_name": "Zoë Ünal",
            "company": "Ünal & Söhne",
            "phone": "+49 30 1234567",
            "email": "Zoe@Example.com",
            "region": "Berlin",
            "territory": "DE-BE",
            "source": "website",
            "product_id": product["id"],
            "quantity": "3",
            "estimated_value": "1234.56",
            "currency": "eur",
            "priority": "high",
            "notes": "line one\nline two",
            "next_follow_up_at": "2026-12-01T10:15:30.123456Z",
        },
    ).json
    rep.post(
        f"/api/v1/leads/{lead['id']}/followups",
        json={
            "kind": "quote",
            "note": "sent",
            "happened_at": "2026-11-20T09:00:00Z",
            "quoted_amount": "999.9",
        },
    )
    rep.post(f"/api/v1/leads/{lead['id']}/stage", json={"stage": "won", "won_value": "1000"})
    bare = rep.post("/api/v1/leads", json={"contact_name": "Bare"}).json
    return lead, bare


def test_pull_and_rest_send_identical_leads_and_follow_ups(api_as, org):
    lead, bare = _leads_of_every_shape(api_as, org)
    rep = api_as(org.rep)
    device = Replica(rep)
    device.pull_all()
    for one in (lead, bare):
        rest = rep.get(f"/api/v1/leads/{one['id']}").json
        follow_ups = rest.pop("follow_ups")
        assert device.of("lead")[one["id"]] == rest
        for follow_up in follow_ups:
            assert device.of("followup")[follow_up["id"]] == follow_up
    assert device.of("lead")[lead["id"]]["sla"]["state"] == "paused"


def _stored(app) -> dict[str, tuple[int, int | None, str | None]]:
    with app.app_context(), all_orgs():
        return {
            str(row.id): (row.version, row.wire_version, row.wire_change)
            for model in (Lead, FollowUp)
            for row in db.session.execute(
                select(model.id, model.version, model.wire_version, model.wire_change)
            )
        }


def test_stored_changes_equal_what_the_database_builds(app, api_as, org):
    lead, _bare = _leads_of_every_shape(api_as, org)
    rep = api_as(org.rep)
    assert (
        rep.patch(f"/api/v1/leads/{lead['id']}", json={"set": {"notes": "edited"}}).status_code
        == 200
    )
    stored = _stored(app)
    # Every record the app wrote keeps its change for its current version...
    assert len(stored) >= 3
    assert all(version == wire_version for version, wire_version, _ in stored.values())
    with_stored = Replica(rep)
    with_stored.pull_all()
    assert with_stored.of("lead")[lead["id"]]["notes"] == "edited"

    # ...and a device that gets them built by the database (copies missing or stale, as
    # for rows a bulk load wrote) receives exactly the same records.
    with app.app_context(), all_orgs():
        db.session.execute(update(Lead).values(wire_version=None))
        db.session.execute(update(FollowUp).values(wire_version=FollowUp.version - 1))
        db.session.commit()
    built = Replica(rep)
    built.pull_all()
    for entity in ("lead", "followup"):
        assert built.of(entity) == with_stored.of(entity)

    # The scheduler's job stores them again, a batch of each kind at a time; the command
    # stores all that are left.
    with app.app_context():
        assert refresh_stored_changes(limit=1) == 2  # a lead and a follow-up
    result = app.test_cli_runner().invoke(args=["refresh-stored-changes"])
    assert f"Stored the changes of {len(stored) - 2} records." in result.output
    with app.app_context():
        assert refresh_stored_changes() == 0
    again = _stored(app)
    for key, (version, wire_version, text) in again.items():
        assert wire_version == version
        assert orjson.loads(text) == orjson.loads(stored[key][2])


def test_a_record_changed_after_its_session_committed_keeps_its_own_values(app, api_as, org):
    created = api_as(org.rep).post("/api/v1/leads", json={"contact_name": "Kept"}).json
    with app.app_context(), all_orgs():
        lead = db.session.scalars(select(Lead).where(Lead.contact_name == "Kept")).one()
        db.session.commit()  # every attribute is expired now, none is unset
        lead.notes = "changed later"
        db.session.commit()
    stored = orjson.loads(_stored(app)[created["id"]][2])
    assert stored["data"] == {**created, "notes": "changed later"}


def test_a_reassigned_lead_and_its_follow_ups_travel_from_current_stored_copies(app, api_as, org):
    lead, _bare = _leads_of_every_shape(api_as, org)
    response = api_as(org.lead).post(
        f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": str(org.rep2.id)}
    )
    assert response.status_code == 200
    stored = _stored(app)
    assert all(version == wire_version for version, wire_version, _ in stored.values())
    new_owner = api_as(org.rep2)
    device = Replica(new_owner)
    device.pull_all()
    rest = new_owner.get(f"/api/v1/leads/{lead['id']}").json
    follow_ups = rest.pop("follow_ups")
    assert device.of("lead")[lead["id"]] == rest
    assert [device.of("followup")[f["id"]] for f in follow_ups] == follow_ups
