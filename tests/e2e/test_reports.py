"""The Reports section at 360×740 (screenshots ``110-``–``124-*.png``): a team lead opens
every report and reads the same figures the API answers for the same question; the CSV comes
down; offline the last copy shows, dated, with an offline note; a rep sees their scorecard
and no channels table; customer service has no reports.

Figures on screen are formatted by the browser (``en-US``, euros); the expected text is
worked out here from the API's numbers with the same rules (money in whole euros from 100 up,
ratios as percentages with one decimal, half away from zero as ``Intl`` rounds).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ADMIN, CASEY, LEAD, ROBIN, sign_in, wait_controlled
from tests.e2e.test_accessibility import audit, describe

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def open_as(browser, server):
    contexts = []

    def make(email: str) -> Page:
        context = browser.new_context(
            viewport={"width": 360, "height": 740},
            base_url=server,
            service_workers="allow",
            timezone_id="Europe/Berlin",
            locale="en-US",
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, email)
        return page

    yield make
    for context in contexts:
        context.close()


# --- what the screen should say, from the API's numbers --------------------------------------


def _half_up(value: float, places: int = 0) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(value: float) -> str:
    sign = "-" if value < 0 else ""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{sign}€{int(_half_up(abs(value))):,}"
    return f"{sign}€{_half_up(abs(value), 2):,.2f}"


def ratio(value: float | None) -> str:
    return "–" if value is None else f"{_half_up(value * 100, 1)}%"


def count(value: float) -> str:
    return f"{int(value):,}"


def count_change(current: int, base: int) -> str:
    """As the table writes a count's change: "+2 (+20%)", "−1 (−25%)", "+5 (new)"."""
    delta = current - base
    if delta == 0:
        return "no change"
    sign = "+" if delta > 0 else "−"
    if base == 0:
        return f"{sign}{abs(delta):,} (new)"
    pct = _half_up(abs(delta) / abs(base) * 100, 1).normalize()
    pct_text = f"{pct:f}".rstrip("0").rstrip(".") if "." in f"{pct:f}" else f"{pct:f}"
    return f"{sign}{abs(delta):,} ({sign}{pct_text}%)"


def api_get(page: Page, path: str) -> tuple[int, dict | None]:
    """The API's answer to the page's own session (its cookie)."""
    answer = page.evaluate(
        """async (path) => {
            const r = await fetch(path, {headers: {Accept: 'application/json'}});
            let body = null;
            try { body = await r.json(); } catch (e) { body = null; }
            return {status: r.status, body};
        }""",
        "/api/v1" + path,
    )
    return answer["status"], answer["body"]


def shown_query(page: Page) -> dict[str, str]:
    """The question the screen asked, from its CSV link (the same query plus format=csv)."""
    href = page.get_by_role("link", name="Download CSV").get_attribute("href")
    query = {k: v[0] for k, v in parse_qs(urlsplit(href).query).items()}
    assert query.pop("format") == "csv"
    return query


def fresh(page: Page) -> None:
    """Until the screen shows the server's fresh answer (not a copy, not loading)."""
    expect(page.locator(".rpt-status")).to_have_attribute("data-state", "fresh")
    expect(page.locator(".rpt-status")).to_contain_text("Figures as of")


def ask(page: Page, report: str) -> dict:
    query = shown_query(page)
    path = f"/reports/{report}?" + "&".join(f"{k}={v}" for k, v in query.items())
    status, body = api_get(page, path)
    assert status == 200, (path, status, body)
    return body


def row(page: Page, key) -> object:
    return page.locator(f'.rpt-table tr[data-key="{"" if key is None else key}"]')


def cell(page: Page, key, figure: str):
    return row(page, key).locator(f'td[data-figure="{figure}"] .rpt-v')


def this_month() -> tuple[str, str]:
    today = datetime.now(BERLIN).date()
    first = today.replace(day=1)
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first.isoformat(), date.fromordinal(nxt.toordinal() - 1).isoformat()


def open_report(page: Page, title: str) -> None:
    page.get_by_role("link", name="← Reports").click()
    page.locator(".rpt-hub").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def shoot(page: Page, artifacts, name: str) -> None:
    page.screenshot(path=artifacts / name, full_page=True)


def no_serious_violations(page: Page, screen: str) -> None:
    bad = audit(page, screen)
    assert not bad, describe(bad)


# --- the team lead ----------------------------------------------------------------------------


def test_team_lead_reads_every_report_as_the_api_answers_it(open_as, artifacts):
    page = open_as(LEAD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_count(5)  # no sixth tab: Reports is under Team
    nav.get_by_role("link", name="Team").click()
    area = page.get_by_role("navigation", name="Team area")
    area.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(nav.get_by_role("link", name="Team")).to_have_attribute("aria-current", "page")
    titles = page.locator(".rpt-hub-title")
    expect(titles).to_have_text(
        [
            "SLA board",
            "Inquiry classification",
            "Lost reasons",
            "Demand (not in our range)",
            "Channels: spend and return",
            "Rep appraisal",
        ]
    )
    shoot(page, artifacts, "110-reports-hub.png")
    no_serious_violations(page, "reports hub")

    # Inquiry classification: this month (the default), by source, in Berlin's dates.
    page.locator(".rpt-hub").get_by_role("link", name="Inquiry classification").click()
    expect(page.get_by_role("heading", name="Inquiry classification")).to_be_visible()
    fresh(page)
    first, last = this_month()
    query = shown_query(page)
    assert (query["from"], query["to"], query["group_by"]) == (first, last, "source")
    # The figures of last quarter: the demo's 15 months always fill it (the first days of a
    # month may have no inquiry yet).
    page.get_by_label("Period").select_option(label="Last quarter")
    fresh(page)
    first, last = shown_query(page)["from"], shown_query(page)["to"]
    report = ask(page, "inquiries")
    assert report["rows"], "the demo has inquiries last quarter"
    top = report["rows"][0]
    expect(row(page, top["key"]).locator("th")).to_have_text(top["label"])
    expect(cell(page, top["key"], "inquiries")).to_have_text(count(top["inquiries"]))
    totals = report["totals"]
    expect(cell(page, "total", "inquiries")).to_have_text(count(totals["inquiries"]))
    expect(cell(page, "total", "won_value")).to_have_text(money(totals["won_value"]))
    expect(cell(page, "total", "win_rate")).to_have_text(ratio(totals["win_rate"]))
    # The change against the month before: sign, figure and percentage, coloured by meaning.
    change = row(page, "total").locator('td[data-figure="inquiries"] .rpt-ch')
    expect(change).to_contain_text(
        count_change(totals["inquiries"], totals["previous"]["inquiries"])
    )
    card = page.locator('.rpt-card[data-figure="inquiries"]')
    expect(card.locator(".rpt-card-value")).to_have_text(count(totals["inquiries"]))
    expect(page.locator(".rpt-period")).to_contain_text("vs ")
    expect(page.locator(".rpt-chart canvas")).to_have_attribute("role", "img")
    shoot(page, artifacts, "111-reports-inquiries.png")
    no_serious_violations(page, "inquiries")

    # The CSV of the same question.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    csv_text = Path(download.value.path()).read_bytes().decode("utf-8")
    assert csv_text.startswith("key,label,inquiries,open,contacted"), csv_text[:80]
    assert f"\r\ntotal,Total,{totals['inquiries']}," in csv_text
    assert download.value.suggested_filename == f"inquiries-{first}-{last}.csv"

    # This year by month: one row per month, compared with a year earlier.
    page.get_by_label("Period").select_option(label="This year")
    page.get_by_label("Group by").select_option(label="Month")
    page.get_by_label("Compare with").select_option(label="A year ago")
    fresh(page)
    year = datetime.now(BERLIN).year
    query = shown_query(page)
    assert (query["from"], query["to"], query["group_by"]) == (
        f"{year}-01-01",
        f"{year}-12-31",
        "month",
    )
    report = ask(page, "inquiries")
    assert [r["key"] for r in report["rows"]] == [f"{year}-{m:02d}" for m in range(1, 13)]
    march = next(r for r in report["rows"] if r["key"] == f"{year}-03")
    expect(cell(page, march["key"], "inquiries")).to_have_text(count(march["inquiries"]))
    expect(row(page, march["key"]).locator('td[data-figure="inquiries"] .rpt-ch')).to_contain_text(
        count_change(march["inquiries"], march["year_ago"]["inquiries"])
    )
    expect(page.locator(".rpt-period")).to_contain_text(f"vs {year - 1}")
    shoot(page, artifacts, "112-reports-inquiries-by-month.png")

    # A custom period the server would refuse is stopped at the field.
    page.get_by_label("Period").select_option(label="Custom dates")
    page.get_by_label("From", exact=True).fill(f"{year}-03-31")
    page.get_by_label("To", exact=True).fill(f"{year}-03-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The end lies before the start.")).to_be_visible()
    page.get_by_label("From", exact=True).fill(f"{year}-03-01")
    page.get_by_label("To", exact=True).fill(f"{year}-03-31")
    page.get_by_role("button", name="Show").click()
    fresh(page)
    query = shown_query(page)
    assert (query["from"], query["to"]) == (f"{year}-03-01", f"{year}-03-31")
    expect(page.locator(".rpt-period")).to_contain_text(f"March {year}")
    page.get_by_label("Period").select_option(label="Last quarter")
    page.get_by_label("Group by").select_option(label="Source")
    page.get_by_label("Compare with").select_option(label="Previous")
    fresh(page)

    # Lost reasons (last quarter: the period is shared between the reports).
    open_report(page, "Lost reasons")
    fresh(page)
    report = ask(page, "lost")
    assert shown_query(page)["group_by"] == "reason"
    assert report["rows"], "the demo loses leads every quarter"
    for r in report["rows"][:3]:
        expect(row(page, r["key"]).locator("th")).to_have_text(r["label"])
        expect(cell(page, r["key"], "lost")).to_have_text(count(r["lost"]))
        expect(cell(page, r["key"], "share")).to_have_text(ratio(r["share"]))
    expect(cell(page, "total", "lost")).to_have_text(count(report["totals"]["lost"]))
    shoot(page, artifacts, "113-reports-lost.png")

    # Demand: what customers asked for that the company does not make.
    open_report(page, "Demand (not in our range)")
    fresh(page)
    assert shown_query(page)["group_by"] == "product"
    report = ask(page, "lost")
    for r in report["rows"][:3]:
        expect(row(page, r["key"]).locator("th")).to_have_text(r["label"])
        expect(cell(page, r["key"], "lost")).to_have_text(count(r["lost"]))
    value = page.locator('.rpt-card[data-figure="estimated_value"] .rpt-card-value')
    expect(value).to_have_text(money(report["totals"]["estimated_value"]))
    if not report["rows"]:
        expect(page.get_by_text("Nothing in this period.")).to_be_visible()
    shoot(page, artifacts, "114-reports-demand.png")

    # Channels: spend against won value, for the whole organisation (no filters offered).
    open_report(page, "Channels: spend and return")
    fresh(page)
    expect(page.get_by_text("Spend is recorded for the whole organisation")).to_be_visible()
    expect(page.get_by_label("Team", exact=True)).to_have_count(0)
    report = ask(page, "channels")
    t = report["totals"]
    expect(cell(page, "total", "spend")).to_have_text(money(t["spend"]))
    expect(cell(page, "total", "won_value")).to_have_text(money(t["won_value"]))
    expect(cell(page, "total", "roi")).to_have_text(ratio(t["roi"]))
    expect(page.locator(".rpt-legend")).to_contain_text("Spend")
    expect(page.locator(".rpt-legend")).to_contain_text("Won value")
    shoot(page, artifacts, "115-reports-channels.png")

    # Rep appraisal: ranked within the lead's team.
    open_report(page, "Rep appraisal")
    fresh(page)
    report = ask(page, "reps")
    assert report["rows"]
    for r in report["rows"]:
        expect(row(page, r["key"]).locator("th")).to_have_text(r["label"])
        expect(cell(page, r["key"], "rank")).to_have_text(f"#{r['rank']}")
        expect(cell(page, r["key"], "sales")).to_have_text(money(r["sales"]))
        expect(cell(page, r["key"], "follow_ups")).to_have_text(count(r["follow_ups"]))
    shoot(page, artifacts, "116-reports-reps.png")
    no_serious_violations(page, "rep appraisal")

    # The SLA board: the server's figures, or "not available yet" until it offers them.
    open_report(page, "SLA board")
    status, body = api_get(page, f"/reports/sla?from={first}&to={last}&group_by=owner")
    if status == 404:
        expect(page.locator(".rpt-status")).to_contain_text("SLA board is not available yet")
    else:
        assert status == 200, body
        fresh(page)
        report = ask(page, "sla")
        t = report["totals"]
        expect(cell(page, "total", "met_rate")).to_have_text(ratio(t["met_rate"]))
        expect(cell(page, "total", "first_response_breached")).to_have_text(
            count(t["first_response_breached"])
        )
        expect(page.get_by_role("heading", name="Latest breaches")).to_be_visible()
        status, listed = api_get(
            page,
            "/reports/sla/breaches?"
            + "&".join(f"{k}={v}" for k, v in shown_query(page).items() if k != "group_by"),
        )
        assert status == 200, listed
        items = page.locator(".rpt-breaches li")
        if listed["items"]:
            expect(items.first.get_by_role("link")).to_have_text(listed["items"][0]["contact_name"])
            expect(items.first).to_contain_text(listed["items"][0]["owner_name"])
        else:
            expect(page.get_by_text("No breaches in this period.")).to_be_visible()
    shoot(page, artifacts, "117-reports-sla.png")
    no_serious_violations(page, "sla board")


def test_offline_the_last_copy_shows_with_its_date(open_as, artifacts):
    page = open_as(LEAD)
    wait_controlled(page)
    page.goto("/reports/lost")
    page.get_by_label("Period").select_option(label="Last quarter")  # kept for the next visit
    fresh(page)
    online_text = page.locator(".rpt-table").inner_text()
    fetched = page.locator(".rpt-status").inner_text()  # "Figures as of Nov 30, 2026, 1:05 PM"
    when = fetched.removeprefix("Figures as of ").strip()
    assert when and when != fetched

    page.context.set_offline(True)
    page.reload()  # the app shell and the reports chunk come from the service worker
    expect(page.get_by_role("heading", name="Lost reasons", level=1)).to_be_visible()
    note = page.locator(".rpt-status")
    expect(note).to_contain_text(f"You are offline. This is the copy fetched {when}.")
    expect(page.locator(".rpt-table")).to_be_visible()
    assert page.locator(".rpt-table").inner_text() == online_text  # the same figures
    expect(page.get_by_text("CSV needs a connection.")).to_be_visible()
    shoot(page, artifacts, "118-reports-offline.png")

    # A question never asked on this device: said so, not an empty table, and the last copy
    # one tap away.
    page.get_by_label("Period").select_option(label="Last year")
    expect(note).to_contain_text("You are offline, and this choice has not been fetched")
    expect(page.locator(".rpt-table")).to_have_count(0)
    back = page.get_by_role("button", name="Show the last copy fetched")
    expect(back).to_contain_text(", reason")
    back.click()
    expect(page.get_by_label("Period")).to_have_value("last_quarter")
    expect(note).to_contain_text(f"This is the copy fetched {when}.")
    expect(page.locator(".rpt-table")).to_be_visible()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    fresh(page)
    expect(page.locator(".rpt-table")).to_be_visible()


def test_an_admin_filters_by_team(open_as, artifacts):
    page = open_as(ADMIN)
    page.goto("/reports/inquiries")
    page.get_by_label("Period").select_option(label="Last quarter")
    page.get_by_label("Group by").select_option(label="Team")
    fresh(page)
    everyone = ask(page, "inquiries")
    assert "team_id" not in shown_query(page)
    page.get_by_text("Filters").click()
    page.get_by_label("Team", exact=True).select_option(label="Field Sales North")
    fresh(page)
    query = shown_query(page)
    assert query["team_id"]
    north = ask(page, "inquiries")
    assert north["filters"] == {"team_id": query["team_id"]}
    assert [r["label"] for r in north["rows"]] == ["Field Sales North"]
    expect(cell(page, "total", "inquiries")).to_have_text(count(north["totals"]["inquiries"]))
    assert north["totals"]["inquiries"] < everyone["totals"]["inquiries"]
    expect(page.locator(".rpt-filters summary")).to_have_text("Filters (1 on)")
    # The people offered are the team's.
    people = page.get_by_label("Person", exact=True).locator("option").all_inner_texts()
    assert "Robin Rep" in people and "Jamie Rep" not in people
    shoot(page, artifacts, "122-reports-admin-team-filter.png")


# --- a rep and customer service -----------------------------------------------------------------


def test_a_rep_sees_their_scorecard_and_no_channels(open_as, artifacts):
    page = open_as(ROBIN)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Team area")).to_have_count(0)
    hub = page.locator(".rpt-hub")
    expect(hub.get_by_role("link").first).to_contain_text("My scorecard")
    expect(hub.get_by_role("link", name="Channels")).to_have_count(0)
    shoot(page, artifacts, "120-reports-rep-hub.png")

    hub.get_by_role("link", name="My scorecard").click()
    expect(page.get_by_role("heading", name="My scorecard", level=1)).to_be_visible()
    fresh(page)
    report = ask(page, "reps")
    mine = report["totals"]
    assert [r["label"] for r in report["rows"]] in ([], ["Robin Rep"])  # their own row only
    for figure, text in (
        ("sales", money(mine["sales"])),
        ("won", count(mine["won"])),
        ("inquiries", count(mine["inquiries"])),
        ("follow_ups", count(mine["follow_ups"])),
        ("first_response_met_rate", ratio(mine["first_response_met_rate"])),
    ):
        expect(page.locator(f'.rpt-card[data-figure="{figure}"] .rpt-card-value')).to_have_text(
            text
        )
    follow = page.locator('.rpt-card[data-figure="follow_ups"]')
    expect(follow).to_contain_text(count_change(mine["follow_ups"], mine["previous"]["follow_ups"]))
    # Score and rank would compare the rep with nobody but themselves: not shown.
    expect(page.locator('.rpt-card[data-figure="score"]')).to_have_count(0)
    expect(page.get_by_label("Group by")).to_have_count(0)
    shoot(page, artifacts, "121-reports-rep-scorecard.png")
    no_serious_violations(page, "rep scorecard")

    page.goto("/reports/channels")
    expect(page.get_by_role("alert")).to_contain_text("This report is not for your role.")
    status, _ = api_get(page, "/reports/channels?from=2026-01-01&to=2026-01-31")
    assert status == 403


def test_customer_service_has_no_reports(open_as):
    page = open_as(CASEY)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Reports")).to_have_count(0)
    page.goto("/reports/inquiries")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("heading", name="Inquiry classification")).to_have_count(0)
    expect(page.get_by_role("heading", name="Reports")).to_have_count(0)
    status, _ = api_get(page, "/reports/inquiries?from=2026-01-01&to=2026-01-31")
    assert status == 403
