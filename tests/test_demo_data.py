"""The demo organisation: a believable pipeline over 18 months, with real SLA history, the
spend ledger of those months, and reports that show figures with both comparisons."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app import database
from app.accounts.models import DEFAULT_LOST_REASONS, DEFAULT_SOURCES, Organization, Team, User
from app.database import utcnow
from app.demo import load_demo_data
from app.extensions import db
from app.leads.models import OPEN_STAGES, STAGES, FollowUp, Lead, LeadStageChange, Product
from app.sla.models import Calendar, SlaEvent, SlaPolicy
from app.tenancy import tenant
from tests.conftest import ApiClient, Person
from tests.sync.syncing import Replica


@pytest.fixture
def demo(app):
    """Loads the demo once per test (through the CLI, as ``make run`` does); returns the
    sign-ins by email."""
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    print(f"demo loaded in {time.perf_counter() - started:.2f} s")
    assert result.exit_code == 0, result.output
    return {
        email: (role, password)
        for role, email, password in re.findall(
            r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", result.output, re.M
        )
    }


def _org_id():
    return db.session.scalar(select(Organization.id).where(Organization.name == "Demo Trading Co."))


def test_the_demo_pipeline_is_full_and_believable(app, demo):
    with app.app_context():
        org_id = _org_id()
        with tenant(org_id):
            leads = db.session.scalars(select(Lead)).all()
            now = utcnow()
            assert len(leads) >= 180
            created = [lead.created_at for lead in leads]
            assert max(created) < now
            assert now - min(created) >= timedelta(days=14 * 30)
            stages = Counter(lead.stage for lead in leads)
            assert set(stages) == set(STAGES)
            assert stages["lost"] > stages["won"] > 0  # most closed ones are lost
            assert {lead.source for lead in leads} >= set(DEFAULT_SOURCES)
            assert len({lead.priority for lead in leads}) >= 3
            assert len({lead.product_id for lead in leads if lead.product_id}) >= 5
            for lead in leads:
                if lead.stage == "won":
                    assert lead.won_value and lead.won_value > 0
                if lead.stage == "lost":
                    assert lead.lost_reason in DEFAULT_LOST_REASONS
            assert len({lead.lost_reason for lead in leads if lead.lost_reason}) >= 4
            products = db.session.scalars(select(Product)).all()
            assert len(products) >= 5 and all(p.list_price for p in products)
            names = {p.name for p in products}
            assert {"Industrial mixer M200", "Conveyor belt module"} <= names

            follow_ups = db.session.scalars(select(FollowUp)).all()
            kinds = Counter(f.kind for f in follow_ups)
            assert {"call", "visit", "quote", "message", "note"} <= set(kinds)
            assert all(f.quoted_amount for f in follow_ups if f.kind == "quote")
            by_id = {lead.id: lead for lead in leads}
            assert all(f.happened_at >= by_id[f.lead_id].created_at for f in follow_ups)
            assert all(f.happened_at <= now for f in follow_ups)

            open_leads = [lead for lead in leads if lead.stage in OPEN_STAGES]
            plans = [lead.next_follow_up_at for lead in open_leads if lead.next_follow_up_at]
            assert any(p > now for p in plans) and any(p < now for p in plans)


def _chained(steps: list) -> list:
    """A lead's stage changes in the order they link up (from the creation, each step from
    the stage the one before went to; two in the same minute are told apart that way)."""
    left = sorted(steps, key=lambda step: step.at)
    chain = [next(step for step in left if step.from_stage is None)]
    left.remove(chain[0])
    while left:
        following = next(step for step in left if step.from_stage == chain[-1].to_stage)
        chain.append(following)
        left.remove(following)
    return chain


def test_every_demo_lead_has_its_stage_history_and_report_times(app, demo):
    """What the reports read: the stage history from creation to the stage now, closed_at at
    the closing step, quoted_at at the first quote (a quote logged or a quoted stage)."""
    with app.app_context(), tenant(_org_id()):
        history: dict = {}
        for change in db.session.scalars(select(LeadStageChange)):
            history.setdefault(change.lead_id, []).append(change)
        quotes: dict = {}
        for f in db.session.scalars(select(FollowUp)):
            if f.kind == "quote" or f.quoted_amount is not None:
                quotes.setdefault(f.lead_id, []).append(f.happened_at)
        leads = db.session.scalars(select(Lead)).all()
        for lead in leads:
            steps = _chained(history[lead.id])
            assert (steps[0].from_stage, steps[0].at) == (None, lead.created_at)
            assert all(a.at <= b.at for a, b in zip(steps, steps[1:], strict=False))
            assert steps[-1].to_stage == lead.stage
            closing = steps[-1].at if lead.stage in ("won", "lost") else None
            assert lead.closed_at == closing
            quoted = quotes.get(lead.id, []) + [
                s.at for s in steps if s.to_stage in ("quoted", "negotiating", "won")
            ]
            assert lead.quoted_at == (min(quoted) if quoted else None)
        # Wins are credited to who owned the lead then: every win has its owner on the step.
        wins = [s for steps in history.values() for s in steps if s.to_stage == "won"]
        assert wins and all(step.owner_id and step.actor_id for step in wins)


def test_sla_clocks_show_breaches_escalations_and_met_first_responses(app, demo):
    with app.app_context(), tenant(_org_id()):
        open_leads = db.session.scalars(select(Lead).where(Lead.stage.in_(OPEN_STAGES))).all()
        states = Counter(lead.sla_state for lead in open_leads)
        assert states["breached"] >= 3
        assert states["ok"] > states["breached"]  # most are on time
        escalated = [lead for lead in open_leads if lead.sla_escalated_at is not None]
        assert len(escalated) >= 3
        events = Counter((e.metric, e.event) for e in db.session.scalars(select(SlaEvent)))
        for milestone in ("breached", "escalated"):
            assert events[("first_response", milestone)] > 0
            assert events[("follow_up", milestone)] > 0
        met = db.session.scalars(
            select(SlaEvent).where(SlaEvent.metric == "first_response", SlaEvent.event == "met")
        ).all()
        on_time = sum(e.at <= e.due_at for e in met)
        assert on_time > len(met) * 0.7  # most first responses in time, some late
        assert on_time < len(met)
        jonas = db.session.scalar(select(Lead).where(Lead.contact_name == "Jonas Weber"))
        assert (jonas.sla_metric, jonas.sla_state) == ("first_response", "breached")
        assert jonas.sla_escalated_at is not None


def test_teams_people_policies_and_calendars(app, demo):
    assert Counter(role for role, _ in demo.values()) == {"rep": 5, "lead": 2, "admin": 1, "cs": 1}
    with app.app_context(), tenant(_org_id()):
        teams = {t.id: t.name for t in db.session.scalars(select(Team))}
        assert set(teams.values()) == {"Field Sales North", "Field Sales South"}
        people = db.session.scalars(select(User)).all()
        for team_id in teams:
            members = [u for u in people if team_id in u.team_ids]
            assert [u.role for u in members].count("lead") == 1
            assert [u.role for u in members].count("rep") >= 2
        robin = next(u for u in people if u.email == "robin@demo.leadsync.test")
        lee = next(u for u in people if u.email == "lead@demo.leadsync.test")
        assert robin.team_ids == lee.team_ids
        assert teams[lee.team_ids[0]] == "Field Sales North"
        assert db.session.scalar(select(func.count()).select_from(SlaPolicy)) >= 2
        calendars = db.session.scalars(select(Calendar)).all()
        kinds = {c.kind: c for c in calendars if c.team_id is None}
        assert set(kinds) == {"sales", "service"}
        sales, service = kinds["sales"].definition, kinds["service"].definition
        assert sales["timezone"] == service["timezone"] == "Europe/Berlin"
        assert sales["weekly"]["mon"] and not sales["weekly"]["sat"]
        assert service["weekly"]["sat"] == [{"start": "17:00", "end": "22:00"}]


def test_loading_again_if_empty_does_nothing(app, demo):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Lead))
        db.session.remove()
    again = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert "already has data" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lead)) == before
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 1
        db.session.remove()


def test_a_demo_reps_first_sync_pulls_their_leads(app, demo):
    role, password = demo["robin@demo.leadsync.test"]
    with app.app_context():
        org_id = _org_id()
        with tenant(org_id):
            robin = db.session.scalar(select(User).where(User.email == "robin@demo.leadsync.test"))
            mine = set(db.session.scalars(select(Lead.id).where(Lead.owner_id == robin.id)))
            person = Person(robin.id, org_id, robin.email, role, password)
        db.session.remove()
    device = Replica(ApiClient(app.test_client(), person))
    answers = device.pull_all(limit=100)
    assert len(answers) > 1  # paged
    assert set(device.of("lead")) == {str(i) for i in mine}
    assert {f["lead_id"] for f in device.of("followup").values()} <= set(device.of("lead"))
    assert device.of("followup") and device.of("product") and device.of("sla_policy")


def _signed_in(app, email: str, password: str):
    client = app.test_client()
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.json
    return client


def test_the_spend_ledger_has_every_month_of_the_demo_per_paid_channel(app, demo):
    # Team leads read the ledger (the channels report is theirs too).
    lee = _signed_in(app, "lead@demo.leadsync.test", demo["lead@demo.leadsync.test"][1])
    entries = lee.get("/api/v1/spend").json
    today = utcnow().astimezone(ZoneInfo("Europe/Berlin")).date()
    days = [date.fromisoformat(e["spent_on"]) for e in entries]
    assert max(days) <= today  # nothing booked ahead
    assert days == sorted(days, reverse=True)
    assert {e["currency"] for e in entries} == {"EUR"}  # the organisation's own
    assert all(e["amount"] > 0 and e["note"] for e in entries)
    by_source = Counter(e["source"] for e in entries)
    assert {"website", "marketplace", "phone", "trade_show", "referral", "other"} <= set(by_source)
    assert "walk_in" not in by_source  # not every channel costs money
    # Every month of the last 18 has spend, this one included.
    month = today.replace(day=1)
    for _ in range(18):
        assert any(d.replace(day=1) == month for d in days), month
        month = (month - timedelta(days=1)).replace(day=1)
    # Search ads weekly, the directory listing monthly, trade fairs now and then.
    assert by_source["website"] >= 70 and 17 <= by_source["phone"] <= 20
    fairs = [e["amount"] for e in entries if e["source"] == "trade_show"]
    assert 4 <= len(fairs) <= 8 and min(fairs) > 3000


# The 16th of December, late in a quarter: "last quarter" (Q3) has its year-ago quarter
# 15 to 18 months back, the oldest part of the demo.
DEMO_NOW = datetime(2026, 12, 16, 10, 0, tzinfo=UTC)
PERIODS = {
    "this month": ("2026-12-01", "2026-12-16"),
    "last quarter": ("2026-07-01", "2026-09-30"),
}
# Per report, the figures that must be above zero in the period and in both comparisons.
FIGURES = {
    "inquiries": ("inquiries", "contacted", "quoted", "won", "won_value"),
    "lost": ("lost", "estimated_value"),
    "channels": ("spend", "inquiries", "won", "won_value", "cost_per_inquiry", "cost_per_win"),
    "reps": ("inquiries", "follow_ups", "quotes", "won", "sales"),
}


@pytest.fixture
def demo_in_december(app):
    """The demo loaded as of ``DEMO_NOW`` (the demo is relative to the moment it is
    loaded, so this pins every figure); reports are then read at that moment too."""
    previous = database.set_clock(lambda: DEMO_NOW)
    try:
        with app.app_context():
            load_demo_data("demo-password-for-tests")
            db.session.remove()
        yield _signed_in(app, "admin@demo.leadsync.test", "demo-password-for-tests")
    finally:
        database.set_clock(previous)


def test_every_report_has_figures_with_both_comparisons(demo_in_december):
    for report, period in [(r, p) for r in FIGURES for p in PERIODS]:
        start, end = PERIODS[period]
        answer = demo_in_december.get(f"/api/v1/reports/{report}?from={start}&to={end}")
        assert answer.status_code == 200, answer.json
        assert answer.json["currency"] == "EUR"
        assert len(answer.json["rows"]) >= 2, (report, period)
        totals = answer.json["totals"]
        for name, figures in (
            ("period", totals), ("previous", totals["previous"]), ("year ago", totals["year_ago"])
        ):  # fmt: skip
            zero = [f for f in FIGURES[report] if not figures[f]]
            assert not zero, f"{report}, {period}, {name}: {zero} are 0"
            # Every lead value is in the reporting currency: none left out of the sums.
            assert figures["other_currency"] == 0, (report, period, name)


def test_the_channels_table_weighs_spend_against_won_value(demo_in_december):
    start, end = PERIODS["last quarter"]
    table = demo_in_december.get(f"/api/v1/reports/channels?from={start}&to={end}").json
    rows = {row["key"]: row for row in table["rows"]}
    paid = [row for row in rows.values() if row["spend"]]
    assert len(paid) >= 5
    assert all(row["roi"] is not None for row in paid)
    assert any(row["roi"] > 0 for row in paid)
    total = table["totals"]
    assert total["spend"] == pytest.approx(sum(row["spend"] for row in rows.values()))
    assert total["roi"] == pytest.approx(
        (total["won_value"] - total["spend"]) / total["spend"], abs=1e-4
    )
    # Walk-ins bring inquiries for nothing: no spend, no return on it.
    if "walk_in" in rows:
        assert rows["walk_in"]["spend"] == 0 and rows["walk_in"]["roi"] is None


def test_the_rep_appraisal_ranks_the_demo_team(demo_in_december):
    start, end = PERIODS["last quarter"]
    table = demo_in_december.get(f"/api/v1/reports/reps?from={start}&to={end}").json
    ranked = [row for row in table["rows"] if row["rank"] is not None]
    assert len(ranked) >= 5
    assert min(row["rank"] for row in ranked) == 1
    assert len({row["score"] for row in ranked}) >= 3  # they differ


# --- the evening service desk -----------------------------------------------------------------


def _questions():
    from app.questions.models import Question

    return {q.name: q for q in db.session.scalars(select(Question))}


def _messages(question_id):
    from app.questions.models import QuestionMessage

    return db.session.scalars(
        select(QuestionMessage)
        .where(QuestionMessage.question_id == question_id)
        .order_by(QuestionMessage.position)
    ).all()


def test_the_desk_has_ten_evenings_of_questions_in_every_status_and_a_late_one(app, demo):
    berlin = ZoneInfo("Europe/Berlin")
    with app.app_context(), tenant(_org_id()):
        now = utcnow()
        questions = _questions()
        casey = db.session.scalar(select(User).where(User.email == "casey@demo.leadsync.test"))
        assert 20 <= len(questions) <= 30
        assert {q.status for q in questions.values()} == {"new", "open", "resolved"}
        assert all(now - timedelta(days=11) < q.created_at < now for q in questions.values())
        # Asked in the evening shift (Mon–Sat 17:00–22:00 Berlin), bar a few form sends by
        # day and whatever came in since the desk last closed.
        evening = [
            q
            for q in questions.values()
            if q.created_at.astimezone(berlin).weekday() < 6
            and 17 <= q.created_at.astimezone(berlin).hour < 22
        ]
        assert len(evening) >= len(questions) * 0.6

        # Waiting now: Bernd Jäger's deadline has passed (breached and escalated: nobody
        # claimed it, so the admins heard); Laura Hoffmeister's is near; two just in.
        waiting = {name: q for name, q in questions.items() if q.status == "new"}
        assert set(waiting) == {"Bernd Jäger", "Laura Hoffmeister", "Yusuf Arslan", "Marie Köster"}
        late = waiting["Bernd Jäger"]
        assert late.sla_state == "breached" and late.sla_due_at < now
        assert late.sla_escalated_at is not None and late.first_replied_at is None
        assert waiting["Laura Hoffmeister"].sla_state == "warning"
        assert waiting["Laura Hoffmeister"].sla_due_at > now
        assert {waiting["Yusuf Arslan"].sla_state, waiting["Marie Köster"].sla_state} == {"ok"}
        events = Counter(
            (e.item_id, e.event)
            for e in db.session.scalars(select(SlaEvent).where(SlaEvent.item_type == "question"))
        )
        assert events[(late.id, "breached")] == events[(late.id, "escalated")] == 1

        # Answered: Casey's replies met the first-reply clock, two of them late.
        answered = [q for q in questions.values() if q.first_replied_at is not None]
        assert len(answered) >= 15
        met = db.session.scalars(
            select(SlaEvent).where(SlaEvent.metric == "first_reply", SlaEvent.event == "met")
        ).all()
        late_replies = {
            name
            for name, q in questions.items()
            if q.id in {e.item_id for e in met if e.at > e.due_at}
        }
        assert late_replies == {"Wolfgang Brandt", "Nadine Krämer"}
        conversations = {name: _messages(q.id) for name, q in questions.items()}
        staff = [m for talk in conversations.values() for m in talk if m.author == "staff"]
        assert {m.author_id for m in staff} == {casey.id}
        assert all(m.at <= now for talk in conversations.values() for m in talk)
        notes = [m for m in staff if m.internal]
        assert len(notes) >= 2
        # Frank Roth wrote back with the plans and got a second answer, then it was closed.
        roth = conversations["Frank Roth"]
        assert [(m.author, m.internal) for m in roth] == [
            ("consumer", False), ("staff", True), ("staff", False), ("consumer", False),
            ("staff", False),
        ]  # fmt: skip
        assert questions["Frank Roth"].status == "resolved"
        # Georg Weidner wrote again this evening, after two answers: a reply is owed again.
        georg = questions["Georg Weidner"]
        assert (georg.status, georg.sla_state) == ("open", "ok")
        assert [m.author for m in conversations["Georg Weidner"]][-1] == "consumer"
        # Waiting for the consumer: answered, not resolved, nothing owed.
        assert (questions["Lars Petersen"].status, questions["Lars Petersen"].sla_state) == (
            "open",
            "met",
        )


def test_replies_from_canned_answers_carry_the_products_real_price(app, demo):
    with app.app_context(), tenant(_org_id()):
        monika = _questions()["Monika Berger"]
        reply = next(m for m in _messages(monika.id) if m.author == "staff")
        # The M400 lists at 21900.00 EUR: "21,900.00 EUR" as the desk formats a price.
        assert reply.body.startswith(
            "Hello Monika Berger,\n\nthe Industrial mixer M400 lists at 21,900.00 EUR (net,"
        )
        assert reply.body.endswith("Die Lieferung nach München ist inbegriffen.")
        assert "{{" not in reply.body


def test_questions_handed_to_sales_went_to_whom_the_rules_say(app, demo):
    from app.assignment.models import AssignmentRule

    with app.app_context(), tenant(_org_id()):
        questions = _questions()
        people = {u.email: u for u in db.session.scalars(select(User))}
        teams = {t.name: t.id for t in db.session.scalars(select(Team))}
        rules = {r.id: r for r in db.session.scalars(select(AssignmentRule))}
        converted = {name: q for name, q in questions.items() if q.lead_id is not None}
        assert set(converted) == {"Henrik Jansen", "Katrin Vogel", "Dr. Ulrike Sommer"}
        leads = {name: db.session.get(Lead, (q.org_id, q.lead_id)) for name, q in converted.items()}
        for name, lead in leads.items():
            assert (
                lead.source == "customer_service"
                and lead.created_by == people["casey@demo.leadsync.test"].id
            )
            assert lead.contact_name == name and lead.region == converted[name].region
            assert converted[name].status == "resolved"
        # 86150 Augsburg: the Bavarian rule (postcodes 8…) → a rep of the south team.
        katrin = leads["Katrin Vogel"]
        assert rules[katrin.assigned_by_rule].name == "Bavaria (postcodes 8…)"
        assert katrin.team_id == teams["Field Sales South"]
        south_reps = {people[e].id for e in ("jamie@demo.leadsync.test", "alex@demo.leadsync.test")}
        assert katrin.owner_id in south_reps and katrin.quantity == 2
        # 20457 Hamburg: postcodes 2… → a rep of the north team.
        henrik = leads["Henrik Jansen"]
        assert rules[henrik.assigned_by_rule].name.startswith("Hamburg, Bremen")
        north_reps = {
            people[e].id
            for e in (
                "robin@demo.leadsync.test",
                "riley@demo.leadsync.test",
                "sam@demo.leadsync.test",
            )
        }
        assert henrik.owner_id in north_reps and henrik.team_id == teams["Field Sales North"]
        # 04109 Leipzig: no rule covers 0…, so the organisation's default owner, Lee Lead.
        ulrike = leads["Dr. Ulrike Sommer"]
        assert ulrike.assigned_by_rule is None
        assert ulrike.owner_id == people["lead@demo.leadsync.test"].id
        # The rep called back the next morning (the first response).
        calls = db.session.scalars(select(FollowUp).where(FollowUp.lead_id == katrin.id)).all()
        assert [f.kind for f in calls] == ["call"] and katrin.stage == "contacted"


def test_admins_meet_canned_answers_rules_and_product_facts(app, demo):
    avery = _signed_in(app, "admin@demo.leadsync.test", demo["admin@demo.leadsync.test"][1])
    answers = {a["title"]: a for a in avery.get("/api/v1/canned-answers").json}
    assert 4 <= len(answers) <= 6
    assert {"Greeting", "Delivery times", "Warranty", "Price question"} <= set(answers)
    assert "{{product.list_price}}" in answers["Price question"]["body"]
    rules = avery.get("/api/v1/assignment-rules").json
    assert [r["position"] for r in rules] == list(range(1, len(rules) + 1))
    by_name = {r["name"]: r for r in rules}
    teams = {t["name"]: t["id"] for t in avery.get("/api/v1/teams").json}
    bavaria = by_name["Bavaria (postcodes 8…)"]
    assert bavaria["match"] == {"region_prefix": "8"}
    assert bavaria["team_id"] == teams["Field Sales South"] and bavaria["owner_id"] is None
    assert (
        by_name["Berlin and the north-east (postcodes 1…)"]["team_id"] == teams["Field Sales North"]
    )
    users = {u["email"]: u["id"] for u in avery.get("/api/v1/users").json}
    settings = avery.get("/api/v1/assignment-rules/settings").json
    assert settings["default_owner_id"] == users["lead@demo.leadsync.test"]
    products = avery.get("/api/v1/products").json
    assert all(p["spec"] and p["faq"] for p in products)
    mixer = next(p for p in products if p["sku"] == "MX-200")
    assert "400 V" in mixer["spec"] and mixer["faq"].startswith("Q: ")


def test_caseys_queue_puts_the_late_question_first_and_the_rest_by_deadline(app, demo):
    casey = _signed_in(app, "casey@demo.leadsync.test", demo["casey@demo.leadsync.test"][1])
    queue = casey.get("/api/v1/questions").json
    owed = [q for q in queue if q["sla"] and q["sla"]["state"] in ("ok", "warning", "breached")]
    # Owed a reply first, earliest deadline first; then the rest, newest first.
    assert queue[: len(owed)] == owed
    assert [q["sla"]["due_at"] for q in owed] == sorted(q["sla"]["due_at"] for q in owed)
    assert owed[0]["name"] == "Bernd Jäger" and owed[0]["sla"]["state"] == "breached"
    assert {q["name"] for q in owed} == {
        "Bernd Jäger", "Laura Hoffmeister", "Yusuf Arslan", "Marie Köster", "Georg Weidner",
    }  # fmt: skip
    rest = [q["created_at"] for q in queue[len(owed) :]]
    assert rest == sorted(rest, reverse=True)

    # Her device's first sync holds the same queue, the conversations and the answers.
    with app.app_context():
        org_id = _org_id()
        with tenant(org_id):
            user = db.session.scalar(select(User).where(User.email == "casey@demo.leadsync.test"))
            person = Person(user.id, org_id, user.email, "cs", demo[user.email][1])
        db.session.remove()
    device = Replica(ApiClient(app.test_client(), person))
    device.pull_all()
    assert {q["name"] for q in device.of("question").values()} == {q["name"] for q in queue}
    assert len(device.of("canned_answer")) >= 4
    assert {r["question_id"] for r in device.of("reply").values()} == {q["id"] for q in queue}


# Moments the demo may be loaded at: in the evening shift (a Tuesday, 19:10 in Berlin), on a
# Sunday afternoon (the desk closed since Saturday 22:00), on a Monday morning and five
# minutes into Monday's shift.
LOAD_MOMENTS = (
    datetime(2026, 11, 24, 18, 10, tzinfo=UTC),
    datetime(2026, 11, 29, 12, 0, tzinfo=UTC),
    datetime(2026, 11, 30, 8, 30, tzinfo=UTC),
    datetime(2026, 11, 30, 16, 5, tzinfo=UTC),
)


@pytest.mark.parametrize(
    "moment", LOAD_MOMENTS, ids=["evening", "sunday", "monday-morning", "shift-just-opened"]
)
def test_whenever_the_demo_is_loaded_the_queue_has_a_late_one_and_fresh_ones(app, moment):
    previous = database.set_clock(lambda: moment)
    try:
        with app.app_context():
            load_demo_data("demo-password-for-tests")
            with tenant(_org_id()):
                questions = _questions()
                states = Counter(q.sla_state for q in questions.values() if q.status == "new")
                assert states == {"breached": 1, "warning": 1, "ok": 2}
                # Georg Weidner's second answer is days old; he wrote again just now.
                georg = questions["Georg Weidner"]
                assert (georg.status, georg.sla_state) == ("open", "ok")
                assert georg.last_consumer_message_at > moment - timedelta(minutes=46)
                assert len([q for q in questions.values() if q.lead_id]) == 3
                assert len(questions) >= 20
                for question in questions.values():
                    assert question.created_at < moment
                    assert all(m.at <= moment for m in _messages(question.id))
                    if question.status == "resolved":
                        assert question.sla_state == "met"
            db.session.remove()
    finally:
        database.set_clock(previous)
