"""People and teams administration on a phone (360×740): an admin adds a team, invites a
person, the person opens the invitation link with nobody signed in, chooses a password and
lands in the app; the admin changes their role and teams (the server then says so), and
deactivates them (they can no longer sign in).

The e2e server has no mail server, so the person opens the link the admin is shown (the
email itself is tested against a real SMTP server in tests/accounts/test_invitations.py).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid

from playwright.sync_api import expect

from tests.e2e.helpers import ADMIN, sign_in, wait_synced
from tests.e2e.test_accessibility import check as axe_check

NEW_PASSWORD = "chosen by nina 42"


def _login_status(server: str, email: str, password: str) -> int:
    request = urllib.request.Request(
        server + "/api/v1/auth/login",
        data=json.dumps({"email": email, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_admin_invites_a_person_who_joins_then_changes_and_deactivates_them(
    new_context, api, server, artifacts
):
    admin_api = api(ADMIN)
    tag = uuid.uuid4().hex[:6]
    email = f"nina.{tag}@demo.leadsync.test"
    name = f"Nina Neu {tag}"
    team_a, team_b = f"Trade fairs {tag}", f"Key accounts {tag}"

    axe: dict[str, str] = {}  # screen → serious or critical axe-core violations
    admin_context = new_context()
    admin_context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = admin_context.new_page()
    sign_in(page, ADMIN)

    # Teams: add two (the new one appears with no members), rename one.
    page.goto("/admin/teams")
    expect(page.get_by_role("heading", name="Teams")).to_be_visible()
    for team in (team_a, "Key acounts"):
        page.get_by_label("New team").fill(team)
        page.get_by_role("button", name="Add team").click()
        expect(page.get_by_role("status").filter(has_text=f"Team {team} added.")).to_be_visible()
    page.get_by_label("New team").fill(team_a.upper())
    page.get_by_role("button", name="Add team").click()
    expect(page.get_by_text("Another team has this name.")).to_be_visible()
    page.get_by_role("button", name="Rename Key acounts").click()
    page.get_by_label("New name for Key acounts").fill(team_b)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text=f"Renamed to {team_b}.")).to_be_visible()
    row = page.locator(".tms-row").filter(has_text=team_b)
    expect(row).to_contain_text("0 members")
    expect(page.locator(".tms-row").filter(has_text="Field Sales North")).to_contain_text(
        re.compile(r"\d+ members")
    )
    page.screenshot(path=str(artifacts / "admin-teams-360.png"), full_page=True)
    axe_check(page, "teams", axe)
    teams = {t["name"]: t["id"] for t in admin_api.call("GET", "/api/v1/teams")}
    assert team_a in teams and team_b in teams

    # People: everyone listed with role and teams; the list is searchable.
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    robin = page.locator(".ppl-row").filter(has_text="robin@demo.leadsync.test")
    expect(robin).to_contain_text("Sales rep")
    expect(robin).to_contain_text("Field Sales North")
    expect(page.locator(".ppl-row").filter(has_text="Avery Admin")).to_contain_text("You")
    page.screenshot(path=str(artifacts / "admin-people-list-360.png"), full_page=True)
    axe_check(page, "people", axe)
    page.get_by_label("Search people").fill("south team lead")
    expect(page.locator(".ppl-row")).to_have_count(1)
    expect(page.locator(".ppl-row")).to_contain_text("Morgan Lead")
    page.get_by_label("Search people").fill("")

    # Invite: a refusal keeps what was typed and says why at the field.
    page.get_by_role("button", name="Invite a person").click()
    page.get_by_label("Email").fill("robin@demo.leadsync.test")
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Someone already has an account with this email.")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value(name)
    page.get_by_label("Email").fill(email)
    expect(page.get_by_text("Someone already has an account")).to_have_count(0)
    expect(page.get_by_text("Not saved")).to_have_count(0)
    page.get_by_label("Role").select_option(label="Sales rep")
    page.get_by_label(team_a).check()
    page.screenshot(path=str(artifacts / "admin-invite-form-360.png"), full_page=True)
    axe_check(page, "invite form", axe)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("heading", name="Invitation ready")).to_be_visible()
    expect(page.get_by_text(f"{name} ({email}) is invited.")).to_be_visible()
    expect(page.get_by_text("No email was sent: this server has no mail set up.")).to_be_visible()
    link = page.get_by_label("Invitation link").input_value()
    assert link.startswith(server + "/invite/"), link
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    page.screenshot(path=str(artifacts / "admin-invite-result-360.png"), full_page=True)
    axe_check(page, "invite result", axe)
    page.get_by_role("button", name="Done").click()
    invited = page.locator(".ppl-row").filter(has_text=email)
    expect(invited).to_contain_text("Invited")
    expect(invited).to_contain_text(team_a)
    # Not signed up yet: no password lets them in.
    assert _login_status(server, email, NEW_PASSWORD) == 401

    # The person opens the link on their own phone, with nobody signed in.
    phone = new_context().new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", name="Join Demo Trading Co.")).to_be_visible()
    expect(phone.get_by_text(f"Welcome, {name}.")).to_be_visible()
    expect(phone.get_by_text(email)).to_be_visible()
    phone.screenshot(path=str(artifacts / "invitation-page-360.png"), full_page=True)
    axe_check(phone, "invitation page", axe)
    phone.get_by_label("Choose a password").fill("short")
    phone.get_by_role("button", name="Set password and sign in").click()
    expect(phone.get_by_text("Use 8 to 256 characters.")).to_be_visible()
    phone.get_by_label("Choose a password").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Set password and sign in").click()
    expect(phone.get_by_role("navigation", name="Main")).to_be_visible()
    wait_synced(phone)
    expect(phone.get_by_role("heading", name="My queue")).to_be_visible()
    phone.get_by_role("link", name="Settings").click()
    expect(phone.locator("dl.facts").first).to_contain_text(email)
    assert _login_status(server, email, NEW_PASSWORD) == 200

    # The link is used up: opened again, it says so.
    used = new_context().new_page()
    used.goto(link)
    expect(used.get_by_role("heading", name="This invitation link does not work")).to_be_visible()
    expect(used.get_by_text("This invitation has been used already.")).to_be_visible()
    axe_check(used, "used invitation", axe)

    # The admin makes them a team lead of the other team instead.
    page.reload()
    expect(page.locator(".ppl-row").filter(has_text=email)).not_to_contain_text("Invited")
    page.locator(".ppl-row").filter(has_text=email).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    page.get_by_label("Role").select_option(label="Team lead")
    page.get_by_label(team_a).uncheck()
    page.get_by_label(team_b).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text=f"{name} saved.")).to_be_visible()
    person = next(u for u in admin_api.call("GET", "/api/v1/users") if u["email"] == email)
    assert person["role"] == "lead"
    assert person["team_ids"] == [teams[team_b]]
    expect(page.locator(".ppl-row").filter(has_text=email)).to_contain_text("Team lead")

    # Deactivating asks first; afterwards they are signed out and cannot sign in.
    page.locator(".ppl-row").filter(has_text=email).click()
    page.get_by_role("button", name="Deactivate").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Deactivate {name}?")
    page.screenshot(path=str(artifacts / "admin-person-360.png"), full_page=True)
    axe_check(page, "person", axe)
    dialog.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status").filter(has_text=f"{name} is deactivated")).to_be_visible()
    off = page.locator(".ppl-row").filter(has_text=email)
    expect(off).to_contain_text("Inactive")
    page.screenshot(path=str(artifacts / "admin-people-deactivated-360.png"), full_page=True)
    person = next(u for u in admin_api.call("GET", "/api/v1/users") if u["email"] == email)
    assert person["active"] is False
    assert _login_status(server, email, NEW_PASSWORD) == 401
    phone.reload()
    expect(phone.get_by_role("heading", name="Sign in to LeadSync")).to_be_visible()
    phone.get_by_label("Password").fill(NEW_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_text("Wrong email or password.")).to_be_visible()
    assert not axe, "\n".join(f"[{k}]\n{v}" for k, v in axe.items())


def test_an_admin_cannot_demote_or_deactivate_themself(new_context, artifacts):
    page = new_context().new_page()
    sign_in(page, ADMIN)
    page.goto("/admin/users")
    page.locator(".ppl-row").filter(has_text="admin@demo.leadsync.test").click()
    expect(page.get_by_role("heading", name="Avery Admin")).to_be_visible()
    expect(page.get_by_text("This is you")).to_be_visible()
    expect(page.get_by_label("Role")).to_be_disabled()
    expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)
    # On a laptop: the same screens, a readable column.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="← People").click()
    expect(page.get_by_role("heading", name="People", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "admin-people-list-1280.png"))


def test_admin_sends_a_new_invitation_and_the_old_link_says_it_was_replaced(new_context, api):
    admin_api = api(ADMIN)
    tag = uuid.uuid4().hex[:6]
    email = f"omar.{tag}@demo.leadsync.test"
    first = admin_api.call(
        "POST", "/api/v1/users", {"email": email, "name": f"Omar {tag}", "role": "cs"}
    )
    old_link = first["invitation"]["url"]

    page = new_context().new_page()
    sign_in(page, ADMIN)
    page.goto("/admin/users")
    page.locator(".ppl-row").filter(has_text=email).click()
    expect(page.get_by_text("Has not chosen a password yet.")).to_be_visible()
    page.get_by_role("button", name="Send a new invitation").click()
    expect(page.get_by_role("heading", name="Invitation ready")).to_be_visible()
    new_link = page.get_by_label("Invitation link").input_value()
    assert new_link != old_link

    phone = new_context().new_page()
    phone.goto(old_link)
    expect(phone.get_by_role("heading", name="This invitation link does not work")).to_be_visible()
    expect(phone.get_by_text("replaced by a newer one")).to_be_visible()
    phone.goto(new_link)
    expect(phone.get_by_role("heading", name="Join Demo Trading Co.")).to_be_visible()
    # The admin deactivates them before they accept: the link stops working too.
    admin_api.call("PATCH", f"/api/v1/users/{first['id']}", {"active": False})
    phone.get_by_label("Choose a password").fill("a fine password")
    phone.get_by_role("button", name="Set password and sign in").click()
    expect(phone.get_by_role("heading", name="This invitation link does not work")).to_be_visible()
    expect(phone.get_by_role("navigation", name="Main")).to_have_count(0)
