"""Accessibility: an axe-core audit of every main screen at 360×740, and the keyboard on
quick capture.

axe-core comes from the PWA's devDependencies (``pwa/node_modules/axe-core``, installed by
``npm ci``); it is injected into the page as it is. Serious and critical violations of the
WCAG 2.x A/AA rules and axe's best practices fail the test; the others are printed.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ROOT
from tests.e2e.helpers import CASEY, LEAD, ROBIN, capture_lead, sign_in

AXE = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}

if not AXE.exists():
    pytest.skip("axe-core is not installed: run `cd pwa && npm ci`", allow_module_level=True)


def audit(page: Page, screen: str) -> list[dict]:
    """Run axe on the page as it is; return the serious and critical violations."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated, not added as a <script>: the app's CSP refuses inline scripts.
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                resultTypes: ['violations', 'incomplete']});
            const shape = (v) => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(' '),
                                            summary: n.failureSummary}))});
            return {violations: r.violations.map(shape), incomplete: r.incomplete.map(shape)};
        }""",
        TAGS,
    )
    for v in result["incomplete"]:  # what axe could not decide (e.g. text over an image)
        print(f"[{screen}] needs review: {v['id']} on {[n['target'] for n in v['nodes'][:3]]}")
    result = result["violations"]
    for v in result:
        if v["impact"] not in BLOCKING:
            print(f"[{screen}] {v['impact']}: {v['id']} ({v['help']}) on {len(v['nodes'])} node(s)")
    return [v for v in result if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']}: {v['id']} — {v['help']}\n"
        + "\n".join(f"    {n['target']}: {n['summary']}" for n in v["nodes"][:5])
        for v in violations
    )


def check(page: Page, screen: str, failures: dict[str, str]) -> None:
    bad = audit(page, screen)
    if bad:
        failures[screen] = describe(bad)


def test_main_screens_have_no_serious_axe_violations(new_context):
    failures: dict[str, str] = {}
    page = new_context().new_page()
    page.goto("/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    check(page, "sign-in", failures)

    sign_in(page, ROBIN)
    expect(page.get_by_role("heading", name="My queue")).to_be_visible()
    expect(page.locator(".lead-row").first).to_be_visible()
    check(page, "my queue", failures)

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="New").click()
    expect(page.get_by_role("heading", name="New inquiry")).to_be_visible()
    check(page, "quick capture", failures)
    page.get_by_role("button", name="Cancel").click()

    name = f"Axe {uuid.uuid4().hex[:6]}"
    capture_lead(page, name, "+49 30 4445556", product="Conveyor belt module")
    check(page, "lead detail", failures)
    page.get_by_role("button", name="Called").click()
    expect(page.get_by_label("Note")).to_be_visible()
    check(page, "lead detail, logging a call", failures)
    page.get_by_role("button", name="Cancel").click()

    nav.get_by_role("link", name="Search").click()
    page.get_by_label("Search leads on this device").fill(name)
    expect(page.get_by_role("link", name=name)).to_be_visible()
    check(page, "search", failures)

    nav.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("region", name="Working hours")).to_be_visible()
    check(page, "settings", failures)

    lead_page = new_context().new_page()
    sign_in(lead_page, LEAD)
    lead_page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(lead_page.get_by_role("heading", name="Team board")).to_be_visible()
    expect(lead_page.locator(".lead-row").first).to_be_visible()
    check(lead_page, "team board", failures)
    lead_page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    hours = lead_page.get_by_role("region", name="Working hours")
    expect(hours.get_by_label("Send me escalations at any hour")).to_be_visible()
    check(lead_page, "settings, team lead", failures)
    lead_page.screenshot(path=ROOT / "test-artifacts" / "09-settings-team-lead.png", full_page=True)

    cs_page = new_context().new_page()
    sign_in(cs_page, CASEY)
    expect(cs_page.get_by_role("heading", name="Question queue")).to_be_visible()
    check(cs_page, "customer service", failures)

    cs_page.context.set_offline(True)
    expect(cs_page.get_by_role("status").first).to_contain_text("Offline")
    check(cs_page, "status bar offline", failures)

    assert not failures, "\n\n".join(f"== {k}\n{v}" for k, v in failures.items())


def _focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const label = el.labels && el.labels[0] ? el.labels[0].innerText.trim() : '';
            // Not hidden under the sticky status bar or the fixed tab bar (WCAG 2.4.11).
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            const covered = !hit || !(hit === el || el.contains(hit) || hit.contains(el));
            return {tag: el.tagName, name: el.getAttribute('name'), label,
                    text: el.innerText ? el.innerText.trim() : '',
                    top: el.getBoundingClientRect().top + window.scrollY,
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
                    outlineColor: style.outlineColor,
                    coveredBy: !covered ? null : hit ? hit.className || hit.tagName : 'off screen'};
        }"""
    )


def _luminance(css_color: str) -> float:
    r, g, b = (int(x) for x in re.findall(r"\d+", css_color)[:3])

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def assert_visible_focus(f: dict) -> None:
    """A focus ring of at least 2 px with 3:1 contrast against white (WCAG 1.4.11)."""
    assert f["outline"], f"no visible focus on {f}"
    assert f["coveredBy"] is None, f"the focused element is hidden under {f['coveredBy']}: {f}"
    contrast = 1.05 / (_luminance(f["outlineColor"]) + 0.05)
    assert contrast >= 3, (
        f"focus ring of {f['outlineColor']} has contrast {contrast:.1f}:1 on white"
    )


def test_quick_capture_by_keyboard(new_context, api):
    page = new_context().new_page()
    sign_in(page, ROBIN)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    heading = page.get_by_role("heading", name="New inquiry")
    expect(heading).to_be_focused()  # the screen's heading takes focus on arrival

    # Tab from the heading walks the fields in the order they are shown, then the buttons,
    # each with a visible focus indicator. (A date-time input takes several Tabs, one per part.)
    expected = [
        "contact_name",
        "phone",
        "email",
        "company",
        "product_id",
        "product_text",
        "source",
        "next_follow_up_at",
        "notes",
    ]
    seen, tops = [], []
    for _ in range(40):
        page.keyboard.press("Tab")
        f = _focused(page)
        assert_visible_focus(f)
        if f["tag"] == "BUTTON":
            break
        assert f["tag"] in {"INPUT", "SELECT", "TEXTAREA"}, f"Tab left the form at {f}"
        if not seen or seen[-1] != f["name"]:
            seen.append(f["name"])
            tops.append(f["top"])
    assert seen == expected
    assert tops == sorted(tops), "Tab order differs from the visual order"
    assert f["text"] == "Save", f"after the fields comes Save, not {f}"

    # Fill in by keyboard only, then Enter in a text field submits the form.
    page.keyboard.press("Shift+Tab")
    while _focused(page)["name"] != "contact_name":
        page.keyboard.press("Shift+Tab")
    name = f"Keyboard {uuid.uuid4().hex[:6]}"
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "phone"
    page.keyboard.type("+49 30 7778889")
    # The source has no preset (no silent default): chosen by type-ahead on its select.
    while _focused(page)["name"] != "source":
        page.keyboard.press("Tab")
    page.keyboard.type("Phone")
    while _focused(page)["name"] != "phone":
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_focused()

    # The Save button is reachable and works from the keyboard too.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    expect(heading).to_be_focused()
    page.keyboard.press("Tab")
    other = f"Keyboard {uuid.uuid4().hex[:6]}"
    page.keyboard.type(other)
    for _ in range(30):
        page.keyboard.press("Tab")
        f = _focused(page)
        if f["name"] == "source" and f["tag"] == "SELECT":
            page.keyboard.type("Website")
        if f["tag"] == "BUTTON":
            break
    assert f["text"] == "Save", f
    assert_visible_focus(f)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=other, level=1)).to_be_visible()
