"""Business calendars travel to every device of the organisation (the `calendar` entity),
so a phone counts deadlines offline in the hours the server counts them in."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.sync.syncing import Replica

ROOT = Path(__file__).resolve().parents[2]
HOURS = {"timezone": "Asia/Shanghai", "weekly": {"mon": [{"start": "08:30", "end": "12:00"}]}}


def _calendar(api, **body) -> dict:
    response = api.post("/api/v1/sla/calendars", json={"kind": "sales", **body})
    assert response.status_code == 201, response.json
    return response.json


def test_everyone_in_the_organisation_pulls_every_calendar_and_no_other_organisations(
    api_as, org, other_org
):
    admin = api_as(org.admin)
    office = _calendar(admin, name="Office hours", definition=HOURS)
    team = _calendar(
        api_as(org.lead),
        name="Night desk",
        team_id=str(org.team_id),
        definition={
            "timezone": "Europe/Berlin",
            "weekly": {"fri": [{"start": "22:00", "end": "06:00"}]},
        },
    )
    foreign = _calendar(api_as(other_org.admin), name="Globex hours", definition=HOURS)
    for person in (org.admin, org.lead, org.rep, org.cs):  # cs is in no team, and sees both
        device = Replica(api_as(person))
        device.pull_all()
        calendars = device.of("calendar")
        assert set(calendars) == {office["id"], team["id"]}, person.role
        assert foreign["id"] not in calendars
    night = calendars[team["id"]]
    assert night["team_id"] == str(org.team_id) and night["kind"] == "sales"
    # The definition as the server counts in it: checked and written out in full.
    assert night["definition"]["weekly"]["fri"] == [{"start": "22:00", "end": "06:00"}]
    assert night["definition"]["weekly"]["mon"] == [] and night["definition"]["holidays"] == []


def test_a_change_of_hours_reaches_synced_devices_and_an_unchanged_save_sends_nothing(api_as, org):
    admin = api_as(org.admin)
    office = _calendar(admin, name="Office hours", definition=HOURS)
    phone = Replica(api_as(org.rep))
    phone.pull_all()
    before = phone.of("calendar")[office["id"]]

    holidays = {**HOURS, "holidays": ["2026-12-01"]}
    changed = admin.patch(f"/api/v1/sla/calendars/{office['id']}", json={"definition": holidays})
    assert changed.status_code == 200
    [answer] = phone.pull_all()
    [change] = answer["changes"]
    assert change["entity"] == "calendar" and change["op"] == "put"
    assert change["data"]["definition"]["holidays"] == ["2026-12-01"]
    assert change["version"] > before["version"]

    # The same hours again (and the same name): no new version, nothing to pull.
    same = admin.patch(
        f"/api/v1/sla/calendars/{office['id']}",
        json={"name": "Office hours", "definition": holidays},
    )
    assert same.status_code == 200
    assert phone.pull_all()[0]["changes"] == []
    renamed = admin.patch(f"/api/v1/sla/calendars/{office['id']}", json={"name": "Shanghai office"})
    assert renamed.status_code == 200
    assert [c["data"]["name"] for c in phone.pull_all()[0]["changes"]] == ["Shanghai office"]


def test_a_refused_change_of_hours_sends_nothing(api_as, org):
    admin = api_as(org.admin)
    office = _calendar(admin, name="Office hours", definition=HOURS)
    phone = Replica(api_as(org.rep))
    phone.pull_all()
    broken = {"timezone": "Mars/Base", "weekly": {}}
    refused = admin.patch(f"/api/v1/sla/calendars/{office['id']}", json={"definition": broken})
    assert refused.status_code == 422
    assert phone.pull_all()[0]["changes"] == []
    assert phone.of("calendar")[office["id"]]["definition"]["timezone"] == "Asia/Shanghai"


def _flask(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_calendars_made_before_they_were_synced_get_versions_devices_will_pull(tmp_path):
    path = tmp_path / "old.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "x" * 40}
    assert _flask(["db", "upgrade", "0008_invitations"], env).returncode == 0
    org = "0123456789abcdef0123456789abcdef"
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO organizations (id, name, default_country, timezone, created_at, version)"
            f" VALUES ('{org}', 'Old Co', 'DE', 'UTC', '2026-01-01 00:00:00.000000', 3)"
        )
        conn.execute(
            f"INSERT INTO change_counters (org_id, value, purged_through) VALUES ('{org}', 41, 0)"
        )
        for n in (1, 2):
            conn.execute(
                "INSERT INTO calendars (org_id, id, name, kind, team_id, definition, created_at,"
                f" updated_at) VALUES ('{org}', '{n:032x}', 'Hours {n}', 'sales', NULL, '{{}}',"
                f" '2026-01-0{n} 00:00:00.000000', '2026-01-0{n} 00:00:00.000000')"
            )
    up = _flask(["db", "upgrade"], env)
    assert up.returncode == 0, up.stderr
    with sqlite3.connect(path) as conn:
        # One version each, above what devices hold (41), in the order they were made.
        assert conn.execute("SELECT name, version FROM calendars ORDER BY version").fetchall() == [
            ("Hours 1", 42),
            ("Hours 2", 43),
        ]
        assert conn.execute("SELECT value FROM change_counters").fetchone() == (43,)
    down = _flask(["db", "downgrade", "0008_invitations"], env)
    assert down.returncode == 0, down.stderr
