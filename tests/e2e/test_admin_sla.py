"""SLA policies and business calendars in the administration, with the live preview "An
inquiry now would be due …", at 360×740 (screenshots `85-`–`89-*.png`).

The demo's sales calendar is Mon–Fri 08:00–18:00 in Berlin with Germany's holidays; its
catch-all first-response policy is 2 business hours. Every due time below is worked out by
hand from those. The browser runs in Berlin time, so an arrival typed into the form is
Berlin wall time, as the preview's answer is.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ADMIN, sign_in

CATCH_ALL = "Answer every inquiry within 2 business hours"


@pytest.fixture
def admin_page(browser, server):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        base_url=server,
        service_workers="allow",
        timezone_id="Europe/Berlin",
        locale="en-US",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, ADMIN)
    yield page
    context.close()


def office_hours(admin) -> dict:
    calendars = admin.call("GET", "/api/v1/sla/calendars")
    return next(c for c in calendars if c["name"] == "Office hours" and c["team_id"] is None)


def quiet_friday(definition: dict) -> date:
    """A Friday from next week on whose Friday, Monday and Tuesday are ordinary days."""
    special = set(definition["holidays"]) | set(definition["overrides"])
    day = date.today() + timedelta(days=7)
    day += timedelta(days=(4 - day.weekday()) % 7)
    while {(day + timedelta(days=n)).isoformat() for n in (0, 3, 4)} & special:
        day += timedelta(days=7)
    return day


def preview(page: Page):
    return page.get_by_test_id("sla-preview")


def arrive(page: Page, friday: date) -> None:
    page.get_by_label("Try another arrival time").fill(f"{friday.isoformat()}T16:30")


def test_admin_edits_a_policy_target_and_the_preview_follows(admin_page, api, artifacts):
    page, admin = admin_page, api(ADMIN)
    policy = next(p for p in admin.call("GET", "/api/v1/sla/policies") if p["name"] == CATCH_ALL)
    friday = quiet_friday(office_hours(admin)["definition"])
    try:
        page.goto("/admin/sla")
        expect(page.get_by_role("heading", name="SLA policies")).to_be_visible()
        expect(page.get_by_role("heading", name="First response")).to_be_visible()
        row = page.get_by_role("button", name=CATCH_ALL)
        expect(row).to_contain_text("Any priority · Any source")
        expect(row).to_contain_text("Within 2 h")
        page.screenshot(path=artifacts / "85-sla-policies.png", full_page=True)

        row.click()
        expect(page.get_by_role("heading", name="Edit policy")).to_be_visible()
        expect(page.get_by_label("Target (business time): hours")).to_have_value("2")
        # The organisation's own sources in the select, "Any source" first.
        expect(page.get_by_label("For source").locator("option").first).to_have_text("Any source")
        # Now: whatever the time, the answer names this policy and 2 h of business time.
        expect(preview(page)).to_contain_text("An inquiry now would be due")
        expect(preview(page)).to_contain_text("(in 2 h of business time)")
        expect(preview(page)).to_contain_text(f"Policy: {CATCH_ALL}")

        # Friday 16:30: 90 min until 18:00, the other 30 on Monday from 08:00.
        arrive(page, friday)
        expect(preview(page)).to_contain_text("would be due Mon 08:30 (in 2 h of business time)")
        # 3 hours: 90 min on Friday, 90 on Monday → 09:30 — before anything is saved.
        page.get_by_label("Target (business time): hours").fill("3")
        expect(preview(page)).to_contain_text("would be due Mon 09:30 (in 3 h of business time)")
        expect(preview(page)).to_contain_text("(as edited, not saved)")
        # 1 h 15 min: 75 min fits into Friday → Friday 17:45.
        page.get_by_label("Target (business time): hours").fill("1")
        page.get_by_label("Target (business time): minutes").fill("15")
        expect(preview(page)).to_contain_text("would be due Fri 17:45 (in 1 h 15 min of business")
        # What the server would refuse is stopped at the field, kept as typed.
        page.get_by_label("Target (business time): minutes").fill("75")
        expect(page.get_by_text("Minutes from 0 to 59")).to_be_visible()
        expect(preview(page)).to_contain_text("Complete the marked fields")
        page.get_by_label("Target (business time): minutes").fill("0")
        page.get_by_label("Target (business time): hours").fill("3")
        expect(preview(page)).to_contain_text("would be due Mon 09:30 (in 3 h of business time)")
        preview(page).scroll_into_view_if_needed()
        page.screenshot(path=artifacts / "86-sla-policy-form.png", full_page=True)

        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_role("status").filter(has_text=f"Saved “{CATCH_ALL}”")).to_be_visible()
        expect(page.get_by_role("button", name=CATCH_ALL)).to_contain_text("Within 3 h")
        stored = next(
            p for p in admin.call("GET", "/api/v1/sla/policies") if p["id"] == policy["id"]
        )
        assert (stored["target_minutes"], stored["warn_ratio"]) == (180, 0.8)
        assert stored["escalate_after_minutes"] == policy["escalate_after_minutes"]

        # Opened again, the saved target is what the preview counts with.
        page.get_by_role("button", name=CATCH_ALL).click()
        arrive(page, friday)
        expect(preview(page)).to_contain_text("would be due Mon 09:30 (in 3 h of business time)")
        expect(preview(page)).not_to_contain_text("not saved")
    finally:
        admin.call(
            "PATCH", f"/api/v1/sla/policies/{policy['id']}", {"target_minutes": 120, "active": True}
        )


def test_admin_adds_a_holiday_and_changes_hours_and_the_preview_moves(admin_page, api, artifacts):
    page, admin = admin_page, api(ADMIN)
    calendar = office_hours(admin)
    original = copy.deepcopy(calendar["definition"])
    friday = quiet_friday(original)
    monday = friday + timedelta(days=3)
    try:
        page.goto("/admin/calendars")
        expect(page.get_by_role("heading", name="Business calendars")).to_be_visible()
        row = page.get_by_role("button", name="Office hours The organisation")
        expect(row).to_contain_text("Mon–Fri 08:00–18:00")
        expect(page.get_by_role("button", name="Office hours Bavaria")).to_contain_text(
            "Field Sales South"
        )
        page.screenshot(path=artifacts / "87-sla-calendars.png", full_page=True)

        row.click()
        expect(page.get_by_role("heading", name="Edit calendar")).to_be_visible()
        expect(page.get_by_label("Monday from")).to_have_value("08:00")
        expect(page.get_by_label("Saturday from")).to_have_count(0)  # closed
        arrive(page, friday)
        # 90 min on Friday until 18:00, 30 on Monday from 08:00.
        expect(preview(page)).to_contain_text("would be due Mon 08:30 (in 2 h of business time)")

        # Monday a holiday: the 30 minutes move to Tuesday.
        page.get_by_label("New holiday").fill(monday.isoformat())
        page.get_by_role("button", name="Add holiday").click()
        expect(page.get_by_role("list", name="Holidays")).to_contain_text(
            monday.strftime("%b %-d, %Y")
        )
        expect(preview(page)).to_contain_text("would be due Tue 08:30")
        # Friday closing at 17:00: 30 min on Friday, 90 on Tuesday → 09:30.
        page.get_by_label("Friday until").fill("17:00")
        expect(preview(page)).to_contain_text("would be due Tue 09:30 (in 2 h of business time)")
        expect(preview(page)).to_contain_text("Hours: Office hours (as edited, not saved)")

        # Overlapping hours: the server's check, shown at the day while typing.
        page.get_by_role("button", name="Add hours on Monday").click()
        page.get_by_label("Monday from").nth(1).fill("12:00")
        page.get_by_label("Monday until").nth(1).fill("13:00")
        monday_group = page.get_by_role("group", name="Monday")
        expect(monday_group).to_contain_text("overlaps")
        expect(preview(page)).to_contain_text("Complete the marked fields")
        page.get_by_role("button", name="Remove Monday 12:00–13:00").click()
        expect(monday_group).not_to_contain_text("overlaps")
        expect(preview(page)).to_contain_text("would be due Tue 09:30")
        # Scrolled up to the hours, the answer stays in view above the tab bar.
        page.get_by_label("Friday until").scroll_into_view_if_needed()
        expect(page.locator(".sla-preview-dock")).to_have_text("Would be due Tue 09:30 (2 h)")
        page.screenshot(path=artifacts / "88-sla-calendar-form.png")

        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_role("status").filter(has_text="Saved “Office hours”")).to_be_visible()
        expect(page.get_by_role("button", name="Office hours The organisation")).to_contain_text(
            "Mon–Thu 08:00–18:00 · Fri 08:00–17:00"
        )
        page.screenshot(path=artifacts / "89-sla-calendars-saved.png", full_page=True)
        stored = office_hours(admin)["definition"]
        assert monday.isoformat() in stored["holidays"]
        assert stored["weekly"]["fri"] == [{"start": "08:00", "end": "17:00"}]
        assert stored["weekly"]["mon"] == original["weekly"]["mon"]
        assert set(stored["holidays"]) - set(original["holidays"]) == {monday.isoformat()}
        assert stored["overrides"] == original["overrides"]
    finally:
        admin.call("PATCH", f"/api/v1/sla/calendars/{calendar['id']}", {"definition": original})
