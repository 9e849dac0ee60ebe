"""The installable shell: service worker, manifest, icons; and a screenshot of each screen."""

from __future__ import annotations

import struct
import time
import urllib.request

from playwright.sync_api import expect

from tests.e2e.helpers import (
    CASEY,
    LEAD,
    ROBIN,
    capture_lead,
    sign_in,
    wait_controlled,
)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_service_worker_controls_the_page(new_context):
    page = new_context().new_page()
    page.goto("/")
    wait_controlled(page)
    info = page.evaluate(
        """async () => {
            const reg = await navigator.serviceWorker.getRegistration();
            return {scope: reg.scope, script: reg.active.scriptURL,
                    controller: navigator.serviceWorker.controller.scriptURL,
                    caches: await caches.keys()};
        }"""
    )
    assert info["script"].endswith("/sw.js")
    assert info["controller"].endswith("/sw.js")
    assert any("precache" in name for name in info["caches"]), info


def _pump(page, condition, what: str, timeout: float = 10.0):
    """Route handlers and worker calls run only while Python talks to Playwright."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(20)


def test_a_page_loaded_while_the_worker_activates_is_controlled(new_context, server):
    """The race behind slow `wait_controlled`s: clients.claim() on activation skips a page
    whose navigation is in flight (the screenshot test navigates twice in a row, and a slow
    machine stretches the worker's install over the second navigation). Made certain here:
    the worker's install is held until a second navigation has started, and that navigation's
    answer is held until the worker is active. The app then asks to be claimed."""
    context = new_context()
    held_precache, held_navigation = [], []
    hold_navigation = False

    def navigation(route):
        if hold_navigation and route.request.is_navigation_request():
            held_navigation.append(route)
        else:
            route.continue_()

    # Fetched only by the worker's precache, so the install waits for it.
    context.route("**/icons/icon-maskable-512.png", lambda route: held_precache.append(route))
    context.route("**/settings", navigation)
    page = context.new_page()
    page.goto("/")
    _pump(page, lambda: held_precache, "the worker's precache request")
    hold_navigation = True
    page.evaluate("setTimeout(() => location.assign('/settings'), 0)")
    _pump(page, lambda: held_navigation, "the second navigation")
    held_precache[0].continue_()
    worker = context.service_workers[0]
    _pump(
        page,
        lambda: worker.evaluate("registration.active?.state === 'activated'"),
        "the worker's activation",
    )
    held_navigation[0].continue_()
    page.wait_for_url("**/settings")
    started = time.monotonic()
    wait_controlled(page, timeout=5_000)
    assert time.monotonic() - started < 3


def test_manifest_is_valid(server, new_context):
    page = new_context().new_page()
    page.goto("/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(href)
    assert response.ok
    manifest = response.json()
    assert manifest["name"] == "LeadSync"
    assert manifest["short_name"]
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    sizes = {}
    for icon in manifest["icons"]:
        with urllib.request.urlopen(server + icon["src"]) as r:
            assert r.headers["Content-Type"] == "image/png"
            width, height = _png_size(r.read())
        assert icon["sizes"] == f"{width}x{height}"
        sizes[icon["sizes"]] = icon.get("purpose", "any")
    assert "192x192" in sizes and "512x512" in sizes
    assert "maskable" in sizes.values()


def test_screenshots_of_each_screen(new_context, artifacts):
    page = new_context().new_page()
    page.goto("/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.screenshot(path=artifacts / "01-sign-in.png")

    sign_in(page, ROBIN)
    wait_controlled(page)
    page.screenshot(path=artifacts / "02-my-queue.png")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    page.get_by_label("Contact name").fill("Grace Hopper")
    page.get_by_label("Phone").fill("+49 30 9876543")
    page.screenshot(path=artifacts / "03-capture.png")
    page.get_by_role("button", name="Cancel").click()

    capture_lead(page, "Screenshot Lead", "+49 30 1112223", product="Conveyor belt module")
    page.get_by_role("button", name="Called").click()
    page.get_by_label("Note").fill("Asked for a quote next week")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Sent quote").click()
    page.screenshot(path=artifacts / "04-lead-detail.png")
    page.get_by_role("button", name="Cancel").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Search leads on this device").fill("screenshot")
    expect(page.get_by_role("link", name="Screenshot Lead")).to_be_visible()
    page.screenshot(path=artifacts / "05-search.png")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.screenshot(path=artifacts / "06-settings.png")

    context = new_context()
    lead_page = context.new_page()
    sign_in(lead_page, LEAD)
    lead_page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(lead_page.get_by_role("heading", name="Team board")).to_be_visible()
    lead_page.screenshot(path=artifacts / "07-team-board.png")

    cs_page = new_context().new_page()
    sign_in(cs_page, CASEY)
    expect(cs_page.get_by_role("heading", name="Question queue")).to_be_visible()
    cs_page.screenshot(path=artifacts / "08-questions.png")


def test_working_hours_set_in_settings_reach_the_server(new_context, api):
    page = new_context().new_page()
    sign_in(page, LEAD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    section = page.get_by_role("region", name="Working hours")
    expect(section).to_be_visible()
    section.get_by_label("Time zone").fill("Europe/Berlin")
    section.get_by_label("Start (Mon–Fri)").fill("10:00")
    section.get_by_label("End (Mon–Fri)").fill("16:00")
    section.get_by_label("Send me escalations at any hour").check()
    section.get_by_role("button", name="Save").click()
    expect(section.get_by_role("status")).to_have_text("Saved.")
    preferences = api(LEAD).call("GET", "/api/v1/auth/me/preferences")
    assert preferences["timezone"] == "Europe/Berlin"
    assert preferences["escalations_any_hour"] is True
    assert preferences["working_hours"]["weekly"]["wed"] == [{"start": "10:00", "end": "16:00"}]
