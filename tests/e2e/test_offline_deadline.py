"""An offline capture's first countdown is the real reply deadline: the device counts it in
the organisation's synced calendar (its zone, lunch break and holidays), not in its own
zone's 09:00–17:00, and the server's deadline after the sync is the one it showed.

The organisation is made for this test (the shared demo stays as it is): Shanghai hours
08:30–12:00 and 13:30–18:00 on weekdays, today a holiday there, and a 5-hour reply target;
the device's clock runs in New York. Today being a holiday keeps the test exact whenever it
runs: capture and sync fall in the same closed stretch, where the server (which starts the
clock when the lead arrives) and the device (from the capture) agree to the second.
Screenshots `95-`/`96-*.png` at 360×740.
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from app.business_time import BusinessCalendar
from tests.e2e.conftest import PASSWORD, VIEWPORT
from tests.e2e.helpers import capture_lead, sign_in, sync_now, wait_synced

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEVICE_ZONE = "America/New_York"
# A time as the app writes it (format.js fmtDateTime), in the page's locale and zone.
FORMAT = """(iso) => new Intl.DateTimeFormat(undefined, {dateStyle: 'medium', timeStyle: 'short'})
    .format(new Date(iso))"""


def _hours() -> dict:
    today = datetime.now(SHANGHAI).date()
    # Tomorrow too: a test started a second before midnight stays in one closed stretch.
    holidays = sorted({today.isoformat(), (today + timedelta(days=1)).isoformat()})
    return {
        "timezone": "Asia/Shanghai",
        "weekly": {
            day: [{"start": "08:30", "end": "12:00"}, {"start": "13:30", "end": "18:00"}]
            for day in ("mon", "tue", "wed", "thu", "fri")
        },
        "holidays": holidays,
        "overrides": {},
    }


def _signup(server: str, email: str) -> None:
    body = {"org_name": "Shanghai Pumps", "name": "Mei Admin", "email": email, "password": PASSWORD}
    request = urllib.request.Request(
        server + "/api/v1/auth/signup",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def test_an_offline_capture_counts_down_to_the_deadline_the_server_sets(
    browser, server, api, artifacts
):
    email = f"mei-{uuid.uuid4().hex[:8]}@shanghai-pumps.test"
    _signup(server, email)
    admin = api(email)
    admin.call("PATCH", "/api/v1/org", {"timezone": "Asia/Shanghai"})
    hours = _hours()
    admin.call(
        "POST",
        "/api/v1/sla/calendars",
        {"name": "Shanghai office", "kind": "sales", "definition": hours},
        expect=201,
    )
    admin.call(
        "POST",
        "/api/v1/sla/policies",
        {"name": "Reply within 5 h", "metric": "first_response", "target_minutes": 300},
        expect=201,
    )

    context = browser.new_context(
        viewport=VIEWPORT,
        base_url=server,
        service_workers="allow",
        timezone_id=DEVICE_ZONE,
        locale="en-US",
    )
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, email)  # the first sync brings the calendar, the policy, the org's zone
        context.set_offline(True)
        expect(page.get_by_role("status").first).to_contain_text("Offline")
        name = f"Wang {uuid.uuid4().hex[:6]}"
        captured_at = datetime.now(UTC)
        capture_lead(page, name, "+86 21 5555 0101")

        clock = page.locator("dd.sla")
        expect(clock.get_by_role("timer")).to_contain_text("Reply due")  # not the follow-up
        shown = re.search(r"Due (.+)", clock.inner_text()).group(1).strip()
        # What the server's hours give: the next working day 08:30, 3.5 h to noon, then
        # 1.5 h after lunch — 15:00 in Shanghai, shown in the device's New York time.
        calendar = BusinessCalendar.from_dict(hours)
        expected = calendar.add_business_time(captured_at, timedelta(minutes=300))
        assert expected.astimezone(SHANGHAI).strftime("%H:%M") == "15:00"
        assert shown == page.evaluate(FORMAT, expected.isoformat())
        page.screenshot(path=artifacts / "95-offline-deadline.png", full_page=True)

        context.set_offline(False)
        sync_now(page)
        wait_synced(page, timeout=30_000)
        [lead] = [x for x in admin.all_leads() if x["contact_name"] == name]
        server_sla = admin.call("GET", f"/api/v1/leads/{lead['id']}")["sla"]
        assert server_sla["metric"] == "first_response"
        assert page.evaluate(FORMAT, server_sla["due_at"]) == shown  # to the minute
        assert datetime.fromisoformat(server_sla["due_at"]) == expected
        # The device now shows the server's clock, the same deadline, no longer "estimated".
        expect(clock).to_contain_text(f"Due {shown}")
        expect(clock).not_to_contain_text("Updated on this device")
        page.screenshot(path=artifacts / "96-offline-deadline-synced.png", full_page=True)
    finally:
        context.close()
