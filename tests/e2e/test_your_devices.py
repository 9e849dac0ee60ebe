"""Settings → "Your devices": the browsers that receive a rep's reminders and the apps signed
in with a device token, each removable; offline the section says it needs a connection and
the rest of Settings keeps working."""

from __future__ import annotations

import base64
import json
import secrets
import urllib.error
import urllib.request
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD
from tests.e2e.helpers import RILEY, sign_in, wait_controlled

CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
PHONE = "Riley's field phone"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _subscription(device_name: str | None) -> dict:
    """What ``PushSubscription.toJSON()`` gives: a real P-256 point and a 16-byte secret. The
    endpoint is https on a public push service's host, as the server requires (it never
    sends to it during this test)."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {
        "endpoint": f"https://fcm.googleapis.com/fcm/send/e2e-{uuid.uuid4().hex}",
        "expirationTime": None,
        "keys": {"p256dh": _b64url(point), "auth": _b64url(secrets.token_bytes(16))},
        "device_name": device_name,
    }


def _subscribe(session, body: dict, user_agent: str) -> dict:
    """POST /push/subscriptions as ``session`` with the browser's User-Agent."""
    request = urllib.request.Request(
        session.base + "/api/v1/push/subscriptions",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-CSRF-Token": session.csrf,
            "User-Agent": user_agent,
        },
    )
    with session.opener.open(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())


def _bearer_status(base: str, token: str) -> int:
    request = urllib.request.Request(
        base + "/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_your_devices_lists_and_removes_tokens_and_reminder_subscriptions(
    new_context, server, api, artifacts
):
    riley = api(RILEY)
    token = riley.call(
        "POST",
        "/api/v1/auth/tokens",
        {"email": RILEY, "password": PASSWORD, "device_name": "Integration X"},
        expect=201,
    )
    assert _bearer_status(server, token["token"]) == 200
    phone = _subscribe(riley, _subscription(PHONE), "Python-urllib/3")
    # Registered from "this browser" (see the stub below), with no name: named by its UA.
    here_body = _subscription(None)
    here = _subscribe(riley, here_body, CHROME_ANDROID)

    context = new_context()
    # Headless Chromium cannot reach a push service, so this browser's subscription is a
    # stand-in: getSubscription() answers the endpoint registered above, and unsubscribe()
    # records that it was called.
    context.add_init_script(
        """(() => {
            const endpoint = ENDPOINT;
            if (!self.PushManager) return;
            PushManager.prototype.getSubscription = async function () {
                if (localStorage.getItem('e2e-unsubscribed')) return null;
                return { endpoint, unsubscribe: async () => {
                    localStorage.setItem('e2e-unsubscribed', '1'); return true; } };
            };
        })();""".replace("ENDPOINT", json.dumps(here_body["endpoint"]))
    )
    page = context.new_page()
    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    sign_in(page, RILEY)
    wait_controlled(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    section = page.get_by_role("region", name="Your devices")
    expect(section.get_by_role("heading", name="Your devices", level=2)).to_be_visible()
    reminders = section.get_by_role("list", name="Reminders")
    apps = section.get_by_role("list", name="Signed-in apps and integrations")
    expect(apps.get_by_role("listitem").filter(has_text="Integration X")).to_be_visible()
    expect(apps).to_contain_text("Last used")  # the bearer check above used it
    expect(reminders.get_by_role("listitem").filter(has_text=PHONE)).to_be_visible()
    mine = reminders.get_by_role("listitem").filter(has_text="Chrome on Android")
    expect(mine).to_contain_text("This browser")
    expect(reminders.get_by_role("listitem").filter(has_text=PHONE)).not_to_contain_text(
        "This browser"
    )

    page.screenshot(path=artifacts / "10-your-devices.png", full_page=True)

    # Revoke the token: gone from the list and the server, and it no longer signs in.
    section.get_by_role("button", name="Revoke Integration X").click()
    expect(section.get_by_role("status")).to_have_text("Integration X revoked.")
    expect(apps.get_by_text("Integration X")).to_have_count(0)
    assert dialogs[-1].startswith("Revoke Integration X?")
    assert token["id"] not in [t["id"] for t in riley.call("GET", "/api/v1/auth/tokens")]
    assert _bearer_status(server, token["token"]) == 401

    # Remove the other phone's reminders.
    section.get_by_role("button", name=f"Remove reminders on {PHONE}").click()
    expect(section.get_by_role("status")).to_have_text(f"Reminders on {PHONE} removed.")
    expect(reminders.get_by_text(PHONE)).to_have_count(0)
    listed = [s["id"] for s in riley.call("GET", "/api/v1/push/subscriptions")]
    assert phone["id"] not in listed and here["id"] in listed
    assert page.evaluate("localStorage.getItem('e2e-unsubscribed')") is None

    # Remove this browser's own: off the server and unsubscribed locally too.
    own = "Remove reminders on Chrome on Android (this browser)"
    section.get_by_role("button", name=own).click()
    assert "This is the browser you are using now." in dialogs[-1]
    expect(section.get_by_text("No browser receives your reminders.")).to_be_visible()
    assert riley.call("GET", "/api/v1/push/subscriptions") == []
    assert page.evaluate("localStorage.getItem('e2e-unsubscribed')") == "1"
    expect(section.get_by_text("No app or integration is signed in as you.")).to_be_visible()
    assert riley.call("GET", "/api/v1/auth/tokens") == []

    # Offline: the section says it needs a connection, the rest of Settings works (also
    # after a reload from the service worker's precache).
    context.set_offline(True)
    expect(section.get_by_text("Needs a connection")).to_be_visible()
    expect(section.get_by_role("button")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    expect(section.get_by_text("Needs a connection")).to_be_visible()
    expect(page.locator("dl.facts").get_by_text("Riley Rep")).to_be_visible()
    page.get_by_role("button", name="Sync now").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    expect(page.get_by_role("heading", name="My queue", level=1)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(section.get_by_text("Needs a connection")).to_be_visible()

    # Back online: the list returns by itself.
    context.set_offline(False)
    expect(section.get_by_text("No browser receives your reminders.")).to_be_visible()
