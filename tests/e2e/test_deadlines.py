"""Deadlines people can trust (issue 11): a call never leaves a past next follow-up, a closed
lead shows no countdown and a lost one can be reopened, a possible duplicate links to its
twin. At 360×740, with screenshots `30-`–`34-*.png`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.e2e.helpers import RILEY, ROBIN, sign_in, sync_now, wait_synced


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _open(page: Page, name: str) -> None:
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def _detail_timer(page: Page):
    return page.locator(".facts [role=timer]")


def test_a_call_never_leaves_a_past_next_follow_up(new_context, api, artifacts):
    robin = api(ROBIN)
    tag = uuid.uuid4().hex[:6]
    stale = _iso(datetime.now(UTC) - timedelta(minutes=39))
    names = [f"Stale {tag} {i}" for i in range(2)]
    leads = []
    for name in names:
        # Contacted once, then given a next follow-up that has since passed: overdue.
        lead = robin.call("POST", "/api/v1/leads", {"contact_name": name}, expect=201)
        robin.call(
            "POST",
            f"/api/v1/leads/{lead['id']}/followups",
            {"kind": "call", "happened_at": _iso(datetime.now(UTC))},
        )
        robin.call("PATCH", f"/api/v1/leads/{lead['id']}", {"set": {"next_follow_up_at": stale}})
        leads.append(lead)
    page = new_context().new_page()
    sign_in(page, ROBIN)

    # The form offers a future next follow-up: the call keeps it.
    page.goto(f"/leads/{leads[0]['id']}")
    expect(page.get_by_role("heading", name=names[0])).to_be_visible()
    # The stale date pulled the clock in: due at once, before the call.
    expect(_detail_timer(page)).to_have_attribute("data-state", "breached")
    page.get_by_role("button", name="Called").click()
    offered = page.get_by_label("Next follow-up").input_value()
    assert offered > datetime.now().strftime("%Y-%m-%dT%H:%M"), offered
    page.screenshot(path=artifacts / "30-call-form-next-follow-up.png")
    # A past date is stopped at the field, nothing saved.
    page.get_by_label("Next follow-up").fill(
        (datetime.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Note").fill("tried a past date")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Pick a time later than now.")).to_be_visible()
    page.get_by_label("Next follow-up").fill(offered)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("tried a past date")).to_be_visible()
    expect(_detail_timer(page)).not_to_contain_text("Overdue")
    expect(_detail_timer(page)).to_contain_text("Follow-up due")
    wait_synced(page)
    expect(_detail_timer(page)).not_to_contain_text("Overdue")

    # With the field emptied, the stale date goes and the cadence decides, on the device
    # right away and on the server.
    page.goto(f"/leads/{leads[1]['id']}")
    expect(page.get_by_role("heading", name=names[1])).to_be_visible()
    page.get_by_role("button", name="Called").click()
    page.get_by_label("Next follow-up").fill("")
    page.get_by_label("Note").fill("no date this time")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("no date this time")).to_be_visible()
    expect(_detail_timer(page)).to_contain_text("Follow-up due")
    expect(_detail_timer(page)).not_to_contain_text("Overdue")
    wait_synced(page)
    expect(_detail_timer(page)).not_to_contain_text("Overdue")
    page.screenshot(path=artifacts / "31-after-call-countdown.png")
    for lead, next_set in zip(leads, (True, False), strict=True):
        stored = robin.call("GET", f"/api/v1/leads/{lead['id']}")
        assert (stored["next_follow_up_at"] is not None) is next_set, stored
        assert stored["next_follow_up_at"] is None or stored["next_follow_up_at"] > _iso(
            datetime.now(UTC)
        )
        assert stored["sla"]["metric"] == "follow_up"
        assert stored["sla"]["due_at"] > _iso(datetime.now(UTC)), stored["sla"]


def test_a_lost_lead_shows_no_countdown_and_can_be_reopened(new_context, api, artifacts):
    robin = api(ROBIN)
    name = f"Lost {uuid.uuid4().hex[:6]}"
    lead = robin.call("POST", "/api/v1/leads", {"contact_name": name}, expect=201)
    robin.call(
        "POST",
        f"/api/v1/leads/{lead['id']}/stage",
        {"stage": "lost", "lost_reason": "price_too_high"},
    )
    page = new_context().new_page()
    sign_in(page, ROBIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_role("searchbox").fill(name)
    row = page.locator(".lead-row", has_text=name)
    expect(row).to_contain_text("Closed · no deadline")
    expect(row.get_by_role("timer")).to_have_count(0)
    _open(page, name)
    expect(_detail_timer(page)).to_have_count(0)
    expect(page.locator(".facts")).not_to_contain_text("Due")
    page.screenshot(path=artifacts / "32-lost-lead.png")

    page.get_by_role("button", name="Reopen").click()
    page.get_by_label("Reopen as").select_option("negotiating")
    page.get_by_label("Why it is open again").fill("They called back about pricing")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".facts .stage")).to_have_text("Negotiating")
    expect(page.get_by_text("They called back about pricing")).to_be_visible()
    expect(_detail_timer(page)).to_contain_text("Reply due")
    wait_synced(page)
    page.screenshot(path=artifacts / "33-reopened.png")
    stored = robin.call("GET", f"/api/v1/leads/{lead['id']}")
    assert stored["stage"] == "negotiating" and stored["lost_reason"] is None
    assert [(f["kind"], f["note"]) for f in stored["follow_ups"]] == [
        ("note", "They called back about pricing")
    ]


def test_a_possible_duplicate_links_to_the_other_lead(new_context, api, artifacts):
    robin, riley = api(ROBIN), api(RILEY)
    tag = uuid.uuid4().hex[:6]
    digits = str(int(tag, 16) % 10_000_000).rjust(7, "0")
    first = robin.call(
        "POST", "/api/v1/leads", {"contact_name": f"Twin A {tag}", "phone": f"+49 30 {digits}"}
    )
    second = robin.call(
        "POST", "/api/v1/leads", {"contact_name": f"Twin B {tag}", "phone": f"+4930{digits}"}
    )
    assert second["possible_duplicate_of"] == first["id"]
    riley.call(
        "POST", "/api/v1/leads", {"contact_name": f"Hidden {tag}", "email": f"h{tag}@example.com"}
    )
    mine = robin.call(
        "POST", "/api/v1/leads", {"contact_name": f"Seen {tag}", "email": f"h{tag}@example.com"}
    )
    assert mine["possible_duplicate_of"] is not None

    page = new_context().new_page()
    sign_in(page, ROBIN)
    sync_now(page)
    wait_synced(page)
    page.goto(f"/leads/{second['id']}")
    expect(page.get_by_role("heading", name=f"Twin B {tag}")).to_be_visible()
    link = page.locator(".facts .duplicate").get_by_role("link", name=f"Twin A {tag}")
    expect(link).to_be_visible()
    page.screenshot(path=artifacts / "34-duplicate.png")
    link.click()
    expect(page.get_by_role("heading", name=f"Twin A {tag}")).to_be_visible()
    page.goto(f"/leads/{mine['id']}")
    expect(page.locator(".facts .duplicate")).to_contain_text("another lead you can't see")
