"""The desk's administration screens: canned answers (admins and team leads) and assignment
rules (admins), through the PWA against the real server (screenshots ``57``–``59-*.png``)."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.e2e.helpers import ADMIN, CASEY, LEAD, ROBIN, sign_in, sync_now, wait_synced
from tests.e2e.test_field_ready import MEASURE


def _open_section(page, title: str) -> None:
    page.goto("/admin")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_a_team_lead_writes_a_canned_answer_and_retires_it_and_the_desk_follows(
    new_context, api, artifacts
):
    title = f"Opening hours {uuid.uuid4().hex[:6]}"
    page = new_context().new_page()
    sign_in(page, LEAD)
    _open_section(page, "Canned answers")
    page.get_by_role("button", name="New canned answer").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body").fill("Hello {{consumer.name}}, we answer every evening 18:00–23:00.")
    page.get_by_label("Tags (comma-separated)").fill("hours, Hours , evening")
    page.screenshot(path=str(artifacts / "57-canned-answer-form.png"), full_page=True)
    assert page.evaluate(MEASURE) == []
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_role("button", name=title)).to_be_visible()
    saved = next(a for a in api(LEAD).call("GET", "/api/v1/canned-answers") if a["title"] == title)
    assert saved["tags"] == ["hours", "evening"]  # the repeat in another case dropped

    # The desk finds it after a sync.
    desk = new_context().new_page()
    sign_in(desk, CASEY)
    api(ADMIN).call(
        "POST",
        f"/api/v1/public/{api(ADMIN).call('GET', '/api/v1/org')['slug']}/questions",
        {"name": "Hours Hana", "email": "hana@example.test", "message": "When are you open?"},
        expect=201,
    )
    sync_now(desk)
    wait_synced(desk)
    desk.get_by_role("list", name="Questions").get_by_role("link", name="Hours Hana").first.click()
    desk.get_by_label("Search canned answers").fill("EVENING")
    expect(desk.get_by_role("button", name=f"Insert “{title}”")).to_be_visible()

    # Retired: it leaves the desk's list, and stays for managers to bring back.
    page.get_by_role("button", name=title).click()
    page.get_by_role("button", name="Retire").click()
    expect(page.get_by_role("status").filter(has_text="Retired")).to_be_visible()
    expect(page.get_by_role("button", name=title)).to_have_count(0)
    page.get_by_label("Show retired answers").check()
    expect(page.get_by_role("button", name=title)).to_contain_text("Retired")
    page.screenshot(path=str(artifacts / "58-canned-answers-retired.png"), full_page=True)
    sync_now(desk)
    wait_synced(desk)
    expect(desk.get_by_role("button", name=f"Insert “{title}”")).to_have_count(0)


def test_an_admin_adds_an_assignment_rule_for_a_region(new_context, api, artifacts):
    name = f"Berlin {uuid.uuid4().hex[:6]}"
    robin = api(ROBIN).user
    page = new_context().new_page()
    sign_in(page, ADMIN)
    _open_section(page, "Assignment rules")
    page.get_by_role("button", name="New rule").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Region (postcode, area code) starts with").fill("10")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#rule-to-error")).to_have_text("Choose a person or a team.")
    page.get_by_label("Give the lead to").select_option(label=robin["name"])
    page.get_by_role("button", name="Save").click()
    row = page.locator("button.adm-product").filter(has_text=name)
    expect(row).to_contain_text("Region starts with 10")
    expect(row).to_contain_text(f"→ {robin['name']}")
    page.screenshot(path=str(artifacts / "59-assignment-rules.png"), full_page=True)
    assert page.evaluate(MEASURE) == []
    rule = next(r for r in api(ADMIN).call("GET", "/api/v1/assignment-rules") if r["name"] == name)
    assert rule["match"] == {"region_prefix": "10"} and rule["owner_id"] == robin["id"]
    api(ADMIN).call("DELETE", f"/api/v1/assignment-rules/{rule['id']}", expect=204)


def test_an_admin_writes_a_products_spec_and_faq_and_the_desk_reads_them_offline(
    new_context, api, artifacts
):
    admin = api(ADMIN)
    org = admin.call("GET", "/api/v1/org")
    product = sorted(admin.call("GET", "/api/v1/products"), key=lambda p: p["name"])[-1]
    spec = f"Width 60 cm, 230 V, {uuid.uuid4().hex[:4]}"
    page = new_context().new_page()
    sign_in(page, ADMIN)
    _open_section(page, "Products and prices")
    page.get_by_role("button", name=product["name"]).first.click()
    page.get_by_label("Spec (for the service desk)").fill(spec)
    page.get_by_label("FAQ (for the service desk)").fill(
        "Q: Does it fit a niche?\nA: Yes, 2 cm air."
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text=product["name"])).to_be_visible()
    assert admin.call("GET", f"/api/v1/products/{product['id']}")["spec"] == spec

    name = f"Facts Femi {uuid.uuid4().hex[:6]}"
    admin.call(
        "POST",
        f"/api/v1/public/{org['slug']}/questions",
        {"name": name, "email": "femi@example.test", "product_id": product["id"],
         "message": "Will it fit?"},
        expect=201,
    )  # fmt: skip
    desk = new_context().new_page()
    sign_in(desk, CASEY)
    desk.context.set_offline(True)
    desk.get_by_role("list", name="Questions").get_by_role("link", name=name).click()
    facts = desk.get_by_role("region", name="Product facts")
    facts.get_by_text("Spec", exact=True).click()
    expect(facts).to_contain_text(spec)
    facts.get_by_text("FAQ", exact=True).click()
    expect(facts).to_contain_text("Yes, 2 cm air.")
    facts.scroll_into_view_if_needed()
    desk.screenshot(path=str(artifacts / "60-desk-product-facts.png"))
