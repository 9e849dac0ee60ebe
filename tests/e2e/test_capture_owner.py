"""Quick capture's owner picker and source choice at 360×740: customer service hands a lead
to a chosen rep, a team lead picks a rep of their team, and Save waits for a source."""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import expect

from tests.e2e.helpers import ADMIN, CASEY, LEAD, ROBIN, sign_in, wait_synced


def _server_lead(api, name: str) -> dict:
    """The lead as the server holds it, once the device's push has reached it."""
    deadline = time.monotonic() + 20
    while True:
        found = [lead for lead in api.all_leads() if lead["contact_name"] == name]
        if found:
            return found[0]
        assert time.monotonic() < deadline, name
        time.sleep(0.25)


def _open_capture(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New").click()
    expect(page.get_by_role("heading", name="New inquiry")).to_be_visible()


def test_customer_service_hands_a_lead_to_a_chosen_rep(new_context, api, artifacts):
    admin, robin = api(ADMIN), api(ROBIN)
    page = new_context().new_page()
    sign_in(page, CASEY)
    _open_capture(page)

    owner, source = page.get_by_label("Give to"), page.get_by_label("Source")
    expect(source).to_have_value("")  # no silent default
    expect(owner).to_have_value("")
    sales = {
        u["name"]
        for u in admin.call("GET", "/api/v1/users")
        if u["active"] and u["role"] in ("admin", "lead", "rep")
    }
    offered = set(owner.locator("option").all_inner_texts()) - {"Choose…"}
    assert offered == sales

    name = f"Handed over {uuid.uuid4().hex[:6]}"
    page.get_by_label("Contact name").fill(name)
    page.get_by_label("Email").fill("buyer@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Choose where this inquiry came from.")).to_be_visible()
    expect(page.get_by_text("Choose the sales person to hand this lead to.")).to_be_visible()
    expect(owner).to_have_attribute("aria-invalid", "true")
    expect(owner).to_be_focused()
    page.screenshot(path=str(artifacts / "40-capture-cs-blocked.png"), full_page=True)

    owner.select_option(label=robin.user["name"])
    source.select_option(label="Phone")
    expect(page.get_by_text("Choose where this inquiry came from.")).to_have_count(0)
    page.screenshot(path=str(artifacts / "41-capture-cs-chosen.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="New inquiry")).to_have_count(0)
    wait_synced(page)

    lead = _server_lead(robin, name)
    assert lead["owner_id"] == robin.user["id"]
    assert lead["created_by"] == api(CASEY).user["id"]
    assert (lead["source"], lead["email"]) == ("phone", "buyer@example.com")


def test_a_team_lead_picks_a_rep_of_their_team(new_context, api, artifacts):
    admin, lead_api = api(ADMIN), api(LEAD)
    me = lead_api.user
    people = admin.call("GET", "/api/v1/users")
    mine = [
        u
        for u in people
        if u["active"] and u["role"] == "rep" and set(u["team_ids"]) & set(me["team_ids"])
    ]
    others = [
        u for u in people if u["role"] == "rep" and not set(u["team_ids"]) & set(me["team_ids"])
    ]
    assert mine and others
    rep = mine[0]

    page = new_context().new_page()
    sign_in(page, LEAD)
    _open_capture(page)
    owner = page.get_by_label("Give to")
    expect(owner).to_have_value("")  # "Me (…)": their own lead unless they choose
    offered = owner.locator("option").all_inner_texts()
    assert offered[0] == f"Me ({me['name']})"
    assert {u["name"] for u in mine} <= set(offered)
    assert not {u["name"] for u in others} & set(offered)

    name = f"For my rep {uuid.uuid4().hex[:6]}"
    page.get_by_label("Contact name").fill(name)
    owner.select_option(label=rep["name"])
    page.get_by_label("Source").select_option(label="Website")
    page.screenshot(path=str(artifacts / "42-capture-team-lead.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    # Said once, and the lead shows whose it is.
    expect(page.locator(".notice")).to_contain_text(f"Handed to {rep['name']}")
    expect(page.locator(".facts")).to_contain_text(f"Owner{rep['name']}")
    wait_synced(page)
    lead = _server_lead(lead_api, name)
    assert (lead["owner_id"], lead["source"]) == (rep["id"], "website")


def test_capture_blocks_save_without_a_source_and_a_rep_has_no_picker(new_context, api, artifacts):
    robin = api(ROBIN)
    page = new_context().new_page()
    sign_in(page, ROBIN)
    _open_capture(page)
    expect(page.get_by_label("Give to")).to_have_count(0)
    name = f"No source {uuid.uuid4().hex[:6]}"
    page.get_by_label("Contact name").fill(name)
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Choose where this inquiry came from.")).to_be_visible()
    expect(page.get_by_text("Not an email address, e.g. name@example.com.")).to_be_visible()
    expect(page.get_by_role("heading", name="New inquiry")).to_be_visible()
    page.screenshot(path=str(artifacts / "43-capture-no-source.png"), full_page=True)

    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Source").select_option(label="Referral")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    wait_synced(page)
    lead = _server_lead(robin, name)
    assert (lead["owner_id"], lead["source"]) == (robin.user["id"], "referral")
