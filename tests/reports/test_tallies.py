"""The daily tallies the reps and sla reports read (``app.tallies``) hold exactly what a
count of their rows gives, after every kind of write, and follow the organisation's days
when its time zone changes."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from app import tallies
from app.accounts.models import Organization
from app.extensions import db
from app.sla.check import run_sla_check
from app.tenancy import tenant
from tests.leads.helpers import iso
from tests.reports.test_inquiries import follow_up, lead, stage
from tests.sync.syncing import Replica


def tally_rows(org_id) -> dict[str, list[tuple]]:
    found = {}
    for tally in tallies.registered():
        table = tally.table
        rows = db.session.execute(select(table).where(table.c.org_id == org_id)).mappings()
        # A row brought to zero by moves is the same as no row.
        found[table.name] = sorted(
            tuple(str(v) for v in row.values())
            for row in rows
            if any(row[name] for name in tally.counts)
        )
    return found


def test_tallies_equal_a_count_of_their_rows_after_every_kind_of_write(
    app, api_as, berlin_org, wall
):
    """Follow-ups by REST, by sync and by import; first replies met, late and breached;
    a lead given to another rep; a rep moved to another team, taking their open leads and
    those leads' follow-ups along."""
    admin, rep, rep2 = (api_as(p) for p in (berlin_org.admin, berlin_org.rep, berlin_org.rep2))

    def check(*when):
        wall.at(*when)
        with app.app_context():
            run_sla_check(wall.now)

    wall.at(2026, 3, 2, 10)
    a = lead(rep, source="website")
    wall.at(2026, 3, 2, 10, 30)
    follow_up(rep, a, wall, kind="call")
    b = lead(rep2, source="phone")
    check(2026, 3, 2, 14)  # b's first reply is late: a breach
    wall.at(2026, 3, 3, 9, 15)
    device = Replica(rep2)
    device.push(("followup.create", {
        "id": str(uuid.uuid4()), "lead_id": b, "kind": "quote", "happened_at": iso(wall.now),
        "quoted_amount": 250,
    }))  # fmt: skip
    wall.at(2026, 3, 4, 11)
    imported = admin.post(
        "/api/v1/imports/followups",
        data="lead_id,kind,happened_at,author_email\n"
        f"{a},visit,2026-03-03T16:00:00+01:00,{berlin_org.rep2.email}\n",
        content_type="text/csv",
    )
    assert imported.status_code == 201, imported.get_data(as_text=True)
    moved = admin.post(f"/api/v1/leads/{b}/assign", json={"owner_id": str(berlin_org.rep.id)})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    stage(rep, a, "won", won_value=500)
    wall.at(2026, 3, 5, 11)
    team2 = admin.post("/api/v1/teams", json={"name": "North"}).json["id"]
    given = admin.patch(f"/api/v1/users/{berlin_org.rep.id}", json={"team_ids": [team2]})
    assert given.status_code == 200, given.get_data(as_text=True)

    with app.app_context(), tenant(berlin_org.id):
        kept = tally_rows(berlin_org.id)
        assert len(kept["follow_up_tallies"]) >= 3
        assert kept["sla_step_tallies"] and kept["sla_minutes_tallies"]
        tallies.rebuild(berlin_org.id, db.session.get(Organization, berlin_org.id).zone)
        assert tally_rows(berlin_org.id) == kept
        db.session.rollback()


REPS, SLA = "/api/v1/reports/reps", "/api/v1/reports/sla"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
APRIL = {"from": "2026-04-01", "to": "2026-04-30"}


def test_a_new_time_zone_moves_what_happened_near_midnight_to_its_new_day(
    api_as, berlin_org, wall
):
    """A lead captured at 00:10 on 1 April in Berlin (22:10 on 31 March UTC), called at
    00:30: April's in Berlin — its inquiry, the call and the first reply met on time (the
    calendar's hours begin at 09:00). Set the organisation to UTC and all three are
    March's, in the tallied figures as in those read from the leads."""
    rep, admin = api_as(berlin_org.rep), api_as(berlin_org.admin)
    wall.at(2026, 3, 31, 11)
    early = lead(rep, source="website")
    wall.at(2026, 3, 31, 11, 30)
    follow_up(rep, early, wall, kind="call")
    wall.at(2026, 4, 1, 0, 10)
    late = lead(rep, source="website")
    wall.at(2026, 4, 1, 0, 30)
    follow_up(rep, late, wall, kind="call")
    wall.at(2026, 4, 2, 12)

    def figures() -> dict:
        out = {}
        for name, period in (("march", MARCH), ("april", APRIL)):
            reps = admin.get(REPS, query_string=period).json["totals"]
            sla = admin.get(SLA, query_string=period).json["totals"]
            out[name] = (reps["inquiries"], reps["follow_ups"], sla["first_response_met"])
        return out

    assert figures() == {"march": (1, 1, 1), "april": (1, 1, 1)}
    changed = admin.patch("/api/v1/org", json={"timezone": "UTC"})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert figures() == {"march": (2, 2, 2), "april": (0, 0, 0)}
    back = admin.patch("/api/v1/org", json={"timezone": "Europe/Berlin"})
    assert back.status_code == 200
    assert figures() == {"march": (1, 1, 1), "april": (1, 1, 1)}


def test_a_period_is_read_as_whole_years_whole_months_and_single_days():
    from datetime import date

    def of(first: str, last: str) -> list[tuple[str, str, str]]:
        found = tallies.pieces(date.fromisoformat(first), date.fromisoformat(last))
        return [(span, a.isoformat(), b.isoformat()) for span, a, b in found]

    assert of("2025-01-01", "2025-12-31") == [("year", "2025-01-01", "2025-01-01")]
    assert of("2024-02-01", "2024-02-29") == [("month", "2024-02-01", "2024-02-01")]
    assert of("2026-03-02", "2026-03-08") == [("day", "2026-03-02", "2026-03-08")]
    assert of("2025-11-15", "2027-03-02") == [
        ("day", "2025-11-15", "2025-11-30"),
        ("month", "2025-12-01", "2025-12-01"),
        ("year", "2026-01-01", "2026-01-01"),
        ("month", "2027-01-01", "2027-02-01"),
        ("day", "2027-03-01", "2027-03-02"),
    ]
    assert of("2026-01-31", "2026-02-01") == [("day", "2026-01-31", "2026-02-01")]
