"""The session survives a browser restart; an ended session keeps the device's unsent work.

An installed app on a phone is closed and reopened without network: it must open signed in
with the capture still pending, and send it once online (the session cookie lasts
SESSION_LIFETIME_DAYS, so the restarted browser still has it). When the server ends the
session (401), the sign-in screen comes and the outbox waits for the same person.
"""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, VIEWPORT
from tests.e2e.helpers import ROBIN, capture_lead, sign_in, wait_controlled, wait_synced


def _leads_named(api, name: str) -> list[dict]:
    return [lead for lead in api(ROBIN).all_leads() if lead["contact_name"] == name]


NO_BACKGROUND_SYNC = """
Object.defineProperty(ServiceWorkerRegistration.prototype, 'sync', {get: () => undefined});
"""


class NetworkCut:
    """No network for the pages and for the service worker: Playwright's offline emulation
    does not cover a Background Sync the worker runs, so its API calls are refused too."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def _refuse(self, route) -> None:
        self.refused.append(route.request.url)
        route.abort("internetdisconnected")

    def cut(self, context) -> None:
        context.set_offline(True)
        context.route("**/api/v1/**", self._refuse)

    def restore(self, context) -> None:
        context.unroute("**/api/v1/**", self._refuse)
        context.set_offline(False)


def test_reopened_offline_still_signed_in_and_sends_the_capture(
    browser, server, api, artifacts, tmp_path
):
    network = NetworkCut()

    def open_browser(offline: bool):
        # A persistent profile: cookies and IndexedDB survive closing it, as on a phone.
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            base_url=server,
            service_workers="allow",
            offline=offline,
        )
        # Without Background Sync (as in Firefox or Safari): Chromium would fire the sync
        # registered offline as soon as the reopened browser starts, on its real network and
        # before any emulation applies, and the capture would be sent before the rep looks.
        context.add_init_script(NO_BACKGROUND_SYNC)
        if offline:
            network.cut(context)
        context.set_default_timeout(15_000)
        return context

    context = open_browser(offline=False)
    page = context.pages[0] if context.pages else context.new_page()
    sign_in(page, ROBIN)
    wait_controlled(page)
    cookie = next(c for c in context.cookies() if c["name"] == "leadsync_session")
    assert cookie["expires"] > 0, "the session cookie must outlive the browser"

    network.cut(context)
    name = f"Restart {uuid.uuid4().hex[:6]}"
    capture_lead(page, name, "+49 30 5550199")
    expect(page.get_by_role("status").first).to_contain_text("1 change not sent")
    context.close()  # the whole browser goes, as when a phone restarts the app

    context = open_browser(offline=True)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto("/")
        # Still Robin, no sign-in screen, the capture still waiting to be sent.
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        expect(page.get_by_role("heading", name="Sign in to LeadSync")).to_have_count(0)
        status = page.get_by_role("status").first
        expect(status).to_contain_text("Offline")
        expect(status).to_contain_text("1 change not sent")
        expect(page.locator(".lead-name", has_text=name).first).to_be_visible()
        page.screenshot(path=str(artifacts / "session-reopened-offline.png"))
        assert _leads_named(api, name) == []

        network.restore(context)
        wait_synced(page, timeout=30_000)
        assert len(_leads_named(api, name)) == 1
        expect(page.get_by_role("heading", name="Sign in to LeadSync")).to_have_count(0)
    finally:
        context.close()


def test_an_ended_session_asks_to_sign_in_and_keeps_the_outbox(new_context, api, artifacts):
    context = new_context()
    page = context.new_page()
    sign_in(page, ROBIN)
    wait_controlled(page)
    context.set_offline(True)
    context.clear_cookies()  # the server no longer knows this browser (expired or ended)
    name = f"Ended {uuid.uuid4().hex[:6]}"
    capture_lead(page, name, "+49 30 5550198")
    context.set_offline(False)
    heading = page.get_by_role("heading", name="Sign in to LeadSync")
    expect(heading).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Your session has ended")).to_be_visible()
    expect(page.get_by_text("1 change not sent")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(ROBIN)
    page.screenshot(path=str(artifacts / "session-ended.png"))
    assert _leads_named(api, name) == []

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    wait_synced(page, timeout=30_000)
    assert len(_leads_named(api, name)) == 1
