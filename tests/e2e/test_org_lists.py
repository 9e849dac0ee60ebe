"""The organisation's own lead sources and lost reasons reach a rep's device by sync (the
``org`` entity) and are exactly what quick capture and "Lost" offer."""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import expect

from tests.e2e.helpers import ADMIN, ROBIN, sign_in, sync_now, wait_synced

SOURCES = ["website", "Alibaba"]
REASONS = ["price_too_high", "Delivery time too long"]


def _server_lead(rep, name: str, **expected) -> dict:
    """The lead as the server holds it, once it matches (the push may still be on its way)."""
    deadline = time.monotonic() + 20
    while True:
        found = [lead for lead in rep.all_leads() if lead["contact_name"] == name]
        if found and all(found[0].get(k) == v for k, v in expected.items()):
            return found[0]
        assert time.monotonic() < deadline, (name, expected, found)
        time.sleep(0.25)


def test_org_lists_reach_capture_and_lost_reason(new_context, api):
    admin, robin = api(ADMIN), api(ROBIN)
    page = new_context().new_page()
    sign_in(page, ROBIN)
    nav = page.get_by_role("navigation", name="Main")
    source = page.get_by_label("Source")

    # Before the organisation sets its own lists: the defaults.
    nav.get_by_role("link", name="New").click()
    expect(source.locator("option")).to_have_count(9)  # "Choose…" and the 8 defaults
    expect(source).to_have_value("")  # no preset source: the person picks

    lists = admin.call("PATCH", "/api/v1/org", {"lead_sources": SOURCES, "lost_reasons": REASONS})
    try:
        assert (lists["lead_sources"], lists["lost_reasons"]) == (SOURCES, REASONS)
        sync_now(page)
        # The open form follows the sync: exactly the organisation's sources, in order, and
        # still nothing preset (the organisation set no default_source).
        expect(source.locator("option")).to_have_text(["Choose…", "Website", "Alibaba"])
        expect(source).to_have_value("")
        wait_synced(page)

        name = f"Org lists {uuid.uuid4().hex[:6]}"
        page.get_by_label("Contact name").fill(name)
        source.select_option(label="Alibaba")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        facts = page.locator("dl.facts")
        expect(facts.locator("dt:text-is('Source') + dd")).to_have_text("Alibaba")
        wait_synced(page)
        lead = _server_lead(robin, name, source="Alibaba")

        page.get_by_role("button", name="Lost").click()
        reason = page.get_by_label("Reason")
        expect(reason.locator("option")).to_have_text(["Price too high", "Delivery time too long"])
        reason.select_option(label="Delivery time too long")
        page.get_by_role("button", name="Save").click()
        stage = facts.locator("dt:text-is('Stage') + dd")
        expect(stage).to_have_text("Lost · Delivery time too long")
        wait_synced(page)
        lost = _server_lead(robin, name, stage="lost", lost_reason="Delivery time too long")
        assert lost["id"] == lead["id"]
        assert not page.get_by_role("status").first.get_by_text("not applied").is_visible()

        # A lead whose source the list no longer has still shows it, labelled.
        mia = next(x for x in robin.all_leads() if x["contact_name"] == "Mia Schulz")
        page.goto(f"/leads/{mia['id']}")
        expect(facts.locator("dt:text-is('Source') + dd")).to_have_text("Trade show")
    finally:
        admin.call("PATCH", "/api/v1/org", {"lead_sources": None, "lost_reasons": None})
