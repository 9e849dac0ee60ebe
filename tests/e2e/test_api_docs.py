"""The API reference (/api/v1/docs) renders with no internet: ReDoc comes from the app."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

# ReDoc's sidebar footer ("API docs by Redocly") shows a logo from its CDN and hides it
# when that fails: cosmetic, the only request the vendored bundle makes to the outside.
ATTRIBUTION_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def test_api_docs_render_with_only_the_app_reachable(browser, server):
    context = browser.new_context(base_url=server, service_workers="block")
    context.set_default_timeout(15_000)
    blocked: list[str] = []

    def only_the_app(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_the_app)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto("/api/v1/docs")
        expect(page.get_by_role("heading", level=1)).to_contain_text("LeadSync API")
        # The spec was loaded and its operations rendered, not just the title.
        expect(page.get_by_text("Download OpenAPI specification")).to_be_visible()
        expect(page.get_by_role("heading", level=2).nth(10)).to_be_attached()
    finally:
        context.close()
    outside = [url for url in blocked if url != ATTRIBUTION_LOGO]
    assert outside == [], f"the docs page needs more than the app: {outside}"
    assert errors == []
