"""A unique violation is a 409 naming the field, always (issue 14, finding 1).

The services check names, emails and SKUs before they write, but two identical requests at
once both pass the check and only the database's unique key stops the second: its refusal
(an IntegrityError) is answered like the check's own 409, never a 500. The races need
concurrent transactions, so they run on PostgreSQL; the mapping of each kind of refusal
runs on both databases against real constraint violations.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError, IntegrityError

from app.accounts import service as accounts
from app.accounts.models import Team, TeamMember, User
from app.errors import AlreadyExists, integrity_error
from app.extensions import db
from app.leads import service as leads
from app.leads.models import Lead, Product
from app.tenancy import tenant
from tests.conftest import PASSWORD, is_postgres
from tests.sync.syncing import Replica, new_lead

# name -> (url, who posts it, body, the field named, the code of the service's own check,
#          the same write made by the service in another transaction)
RACES: dict[str, tuple[str, str | None, dict, str, str, Callable]] = {
    "signup": (
        "/api/v1/auth/signup",
        None,
        {"org_name": "Twin Co", "name": "Tw In", "email": "twin@twin.test", "password": PASSWORD},
        "email",
        "email_taken",
        lambda admin: accounts.signup("Other Co", "Tw In", "twin@twin.test", PASSWORD),
    ),
    "user": (
        "/api/v1/users",
        "admin",
        {"email": "twin@acme.test", "name": "Twin", "role": "rep", "password": PASSWORD},
        "email",
        "email_taken",
        lambda admin: accounts.create_user(
            admin, {"email": "twin@acme.test", "name": "Twin", "role": "rep", "password": PASSWORD}
        ),
    ),
    "team": (
        "/api/v1/teams",
        "admin",
        {"name": "Night shift"},
        "name",
        "team_name_taken",
        lambda admin: accounts.create_team(admin, "Night shift"),
    ),
    "product": (
        "/api/v1/products",
        "admin",
        {"name": "Widget", "sku": "W-1"},
        "sku",
        "sku_taken",
        lambda admin: leads.create_product(admin, {"name": "Widget", "sku": "W-1"}),
    ),
}


@pytest.fixture
def postgres(app):
    if not is_postgres(app):
        pytest.skip("needs concurrent transactions: SQLite lets one writer block every other")


def _poster(app, api_as, org, who):
    """Something that sends the request: a signed-in client, or an anonymous one."""
    if who is None:
        client = app.test_client()
        return lambda url, body: client.post(url, json=body)
    api = api_as(getattr(org, who))
    return lambda url, body: api.post(url, json=body)


def _assert_taken(response, field: str) -> None:
    assert response.status_code == 409, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"].endswith("_taken"), error
    assert error["fields"] == {field: ["taken"]}


@pytest.mark.parametrize("race", sorted(RACES))
def test_eight_identical_requests_at_once_make_one_record_and_seven_409s(
    app, api_as, org, postgres, race
):
    url, who, body, field, _, _ = RACES[race]
    posters = [_poster(app, api_as, org, who) for _ in range(8)]
    start = threading.Barrier(len(posters))
    responses = []

    def post(send) -> None:
        start.wait(timeout=30)
        responses.append(send(url, body))

    threads = [threading.Thread(target=post, args=(send,)) for send in posters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(response.status_code for response in responses) == [201] + [409] * 7
    for response in responses:
        if response.status_code == 409:
            _assert_taken(response, field)


def _blocked_on_a_lock() -> bool:
    with db.engine.connect() as conn:
        waiting = conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
    return waiting > 0


@pytest.mark.parametrize("race", sorted(RACES))
def test_a_request_that_passes_the_check_while_a_twin_is_uncommitted_gets_a_409(
    app, api_as, org, postgres, race
):
    """Deterministically past the service's check: the twin's row is written but not yet
    committed when the request checks, so only the unique key can refuse it."""
    url, who, body, field, check_code, write_twin = RACES[race]
    send = _poster(app, api_as, org, who)
    twin_written, may_commit = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def twin() -> None:
        try:
            with app.app_context(), tenant(org.id):
                write_twin(db.session.get(User, (org.id, org.admin.id)))
                twin_written.set()
                assert may_commit.wait(timeout=30)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            twin_written.set()

    holder = threading.Thread(target=twin)
    holder.start()
    assert twin_written.wait(timeout=30)
    answers = []
    request = threading.Thread(target=lambda: answers.append(send(url, body)))
    request.start()
    with app.app_context():
        deadline = time.monotonic() + 20
        while not _blocked_on_a_lock():  # the request waits on the twin's key
            assert time.monotonic() < deadline, "the request never reached the unique key"
            time.sleep(0.05)
    may_commit.set()
    holder.join(timeout=30)
    request.join(timeout=30)
    assert not failures, failures
    _assert_taken(answers[0], field)
    # The same code as the service's own check gives, where the model names it.
    assert answers[0].get_json()["error"]["code"] in {check_code, f"{field}_taken"}
    # And the request after it is answered by the check, as before.
    _assert_taken(send(url, body), field)


def test_a_pushed_create_whose_id_a_twin_took_meanwhile_is_a_duplicate(app, api_as, org, postgres):
    lead = new_lead(contact_name="Twin")
    twin_written, may_commit = threading.Event(), threading.Event()

    def twin() -> None:
        # Written past the services (which would hold the organisation's change counter, and
        # so queue the push behind them): only the lead's key meets the push.
        with app.app_context(), tenant(org.id):
            db.session.execute(
                Lead.__table__.insert().values(
                    org_id=org.id,
                    id=uuid.UUID(lead["id"]),
                    contact_name="Twin",
                    source="other",
                    owner_id=org.rep.id,
                    created_by=org.rep.id,
                )
            )
            twin_written.set()
            may_commit.wait(timeout=30)
            db.session.commit()
            db.session.remove()

    holder = threading.Thread(target=twin)
    holder.start()
    assert twin_written.wait(timeout=30)
    device = Replica(api_as(org.rep))
    answers = []
    # Alone in its batch: a run of several creates is retried one by one after a refusal,
    # and the retry would find the twin by its id before writing.
    pushing = threading.Thread(target=lambda: answers.append(device.push(("lead.create", lead))))
    pushing.start()
    with app.app_context():
        deadline = time.monotonic() + 20
        while not _blocked_on_a_lock():
            assert time.monotonic() < deadline, "the push never reached the lead's key"
            time.sleep(0.05)
    may_commit.set()
    holder.join(timeout=30)
    pushing.join(timeout=30)
    # As the protocol answers a create that exists; and the device goes on.
    assert answers[0]["results"] == [{"id": 1, "status": "duplicate"}]
    assert device.push(("lead.create", new_lead()))["results"][0]["status"] == "applied"


# --- each kind of refusal, mapped, on both databases --------------------------------------


def _refusal(app, org, write) -> IntegrityError:
    with app.app_context(), tenant(org.id):
        try:
            write()
            db.session.flush()
        except IntegrityError as error:
            db.session.rollback()
            return error
        finally:
            db.session.rollback()
            db.session.remove()
    raise AssertionError("the database took it")


def test_a_unique_key_of_the_organisation_names_its_other_column(app, org):
    leads_product = {"name": "Widget", "sku": "W-1"}
    with app.app_context(), tenant(org.id):
        leads.create_product(db.session.get(User, (org.id, org.admin.id)), leads_product)
        db.session.commit()
        db.session.remove()
    error = _refusal(
        app, org, lambda: db.session.add(Product(org_id=org.id, name="Other", sku="W-1"))
    )
    refusal = integrity_error(error, db.metadata)
    assert (refusal.status, refusal.code, refusal.fields) == (409, "sku_taken", {"sku": ["taken"]})
    assert refusal.message == "That sku is taken."


def test_a_unique_key_of_the_whole_service_names_its_column(app, org):
    error = _refusal(
        app,
        org,
        lambda: db.session.add(
            User(org_id=org.id, email=org.rep.email, name="Twin", role="rep", password_hash="x")
        ),
    )
    refusal = integrity_error(error, db.metadata)
    assert (refusal.status, refusal.code, refusal.fields) == (
        409,
        "email_taken",
        {"email": ["taken"]},
    )


def test_a_taken_primary_key_is_already_exists(app, org):
    error = _refusal(
        app, org, lambda: db.session.add(Team(org_id=org.id, id=org.team_id, name="Twin"))
    )
    refusal = integrity_error(error, db.metadata)
    assert isinstance(refusal, AlreadyExists)
    assert (refusal.status, refusal.code) == (409, "already_exists")


def test_a_reference_to_nothing_is_invalid_reference(app, org):
    missing_team = uuid.uuid4()
    error = _refusal(
        app,
        org,
        lambda: db.session.add(TeamMember(org_id=org.id, team_id=missing_team, user_id=org.rep.id)),
    )
    refusal = integrity_error(error, db.metadata)
    assert (refusal.status, refusal.code) == (422, "invalid_reference")
    if is_postgres(app):  # PostgreSQL names the key; SQLite says only that one failed
        assert refusal.fields == {"team_id": ["unknown"]}


def test_a_delete_of_a_record_others_point_at_is_in_use(app, api_as, org):
    lead = api_as(org.rep).post("/api/v1/leads", json={"contact_name": "Ada"}).json
    assert lead["owner_id"] == str(org.rep.id)

    def delete_the_owner() -> None:
        db.session.execute(User.__table__.delete().where(User.id == org.rep.id))

    error = _refusal(app, org, delete_the_owner)
    refusal = integrity_error(error, db.metadata)
    assert (refusal.status, refusal.code) == (409, "in_use")
    with app.app_context(), tenant(org.id):
        assert db.session.get(Lead, (org.id, uuid.UUID(lead["id"]))) is not None


def test_the_app_answers_a_refused_write_in_the_common_shape_and_can_go_on(app, org):
    """The handler under every route: the refusal becomes the 409, and the session that
    met it is rolled back, so the same request may still read and write."""
    with app.test_request_context(), tenant(org.id):
        db.session.add(Product(org_id=org.id, name="One", sku="W-9"))
        db.session.add(Product(org_id=org.id, name="Two", sku="W-9"))
        try:
            db.session.flush()
        except IntegrityError as error:
            response = app.handle_user_exception(error)
        assert response.status_code == 409
        assert response.get_json() == {
            "error": {
                "code": "sku_taken",
                "message": "That sku is taken.",
                "fields": {"sku": ["taken"]},
            }
        }
        assert db.session.get(Team, (org.id, org.team_id)).name == "Acme Sales"
        db.session.remove()


def test_a_value_the_database_cannot_hold_is_a_422(app, org):
    if not is_postgres(app):
        pytest.skip("SQLite stores a string of any length")
    with app.test_request_context(), tenant(org.id):
        db.session.add(Team(org_id=org.id, name="x" * 500))  # the column holds 120
        try:
            db.session.flush()
        except DataError as error:
            response = app.handle_user_exception(error)
        assert response.status_code == 422
        assert response.get_json()["error"]["code"] == "invalid_value"
        assert db.session.get(Team, (org.id, org.team_id)).name == "Acme Sales"
        db.session.remove()
