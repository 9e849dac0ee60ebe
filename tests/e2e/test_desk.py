"""The customer-service desk in the PWA (issue 13): a consumer asks through the public form in
one browser, the desk sees it arrive without a reload, claims it, answers with a canned answer
filled in for the question (the product's real price), and hands it to sales; the rep's
browser receives the lead. What a consumer types is shown, never run. A claim that loses is
reported like any refused change. Screenshots at 360×740 (``50``–``56-*.png``) and on a laptop.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    ADMIN,
    CASEY,
    LEAD,
    ROBIN,
    ask_question,
    open_question,
    sign_in,
    sync_now,
    wait_controlled,
    wait_synced,
)
from tests.e2e.test_field_ready import MEASURE
from tests.e2e.test_push_reminder import NOTIFICATIONS, _pump_until, _registration_id

# What would run if the desk rendered a consumer's text as HTML.
HOSTILE = (
    '<script>window.__pwned = "script"</script>'
    '<img src="x" onerror="window.__pwned = \'img\'"> Does the boiler fit a small flat?'
)


def _price(amount: float, currency: str) -> str:
    """The server's format_price, worked by hand for the test's figures."""
    return f"{amount:,.2f} {currency}"


def _product_with_price(admin) -> dict:
    priced = [p for p in admin.call("GET", "/api/v1/products") if p.get("list_price")]
    return sorted(priced, key=lambda p: p["name"])[0]


def _route_to(admin, product_id: str, owner_id: str) -> None:
    """An assignment rule sending this product's conversions to one rep, if the rules exist
    (another part of issue 13); without them the organisation's default owner gets the lead."""
    with contextlib.suppress(AssertionError):
        admin.call(
            "POST",
            "/api/v1/assignment-rules",
            {
                "name": f"Desk test {uuid.uuid4().hex[:6]}",
                "position": 1,
                "match": {"product_id": product_id},
                "owner_id": owner_id,
            },
        )


def _question_id(page: Page) -> str:
    return page.url.rstrip("/").split("/")[-1]


def test_a_question_is_answered_from_a_canned_answer_and_handed_to_sales(
    new_context, api, artifacts
):
    admin = api(ADMIN)
    org = admin.call("GET", "/api/v1/org")
    product = _product_with_price(admin)
    currency = product.get("currency") or org["currency"]
    robin = api(ROBIN).user
    _route_to(admin, product["id"], robin["id"])
    title = f"Price and delivery {uuid.uuid4().hex[:6]}"
    admin.call(
        "POST",
        "/api/v1/canned-answers",
        {
            "title": title,
            "body": "Hello {{consumer.name}}, the {{ product.name }} costs "
            "{{product.list_price}}. {{staff.name}}, {{org.name}}",
            "tags": ["price"],
        },
    )

    # The desk is open before the question exists: it must arrive by itself.
    desk = new_context().new_page()
    sign_in(desk, CASEY)
    expect(desk.get_by_role("heading", name="Question queue")).to_be_visible()
    rep = new_context().new_page()
    sign_in(rep, ROBIN)

    consumer = new_context().new_page()
    name = f"Ada Desk {uuid.uuid4().hex[:6]}"
    conversation_url = ask_question(
        consumer, org["slug"], name, "ada.desk@example.test", HOSTILE, product=product["name"]
    )

    open_question(desk, name)  # within one 15 s poll, no reload
    question_id = _question_id(desk)
    # The consumer's text is shown as text; nothing of it ran.
    expect(desk.locator(".msg-consumer .msg-body")).to_have_text(HOSTILE)
    assert desk.evaluate("window.__pwned") is None
    assert desk.locator(".conversation img, .conversation script").count() == 0
    expect(desk.get_by_role("timer").first).to_contain_text("Reply due")
    desk.screenshot(path=str(artifacts / "50-desk-question.png"))

    # Claim: one tap.
    desk.get_by_role("group", name="Question actions").get_by_role("button", name="Claim").click()
    expect(desk.locator(".facts")).to_contain_text("yours until")
    wait_synced(desk)
    held = admin.call("GET", f"/api/v1/questions/{question_id}")
    assert held["claim"]["user_id"] == api(CASEY).user["id"]

    # A canned answer, found by a word of its title and filled in for this question.
    desk.get_by_label("Search canned answers").fill(title.split()[0].upper())
    desk.get_by_role("button", name=f"Insert “{title}”").click()
    expected = (
        f"Hello {name}, the {product['name']} costs {_price(product['list_price'], currency)}."
        f" Casey Service, {org['name']}"
    )
    expect(desk.get_by_label("Your reply")).to_have_value(expected)
    desk.get_by_role("button", name="Send reply").scroll_into_view_if_needed()
    desk.screenshot(path=str(artifacts / "51-desk-canned-inserted.png"))
    desk.get_by_role("button", name="Send reply").click()
    expect(desk.locator(".msg-staff .msg-body").last).to_have_text(expected)
    wait_synced(desk)
    messages = admin.call("GET", f"/api/v1/questions/{question_id}")["messages"]
    assert [m["body"] for m in messages if m["author"] == "staff"] == [expected]
    consumer.goto(conversation_url)
    expect(consumer.get_by_text(expected)).to_be_visible()

    # A note stays on the desk.
    desk.get_by_label("Internal note").check()
    desk.get_by_label("Your note (only staff see it)").fill("Wants delivery before Christmas")
    desk.get_by_role("button", name="Add note").click()
    expect(desk.locator(".msg-note")).to_contain_text("Only staff see this", ignore_case=True)
    wait_synced(desk)
    consumer.reload()
    expect(consumer.get_by_text("Wants delivery before Christmas")).to_have_count(0)

    # Hand to sales: two taps (and the quantity).
    desk.get_by_role("button", name="Hand to sales").click()
    desk.get_by_label("Quantity").fill("2")
    desk.get_by_role("button", name="Hand over").click()
    expect(desk.locator(".handed")).to_contain_text("Handed to sales")
    wait_synced(desk)
    converted = admin.call("GET", f"/api/v1/questions/{question_id}")
    lead_id = converted.get("lead_id")
    assert lead_id, converted
    lead = admin.call("GET", f"/api/v1/leads/{lead_id}")
    assert lead["contact_name"] == name and lead["source"] == "customer_service"
    owner = next(u for u in admin.call("GET", "/api/v1/users") if u["id"] == lead["owner_id"])
    sync_now(desk)
    wait_synced(desk)
    expect(desk.locator(".handed")).to_contain_text(f"Handed to sales: {owner['name']}")
    desk.evaluate("scrollTo(0, 0)")
    desk.screenshot(path=str(artifacts / "52-desk-handed-to-sales.png"))

    # The rep's browser receives the lead (routed to Robin by the rule when rules exist).
    if owner["id"] == robin["id"]:
        sync_now(rep)
        wait_synced(rep)
        rep.goto(f"/leads/{lead_id}")
        expect(rep.get_by_role("heading", name=name)).to_be_visible()
        expect(rep.get_by_role("timer").first).to_contain_text("Reply due")
        # The lead shows the conversation it came from, and the consumer's later messages.
        consumer.goto(conversation_url)
        consumer.get_by_label(re.compile("^Write to")).fill("Two units, please: one for my sister.")
        consumer.get_by_role("button", name="Send").click()
        expect(consumer.get_by_text("Two units, please")).to_be_visible()
        rep.reload()
        conversation = rep.get_by_role("region", name="Conversation with the consumer")
        expect(conversation).to_contain_text(expected)
        expect(conversation).to_contain_text("Two units, please: one for my sister.")
        expect(conversation.locator(".msg-consumer .msg-body").first).to_have_text(HOSTILE)
        assert rep.evaluate("window.__pwned") is None
        rep.screenshot(path=str(artifacts / "53-desk-lead-at-the-rep.png"))

    # Resolve: one tap; it leaves the open queue.
    desk.get_by_role("button", name="Resolve").click()
    expect(desk.locator(".facts")).to_contain_text("Resolved")
    expect(desk.get_by_role("status").first).to_contain_text("All changes sent")
    wait_synced(desk)
    assert admin.call("GET", f"/api/v1/questions/{question_id}")["status"] == "resolved"
    desk.get_by_role("link", name="All questions").click()
    queue = desk.get_by_role("list", name="Questions")
    expect(queue.get_by_role("link", name=name)).to_have_count(0)


def test_a_claim_that_loses_is_reported_on_the_question(new_context, api, artifacts):
    admin = api(ADMIN)
    org = admin.call("GET", "/api/v1/org")
    name = f"Grace Race {uuid.uuid4().hex[:6]}"
    admin.call(
        "POST",
        f"/api/v1/public/{org['slug']}/questions",
        {"name": name, "email": "grace@example.test", "message": "Is the M200 in stock?"},
        expect=201,
    )
    desk = new_context().new_page()
    sign_in(desk, CASEY)
    open_question(desk, name)
    question_id = _question_id(desk)

    # Offline, Casey claims; meanwhile the admin takes it on the server.
    desk.context.set_offline(True)
    desk.get_by_role("group", name="Question actions").get_by_role("button", name="Claim").click()
    expect(desk.locator(".facts")).to_contain_text("yours until")
    admin.call("POST", f"/api/v1/questions/{question_id}/claim", {})
    desk.context.set_offline(False)
    sync_now(desk)
    problem = desk.get_by_role("alert").filter(has_text="(claim) was not applied")
    expect(problem.first).to_be_visible(timeout=20_000)
    expect(desk.locator(".facts")).to_contain_text(f"{admin.user['name']} is on it")
    desk.evaluate("scrollTo(0, 0)")
    desk.screenshot(path=str(artifacts / "54-desk-claim-lost.png"))
    expect(problem.first).to_contain_text(f"{admin.user['name']} is answering this question")
    expect(desk.get_by_role("link", name=re.compile(r"1 change not applied"))).to_be_visible()


def test_team_leads_read_the_desk_and_a_laptop_shows_queue_and_conversation(
    new_context, api, artifacts
):
    admin = api(ADMIN)
    org = admin.call("GET", "/api/v1/org")
    name = f"Laptop Lin {uuid.uuid4().hex[:6]}"
    admin.call(
        "POST",
        f"/api/v1/public/{org['slug']}/questions",
        {"name": name, "email": "lin@example.test", "message": "Do you deliver to Lyon?"},
        expect=201,
    )
    lead_page = new_context().new_page()
    sign_in(lead_page, LEAD)
    lead_page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    team_area = lead_page.get_by_role("navigation", name="Team area")
    team_area.get_by_role("link", name="Questions").click()
    open_question(lead_page, name)
    expect(lead_page.get_by_text("Team leads read the desk")).to_be_visible()
    expect(lead_page.get_by_role("button", name="Claim")).to_have_count(0)
    expect(lead_page.get_by_role("button", name="Send reply")).to_have_count(0)
    lead_page.screenshot(path=str(artifacts / "55-desk-team-lead.png"))

    wide = new_context()
    page = wide.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, CASEY)
    open_question(page, name)
    queue = page.locator(".desk .desk-queue")
    pane = page.locator(".desk .conversation-pane")
    expect(queue).to_be_visible()
    expect(pane).to_be_visible()
    q_box, c_box = queue.bounding_box(), pane.bounding_box()
    assert q_box["x"] + q_box["width"] <= c_box["x"], (q_box, c_box)  # side by side
    expect(queue.locator("[aria-current='page']")).to_contain_text(name)
    page.screenshot(path=str(artifacts / "56-desk-laptop.png"))


def test_the_desk_passes_axe_and_every_tap_target_and_text_size(new_context, api, artifacts):
    """axe-core (serious and critical fail) and the 44 px / 16 px rule of every other screen,
    on the desk's queue, a conversation with a note, the canned answers and the hand-off form,
    for customer service and (read-only) for a team lead."""
    # Imported here: without axe-core that module skips, and only this test should.
    from tests.e2e.test_accessibility import audit, describe

    admin = api(ADMIN)
    org = admin.call("GET", "/api/v1/org")
    name = f"Axe Amal {uuid.uuid4().hex[:6]}"
    asked = admin.call(
        "POST",
        f"/api/v1/public/{org['slug']}/questions",
        {"name": name, "email": "amal@example.test", "message": "Which size for 40 m²?"},
        expect=201,
    )
    admin.call(
        "POST",
        f"/api/v1/questions/{asked['id']}/replies",
        {"body": "Checked the floor plan with them.", "internal": True},
        expect=201,
    )
    failures: dict[str, str] = {}
    small: dict[str, list[str]] = {}

    def check(page: Page, screen: str) -> None:
        bad = audit(page, screen)
        if bad:
            failures[screen] = describe(bad)
        sizes = page.evaluate(MEASURE)
        if sizes:
            small[screen] = sizes

    desk = new_context().new_page()
    sign_in(desk, CASEY)
    expect(desk.get_by_role("list", name="Questions").get_by_role("link", name=name)).to_be_visible(
        timeout=30_000
    )
    check(desk, "desk queue")
    open_question(desk, name)
    expect(desk.locator(".msg-note")).to_be_visible()
    check(desk, "desk conversation")
    desk.get_by_label("Search canned answers").fill("zzz-nothing")
    check(desk, "desk canned none")
    desk.get_by_label("Search canned answers").fill("")
    desk.get_by_role("button", name="Hand to sales").click()
    check(desk, "desk hand-off form")
    lead_page = new_context().new_page()
    sign_in(lead_page, LEAD)
    lead_page.goto(f"/questions/{asked['id']}")
    expect(lead_page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    check(lead_page, "desk read by a team lead")
    assert not failures, "\n\n".join(f"== {k}\n{v}" for k, v in failures.items())
    assert not small, small


def test_a_push_about_a_new_question_makes_the_open_app_pull_at_once(
    new_context, api, server, artifacts
):
    """The server pushes a new question to the desk's devices: the service worker shows it and
    tells the open app, which pulls at once. The app waits on Settings, where no desk poll
    runs (the engine's own round is every 3 minutes): only the push can bring it in."""
    context = new_context()
    context.grant_permissions(["notifications"], origin=server)
    page = context.new_page()
    sign_in(page, CASEY)
    wait_controlled(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    wait_synced(page)
    cdp = context.new_cdp_session(page)
    registration = _registration_id(page, cdp)

    admin = api(ADMIN)
    org = admin.call("GET", "/api/v1/org")
    name = f"Pushed Pia {uuid.uuid4().hex[:6]}"
    asked = admin.call(
        "POST",
        f"/api/v1/public/{org['slug']}/questions",
        {"name": name, "email": "pia@example.test", "message": "Open on Sundays?"},
        expect=201,
    )
    pulls: list[str] = []
    page.on("request", lambda r: "/api/v1/sync/pull" in r.url and pulls.append(r.url))
    payload = {
        "title": f"New question: {name}",
        "body": "Open on Sundays?",
        "url": f"/questions/{asked['id']}",
        "kind": "new_question",
        "item_type": "question",
        "item_id": asked["id"],
        "question_id": asked["id"],
        "tag": f"question-{asked['id']}",
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": server, "registrationId": registration, "data": json.dumps(payload)},
    )
    _pump_until(page, lambda: pulls, "a pull after the push", timeout=5)
    wait_synced(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Questions").click()
    row = page.get_by_role("list", name="Questions").get_by_role("link", name=name)
    expect(row).to_be_visible(timeout=2_000)
    shown = page.evaluate(NOTIFICATIONS, payload["tag"])
    assert [n["title"] for n in shown] == [payload["title"]]
    assert shown[0]["data"]["url"] == f"{server}/questions/{asked['id']}"
