"""On PostgreSQL two colleagues claiming one question at the same moment: exactly one wins."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from app.accounts.models import User
from app.errors import ApiError
from app.extensions import db
from app.questions import service
from app.tenancy import tenant
from tests.conftest import is_postgres
from tests.questions.conftest import ask, slug_of


@pytest.fixture
def question_id(app, client, api_as, org) -> uuid.UUID:
    if not is_postgres(app):
        pytest.skip("needs concurrent transactions: SQLite lets one writer block every other")
    return uuid.UUID(ask(client, slug_of(api_as, org)).json["id"])


def test_a_claim_waits_for_a_colleagues_uncommitted_one_and_loses(app, org, question_id):
    first_holds, results = threading.Event(), {}

    def claim(person, key, hold: bool) -> None:
        with app.app_context(), tenant(org.id):
            try:
                service.claim(db.session.get(User, (org.id, person.id)), question_id)
                if hold:
                    first_holds.set()
                    time.sleep(0.5)  # the other claim reads meanwhile
                db.session.commit()
                results[key] = "won"
            except ApiError as error:
                db.session.rollback()
                results[key] = error.code
            finally:
                first_holds.set()
                db.session.remove()

    first = threading.Thread(target=claim, args=(org.cs, "cs", True))
    first.start()
    assert first_holds.wait(timeout=30)
    second = threading.Thread(target=claim, args=(org.admin, "admin", False))
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert results == {"cs": "won", "admin": "claimed"}


def test_many_claims_at_once_over_http_one_wins(app, api_as, org, question_id):
    people = [api_as(org.cs), api_as(org.admin)] * 4
    start = threading.Barrier(len(people))
    outcomes: list[tuple[uuid.UUID, int]] = []

    def claim(api) -> None:
        start.wait(timeout=30)
        response = api.post(f"/api/v1/questions/{question_id}/claim")
        outcomes.append((api.person.id, response.status_code))

    threads = [threading.Thread(target=claim, args=(api,)) for api in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # The winner's own second try renews its claim (200); the other person always loses.
    assert len(outcomes) == len(people)
    assert {code for _, code in outcomes} <= {200, 409}
    assert len({person for person, code in outcomes if code == 200}) == 1
