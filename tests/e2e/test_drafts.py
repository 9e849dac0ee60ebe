"""Never lose a capture: checks before saving, a refused capture kept as a fixable draft,
and a double tap on Save making one lead (at 360×740, against the real server)."""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.helpers import ROBIN, sign_in, wait_synced

# Text of a draft at least 16 px, every button and link-button at least 44×44 px.
SIZES = """(root) => {
    const el = document.querySelector(root);
    const small = [];
    for (const b of el.querySelectorAll('button, a.button, input, textarea')) {
        const r = b.getBoundingClientRect();
        if (r.width < 44 || r.height < 44)
            small.push(`${b.tagName} ${b.textContent} ${r.width}x${r.height}`);
    }
    for (const t of el.querySelectorAll('p, span, label, h2, button, a')) {
        const size = parseFloat(getComputedStyle(t).fontSize);
        if (t.textContent.trim() && size < 16)
            small.push(`${t.tagName} "${t.textContent.slice(0, 30)}" ${size}px`);
    }
    const r = el.getBoundingClientRect();
    if (r.right > innerWidth + 1) small.push(`overflows: ${r.right} > ${innerWidth}`);
    return small;
}"""


def open_capture(page: Page, name: str, phone: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    expect(page.get_by_role("heading", name="New inquiry")).to_be_visible()
    page.get_by_label("Contact name").fill(name)
    page.get_by_label("Phone").fill(phone)
    page.get_by_label("Or type the product").fill("Spare parts")
    page.get_by_label("Source").select_option("phone")  # no preset source: the person picks


def leads_named(api, name: str) -> list[dict]:
    return [lead for lead in api(ROBIN).all_leads() if lead["contact_name"] == name]


def until_on_server(api, name: str, seconds: float = 20) -> list[dict]:
    """The leads of that name once the server has one (a push is on its way)."""
    deadline = time.monotonic() + seconds
    while True:
        found = leads_named(api, name)
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


def test_client_check_blocks_text_as_phone(new_context, artifacts):
    page = new_context().new_page()
    sign_in(page, ROBIN)
    open_capture(page, "Bad Phone Bernd", "call me maybe")
    page.get_by_role("button", name="Save").click()
    phone = page.get_by_label("Phone")
    expect(page.get_by_text("Not a phone number")).to_be_visible()
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_be_focused()
    expect(page.get_by_role("heading", name="New inquiry")).to_be_visible()  # not saved
    expect(page.get_by_role("status").first).to_contain_text("All changes sent")
    page.screenshot(path=str(artifacts / "20-capture-phone-check.png"))
    # Fixed as typed: the message goes, and Save saves.
    phone.fill("+49 30 1234567")
    expect(page.get_by_text("Not a phone number")).to_have_count(0)
    page.get_by_label("Contact name").fill("n" * 201)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("At most 200 characters.")).to_be_visible()


def test_refused_capture_stays_as_a_fixable_draft(new_context, api, artifacts):
    page = new_context().new_page()
    sign_in(page, ROBIN)
    name = f"Draft {uuid.uuid4().hex[:6]}"
    # "+49 12" passes the lenient check on the phone, not the server's libphonenumber.
    open_capture(page, name, "+49 12")
    page.get_by_label("Notes").fill("Wants three pumps by Friday")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    wait_synced(page)

    draft = page.locator("form.draft")
    expect(draft).to_be_visible()
    expect(draft).to_contain_text("Not accepted by the server: new lead")
    expect(draft).to_contain_text("Add the area code.")  # the server's libphonenumber
    expect(draft.get_by_label("Notes")).to_have_value("Wants three pumps by Friday")
    expect(page.get_by_text("This lead is only on this device")).to_be_visible()
    assert leads_named(api, name) == []
    assert page.evaluate(SIZES, "form.draft") == []
    page.screenshot(path=str(artifacts / "21-draft-lead-detail.png"), full_page=True)

    # Findable: the queue and search show it, marked.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Search leads on this device").fill(name)
    row = page.locator(".lead-row", has_text=name)
    expect(row).to_contain_text("Needs fixing")

    # The problems page: Discard asks first; Keep keeps it.
    page.goto("/problems")
    item = page.locator(".draft-problem", has_text=name)
    expect(item).to_contain_text("Needs fixing")
    item.get_by_role("button", name="Discard").click()
    expect(item).to_contain_text("Discard what you typed?")
    assert page.evaluate(SIZES, ".draft-problem") == []
    page.screenshot(path=str(artifacts / "22-draft-problems.png"), full_page=True)
    item.get_by_role("button", name="Keep").click()
    item.get_by_role("link", name="Fix it").click()

    # Fixed and sent again: one lead on the server with the fixed phone, the draft gone.
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    draft.get_by_label("Phone").fill("call me maybe")
    draft.get_by_role("button", name="Send again").click()
    expect(draft).to_contain_text("Not a phone number")  # the same check before sending
    draft.get_by_label("Phone").fill("+49 30 1234567")
    draft.get_by_role("button", name="Send again").click()
    expect(page.locator("form.draft")).to_have_count(0)
    # The status bar may still say "All changes sent" from before the click: wait for the
    # server to hold the lead, then for the device to have pulled it back.
    found = until_on_server(api, name)
    wait_synced(page)
    expect(page.get_by_text("This lead is only on this device")).to_have_count(0)
    assert len(found) == 1, found
    assert found[0]["phone"].replace(" ", "") == "+49301234567"
    assert found[0]["notes"] == "Wants three pumps by Friday"
    page.screenshot(path=str(artifacts / "23-draft-sent.png"))


def test_double_tap_on_save_makes_one_lead(new_context, api):
    page = new_context().new_page()
    sign_in(page, ROBIN)
    name = f"Double {uuid.uuid4().hex[:6]}"
    open_capture(page, name, "+49 30 7654321")
    pushes = []
    page.on("request", lambda r: pushes.append(r) if r.url.endswith("/api/v1/sync/push") else None)
    page.get_by_role("button", name="Save").dblclick()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    until_on_server(api, name)
    wait_synced(page)
    assert len(leads_named(api, name)) == 1

    # Two submits in the same task (before any re-render): still one.
    name2 = f"Twice {uuid.uuid4().hex[:6]}"
    open_capture(page, name2, "+49 30 7654322")
    page.evaluate(
        "() => { const f = document.querySelector('form'); f.requestSubmit(); f.requestSubmit(); }"
    )
    expect(page.get_by_role("heading", name=name2)).to_be_visible()
    until_on_server(api, name2)
    wait_synced(page)
    assert len(leads_named(api, name2)) == 1
    sent = [m for r in pushes for m in (r.post_data_json or {}).get("mutations", [])]
    assert sorted(m["args"].get("contact_name") for m in sent) == sorted([name, name2])
