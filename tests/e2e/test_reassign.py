"""Two reps' devices; the team lead reassigns a lead through the API; sync moves it."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.e2e.helpers import LEAD, RILEY, ROBIN, sign_in, sync_now, wait_synced


def test_reassigned_lead_moves_between_devices(new_context, api):
    team_lead = api(LEAD)
    robin_id, riley_id = api(ROBIN).user["id"], api(RILEY).user["id"]
    name = f"Reassign me {uuid.uuid4().hex[:6]}"
    lead = team_lead.call(
        "POST",
        "/api/v1/leads",
        {"contact_name": name, "owner_id": robin_id, "source": "website"},
        expect=201,
    )

    robin_page, riley_page = new_context().new_page(), new_context().new_page()
    sign_in(robin_page, ROBIN)
    sign_in(riley_page, RILEY)
    expect(robin_page.get_by_role("link", name=name)).to_be_visible()
    expect(riley_page.get_by_role("link", name=name)).to_have_count(0)

    team_lead.call("POST", f"/api/v1/leads/{lead['id']}/assign", {"owner_id": riley_id})

    for page in (robin_page, riley_page):
        sync_now(page)
        wait_synced(page)
    expect(robin_page.get_by_role("link", name=name)).to_have_count(0)
    expect(riley_page.get_by_role("link", name=name)).to_be_visible()
    # The old owner's device no longer holds it at all, not even by its address.
    robin_page.goto(f"/leads/{lead['id']}")
    expect(robin_page.get_by_role("heading", name="not on this device")).to_be_visible()
