"""Round-robin under concurrent conversions, on PostgreSQL with real connections."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from app.assignment.models import AssignmentRotation
from app.assignment.service import create_routed_lead
from app.extensions import db
from app.leads.models import Lead
from app.tenancy import tenant
from tests.assignment.conftest import add_rule, as_user, new_person, new_team
from tests.conftest import is_postgres

THREADS, EACH = 8, 25


def test_200_leads_from_8_concurrent_conversions_spread_evenly_over_4_reps(app, admin_api, org):
    if not is_postgres(app):
        pytest.skip("SQLite runs one writer at a time: nothing concurrent to test")
    field = new_team(app, org, "Field")
    reps = [new_person(app, org, name, [field]) for name in ("anna", "ben", "cleo", "dan")]
    add_rule(admin_api, name="Field", team_id=str(field))
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def convert_many(worker: int) -> None:
        try:
            with app.app_context(), tenant(org.id):  # its own session and connection
                start.wait()
                for n in range(EACH):
                    cs = as_user(org, org.cs)
                    create_routed_lead(cs, {"contact_name": f"Buyer {worker}-{n}"})
                    db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below, in the test's own thread
            failures.append(error)

    threads = [threading.Thread(target=convert_many, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    with app.app_context(), tenant(org.id):
        owners = Counter(
            dict(
                db.session.execute(
                    select(Lead.owner_id, func.count()).group_by(Lead.owner_id)
                ).all()
            )
        )
        turns = db.session.scalar(select(AssignmentRotation.turns))
        db.session.rollback()
    assert sum(owners.values()) == THREADS * EACH
    assert set(owners) == set(reps)
    assert max(owners.values()) - min(owners.values()) <= 1  # 50 each, in fact
    assert turns == THREADS * EACH
