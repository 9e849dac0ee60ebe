"""A lead's stage history (GET /leads/<id>/history) and closed_at: every change, its time
and who made it, through REST and sync alike."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime

from tests.leads.helpers import LEADS, error_of, get_lead, hours, iso, new_lead, now
from tests.sync.syncing import Replica


def history(api, lead_id) -> list[tuple]:
    response = api.get(f"{LEADS}/{lead_id}/history")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(c["from_stage"], c["to_stage"], c["actor_id"]) for c in response.json]


def times(api, lead_id) -> list[datetime]:
    response = api.get(f"{LEADS}/{lead_id}/history")
    return [datetime.fromisoformat(c["at"]) for c in response.json]


def test_rest_changes_are_recorded_with_who_and_when(api_as, org):
    rep, boss = api_as(org.rep), api_as(org.lead)
    lead = new_lead(rep)
    rid, bid = str(org.rep.id), str(org.lead.id)
    assert history(rep, lead["id"]) == [(None, "new", rid)]
    assert rep.post(f"{LEADS}/{lead['id']}/stage", json={"stage": "quoted"}).status_code == 200
    won = boss.post(f"{LEADS}/{lead['id']}/stage", json={"stage": "won", "won_value": 900})
    assert won.status_code == 200, won.get_data(as_text=True)
    assert history(rep, lead["id"]) == [
        (None, "new", rid), ("new", "quoted", rid), ("quoted", "won", bid)
    ]
    at = times(rep, lead["id"])
    assert at == sorted(at)
    # closed_at is the time it became won: the history's last step.
    assert datetime.fromisoformat(won.json["closed_at"]) == at[-1]


def test_a_contact_moves_a_new_lead_on_at_the_time_of_the_contact(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    called = now()  # (a contact before the lead existed would count at its creation)
    response = rep.post(
        f"{LEADS}/{lead['id']}/followups",
        json={
            "kind": "call", "happened_at": iso(called), "next_follow_up_at": iso(now() + hours(24))
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert history(rep, lead["id"])[1] == ("new", "contacted", str(org.rep.id))
    assert abs((times(rep, lead["id"])[1] - called).total_seconds()) < 1
    # Stage unchanged: nothing recorded; a quote then moves it to quoted.
    rep.post(f"{LEADS}/{lead['id']}/followups", json={"kind": "note", "happened_at": iso(now())})
    assert len(history(rep, lead["id"])) == 2
    rep.post(
        f"{LEADS}/{lead['id']}/followups",
        json={"kind": "quote", "quoted_amount": 120, "happened_at": iso(now())},
    )
    assert [h[1] for h in history(rep, lead["id"])] == ["new", "contacted", "quoted"]


def test_sync_mutations_are_recorded_and_reopening_clears_closed_at(api_as, org):
    rep = api_as(org.rep)
    device = Replica(rep)
    lead_id = "5b1f0c64-7c0e-4a8e-9d4c-2f0d7e1a9b10"
    device.push(
        ("lead.create", {"id": lead_id, "contact_name": "Sync Sam", "source": "website"}),
        ("lead.set_stage", {"id": lead_id, "stage": "lost", "lost_reason": "price_too_high"}),
    )
    lost = get_lead(rep, lead_id)
    assert lost["stage"] == "lost" and lost["closed_at"] is not None
    device.push(
        ("lead.set_stage", {"id": lead_id, "stage": "contacted", "note": "Called back"})
    )
    reopened = get_lead(rep, lead_id)
    assert reopened["closed_at"] is None
    rid = str(org.rep.id)
    assert history(rep, lead_id) == [
        (None, "new", rid), ("new", "lost", rid), ("lost", "contacted", rid)
    ]
    # The device's copy carries closed_at too (the one wire form).
    device.pull_all()
    assert device.of("lead")[lead_id]["closed_at"] is None


def test_history_follows_visibility(api_as, org, other_org):
    lead = new_lead(api_as(org.rep))
    other = api_as(other_org.admin)
    error_of(other.get(f"{LEADS}/{lead['id']}/history"), 404)


def test_older_leads_get_a_best_effort_history_in_the_migration(tmp_path):
    path = tmp_path / "old.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "x" * 40}

    def flask(*args):
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            env=env, capture_output=True, text=True,
        )
        assert done.returncode == 0, done.stderr

    flask("db", "upgrade", "0007_org_default_source")
    org_id, user_id = "0123456789abcdef0123456789abcdef", "11111111111111111111111111111111"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO organizations (id, name, default_country, timezone, created_at, version)"
            f" VALUES ('{org_id}', 'Old Co', 'DE', 'UTC', '2026-01-01 00:00:00.000000', 1)"
        )
        conn.execute(
            "INSERT INTO users (org_id, id, email, name, password_hash, role, active,"
            " session_epoch, created_at, updated_at, version) VALUES"
            f" ('{org_id}', '{user_id}', 'o@x.test', 'Old Rep', 'x', 'rep', 1, 0,"
            " '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000', 1)"
        )
        for n, (stage, updated, contact) in enumerate([
            ("new", "2026-02-01 10:00:00.000000", None),
            ("won", "2026-03-05 16:00:00.000000", "2026-02-03 09:00:00.000000"),
            ("contacted", "2026-02-09 12:00:00.000000", "2026-02-08 11:00:00.000000"),
        ]):
            conn.execute(
                "INSERT INTO leads (org_id, id, contact_name, source, owner_id, stage, priority,"
                " created_by, created_at, updated_at, last_follow_up_at, version,"
                " field_versions) VALUES"
                f" ('{org_id}', '{n:032x}', 'Lead {n}', 'website', '{user_id}', '{stage}',"
                f" 'normal', '{user_id}', '2026-02-01 08:00:00.000000', '{updated}',"
                f" {repr(contact) if contact else 'NULL'}, {n + 2}, '{{}}')"
            )
    flask("db", "upgrade")
    with sqlite3.connect(path) as conn:
        steps = conn.execute(
            "SELECT lead_id, from_stage, to_stage, at, actor_id FROM lead_stage_changes"
            " ORDER BY lead_id, at"
        ).fetchall()
        closed = conn.execute("SELECT id, closed_at, quoted_at FROM leads ORDER BY id").fetchall()
    created = "2026-02-01 08:00:00.000000"
    assert steps == [
        (f"{0:032x}", None, "new", created, user_id),
        (f"{1:032x}", None, "new", created, user_id),
        (f"{1:032x}", "new", "won", "2026-03-05 16:00:00.000000", None),
        (f"{2:032x}", None, "new", created, user_id),
        (f"{2:032x}", "new", "contacted", "2026-02-08 11:00:00.000000", None),
    ]
    won_at = "2026-03-05 16:00:00.000000"
    assert closed == [
        (f"{0:032x}", None, None), (f"{1:032x}", won_at, won_at), (f"{2:032x}", None, None)
    ]
