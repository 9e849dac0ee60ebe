"""Offline capture: the app opens with no network, and what was done reaches the server once."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import ROBIN, capture_lead, log_call, sign_in, wait_controlled, wait_synced


@pytest.mark.parametrize("fail_first_push", [False, True], ids=["clean", "first-push-503"])
def test_offline_capture_reaches_server_once(new_context, api, fail_first_push):
    context = new_context()
    page = context.new_page()
    sign_in(page, ROBIN)
    wait_controlled(page)

    pushes = []
    if fail_first_push:

        def flaky(route):
            pushes.append(route.request.url)
            if len(pushes) == 1:
                route.fulfill(
                    status=503,
                    content_type="application/json",
                    body='{"error": {"code": "unavailable", "message": "try later"}}',
                )
            else:
                route.continue_()

        # The context sees the service worker's requests too (Background Sync pushes).
        context.route("**/api/v1/sync/push", flaky)

    first_lead = page.locator(".lead-name").first.inner_text()
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    expect(page.locator(".lead-name", has_text=first_lead).first).to_be_visible()  # with its data
    expect(page.get_by_role("status").first).to_contain_text("Offline")

    tag = uuid.uuid4().hex[:6]
    names = [f"Offline {tag} {i}" for i in range(3)]
    for i, name in enumerate(names):
        product = None if i else "Conveyor belt module"  # one from the catalogue, two typed
        capture_lead(page, name, f"+49 30 555{i:04d}", product=product)
        log_call(page, f"call about {name}")
    expect(page.get_by_role("status").first).to_contain_text("6 changes not sent")

    context.set_offline(False)
    wait_synced(page, timeout=30_000)
    if fail_first_push:
        assert len(pushes) >= 2, pushes

    robin = api(ROBIN)
    mine = [lead for lead in robin.all_leads() if lead["contact_name"] in names]
    assert sorted(lead["contact_name"] for lead in mine) == sorted(names)  # no duplicates
    for lead in mine:
        detail = robin.call("GET", f"/api/v1/leads/{lead['id']}")
        assert [f["kind"] for f in detail["follow_ups"]] == ["call"]
        assert detail["stage"] == "contacted"
    assert not page.get_by_role("status").first.get_by_text("not applied").is_visible()
