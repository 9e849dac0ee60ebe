"""Concurrent writers and a reader that pulls meanwhile: nothing is missed (guarantee 1)."""

from __future__ import annotations

import random
import threading
import uuid

import pytest

from app.accounts.models import User
from app.extensions import db
from app.leads import service as leads_service
from app.tenancy import tenant
from tests.conftest import is_postgres
from tests.sync.syncing import Replica, new_lead, server_view


def test_a_transaction_that_commits_after_a_cursor_was_issued_still_reaches_it(app, api_as, org):
    if not is_postgres(app):
        pytest.skip(
            "needs concurrent transactions: SQLite lets one writer block every other transaction"
        )
    reader = Replica(api_as(org.admin))
    reader.pull_all()
    took_version, may_commit, done = threading.Event(), threading.Event(), threading.Event()
    slow_id = str(uuid.uuid4())
    errors: list[BaseException] = []

    def slow_writer():
        try:
            with app.app_context(), tenant(org.id):
                actor = db.session.get(User, (org.id, org.rep.id))
                leads_service.create_lead(
                    actor, {"id": uuid.UUID(slow_id), "contact_name": "Slow Co"}
                )
                took_version.set()  # holds its version, uncommitted
                may_commit.wait(timeout=30)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            took_version.set()
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert took_version.wait(timeout=30)
    # Meanwhile another writer commits a later version, and the reader moves past it.
    fast = new_lead(contact_name="Fast Co")
    fast_thread = threading.Thread(
        target=lambda: Replica(api_as(org.admin)).push(("lead.create", fast))
    )
    fast_thread.start()
    reader.pull_all()  # must not block on the uncommitted writer
    may_commit.set()
    done.wait(timeout=30)
    thread.join()
    fast_thread.join()
    assert not errors, errors
    reader.pull_all()
    assert slow_id in reader.of("lead") and fast["id"] in reader.of("lead")
    assert reader.records == server_view(reader.api)


def test_interleaved_writers_and_a_looping_reader_end_with_the_server_state(app, api_as, org):
    writers = [api_as(person) for person in (org.rep, org.rep2, org.lead, org.admin)]
    shared = new_lead(contact_name="Shared", owner_id=str(org.rep.id))
    Replica(writers[3]).push(("lead.create", shared))
    reader = Replica(api_as(org.admin))
    stop = threading.Event()
    errors: list[BaseException] = []

    def write(api, seed: int):
        rng = random.Random(seed)
        device = Replica(api)
        try:
            for step in range(12):
                mutations = [("lead.create", new_lead(contact_name=f"W{seed}-{step}"))]
                if api is not writers[1]:  # rep2 cannot see the shared lead
                    mutations.append(
                        (
                            "lead.update",
                            {
                                "id": shared["id"],
                                "base_version": 0,
                                "set": {"notes": f"{seed}-{step}"},
                            },
                        )
                    )
                if rng.random() < 0.5:
                    mutations.reverse()
                device.push(*mutations)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    def read():
        try:
            while not stop.is_set():
                reader.pull_all(limit=7)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    reader_thread = threading.Thread(target=read)
    reader_thread.start()
    threads = [threading.Thread(target=write, args=(api, n)) for n, api in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    stop.set()
    reader_thread.join(timeout=60)
    assert not errors, errors
    reader.pull_all()
    truth = server_view(reader.api)
    assert reader.records == truth
    assert sum(1 for key in truth if key[0] == "lead") == 1 + 4 * 12
