"""The sync protocol's promises, each tested on SQLite and PostgreSQL (SYNC-PROTOCOL.md)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.changelog.maintenance import purge_tombstones
from app.changelog.models import Tombstone
from app.extensions import db
from app.leads import service as leads_service
from app.leads.models import FollowUp, Lead
from app.sync.models import SyncClient
from app.tenancy import tenant
from tests.sync.syncing import Replica, new_lead, server_view

NOW = "2026-11-20T09:00:00Z"


def follow_up(lead_id: str, **fields) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "lead_id": lead_id,
        "kind": "call",
        "note": "rang",
        "happened_at": NOW,
        **fields,
    }


def count(app, org, model) -> int:
    with app.app_context(), tenant(org.id):
        result = db.session.scalar(select(func.count()).select_from(model))
        db.session.rollback()
        return result


# --- push: exactly once --------------------------------------------------------------------


def test_a_replayed_batch_after_a_lost_answer_applies_each_mutation_once(app, api_as, org):
    device = Replica(api_as(org.rep))
    leads = [new_lead(contact_name=f"Buyer {i}") for i in range(5)]
    batch = [{"id": i + 1, "name": "lead.create", "args": lead} for i, lead in enumerate(leads)]
    first = device.push_raw(batch)  # the answer is "lost": the device sends the batch again
    again = device.push_raw(batch)
    assert [r["status"] for r in first["results"]] == ["applied"] * 5
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 5
    assert again["last_mutation_id"] == 5
    assert count(app, org, Lead) == 5


def test_a_failure_midway_leaves_nothing_half_applied_and_a_retry_applies_all(
    app, api_as, org, monkeypatch
):
    device = Replica(api_as(org.rep))
    lead = new_lead()
    batch = [
        {"id": 1, "name": "lead.create", "args": lead},
        {"id": 2, "name": "followup.create", "args": follow_up(lead["id"])},
        {
            "id": 3,
            "name": "lead.update",
            "args": {"id": lead["id"], "base_version": 0, "set": {"company": "X"}},
        },
    ]
    real = leads_service.create_follow_up

    def connection_dropped(actor, data):
        raise OperationalError(
            "INSERT …", {}, Exception("server closed the connection unexpectedly")
        )

    monkeypatch.setattr(leads_service, "create_follow_up", connection_dropped)
    failed = device.api.post(
        "/api/v1/sync/push", json={"client_id": device.client_id, "mutations": batch}
    )
    assert failed.status_code == 503
    assert count(app, org, Lead) == 0  # mutation 1 was not committed either
    with app.app_context(), tenant(org.id):
        row = db.session.scalar(select(SyncClient))
        assert row is None or row.last_mutation_id == 0
        db.session.rollback()

    monkeypatch.setattr(leads_service, "create_follow_up", real)
    retried = device.push_raw(batch)
    assert [r["status"] for r in retried["results"]] == ["applied"] * 3
    assert count(app, org, Lead) == 1 and count(app, org, FollowUp) == 1


def test_a_rejected_mutation_is_counted_and_never_blocks_the_rest(app, api_as, org):
    device = Replica(api_as(org.rep))
    good, bad = new_lead(), new_lead(priority="sky-high")
    answer = device.push(("lead.create", bad), ("lead.create", good))
    assert [r["status"] for r in answer["results"]] == ["rejected", "applied"]
    assert "priority" in answer["results"][0]["error"]["fields"]
    assert answer["last_mutation_id"] == 2
    assert set(server_view(device.api)) >= {("lead", good["id"])}
    assert ("lead", bad["id"]) not in server_view(device.api)


def test_a_gap_commits_what_came_before_and_names_the_expected_id(app, api_as, org):
    device = Replica(api_as(org.rep))
    a, b = new_lead(), new_lead()
    response = device.api.post(
        "/api/v1/sync/push",
        json={
            "client_id": device.client_id,
            "mutations": [
                {"id": 1, "name": "lead.create", "args": a},
                {"id": 3, "name": "lead.create", "args": b},
            ],
        },
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "mutation_gap"
    assert response.json["error"]["expected"] == 2
    ids = {key[1] for key in server_view(device.api) if key[0] == "lead"}
    assert a["id"] in ids and b["id"] not in ids


def test_a_second_create_of_the_same_id_is_a_duplicate(app, api_as, org):
    device = Replica(api_as(org.rep))
    lead = new_lead()
    answer = device.push(("lead.create", lead), ("lead.create", {**lead, "contact_name": "Other"}))
    assert [r["status"] for r in answer["results"]] == ["applied", "duplicate"]
    assert server_view(device.api)[("lead", lead["id"])]["contact_name"] == "Ada Buyer"


def test_a_run_of_captures_is_answered_mutation_by_mutation(app, api_as, org):
    """Consecutive lead.create are written together; each still gets its own answer."""
    device = Replica(api_as(org.rep))
    stored = new_lead(contact_name="Already here")
    assert api_as(org.rep).post("/api/v1/leads", json=stored).status_code == 201
    first = new_lead(contact_name="First", email="buyer@example.com")
    answer = device.push(
        ("lead.create", first),
        ("lead.create", new_lead(priority="sky-high")),  # refused by its schema
        ("lead.create", new_lead(owner_id=str(org.lead.id))),  # a rep can't give it away
        ("lead.create", {**stored, "contact_name": "Captured twice"}),  # id taken
        ("lead.create", new_lead(contact_name="Same buyer", email="BUYER@example.com")),
        ("lead.create", {**first, "contact_name": "Sent twice in one batch"}),
    )
    assert [r["status"] for r in answer["results"]] == [
        "applied",
        "rejected",
        "rejected",
        "duplicate",
        "applied",
        "duplicate",
    ]
    assert answer["results"][2]["error"]["code"] == "forbidden"
    assert answer["last_mutation_id"] == 6
    view = server_view(device.api)
    leads = {data["contact_name"]: data for (entity, _), data in view.items() if entity == "lead"}
    assert set(leads) == {"Already here", "First", "Same buyer"}
    # the duplicate flag sees a capture made earlier in the same batch
    assert leads["Same buyer"]["possible_duplicate_of"] == first["id"]
    assert leads["First"]["possible_duplicate_of"] is None
    versions = [data["version"] for data in leads.values()]
    assert len(set(versions)) == 3


def test_a_run_refused_whole_by_its_content_is_counted_and_writes_nothing(app, api_as, org):
    device = Replica(api_as(org.rep))
    answer = device.push(
        ("lead.create", new_lead(priority="sky-high")),
        ("lead.create", new_lead(contact_name="")),
        ("lead.create", new_lead(source="carrier pigeon")),
    )
    assert [r["status"] for r in answer["results"]] == ["rejected"] * 3
    assert answer["last_mutation_id"] == 3
    assert count(app, org, Lead) == 0


def test_a_run_the_database_refuses_is_applied_again_one_by_one(app, api_as, org, monkeypatch):
    """If the database refuses a run's writes as a whole, each mutation is retried in its
    own savepoint, so only the one at fault could be refused."""
    from sqlalchemy.exc import IntegrityError

    real = leads_service.create_leads
    runs = []

    def refuse_runs(actor, batch):
        runs.append(len(batch))
        if len(batch) > 1:
            real(actor, batch)  # written, then refused: the savepoint must undo it
            raise IntegrityError("INSERT …", {}, Exception("duplicate key"))
        return real(actor, batch)

    monkeypatch.setattr(leads_service, "create_leads", refuse_runs)
    device = Replica(api_as(org.rep))
    batch = [new_lead(contact_name=f"Buyer {i}") for i in range(3)]
    answer = device.push(*[("lead.create", lead) for lead in batch])
    assert [r["status"] for r in answer["results"]] == ["applied"] * 3
    assert runs == [3, 1, 1, 1]
    assert count(app, org, Lead) == 3


# --- conflicts -----------------------------------------------------------------------------


def test_two_devices_editing_one_lead_offline_merge_field_by_field(app, api_as, org):
    rep = Replica(api_as(org.rep))
    lead_device = Replica(api_as(org.lead))
    lead = new_lead(phone="+49 30 1234567", notes="first note", company="Old GmbH")
    rep.push(("lead.create", lead))
    rep.pull_all()
    lead_device.pull_all()
    base = lead_device.of("lead")[lead["id"]]["version"]
    assert rep.of("lead")[lead["id"]]["version"] == base

    # Both offline: the rep changes phone and notes, the team lead company and notes.
    rep_answer = rep.push(
        (
            "lead.update",
            {
                "id": lead["id"],
                "base_version": base,
                "set": {"phone": "+49 30 7654321", "notes": "rep"},
            },
        )
    )
    lead_answer = lead_device.push(
        (
            "lead.update",
            {"id": lead["id"], "base_version": base, "set": {"company": "New AG", "notes": "lead"}},
        )
    )
    assert rep_answer["results"][0]["status"] == "applied"
    result = lead_answer["results"][0]
    assert result["status"] == "conflict"
    assert result["conflicts"] == [{"field": "notes", "server_value": "rep"}]

    rep.pull_all()
    lead_device.pull_all()
    for device in (rep, lead_device):
        record = device.of("lead")[lead["id"]]
        assert (record["phone"], record["company"], record["notes"]) == (
            "+49 30 7654321",
            "New AG",
            "rep",
        )
    assert rep.records == server_view(rep.api)
    assert lead_device.records == server_view(lead_device.api)


def test_follow_ups_never_conflict(app, api_as, org):
    rep, lead_device = Replica(api_as(org.rep)), Replica(api_as(org.lead))
    lead = new_lead()
    rep.push(("lead.create", lead))
    lead_device.pull_all()
    a = rep.push(("followup.create", follow_up(lead["id"], note="rep call")))
    b = lead_device.push(
        ("followup.create", follow_up(lead["id"], note="lead visit", kind="visit"))
    )
    assert a["results"][0]["status"] == b["results"][0]["status"] == "applied"
    rep.pull_all()
    assert sorted(f["note"] for f in rep.of("followup").values()) == ["lead visit", "rep call"]


# --- pull: visibility follows access --------------------------------------------------------


def test_reassignment_mid_sync_moves_the_lead_and_its_follow_ups(app, api_as, org):
    rep, rep2 = Replica(api_as(org.rep)), Replica(api_as(org.rep2))
    lead = new_lead()
    rep.push(
        ("lead.create", lead),
        ("followup.create", follow_up(lead["id"])),
        *[("lead.create", new_lead(contact_name=f"Other {i}")) for i in range(6)],
    )
    rep2.pull_all()
    first = rep.pull_page(limit=3)  # the rep's device is mid-way through its first sync
    assert first["has_more"]

    moved = api_as(org.lead).post(
        f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": str(org.rep2.id)}
    )
    assert moved.status_code == 200

    rep.pull_all(limit=3)
    rep2.pull_all()
    assert lead["id"] not in rep.of("lead")
    assert all(f["lead_id"] != lead["id"] for f in rep.of("followup").values())
    assert lead["id"] in rep2.of("lead")
    assert [f["lead_id"] for f in rep2.of("followup").values()] == [lead["id"]]
    assert rep.records == server_view(rep.api)
    assert rep2.records == server_view(rep2.api)


def test_a_record_leaving_then_entering_again_arrives_whole(app, api_as, org):
    rep = Replica(api_as(org.rep))
    lead = new_lead()
    rep.push(("lead.create", lead), ("followup.create", follow_up(lead["id"])))
    rep.pull_all()
    team_lead = api_as(org.lead)
    team_lead.post(f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": str(org.rep2.id)})
    rep.pull_all()
    assert rep.of("lead") == {} and rep.of("followup") == {}
    team_lead.post(f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": str(org.rep.id)})
    answer = rep.pull_all()[-1]
    assert {(c["entity"], c["op"]) for c in answer["changes"]} == {
        ("lead", "put"),
        ("followup", "put"),
    }
    assert rep.records == server_view(rep.api)


def test_one_answer_never_carries_a_record_both_updated_and_deleted(app, api_as, org):
    rep = Replica(api_as(org.rep))
    lead = new_lead()
    rep.push(("lead.create", lead))
    rep.pull_all()
    rep.push(("lead.update", {"id": lead["id"], "base_version": 0, "set": {"company": "A"}}))
    rep.push(("lead.update", {"id": lead["id"], "base_version": 0, "set": {"company": "B"}}))
    api_as(org.lead).post(f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": str(org.rep2.id)})
    answer = rep.pull_page()
    assert [(c["entity"], c["op"], c["id"]) for c in answer["changes"]] == [
        ("lead", "del", lead["id"])
    ]


def test_changes_within_an_answer_come_once_in_latest_state_and_commit_order(app, api_as, org):
    rep = Replica(api_as(org.rep))
    leads = [new_lead(contact_name=f"L{i}") for i in range(4)]
    rep.push(*[("lead.create", lead) for lead in leads])
    rep.pull_all()
    for step, i in enumerate((2, 0, 2, 3)):
        rep.api.patch(f"/api/v1/leads/{leads[i]['id']}", json={"set": {"notes": f"n{step}"}})
    answer = rep.pull_page()
    versions = [c["version"] for c in answer["changes"]]
    assert versions == sorted(versions)
    assert [c["id"] for c in answer["changes"]] == [leads[0]["id"], leads[2]["id"], leads[3]["id"]]
    assert answer["changes"][1]["data"]["notes"] == "n2"  # the latest state, once


def test_a_pushed_record_comes_back_as_the_same_record_not_a_new_one(app, api_as, org):
    rep = Replica(api_as(org.rep))
    lead = new_lead()
    rep.push(("lead.create", lead))
    rep.pull_all()
    rep.pull_all()
    assert list(rep.of("lead")) == [lead["id"]]
    assert rep.pages[-1]["changes"] == []  # nothing new comes back a second time


def test_nothing_of_another_organisation_or_outside_the_visible_set_is_sent(
    app, api_as, org, other_org
):
    mine, theirs, colleague = (
        new_lead(),
        new_lead(contact_name="Foreign"),
        new_lead(contact_name="Colleague's"),
    )
    Replica(api_as(org.rep)).push(("lead.create", mine))
    Replica(api_as(org.rep2)).push(("lead.create", colleague))
    Replica(api_as(other_org.admin)).push(("lead.create", theirs))
    rep_view = server_view(api_as(org.rep))
    assert {k for k in rep_view if k[0] == "lead"} == {("lead", mine["id"])}
    team_lead_view = server_view(api_as(org.lead))
    assert {k[1] for k in team_lead_view if k[0] == "lead"} == {mine["id"], colleague["id"]}
    admin_view = server_view(api_as(org.admin))
    assert theirs["id"] not in {k[1] for k in admin_view}
    other_ids = {str(p.id) for p in other_org.people}
    assert not other_ids & {k[1] for k in admin_view if k[0] == "user"}
    assert {k for k in server_view(api_as(org.cs)) if k[0] in ("lead", "followup")} == set()


def test_a_reps_device_sees_only_people_of_their_teams(app, api_as, org):
    people = {k[1] for k in server_view(api_as(org.rep)) if k[0] == "user"}
    assert people == {str(org.rep.id), str(org.rep2.id), str(org.lead.id)}
    everyone = {k[1] for k in server_view(api_as(org.admin)) if k[0] == "user"}
    assert everyone == {str(p.id) for p in org.people}


def test_a_rep_changing_team_takes_their_open_leads_and_devices_follow(app, api_as, org):
    admin = api_as(org.admin)
    new_team = admin.post("/api/v1/teams", json={"name": "South"}).json["id"]
    lead = new_lead()
    rep = Replica(api_as(org.rep))
    rep.push(("lead.create", lead))
    old_team_lead = Replica(api_as(org.lead))
    old_team_lead.pull_all()
    assert lead["id"] in old_team_lead.of("lead")
    rep.pull_all()

    assert (
        admin.patch(f"/api/v1/users/{org.rep.id}", json={"team_ids": [new_team]}).status_code == 200
    )

    old_team_lead.pull_all()
    assert lead["id"] not in old_team_lead.of("lead")
    assert old_team_lead.of("user").keys() == {str(org.lead.id), str(org.rep2.id)}
    # The rep's own visible set changed shape (other teammates): their device starts afresh.
    answers = rep.pull_all()
    assert answers[0]["reset"] is True
    assert rep.of("lead")[lead["id"]]["team_id"] == new_team
    assert rep.records == server_view(rep.api)


def test_a_deactivated_users_devices_stop_and_teammates_see_it(app, api_as, org):
    rep, teammate = Replica(api_as(org.rep)), Replica(api_as(org.rep2))
    rep.pull_all()
    teammate.pull_all()
    api_as(org.admin).patch(f"/api/v1/users/{org.rep.id}", json={"active": False})
    response = rep.api.get(f"/api/v1/sync/pull?client_id={rep.client_id}&cursor={rep.cursor}")
    assert response.status_code == 401
    teammate.pull_all()
    assert teammate.of("user")[str(org.rep.id)]["active"] is False


# --- cursors, resets and history ------------------------------------------------------------


def test_a_foreign_or_forged_cursor_gets_a_reset_snapshot(app, api_as, org):
    rep, rep2 = Replica(api_as(org.rep)), Replica(api_as(org.rep2))
    rep.push(("lead.create", new_lead()))
    rep.pull_all()
    rep2.pull_all()
    rep2.cursor = rep.cursor  # another user's cursor
    assert rep2.pull_page()["reset"] is True
    rep2.cursor = rep2.cursor[:-3] + "abc"  # tampered
    answer = rep2.pull_page()
    assert answer["reset"] is True
    assert rep2.records == server_view(rep2.api)


def test_old_cursors_get_a_reset_once_their_deletions_are_purged(app, api_as, org):
    rep = Replica(api_as(org.rep))
    lead = new_lead()
    rep.push(("lead.create", lead))
    rep.pull_all()
    stale_cursor = rep.cursor
    api_as(org.lead).post(f"/api/v1/leads/{lead['id']}/assign", json={"owner_id": str(org.rep2.id)})
    with app.app_context():
        assert purge_tombstones(keep=timedelta(days=30)) == 0  # young tombstones stay
        assert purge_tombstones(keep=timedelta(seconds=-1)) > 0
        with tenant(org.id):
            assert db.session.scalar(select(func.count()).select_from(Tombstone)) == 0
        db.session.rollback()
    rep.cursor = stale_cursor
    answer = rep.pull_page()
    assert answer["reset"] is True
    assert rep.of("lead") == {}


def test_the_purge_command_runs(app):
    result = app.test_cli_runner().invoke(args=["purge-tombstones"])
    assert result.exit_code == 0 and "Purged" in result.output


# --- read your writes -----------------------------------------------------------------------


def test_a_pull_after_a_push_acknowledges_it_and_carries_its_effects(app, api_as, org):
    rep = Replica(api_as(org.rep))
    lead = new_lead()
    pushed = rep.push(("lead.create", lead), ("followup.create", follow_up(lead["id"])))
    answer = rep.pull_all()[-1]
    assert answer["last_mutation_id"] >= pushed["last_mutation_id"] == 2
    assert lead["id"] in rep.of("lead") and len(rep.of("followup")) == 1


def test_pages_before_the_last_do_not_acknowledge_what_they_do_not_yet_carry(app, api_as, org):
    rep = Replica(api_as(org.rep))
    rep.pull_all()
    leads = [new_lead(contact_name=f"N{i}") for i in range(5)]
    rep.push(*[("lead.create", lead) for lead in leads])
    answers = rep.pull_all(limit=2)
    assert len(answers) >= 3
    for answer in answers[:-1]:
        assert answer["has_more"] and answer["last_mutation_id"] == 0
    assert answers[-1]["last_mutation_id"] == 5
    assert set(rep.of("lead")) == {lead["id"] for lead in leads}


def test_pull_limits_and_client_ownership(app, api_as, org):
    rep = Replica(api_as(org.rep))
    assert rep.api.get(f"/api/v1/sync/pull?client_id={rep.client_id}&limit=1001").status_code == 422
    assert rep.api.get("/api/v1/sync/pull?client_id=not-a-uuid").status_code == 422
    rep.pull_all()
    thief = api_as(org.rep2).get(f"/api/v1/sync/pull?client_id={rep.client_id}")
    assert thief.status_code == 403 and thief.json["error"]["code"] == "client_taken"
    stranger = api_as(org.rep2).post(
        "/api/v1/sync/push", json={"client_id": rep.client_id, "mutations": []}
    )
    assert stranger.status_code == 403


def test_a_devices_own_earlier_changes_never_conflict_with_its_later_ones(app, api_as, org):
    """The device logs a call that sets the next follow-up, then (still offline, base 0)
    moves that date again: its own change is no conflict. Another device's is."""
    rep, team_lead = Replica(api_as(org.rep)), Replica(api_as(org.lead))
    lead = new_lead()
    answer = rep.push(
        ("lead.create", lead),
        ("followup.create", follow_up(lead["id"], next_follow_up_at="2026-11-25T09:00:00Z")),
        (
            "lead.update",
            {
                "id": lead["id"],
                "base_version": 0,
                "set": {"next_follow_up_at": "2026-11-26T09:00:00Z"},
            },
        ),
    )
    assert [r["status"] for r in answer["results"]] == ["applied"] * 3
    theirs = team_lead.push(
        (
            "lead.update",
            {
                "id": lead["id"],
                "base_version": 0,
                "set": {"next_follow_up_at": "2026-11-27T09:00:00Z"},
            },
        )
    )
    assert theirs["results"][0]["status"] == "conflict"
    assert (
        server_view(rep.api)[("lead", lead["id"])]["next_follow_up_at"]
        == "2026-11-26T09:00:00.000Z"
    )
