"""A reminder pushed to the service worker is shown, and tapping it opens the lead.

The push is a real `push` event delivered to the service worker through the DevTools
protocol (``ServiceWorker.deliverPushMessage``, what DevTools' "Push" button does), with the
payload made by the server's own ``payload_of``. No protocol can tap an OS notification, so
the tap runs the service worker's click handler (``self.leadsync.openFromNotification``, the
very function its ``notificationclick`` listener calls) on the real Notification object
returned by ``registration.getNotifications()``. Outside a real tap Chromium refuses
``WindowClient.focus()`` and ``clients.openWindow()``: the handler tolerates the first, and
for the second the test records the URL the handler asks for and opens it itself, as the
browser would.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from playwright.sync_api import BrowserContext, CDPSession, Page, Worker, expect

from app.push.models import Reminder
from app.push.outbox import default_topic, default_url, payload_of
from tests.e2e.helpers import ROBIN, sign_in, wait_controlled


def _reminder_payload(lead: dict, user_id: str) -> dict:
    """What the push sender would encrypt and send for an overdue first response."""
    lead_id = uuid.UUID(lead["id"])
    reminder = Reminder(
        org_id=uuid.UUID(lead["org_id"]) if lead.get("org_id") else uuid.uuid4(),
        id=uuid.uuid4(),
        user_id=uuid.UUID(user_id),
        kind="overdue",
        item_type="lead",
        item_id=lead_id,
        milestone="first_response:0:breached",
        title=f"First response overdue: {lead['contact_name']}",
        body="Was due Mon 10:00.",
        url=default_url("lead", lead_id),
        topic=default_topic(lead_id),
    )
    return json.loads(payload_of(reminder))


def _pump_until(page: Page, condition, what: str, timeout: float = 10.0):
    """CDP events reach Python only while it talks to Playwright: wait for one that way."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(25)


def _registration_id(page: Page, cdp: CDPSession) -> str:
    versions: list[dict] = []
    cdp.on("ServiceWorker.workerVersionUpdated", lambda e: versions.extend(e["versions"]))
    cdp.send("ServiceWorker.enable")
    active = _pump_until(
        page,
        lambda: [
            v for v in versions if v["status"] == "activated" and v["scriptURL"].endswith("/sw.js")
        ],
        "the active service worker's registration",
    )
    return active[-1]["registrationId"]


def _worker(context: BrowserContext) -> Worker:
    workers = [w for w in context.service_workers if w.url.endswith("/sw.js")]
    return workers[-1] if workers else context.wait_for_event("serviceworker")


# Runs in the service worker or in a page of the app.
NOTIFICATIONS = """async (tag) => {
    const reg = self.registration || (await navigator.serviceWorker.ready);
    return (await reg.getNotifications({tag})).map(
        (n) => ({title: n.title, body: n.body, tag: n.tag, data: n.data, icon: n.icon}));
}"""

TAP = """async ({tag, spyOpenWindow}) => {
    const [notification] = await registration.getNotifications({tag});
    if (!notification) throw new Error('no notification to tap');
    const asked = [];
    if (spyOpenWindow) clients.openWindow = async (url) => { asked.push(url); return null; };
    try {
        const result = await self.leadsync.openFromNotification(notification);
        return {result, asked};
    } finally {
        if (spyOpenWindow) delete clients.openWindow;
    }
}"""


@pytest.fixture
def robin_lead(api) -> tuple[dict, str]:
    robin = api(ROBIN)
    mine = [lead for lead in robin.all_leads() if lead["owner_id"] == robin.user["id"]]
    assert mine, "the demo gives Robin leads"
    return mine[0], robin.user["id"]


def _signed_in_app(new_context, server) -> tuple[BrowserContext, Page]:
    context = new_context()
    context.grant_permissions(["notifications"], origin=server)
    page = context.new_page()
    sign_in(page, ROBIN)
    wait_controlled(page)
    assert page.evaluate("Notification.permission") == "granted"
    return context, page


def _push(page: Page, cdp: CDPSession, server: str, registration: str, payload: dict) -> None:
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": server, "registrationId": registration, "data": json.dumps(payload)},
    )


def _assert_shown(worker_or_page, payload: dict, server: str, lead: dict) -> None:
    notes = worker_or_page.evaluate(NOTIFICATIONS, payload["tag"])
    assert len(notes) == 1, notes
    note = notes[0]
    assert note["title"] == payload["title"] == f"First response overdue: {lead['contact_name']}"
    assert note["body"] == payload["body"]
    assert note["tag"] == payload["tag"] == uuid.UUID(lead["id"]).hex
    assert note["data"]["url"] == f"{server}/leads/{lead['id']}"
    assert note["data"]["lead_id"] == lead["id"]
    assert note["data"]["kind"] == "overdue"
    assert note["icon"].endswith("/icons/icon-192.png")


def test_tapping_a_reminder_takes_the_open_app_to_the_lead(new_context, server, robin_lead):
    lead, user_id = robin_lead
    payload = _reminder_payload(lead, user_id)
    context, page = _signed_in_app(new_context, server)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()

    cdp = context.new_cdp_session(page)
    registration = _registration_id(page, cdp)
    _push(page, cdp, server, registration, payload)
    _pump_until(page, lambda: page.evaluate(NOTIFICATIONS, payload["tag"]), "the notification")
    _assert_shown(page, payload, server, lead)

    tapped = _worker(context).evaluate(TAP, {"tag": payload["tag"], "spyOpenWindow": False})
    assert tapped["asked"] == []  # the open window was used, no new one
    assert tapped["result"]["url"] == f"{server}/leads/{lead['id']}"

    expect(page).to_have_url(f"{server}/leads/{lead['id']}")
    heading = page.get_by_role("heading", name=lead["contact_name"], level=1)
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()  # a screen reader hears which lead it is
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    assert page.evaluate(NOTIFICATIONS, payload["tag"]) == []  # the tap closed it


def test_tapping_a_reminder_with_no_app_window_opens_the_lead(new_context, server, robin_lead):
    lead, user_id = robin_lead
    payload = _reminder_payload(lead, user_id)
    context, page = _signed_in_app(new_context, server)

    # A tab outside the app keeps the browser context (and the DevTools session) alive.
    other = context.new_page()
    cdp = context.new_cdp_session(other)
    registration = _registration_id(other, cdp)
    page.close()

    _push(other, cdp, server, registration, payload)
    worker = _worker(context)
    _pump_until(
        other,
        lambda: worker.evaluate(NOTIFICATIONS, payload["tag"]),
        "the notification, shown with no app window open",
    )
    _assert_shown(worker, payload, server, lead)
    assert (
        worker.evaluate(
            "clients.matchAll({type: 'window', includeUncontrolled: true}).then((c) => c.length)"
        )
        == 0
    )

    tapped = worker.evaluate(TAP, {"tag": payload["tag"], "spyOpenWindow": True})
    deep_link = f"{server}/leads/{lead['id']}"
    assert tapped["asked"] == [deep_link]  # a new window at the lead's deep link

    app = context.new_page()  # what clients.openWindow(deep_link) does on a real tap
    app.goto(tapped["asked"][0])
    expect(app.get_by_role("heading", name=lead["contact_name"], level=1)).to_be_visible()
    expect(app.get_by_role("heading", name="Timeline")).to_be_visible()
    assert app.evaluate("navigator.serviceWorker.controller !== null")  # the app, from its SW
    assert worker.evaluate(NOTIFICATIONS, payload["tag"]) == []
