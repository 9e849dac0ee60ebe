"""Pull writes records in SQL (for speed), REST in Python: both must send the same thing."""

from __future__ import annotations

from app.leads.wire import FOLLOW_UP_KEYS, LEAD_KEYS, follow_up_wire, lead_wire
from tests.sync.syncing import Replica


class Anything:
    def __getattr__(self, name):
        return None


def test_the_key_lists_match_the_serializers():
    assert tuple(lead_wire(Anything())) == (*LEAD_KEYS, "sla")
    assert tuple(follow_up_wire(Anything())) == FOLLOW_UP_KEYS


def test_pull_and_rest_send_identical_leads_and_follow_ups(api_as, org):
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

    device = Replica(rep)
    device.pull_all()
    for one in (lead, bare):
        rest = rep.get(f"/api/v1/leads/{one['id']}").json
        follow_ups = rest.pop("follow_ups")
        assert device.of("lead")[one["id"]] == rest
        for follow_up in follow_ups:
            assert device.of("followup")[follow_up["id"]] == follow_up
    assert device.of("lead")[lead["id"]]["sla"]["state"] == "paused"
