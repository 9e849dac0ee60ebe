"""What a person does in the PWA, as Playwright steps."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import PASSWORD

ADMIN = "admin@demo.leadsync.test"
ROBIN = "robin@demo.leadsync.test"
RILEY = "riley@demo.leadsync.test"
LEAD = "lead@demo.leadsync.test"
CASEY = "casey@demo.leadsync.test"


def sign_in(page: Page, email: str) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    wait_synced(page)


def wait_synced(page: Page, timeout: float = 20_000) -> None:
    """Until the status bar says every change is sent and a sync has completed."""
    bar = page.get_by_role("status").first
    expect(bar).to_contain_text("All changes sent", timeout=timeout)
    expect(bar).to_contain_text("Synced", timeout=timeout)
    expect(bar).not_to_contain_text("Syncing", timeout=timeout)


SW_STATE = """async () => {
    const reg = await navigator.serviceWorker.getRegistration();
    const state = (w) => w && w.state;
    return {url: location.href, controlled: !!navigator.serviceWorker.controller,
            registration: reg ? {installing: state(reg.installing), waiting: state(reg.waiting),
                                 active: state(reg.active)} : null};
}"""


def wait_controlled(page: Page, timeout: float = 10_000) -> None:
    """Until the service worker controls the page (normally well under a second: the worker
    claims every page on activation, and a page it missed asks to be claimed)."""
    try:
        page.wait_for_function(
            "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
            polling=50,
            timeout=timeout,
        )
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"no service worker controls the page: {page.evaluate(SW_STATE)}"
        ) from None


def sync_now(page: Page) -> None:
    page.get_by_role("button", name="Sync now").first.click()


def capture_lead(page: Page, name: str, phone: str, product: str | None = None) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    expect(page.get_by_role("heading", name="New inquiry")).to_be_visible()
    page.get_by_label("Contact name").fill(name)
    page.get_by_label("Phone").fill(phone)
    if product:
        page.get_by_label("Product", exact=True).select_option(label=product)
    else:
        page.get_by_label("Or type the product").fill("Spare parts")
    page.get_by_label("Source").select_option("phone")  # no preset source: the person picks
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def log_call(page: Page, note: str) -> None:
    page.get_by_role("button", name="Called").click()
    page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(note)).to_be_visible()


def ask_question(
    page: Page, slug: str, name: str, email: str, message: str, product: str | None = None
) -> str:
    """A consumer asks through the organisation's public form (/q/<slug>, no JavaScript);
    returns the private conversation's URL from the thank-you page."""
    page.goto(f"/q/{slug}")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    if product:
        page.get_by_label("Product", exact=True).select_option(label=product)
    page.get_by_label("Your question").fill(message)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you, we have your question")).to_be_visible()
    return page.locator("a.link").get_attribute("href")


def open_question(page: Page, name: str, timeout: float = 30_000) -> None:
    """On the desk: wait for the consumer's question to appear (no reload), then open it."""
    row = page.get_by_role("list", name="Questions").get_by_role("link", name=name)
    expect(row.first).to_be_visible(timeout=timeout)
    row.first.click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
