"""What a device shows for a change it has not sent yet is the clock the server then gives it.

A device pulls the organisation's policies, calendars, people and settings; it captures
leads and logs contacts offline, and the PWA's own code (``materialize`` of
pwa/src/sync/apply.js, under node) computes each pending lead's SLA clock. The same
mutations are then pushed at that very moment (the server's clock is the test's), and the
server's clock of each lead must be the device's: same metric, start, warning and deadline,
to the millisecond. The calendars differ from the device's own zone and hours: the
organisation's in Shanghai with a lunch break, a holiday and an override; the team's in
Berlin, across the night the clocks go back.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from app.fields import isoformat_z
from tests.sla import pwa_node
from tests.sync.syncing import Replica

SHANGHAI = {
    "timezone": "Asia/Shanghai",
    "weekly": {
        day: [{"start": "08:30", "end": "12:00"}, {"start": "13:30", "end": "18:00"}]
        for day in ("mon", "tue", "wed", "thu", "fri")
    },
    "holidays": ["2026-10-26", "2026-12-01"],
    "overrides": {"2026-12-03": [{"start": "10:00", "end": "11:00"}]},
}
BERLIN_TEAM = {
    "timezone": "Europe/Berlin",
    "weekly": {
        **{
            day: [{"start": "07:00", "end": "19:00"}] for day in ("mon", "tue", "wed", "thu", "fri")
        },
        "sun": [{"start": "01:00", "end": "05:00"}],  # 5 real hours on 25 October 2026
    },
    "holidays": ["2026-12-24"],
}

DEVICE = """
import { materialize } from 'PWA_SRC/sync/apply.js';
print(input.map((s) => {
  const view = materialize(s.lists);
  return Object.fromEntries(s.ids.map((id) => [id, view.leads.get(id)?.sla ?? null]));
}));
"""

SLA_KEYS = ("metric", "state", "started_at", "warn_at", "due_at")


def device_lists(device: Replica, me: dict, outbox: list[dict]) -> dict:
    """What the PWA's store holds for ``materialize``: the synced records by view name."""
    return {
        "leads": list(device.of("lead").values()),
        "followups": [],
        "slaPolicies": list(device.of("sla_policy").values()),
        "calendars": list(device.of("calendar").values()),
        "users": list(device.of("user").values()),
        "org": [{**o, "entity": "org", "key": f"org:{o['id']}"} for o in device.of("org").values()],
        "outbox": outbox,
        "me": me,
    }


@pytest.fixture
def shanghai_org(org, api_as):
    admin = api_as(org.admin)
    assert admin.patch("/api/v1/org", json={"timezone": "Asia/Shanghai"}).status_code == 200
    for body in (
        {"name": "Office hours", "kind": "sales", "definition": SHANGHAI},
        {
            "name": "Berlin desk",
            "kind": "sales",
            "team_id": str(org.team_id),
            "definition": BERLIN_TEAM,
        },
        {
            "name": "Evenings",
            "kind": "service",
            "definition": {
                "timezone": "UTC",
                "weekly": {"sat": [{"start": "00:00", "end": "24:00"}]},
            },
        },
    ):
        assert admin.post("/api/v1/sla/calendars", json=body).status_code == 201
    urgent = {
        "name": "Urgent",
        "metric": "first_response",
        "priority": "urgent",
        "target_minutes": 45,
        "warn_ratio": 0.5,
    }
    cadence = {
        "name": "Phone cadence",
        "metric": "follow_up",
        "source": "phone",
        "target_minutes": 600,
        "warn_ratio": 0.9,
    }
    for body in (urgent, cadence):
        assert admin.post("/api/v1/sla/policies", json=body).status_code == 201
    return org


# Server moments (UTC) the captures and contacts happen at, and what each is like there.
MOMENTS = [
    datetime(2026, 11, 30, 3, 0, tzinfo=UTC),  # Mon 11:00 Shanghai (lunch ahead), 04:00 Berlin
    datetime(2026, 11, 30, 4, 45, tzinfo=UTC),  # Shanghai lunch break
    datetime(2026, 11, 30, 11, 50, tzinfo=UTC),  # Shanghai closed, a holiday next; Berlin open
    datetime(2026, 12, 2, 23, 59, 59, 123000, tzinfo=UTC),  # the override day begins
    datetime(2026, 10, 24, 22, 30, tzinfo=UTC),  # Berlin's Sunday night the clocks go back
    datetime(2026, 12, 23, 17, 0, tzinfo=UTC),  # Berlin's team before Christmas Eve
]


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.strftime("%m-%dT%H%M"))
def test_an_offline_capture_and_contact_show_the_clock_the_server_gives(
    tmp_path, api_as, shanghai_org, clock, moment
):
    org = shanghai_org
    clock.now = moment
    people = {p: api_as(getattr(org, p)) for p in ("admin", "rep", "cs")}
    devices = {p: Replica(api) for p, api in people.items()}
    for device in devices.values():
        device.pull_all()
    at = isoformat_z(moment)
    captures = {
        # The admin is in no team: the organisation's hours (Shanghai).
        "admin": [
            {"contact_name": "Wang", "source": "phone"},
            {"contact_name": "Li", "source": "website", "priority": "urgent"},
        ],
        # The rep's team has its own hours (Berlin).
        "rep": [{"contact_name": "Anna", "source": "phone", "priority": "urgent"}],
        # Customer service hands one to the second rep: filed under the rep's team.
        "cs": [{"contact_name": "Zhou", "source": "phone", "owner_id": str(org.rep2.id)}],
    }
    for person, leads in captures.items():
        device = devices[person]
        me = device.of("user")[str(getattr(org, person).id)]
        outbox, ids = [], []
        for number, fields in enumerate(leads, start=1):
            lead_id = str(uuid.uuid4())
            ids.append(lead_id)
            args = {"id": lead_id, **fields}
            outbox.append(
                {
                    "id": number,
                    "name": "lead.create",
                    "args": args,
                    "client_time": at,
                    "status": "pending",
                }
            )
        [shown] = pwa_node.run(
            tmp_path, DEVICE, [{"lists": device_lists(device, me, outbox), "ids": ids}]
        )
        pushed = device.push(*[("lead.create", e["args"]) for e in outbox])
        assert {r["status"] for r in pushed["results"]} == {"applied"}, pushed
        for lead_id in ids:
            server = people["admin"].get(f"/api/v1/leads/{lead_id}").json["sla"]
            assert shown[lead_id]["metric"] == "first_response"
            assert {k: shown[lead_id][k] for k in SLA_KEYS} == {k: server[k] for k in SLA_KEYS}

    # Later, a contact logged offline on the rep's lead, with and without an earlier cap.
    rep = devices["rep"]
    rep.pull_all()
    [lead_id] = [i for i, lead in rep.of("lead").items() if lead["contact_name"] == "Anna"]
    me = rep.of("user")[str(org.rep.id)]
    for step, (later, cap) in enumerate([(3 * 3600, None), (26 * 3600, 28 * 3600)]):
        clock.now = datetime.fromtimestamp(moment.timestamp() + later, UTC)
        args = {
            "id": str(uuid.uuid4()),
            "lead_id": lead_id,
            "kind": "call",
            "happened_at": isoformat_z(clock.now),
        }
        if cap:
            args["next_follow_up_at"] = isoformat_z(
                datetime.fromtimestamp(moment.timestamp() + cap, UTC)
            )
        entry = {
            "id": rep.next_mutation_id,
            "name": "followup.create",
            "args": args,
            "client_time": args["happened_at"],
            "status": "pending",
        }
        [shown] = pwa_node.run(
            tmp_path, DEVICE, [{"lists": device_lists(rep, me, [entry]), "ids": [lead_id]}]
        )
        assert rep.push(("followup.create", args))["results"][0]["status"] == "applied"
        rep.pull_all()
        server = rep.of("lead")[lead_id]["sla"]
        assert server["metric"] == "follow_up", step
        assert {k: shown[lead_id][k] for k in SLA_KEYS} == {k: server[k] for k in SLA_KEYS}, step
