"""Administration at 360×740: products and prices, sources and lost reasons, the organisation.

An admin changes them in the PWA; the server holds the change (checked over the API) and a
rep's device follows after its sync (capture offers the product, preselects the new default
source, "Lost" offers the reasons in the new order). Screenshots ``70-``–``78-catalog-*.png``.
Every test puts the organisation back as the demo had it (the server is shared by the
package's tests); products cannot be deleted, so the ones added are deactivated.
"""

from __future__ import annotations

import re
import uuid
from zoneinfo import available_timezones

import phonenumbers
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ADMIN, ROBIN, sign_in, sync_now, wait_synced

DEFAULT_SOURCES = [
    "website",
    "phone",
    "trade_show",
    "marketplace",
    "referral",
    "walk_in",
    "customer_service",
    "other",
]
SOURCE_LABELS = [
    "Website",
    "Phone",
    "Trade show",
    "Marketplace",
    "Referral",
    "Walk-in",
    "Customer service",
    "Other",
]


def open_admin(page: Page, section: str) -> None:
    """Settings → Administration → the section, as an admin finds it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name=re.compile("^Administration")).click()
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    page.get_by_role("link", name=re.compile(f"^{re.escape(section)}")).click()
    expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()


def new_form(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    expect(page.get_by_role("heading", name="New inquiry")).to_be_visible()


def product_named(api_session, name: str, inactive: bool = False) -> dict | None:
    query = "?include_inactive=true" if inactive else ""
    found = [p for p in api_session.call("GET", f"/api/v1/products{query}") if p["name"] == name]
    return found[0] if found else None


def test_an_admin_adds_edits_and_deactivates_a_product(new_context, api, artifacts):
    admin_api, robin_api = api(ADMIN), api(ROBIN)
    tag = uuid.uuid4().hex[:6]
    name, sku = f"Catalog pump {tag}", f"CAT-{tag}".upper()
    page = new_context().new_page()
    sign_in(page, ADMIN)
    try:
        open_admin(page, "Products and prices")
        mixer = page.get_by_role("button", name=re.compile("^Industrial mixer M200"))
        expect(mixer).to_contain_text("MX-200")
        expect(mixer).to_contain_text("€12,500.00")
        page.screenshot(path=artifacts / "70-catalog-products.png", full_page=True)

        page.get_by_role("button", name="New product").click()
        expect(page.get_by_role("heading", name="New product")).to_be_visible()
        expect(page.get_by_label("Currency")).to_have_value("EUR")  # what the catalogue uses
        page.get_by_label("Name").fill(name)
        page.get_by_label("SKU").fill(sku)
        page.get_by_label("List price").fill("1 234,50")  # as typed on a German keyboard
        page.screenshot(path=artifacts / "71-catalog-product-form.png", full_page=True)
        page.get_by_role("button", name="Add product").click()

        expect(page.get_by_role("status").last).to_contain_text(f"{name} added")
        row = page.get_by_role("button", name=re.compile(f"^{name}"))
        expect(row).to_contain_text(sku)
        expect(row).to_contain_text("€1,234.50")
        stored = product_named(admin_api, name)
        assert stored is not None
        assert (stored["sku"], stored["list_price"], stored["currency"], stored["active"]) == (
            sku,
            1234.5,
            "EUR",
            True,
        )

        # A rep's quick capture offers it once their device has synced.
        rep = new_context().new_page()
        sign_in(rep, ROBIN)
        new_form(rep)
        product = rep.get_by_label("Product", exact=True)
        expect(product.locator("option", has_text=name)).to_have_count(1)

        # Repriced: the server holds the new price.
        row.click()
        expect(page.get_by_role("heading", name=f"Edit {name}")).to_be_visible()
        expect(page.get_by_label("List price")).to_have_value("1234.50")
        page.get_by_label("List price").fill("999")
        page.get_by_role("button", name="Save changes").click()
        expect(row).to_contain_text("€999.00")
        assert product_named(admin_api, name)["list_price"] == 999.0

        # Deactivated: marked in the list, gone from the active catalogue and, after a sync,
        # from the rep's capture form (nothing is deleted: leads that have it keep it).
        row.click()
        page.get_by_role("button", name="Deactivate").click()
        expect(page.get_by_role("status").last).to_contain_text(f"{name} deactivated")
        expect(page.get_by_role("heading", name="Inactive (1)")).to_be_visible()
        expect(row).to_contain_text("Inactive")
        assert product_named(robin_api, name) is None
        assert product_named(robin_api, name, inactive=True)["active"] is False
        page.screenshot(path=artifacts / "72-catalog-product-inactive.png", full_page=True)
        sync_now(rep)
        expect(product.locator("option", has_text=name)).to_have_count(0)

        row.click()
        page.get_by_role("button", name="Reactivate").click()
        expect(page.get_by_role("status").last).to_contain_text(f"{name} is offered again")
        assert product_named(robin_api, name)["active"] is True
        sync_now(rep)
        expect(product.locator("option", has_text=name)).to_have_count(1)
    finally:
        stored = product_named(admin_api, name, inactive=True)
        if stored:
            admin_api.call("PATCH", f"/api/v1/products/{stored['id']}", {"active": False})


def test_a_taken_sku_is_refused_at_its_field_and_the_form_keeps_what_was_typed(
    new_context, api, artifacts
):
    admin_api = api(ADMIN)
    name = f"Copy of the mixer {uuid.uuid4().hex[:6]}"
    page = new_context().new_page()
    sign_in(page, ADMIN)
    open_admin(page, "Products and prices")
    page.get_by_role("button", name="New product").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("SKU").fill("MX-200")  # the Industrial mixer M200's
    page.get_by_label("List price").fill("10.5")
    page.get_by_role("button", name="Add product").click()

    sku = page.get_by_label("SKU")
    expect(sku).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#product-sku-error")).to_have_text("Another product has this SKU.")
    expect(sku).to_have_attribute("aria-describedby", "product-sku-error")
    expect(page.get_by_role("heading", name="New product")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value(name)
    expect(sku).to_have_value("MX-200")
    expect(page.get_by_label("List price")).to_have_value("10.5")
    page.screenshot(path=artifacts / "73-catalog-sku-taken.png", full_page=True)
    assert product_named(admin_api, name, inactive=True) is None

    # A price the form cannot read is marked before anything is sent.
    page.get_by_label("List price").fill("12.555")
    page.get_by_role("button", name="Add product").click()
    expect(page.locator("#product-list_price-error")).to_have_text(
        "At most two decimals, e.g. 1250.50."
    )
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("heading", name="Products and prices")).to_be_visible()
    assert product_named(admin_api, name, inactive=True) is None


def test_an_admin_edits_the_sources_and_lost_reasons_and_devices_follow(
    new_context, api, artifacts
):
    admin_api = api(ADMIN)
    source = f"Fair booth {uuid.uuid4().hex[:4]}"
    page = new_context().new_page()
    sign_in(page, ADMIN)
    rep = new_context().new_page()
    sign_in(rep, ROBIN)
    try:
        open_admin(page, "Sources and lost reasons")
        sources = page.get_by_role("form", name="Lead sources")
        reasons = page.get_by_role("form", name="Lost reasons")
        entries = sources.get_by_role("textbox", name=re.compile(r"^Source \d of 8$"))
        expect(entries).to_have_count(8)
        page.screenshot(path=artifacts / "74-catalog-lists.png", full_page=True)

        # A repeated entry is the server's "Each entry once.", pointed at the entry.
        second = sources.get_by_label("Source 2 of 8")
        second.fill("Website")
        sources.get_by_role("button", name="Save sources").click()
        expect(sources.get_by_text("Each entry once.")).to_be_visible()
        expect(second).to_have_attribute("aria-invalid", "true")
        expect(second).to_have_value("Website")  # kept as typed
        page.screenshot(path=artifacts / "75-catalog-lists-refused.png", full_page=True)
        assert admin_api.call("GET", "/api/v1/org")["lead_sources"] == DEFAULT_SOURCES
        second.fill("Phone")

        # A new source, made the default of quick capture.
        sources.get_by_label("New source").fill(source)
        sources.get_by_role("button", name="Add", exact=True).click()
        expect(sources.get_by_label("Source 9 of 9")).to_have_value(source)
        sources.get_by_label("Default source for quick capture").select_option(label=source)
        sources.get_by_role("button", name="Save sources").click()
        expect(sources.get_by_role("status")).to_have_text(re.compile("^Saved"))
        org = admin_api.call("GET", "/api/v1/org")
        assert org["lead_sources"] == [*DEFAULT_SOURCES, source]
        assert org["default_source"] == source

        # Lost reasons: "Channel conflict" removed, "No response" moved up to second place.
        reasons.get_by_role("button", name="Remove “Channel conflict”").click()
        reasons.get_by_role("button", name="Move “No response” up").click()
        expect(reasons.get_by_role("button", name="Move “No response” up")).to_be_focused()
        page.keyboard.press("Enter")  # the focus stayed on it: move it once more
        expect(reasons.get_by_label("Lost reason 2 of 6")).to_have_value("No response")
        expect(reasons.get_by_text("Unsaved changes")).to_be_visible()
        page.screenshot(path=artifacts / "76-catalog-lists-edited.png", full_page=True)
        reasons.get_by_role("button", name="Save lost reasons").click()
        expect(reasons.get_by_role("status")).to_have_text(re.compile("^Saved"))
        expected_reasons = [
            "price_too_high",
            "no_response",
            "no_matching_product",
            "customisation_needed",
            "chose_competitor",
            "other",
        ]
        assert admin_api.call("GET", "/api/v1/org")["lost_reasons"] == expected_reasons
        # Saving one list left the other's save in place.
        assert admin_api.call("GET", "/api/v1/org")["default_source"] == source

        # The admin's own device follows (the save asked for a sync) …
        wait_synced(page)
        new_form(page)
        expect(page.get_by_label("Source")).to_have_value(source)
        # … and a rep's after their sync: the new source preselected, the reasons in order.
        sync_now(rep)
        wait_synced(rep)
        new_form(rep)
        expect(rep.get_by_label("Source")).to_have_value(source)
        expect(rep.get_by_label("Source").locator("option")).to_have_text([*SOURCE_LABELS, source])
        rep.screenshot(path=artifacts / "77-catalog-rep-capture.png", full_page=True)
        mia = next(x for x in api(ROBIN).all_leads() if x["contact_name"] == "Mia Schulz")
        rep.goto(f"/leads/{mia['id']}")
        rep.get_by_role("button", name="Lost").click()
        expect(rep.get_by_label("Reason").locator("option")).to_have_text(
            [
                "Price too high",
                "No response",
                "No matching product",
                "Customisation needed",
                "Chose a competitor",
                "Other",
            ]
        )
    finally:
        admin_api.call(
            "PATCH",
            "/api/v1/org",
            {"lead_sources": None, "lost_reasons": None, "default_source": None},
        )


def test_an_admin_renames_the_organisation_and_changes_its_time_zone(new_context, api, artifacts):
    admin_api = api(ADMIN)
    before = admin_api.call("GET", "/api/v1/org")
    name = f"Demo Trading {uuid.uuid4().hex[:4]}"
    page = new_context().new_page()
    sign_in(page, ADMIN)
    try:
        open_admin(page, "Organisation")
        zone = page.get_by_label("Time zone")
        country = page.get_by_label("Default country for phone numbers")
        expect(zone).to_have_value(before["timezone"])
        expect(country).to_have_value(before["default_country"])
        # Every choice offered is one the server accepts.
        zones = zone.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
        assert len(zones) > 300 and set(zones) <= available_timezones()
        codes = country.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
        assert set(codes) == phonenumbers.SUPPORTED_REGIONS
        page.screenshot(path=artifacts / "78-catalog-org.png", full_page=True)

        # A blank name is refused at the field; what was chosen stays.
        page.get_by_label("Organisation name").fill(" ")
        zone.select_option("America/New_York")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#org-name-error")).to_contain_text("Must not be blank.")
        expect(zone).to_have_value("America/New_York")
        assert admin_api.call("GET", "/api/v1/org")["timezone"] == before["timezone"]

        page.get_by_label("Organisation name").fill(name)
        country.select_option("AT")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status").last).to_have_text(re.compile("^Saved"))
        org = admin_api.call("GET", "/api/v1/org")
        assert (org["name"], org["timezone"], org["default_country"]) == (
            name,
            "America/New_York",
            "AT",
        )
        page.screenshot(path=artifacts / "79-catalog-org-saved.png", full_page=True)
    finally:
        admin_api.call(
            "PATCH",
            "/api/v1/org",
            {k: before[k] for k in ("name", "timezone", "default_country")},
        )


def test_the_three_screens_have_no_serious_axe_violations(new_context):
    # Inside the test: without axe-core installed, that module skips, and so does this test.
    from tests.e2e import test_accessibility as a11y

    failures: dict[str, str] = {}
    page = new_context().new_page()

    def check(screen: str) -> None:
        # The whole page in view: a control the fixed tab bar happens to cover at this scroll
        # position is no finding about the screen.
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": 360, "height": max(740, height + 100)})
        a11y.check(page, screen, failures)
        page.set_viewport_size({"width": 360, "height": 740})

    sign_in(page, ADMIN)
    open_admin(page, "Products and prices")
    check("products")
    page.get_by_role("button", name="New product").click()
    page.get_by_label("List price").fill("lots")
    page.get_by_role("button", name="Add product").click()
    expect(page.locator("#product-list_price-error")).to_be_visible()
    check("product form, refused")
    page.goto("/admin/lists")
    sources = page.get_by_role("form", name="Lead sources")
    sources.get_by_label("Source 2 of 8").fill("Website")
    sources.get_by_role("button", name="Save sources").click()
    expect(sources.get_by_text("Each entry once.")).to_be_visible()
    check("lists, refused")
    page.goto("/admin/org")
    expect(page.get_by_label("Time zone")).to_be_visible()
    check("organisation")
    assert not failures, "\n\n".join(f"[{k}]\n{v}" for k, v in failures.items())
