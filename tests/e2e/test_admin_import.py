"""Administration at 360×740: the history import and the spend ledger.

An admin imports past inquiries from a CSV file in the PWA (the server holds them, found by
their ``external_ref``), sees a bad file's problems by line with nothing imported, is asked
before sending the same file again, and imports follow-ups; then adds, edits and deletes a
spend entry (the ledger over the API follows each step), which a team lead can only read.
Screenshots ``120-``–``129-*.png``.

The server is shared by the package's tests. Imported leads cannot be deleted, so they are
made harmless: closed, dated 2019 (outside every period another test reads), owned by the
admin. Spend entries added here are deleted in ``finally``.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.helpers import ADMIN, LEAD, sign_in


def open_section(page: Page, section: str) -> None:
    """Settings → Administration → the section, as an admin finds it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name=re.compile("^Administration")).click()
    page.get_by_role("link", name=re.compile(f"^{re.escape(section)}")).click()
    expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()


def csv_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "text/csv", "buffer": text.encode("utf-8")}


def imported(api_session, tag: str) -> dict[str, dict]:
    return {
        lead["external_ref"]: lead
        for lead in api_session.all_leads()
        if (lead["external_ref"] or "").startswith(tag)
    }


def test_an_admin_imports_past_inquiries_by_file(new_context, api, artifacts):
    admin_api = api(ADMIN)
    tag = f"E2E-{uuid.uuid4().hex[:6]}"
    # A generated open demo lead (not one of the five the other tests use): the imported
    # inquiry with its phone number is flagged as a possible duplicate of it.
    named = {"Jonas Weber", "Mia Schulz", "Lukas Becker", "Emma Fischer", "Noah Wagner"}
    twin = next(
        lead
        for lead in admin_api.all_leads()
        if lead["phone"]
        and lead["contact_name"] not in named
        and lead["stage"] in ("contacted", "quoted", "negotiating")
    )
    page = new_context().new_page()
    sign_in(page, ADMIN)
    open_section(page, "Import history")
    expect(page.get_by_role("radio", name="Inquiries (leads)")).to_be_checked()
    expect(page.get_by_role("button", name="Import")).to_be_disabled()  # no file yet
    # The template: the header row, made on the device.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download a template (CSV)").click()
    header = download.value.path().read_text(encoding="utf-8-sig").strip().split(",")
    assert {"external_ref", "contact_name", "created_at", "stage", "won_value"} <= set(header)
    page.screenshot(path=artifacts / "120-import-form.png", full_page=True)

    # A bad file: every bad line named, nothing imported.
    bad = (
        "external_ref,contact_name,phone,source,created_at,stage,closed_at,won_value,lost_reason\n"
        f"{tag}-1,Anna Alt,,website,2019-03-01,won,2019-03-20,1500,\n"
        f"{tag}-2,,,phone,2019-03-02,lost,2019-03-10,,\n"
        f"{tag}-3,Carla Cordes,,carrier_pigeon,2019-03-03,won,2019-03-05,,\n"
    )
    page.get_by_label("CSV file").set_input_files(csv_file("old-crm-bad.csv", bad))
    expect(page.get_by_text("old-crm-bad.csv")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    problems = page.locator(".imp-lines li")
    expect(problems.filter(has_text="Line 3: contact name —")).to_have_count(1)
    expect(problems.filter(has_text="Line 4: source —")).to_have_count(1)
    won_value = problems.filter(has_text="Line 4: won value — A won lead needs its value.")
    expect(won_value).to_have_count(1)
    expect(problems.filter(has_text="Line 2")).to_have_count(0)  # the good row is not blamed
    expect(page.get_by_text("Fix these 2 lines in the file")).to_be_visible()
    page.screenshot(path=artifacts / "121-import-problems.png", full_page=True)
    assert imported(admin_api, tag) == {}
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the problems (CSV)").click()
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "line,column,problem"
    assert {row.split(",")[:2][0] for row in rows[1:]} == {"3", "4"}

    # The file fixed: all rows in, one flagged as a possible duplicate.
    good = (
        "external_ref,contact_name,company,phone,source,created_at,stage,closed_at,won_value,"
        "lost_reason\n"
        f"{tag}-1,Anna Alt,Alt Mühlen GmbH,,website,2019-03-01,won,2019-03-20,1500.50,\n"
        f"{tag}-2,Bernd Bau,,,phone,2019-03-02 14:30,lost,2019-03-10,,price_too_high\n"
        f"{tag}-3,Carla Cordes,,{twin['phone']},trade_show,2019-03-03,lost,2019-04-01,,"
        "no_response\n"
    )
    page.get_by_label("CSV file").set_input_files(csv_file("old-crm.csv", good))
    page.get_by_role("button", name="Import", exact=True).click()
    done = page.get_by_role("heading", name="Imported 3 leads, 1 flagged as possible duplicates.")
    expect(done).to_be_visible()
    expect(page.get_by_label("CSV file")).to_have_value("")  # ready for the next file
    page.screenshot(path=artifacts / "122-import-done.png", full_page=True)
    leads = imported(admin_api, tag)
    assert set(leads) == {f"{tag}-1", f"{tag}-2", f"{tag}-3"}
    anna, bernd, carla = leads[f"{tag}-1"], leads[f"{tag}-2"], leads[f"{tag}-3"]
    assert (anna["stage"], anna["won_value"], anna["company"]) == ("won", 1500.5, "Alt Mühlen GmbH")
    assert anna["created_at"] == "2019-02-28T23:00:00.000Z"  # midnight in Berlin
    assert (bernd["stage"], bernd["lost_reason"]) == ("lost", "price_too_high")
    assert bernd["created_at"] == "2019-03-02T13:30:00.000Z"
    assert carla["possible_duplicate_of"] == twin["id"]
    # Rows without an owner go where the assignment rules say: the demo's route by postcode,
    # and these rows have no region, so its default owner (Lee Lead) takes them.
    people = {p["email"]: p["id"] for p in admin_api.call("GET", "/api/v1/users")}
    assert anna["owner_id"] == people["lead@demo.leadsync.test"]

    # The same file again: asked first; sent anyway, its references refuse it whole.
    page.get_by_label("CSV file").set_input_files(csv_file("old-crm.csv", good))
    warning = page.get_by_text(re.compile("You imported a file of this name and size"))
    expect(warning).to_be_visible()
    again = page.get_by_role("button", name="Import it again anyway")
    expect(again).to_be_visible()
    page.screenshot(path=artifacts / "123-import-again.png", full_page=True)
    again.click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    expect(
        problems.filter(has_text="external ref — Already imported (a lead has this reference).")
    ).to_have_count(3)
    assert len(imported(admin_api, tag)) == 3

    # Follow-ups of the imported inquiries, found by their reference. A leads file sent as
    # follow-ups is refused by its header.
    page.get_by_role("radio", name="Follow-ups of imported inquiries").check()
    expect(page.get_by_text(re.compile(r"lead_ref \(the inquiry"))).to_be_visible()
    page.get_by_label("CSV file").set_input_files(csv_file("old-crm.csv", good))
    expect(warning).to_have_count(0)  # the same file, but not as follow-ups
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("The header row is not right.")).to_be_visible()
    expect(page.locator(".imp-general")).to_contain_text("Unknown columns: external_ref")

    # While the file is on its way: a spinner, and the button cannot send it twice.
    held = []

    def hold(route) -> None:
        held.append(route)

    page.route("**/api/v1/imports/followups", hold)
    page.get_by_label("CSV file").set_input_files(
        csv_file(
            "old-calls.csv",
            "lead_ref,happened_at,kind,note\n"
            f"{tag}-1,2019-03-05 10:00,call,Asked for the invoice\n",
        )
    )
    page.get_by_role("button", name="Import", exact=True).click()
    sending = page.get_by_role("button", name="Importing…")
    expect(sending).to_be_disabled()
    expect(page.get_by_text(re.compile("Sending and checking old-calls.csv"))).to_be_visible()
    sending.click(force=True)
    page.screenshot(path=artifacts / "129-import-sending.png", full_page=True)
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_role("heading", name="Imported 1 follow-up on 1 lead.")).to_be_visible()
    page.unroute("**/api/v1/imports/followups")
    calls = admin_api.call("GET", f"/api/v1/leads/{anna['id']}/followups")
    calls = calls["items"] if isinstance(calls, dict) else calls
    assert [(c["kind"], c["note"]) for c in calls] == [("call", "Asked for the invoice")]


def spend_tagged(api_session, tag: str) -> list[dict]:
    return [e for e in api_session.call("GET", "/api/v1/spend") if tag in (e["note"] or "")]


def test_an_admin_keeps_the_spend_ledger_and_a_team_lead_reads_it(new_context, api, artifacts):
    admin_api = api(ADMIN)
    tag = f"e2e {uuid.uuid4().hex[:6]}"
    page = new_context().new_page()
    sign_in(page, ADMIN)
    try:
        open_section(page, "Marketing spend")
        expect(page.get_by_text(re.compile(r"in EUR: the cost side"))).to_be_visible()
        # This month's demo spend, totalled per source.
        totals = page.locator(".spd-totals")
        expect(totals.get_by_role("rowheader", name=re.compile("^Website"))).to_be_visible()
        expect(totals.get_by_role("rowheader", name="Total")).to_be_visible()
        page.screenshot(path=artifacts / "124-spend-list.png", full_page=True)

        page.get_by_role("button", name="Add spend").click()
        expect(page.get_by_role("heading", name="New spend entry")).to_be_visible()
        expect(page.get_by_label("Amount (EUR)")).to_be_visible()
        day = page.get_by_label("Day").input_value()
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)  # today, to start with
        page.get_by_label("Source").select_option(label="Referral")
        page.get_by_label("Amount (EUR)").fill("lots")
        page.get_by_role("button", name="Add entry").click()
        expect(page.get_by_text("An amount in digits, e.g. 1250.00.")).to_be_visible()
        page.get_by_label("Amount (EUR)").fill("1 234,56")  # as typed on a German keyboard
        page.get_by_label("Note").fill(f"Bonus for a referral ({tag})")
        page.screenshot(path=artifacts / "125-spend-form.png", full_page=True)
        page.get_by_role("button", name="Add entry").click()
        expect(page.get_by_role("status").last).to_contain_text("Added: Referral")
        [entry] = spend_tagged(admin_api, tag)
        assert (entry["source"], entry["spent_on"], entry["amount"], entry["currency"]) == (
            "referral",
            day,
            1234.56,
            "EUR",
        )
        row = page.get_by_role("button", name=re.compile(re.escape(tag)))
        expect(row).to_contain_text("€1,234.56")

        # Edited: another source and amount.
        row.click()
        expect(page.get_by_role("heading", name="Edit spend entry")).to_be_visible()
        expect(page.get_by_label("Amount (EUR)")).to_have_value("1234.56")
        page.get_by_label("Source").select_option(label="Other")
        page.get_by_label("Amount (EUR)").fill("999")
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_role("status").last).to_contain_text("Saved: Other")
        expect(row).to_contain_text("€999.00")
        [entry] = spend_tagged(admin_api, tag)
        assert (entry["source"], entry["amount"]) == ("other", 999.0)

        # Deleted, after a confirmation.
        row.click()
        page.get_by_role("button", name="Delete entry").click()
        confirm = page.get_by_role("alertdialog")
        expect(confirm).to_contain_text("Delete Other")
        page.screenshot(path=artifacts / "126-spend-delete.png", full_page=True)
        confirm.get_by_role("button", name="Delete entry").click()
        expect(page.get_by_role("status").last).to_contain_text("Deleted: Other")
        expect(row).to_have_count(0)
        assert spend_tagged(admin_api, tag) == []

        # Filtered by source: that source's entries and total alone.
        page.get_by_label("Source").select_option(label="Website")
        expect(page.get_by_role("heading", name=re.compile(r"^Entries \(\d+\)"))).to_be_visible()
        expect(totals.get_by_role("rowheader")).to_have_count(1)
        page.screenshot(path=artifacts / "127-spend-filtered.png", full_page=True)

        # A team lead reads the ledger, and nothing more.
        lee = new_context().new_page()
        sign_in(lee, LEAD)
        lee.goto("/admin/spend")
        expect(lee.get_by_role("heading", name="Marketing spend")).to_be_visible()
        expect(lee.get_by_text("Admins record spend; you can read it.")).to_be_visible()
        expect(lee.locator(".spd-totals")).to_be_visible()
        expect(lee.get_by_role("button", name="Add spend")).to_have_count(0)
        expect(lee.locator("button.spd-entry")).to_have_count(0)
        lee.screenshot(path=artifacts / "128-spend-team-lead.png", full_page=True)
    finally:
        for entry in spend_tagged(admin_api, tag):
            admin_api.call("DELETE", f"/api/v1/spend/{entry['id']}")
