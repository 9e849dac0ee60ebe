"""Screens people expect, at 360×740: tap targets and text sizes on every main screen, a
one-line status bar when all is well, reassigning with a confirmation and Undo, phones in
their normalised form, customer service's hand-over, a call logged offline and the team
board's countdowns. Screenshots `50-`–`60-*.png`."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    ADMIN,
    CASEY,
    LEAD,
    RILEY,
    ROBIN,
    sign_in,
    sync_now,
    wait_synced,
)

# Every visible button, link, input, select, textarea and summary is a tap target of at
# least 44×44 px (a checkbox is tapped through its label, the whole row, so the label is
# measured). No exemption for inline links is needed: the app has none inside running text.
# And every visible piece of text is at least 16 px.
MEASURE = """() => {
    const bad = [];
    const shown = (el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth
            && getComputedStyle(el).visibility !== 'hidden';
    };
    const what = (el) => {
        const name = el.innerText || el.getAttribute('aria-label') || el.name || '';
        const cls = el.className ? '.' + el.className : '';
        return `${el.tagName.toLowerCase()}${cls} "${name.trim().slice(0, 40)}"`;
    };
    const TAPPABLE = 'button, a[href], input, select, textarea, summary';
    for (const el of document.querySelectorAll(TAPPABLE)) {
        if (!shown(el)) continue;
        const box = el.type === 'checkbox' || el.type === 'radio';
        const target = (box && el.closest('label')) || el;
        const r = target.getBoundingClientRect();
        if (r.width < 43.5 || r.height < 43.5)
            bad.push(`${what(el)} is ${Math.round(r.width)}×${Math.round(r.height)} px`);
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const small = new Set();
    while (walker.nextNode()) {
        const text = walker.currentNode;
        const el = text.parentElement;
        if (!text.data.trim() || !el || el.closest('option') || !shown(el)) continue;
        const size = parseFloat(getComputedStyle(el).fontSize);
        if (size < 16) small.add(`${what(el)} text at ${size}px`);
    }
    return [...bad, ...small];
}"""


@pytest.fixture(autouse=True)
def _close_what_was_opened(api):
    """The package's tests share one server, and a queue renders its most urgent rows first:
    leads left open here would push other tests' rows out of view. Closed when done."""
    admin = api(ADMIN)
    before = {lead["id"] for lead in admin.all_leads()}
    yield
    reason = admin.call("GET", "/api/v1/org")["lost_reasons"][0]
    for lead in admin.all_leads():
        if lead["id"] not in before and lead["stage"] not in ("won", "lost"):
            admin.call(
                "POST",
                f"/api/v1/leads/{lead['id']}/stage",
                {"stage": "lost", "lost_reason": reason},
            )


def measure(page: Page, screen: str, failures: dict[str, list[str]]) -> None:
    bad = page.evaluate(MEASURE)
    if bad:
        failures[screen] = bad


def bar_height(page: Page) -> float:
    return page.locator(".statusbar").evaluate("el => el.getBoundingClientRect().height")


def assert_bar_one_line(page: Page, who: str) -> None:
    """All well: the status bar is one line (one 44 px row and its padding) at 360 px."""
    bar = page.get_by_role("status").first
    expect(bar).to_contain_text("All changes sent")
    expect(bar).to_contain_text("Synced")
    expect(bar).not_to_contain_text("Syncing")
    height = bar_height(page)
    assert height <= 56, f"{who}: the status bar is {height} px high when all is well"
    tops = page.locator(".statusbar > :not(.sr-only)").evaluate_all(
        "els => els.map((e) => Math.round(e.getBoundingClientRect().top"
        " + e.getBoundingClientRect().height / 2))"
    )
    assert max(tops) - min(tops) <= 2, f"{who}: status bar items on more than one line {tops}"


def _screens(page: Page) -> list[str]:
    return page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()


def _visit(page: Page, link: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_timeout(150)  # rows rendered after the heading


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _make_problems(page: Page, api) -> tuple[str, str]:
    """A refused capture (a draft: Fix it, Discard, Send again) and a conflict (Dismiss)."""
    robin = api(ROBIN)
    tag = uuid.uuid4().hex[:6]
    conflicted = robin.call(
        "POST",
        "/api/v1/leads",
        {"contact_name": f"Conflict {tag}", "company": "Old GmbH", "source": "phone"},
        expect=201,
    )
    page.goto(f"/leads/{conflicted['id']}")  # online: the app syncs as it opens
    expect(page.get_by_role("heading", name=conflicted["contact_name"])).to_be_visible()
    wait_synced(page)
    page.context.set_offline(True)
    page.get_by_role("button", name="Edit details").click()
    page.get_by_label("Company").fill("Mine GmbH")
    page.get_by_role("button", name="Save").click()
    robin.call("PATCH", f"/api/v1/leads/{conflicted['id']}", {"set": {"company": "Theirs GmbH"}})
    draft = f"Draft {tag}"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    page.get_by_label("Contact name").fill(draft)
    page.get_by_label("Phone").fill("+49 12")  # passes the device's check, not the server's
    page.get_by_label("Source").select_option("phone")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=draft)).to_be_visible()
    page.context.set_offline(False)
    expect(page.get_by_role("link", name="2 changes not applied")).to_be_visible(timeout=20_000)
    return conflicted["id"], draft


def test_tap_targets_text_sizes_and_a_one_line_status_bar(new_context, api, artifacts):
    failures: dict[str, list[str]] = {}
    for who in (ROBIN, LEAD, CASEY, ADMIN):
        page = new_context().new_page()
        sign_in(page, who)
        for link in _screens(page):
            _visit(page, link)
            assert_bar_one_line(page, f"{who} on {link}")
            measure(page, f"{who}: {link}", failures)
        if who == ADMIN:
            page.goto("/admin")
            expect(page.get_by_role("heading", name="Administration")).to_be_visible()
            measure(page, f"{who}: administration", failures)
        if who == LEAD:
            _visit(page, "Team")
            page.screenshot(path=str(artifacts / "50-team-board.png"))

    page = new_context().new_page()
    sign_in(page, ROBIN)
    page.locator(".lead-link").first.click()
    expect(page.get_by_role("heading", name="Log a follow-up")).to_be_visible()
    assert_bar_one_line(page, "lead detail")
    measure(page, "rep: lead detail", failures)
    page.screenshot(path=str(artifacts / "51-lead-detail.png"), full_page=True)
    page.get_by_role("button", name="Called").click()
    measure(page, "rep: lead detail, logging a call", failures)

    # Something needs attention: the bar says what, and may grow; its targets stay big.
    conflict_id, draft = _make_problems(page, api)
    bar = page.get_by_role("status").first
    expect(bar).to_contain_text("2 changes not applied")
    assert bar_height(page) > 56  # the state, what is waiting, the problems link, Sync now
    measure(page, "rep: status bar with problems", failures)
    page.get_by_role("link", name="2 changes not applied").click()
    expect(page.get_by_role("heading", name="Changes not applied")).to_be_visible()
    expect(page.get_by_role("button", name="Dismiss")).to_be_visible()
    expect(page.get_by_role("button", name="Discard")).to_be_visible()
    measure(page, "rep: problems", failures)
    page.screenshot(path=str(artifacts / "52-problems.png"), full_page=True)
    page.get_by_role("link", name="Fix it").click()
    expect(page.get_by_role("button", name="Send again")).to_be_visible()
    measure(page, "rep: a draft on its lead", failures)
    page.goto(f"/leads/{conflict_id}")
    expect(page.get_by_role("button", name="Dismiss")).to_be_visible()
    measure(page, "rep: a conflict on its lead", failures)

    page.context.set_offline(True)
    expect(bar).to_contain_text("Offline")
    measure(page, "rep: offline", failures)
    page.screenshot(path=str(artifacts / "53-status-offline.png"))
    page.context.set_offline(False)

    assert not failures, "\n".join(
        f"== {screen}\n  " + "\n  ".join(items) for screen, items in failures.items()
    )


def test_status_bar_says_how_long_ago_it_synced(new_context):
    page = new_context().new_page()
    sign_in(page, ROBIN)
    bar = page.locator(".statusbar")
    # The bar ticks every 15 s: a past sync reads "… seconds ago", never "in … seconds".
    expect(bar).to_contain_text(re.compile(r"Synced \d+ seconds? ago"), timeout=25_000)
    assert " in " not in bar.inner_text()
    assert bar_height(page) <= 56


def _owner_select(page: Page):
    return page.get_by_label("Reassign to", exact=True)


def test_reassigning_asks_first_and_can_be_undone(new_context, api, artifacts):
    team_lead, robin, riley = api(LEAD), api(ROBIN), api(RILEY)
    names = {robin.user["id"]: robin.user["name"], riley.user["id"]: riley.user["name"]}
    tag = uuid.uuid4().hex[:6]
    leads = [
        team_lead.call(
            "POST",
            "/api/v1/leads",
            {"contact_name": f"Undo me {tag} {i}", "owner_id": robin.user["id"], "source": "phone"},
            expect=201,
        )
        for i in range(2)
    ]
    page = new_context().new_page()
    sign_in(page, LEAD)

    # On the lead: choosing someone asks first; Cancel changes nothing.
    page.goto(f"/leads/{leads[0]['id']}")
    select = _owner_select(page)
    expect(select).to_have_value(robin.user["id"])
    select.select_option(riley.user["id"])
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text(f"Give this lead to {names[riley.user['id']]}?")
    expect(page.get_by_role("button", name=f"Give to {riley.user['name']}")).to_be_focused()
    page.screenshot(path=str(artifacts / "54-reassign-confirm.png"))
    page.get_by_role("button", name="Cancel").click()
    expect(question).to_have_count(0)
    expect(select).to_have_value(robin.user["id"])
    expect(page.get_by_role("status").first).to_contain_text("All changes sent")

    # Given, then Undo: the same mutation gives it back to Robin.
    select.select_option(riley.user["id"])
    page.get_by_role("button", name=f"Give to {riley.user['name']}").click()
    notice = page.locator(".notice")
    expect(notice).to_contain_text(f"given to {riley.user['name']}")
    # Focus is back on the picker, and the notice does not cover it (WCAG 2.4.11).
    page.wait_for_function(
        """() => {
            const el = document.activeElement;
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return el.tagName === 'SELECT' && (hit === el || el.contains(hit));
        }""",
        timeout=5_000,
    )
    expect(page.locator(".facts")).to_contain_text(riley.user["name"])
    page.screenshot(path=str(artifacts / "55-reassign-undo.png"))
    wait_synced(page)
    assert team_lead.call("GET", f"/api/v1/leads/{leads[0]['id']}")["owner_id"] == riley.user["id"]
    notice.get_by_role("button", name="Undo").click()
    expect(notice).to_contain_text(f"back with {robin.user['name']}")
    expect(page.locator(".facts")).to_contain_text(robin.user["name"])
    sync_now(page)
    wait_synced(page)
    assert team_lead.call("GET", f"/api/v1/leads/{leads[0]['id']}")["owner_id"] == robin.user["id"]

    # Offline, on the team board: give, undo; both wait and go in order.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    row_select = page.get_by_label(f"Reassign to {leads[1]['contact_name']}")
    group = page.locator(f"section.team-group:has(h2:has-text('{robin.user['name']}'))")
    while not row_select.count():  # the most urgent rows first; this one may be further down
        group.get_by_role("button", name=re.compile("Show")).click()
    page.context.set_offline(True)
    row_select.select_option(riley.user["id"])
    expect(page.get_by_role("alertdialog")).to_contain_text("Give this lead to")
    page.screenshot(path=str(artifacts / "60-team-board-reassign.png"))
    page.get_by_role("button", name=f"Give to {riley.user['name']}").click()
    notice.get_by_role("button", name="Undo").click()
    expect(notice).to_contain_text(f"back with {robin.user['name']}")
    expect(page.get_by_role("status").first).to_contain_text("2 changes not sent")
    expect(page.get_by_label(f"Reassign to {leads[1]['contact_name']}")).to_have_value(
        robin.user["id"]
    )
    page.context.set_offline(False)
    wait_synced(page)
    stored = team_lead.call("GET", f"/api/v1/leads/{leads[1]['id']}")
    assert stored["owner_id"] == robin.user["id"]
    assert stored["version"] > leads[1]["version"]  # it went to Riley and back, not nowhere




def _capture_with_phone(page: Page, name: str, phone: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    page.get_by_label("Contact name").fill(name)
    page.get_by_label("Phone").fill(phone)
    page.get_by_label("Source").select_option("phone")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()


def test_a_phone_has_a_tel_link_and_keeps_what_was_typed(new_context, api):
    page = new_context().new_page()
    sign_in(page, ROBIN)
    page.context.set_offline(True)
    name = f"Phone {uuid.uuid4().hex[:6]}"
    _capture_with_phone(page, name, "0171 2345678")
    # Not yet read by the server: what was typed, dialled as typed.
    link = page.locator(".facts .phone a")
    expect(link).to_have_text("0171 2345678")
    expect(link).to_have_attribute("href", "tel:01712345678")
    box = link.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44
    page.context.set_offline(False)
    wait_synced(page)
    stored = [lead for lead in api(ROBIN).all_leads() if lead["contact_name"] == name]
    assert [lead["phone"] for lead in stored] == ["0171 2345678"]


def test_a_phone_shows_in_its_normalised_international_form(new_context, api, artifacts):
    page = new_context().new_page()
    sign_in(page, ROBIN)
    name = f"Phone {uuid.uuid4().hex[:6]}"
    _capture_with_phone(page, name, "0171 2345678")
    wait_synced(page)
    link = page.locator(".facts .phone a")
    expect(link).to_have_text("+49 1712345678", timeout=10_000)
    expect(link).to_have_attribute("href", "tel:+491712345678")
    expect(page.locator(".facts .phone")).to_contain_text("typed: 0171 2345678")
    page.screenshot(path=str(artifacts / "56-phone.png"))
    # Found by either form.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_role("searchbox").fill("+49 171 2345678")
    expect(page.get_by_role("link", name=re.compile(name))).to_be_visible()


def test_customer_service_sees_whom_a_lead_went_to(new_context, api, artifacts):
    robin = api(ROBIN)
    page = new_context().new_page()
    sign_in(page, CASEY)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    name = f"Handed {uuid.uuid4().hex[:6]}"
    page.get_by_label("Contact name").fill(name)
    page.get_by_label("Company").fill("Brauerei Nord")
    page.get_by_label("Give to").select_option(label=robin.user["name"])
    page.get_by_label("Source").select_option(label="Phone")
    page.context.set_offline(True)
    page.get_by_role("button", name="Save").click()

    heading = page.get_by_role("heading", name="Lead handed over")
    expect(heading).to_be_focused()
    panel = page.locator(".handed")
    expect(panel).to_contain_text(f"Handed to {robin.user['name']}")
    expect(panel).to_contain_text(f"{name} · Brauerei Nord")
    expect(panel).to_contain_text("Not sent yet")
    page.screenshot(path=str(artifacts / "57-handed-over-offline.png"))
    page.context.set_offline(False)
    expect(panel).to_contain_text("Sent: it is in their queue.", timeout=20_000)
    wait_synced(page)
    page.screenshot(path=str(artifacts / "58-handed-over.png"))
    stored = [lead for lead in robin.all_leads() if lead["contact_name"] == name]
    assert [lead["owner_id"] for lead in stored] == [robin.user["id"]]

    # The next one starts from an empty form (a new lead, not the same one again).
    page.get_by_role("button", name="Capture another").click()
    expect(page.get_by_role("heading", name="New inquiry")).to_be_visible()
    expect(page.get_by_label("Contact name")).to_have_value("")


def _timer(page: Page):
    return page.locator(".facts [role=timer]")


def test_a_call_logged_offline_sets_the_follow_up_clock_at_once(new_context, api, artifacts):
    robin = api(ROBIN)
    name = f"Offline call {uuid.uuid4().hex[:6]}"
    lead = robin.call("POST", "/api/v1/leads", {"contact_name": name, "source": "phone"}, 201)
    page = new_context().new_page()
    sign_in(page, ROBIN)
    page.goto(f"/leads/{lead['id']}")
    expect(_timer(page)).to_contain_text("Reply due")

    page.context.set_offline(True)
    expect(page.get_by_role("status").first).to_contain_text("Offline")
    next_local = (datetime.now() + timedelta(days=1, hours=2)).replace(second=0, microsecond=0)
    page.get_by_role("button", name="Called").click()
    page.get_by_label("Note").fill("Wants a second offer")
    page.get_by_label("Next follow-up").fill(next_local.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Wants a second offer")).to_be_visible()
    # At once, offline: the follow-up clock, counting to no later than the date chosen.
    expect(_timer(page)).to_contain_text("Follow-up due")
    expect(_timer(page)).not_to_contain_text("Overdue")
    expect(_timer(page)).to_contain_text(re.compile(r"1 d [0-2] h|2[3-6] h \d\d min"))
    expect(page.get_by_role("status").first).to_contain_text("1 change not sent")
    _timer(page).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "59-offline-call.png"))

    page.context.set_offline(False)
    wait_synced(page)
    stored = robin.call("GET", f"/api/v1/leads/{lead['id']}")
    expected = _iso(next_local.astimezone())
    assert stored["next_follow_up_at"][:16] == expected[:16], stored["next_follow_up_at"]
    [call] = stored["follow_ups"]
    assert (call["kind"], call["note"]) == ("call", "Wants a second offer")
    assert call["next_follow_up_at"][:16] == expected[:16]
    assert stored["sla"]["metric"] == "follow_up"
    assert stored["sla"]["due_at"] <= stored["next_follow_up_at"]
    expect(_timer(page)).to_have_text(_countdown(stored["sla"], time.time()), timeout=5_000)


def _duration(seconds: float, up: bool) -> str:
    """format.js fmtDuration: to the minute, a time ahead rounded up."""
    total = int(-(-abs(seconds) // 60)) if up else int(abs(seconds) // 60)
    d, h, m = total // 1440, total % 1440 // 60, total % 60
    if d:
        return f"{d} d {h} h"
    return f"{h} h {m:02d} min" if h else f"{m} min"


def _countdown(sla: dict, now: float) -> str:
    """A lead's countdown as format.js fmtCountdown writes it, from the API's sla."""
    label = "Reply due" if sla["metric"] == "first_response" else "Follow-up due"
    diff = datetime.fromisoformat(sla["due_at"].replace("Z", "+00:00")).timestamp() - now
    if diff > 0:
        return f"{label} · {_duration(diff, up=True)}"
    if diff > -60:
        return f"{label} · Now"
    return f"{label} · Overdue {_duration(diff, up=False)}"


def test_the_team_board_counts_down_to_each_leads_due_time(new_context, api, artifacts):
    team_lead = api(LEAD)
    running = [
        lead
        for lead in team_lead.all_leads()
        if lead["sla"] and lead["sla"]["state"] in ("ok", "warning", "breached")
    ]
    page = new_context().new_page()
    sign_in(page, LEAD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.locator(".lead-row").first).to_be_visible()
    checked = {"breached": 0, "other": 0}
    for lead in running:
        kind = "breached" if lead["sla"]["state"] == "breached" else "other"
        row = page.locator(f'.lead-row:has(a.lead-link[href="/leads/{lead["id"]}"])')
        if checked[kind] >= 3 or not row.count():
            continue
        before = time.time()
        shown = row.get_by_role("timer").inner_text()
        after = time.time()
        assert shown in {_countdown(lead["sla"], before), _countdown(lead["sla"], after)}, (
            lead["contact_name"],
            lead["sla"],
            shown,
        )
        if kind == "breached":
            assert "Overdue" in shown
            expect(row.get_by_role("timer")).to_have_attribute("data-state", "breached")
        checked[kind] += 1
    assert checked == {"breached": 3, "other": 3}, checked
    page.screenshot(path=str(artifacts / "50-team-board.png"))
