"""Fixtures shared by the whole suite.

The schema is built once per run by the real migrations (``flask db upgrade`` from an
empty database); every test then leaves the tables empty for the next. Set
``DATABASE_URL`` to run the same suite on PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import MetaData, text

from app import create_app, database
from app.accounts import service as accounts
from app.accounts.models import User
from app.extensions import db, limiter
from app.tenancy import tenant

PASSWORD = "correct horse battery"


def _reset_database() -> None:
    """Drop everything, so the migrations start from a truly empty database."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        existing = MetaData()
        existing.reflect(bind=engine)
        existing.drop_all(bind=engine)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return (
        os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
            "PASSWORD_HASH_CHEAP": True,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    with app.app_context():
        _reset_database()
        flask_migrate.upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_all_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_state(app) -> Iterator[None]:
    limiter.reset()
    yield
    with app.app_context():
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def app_ctx(app) -> Iterator[Flask]:
    """An app context for calling services directly.

    Do not make HTTP requests while holding it: Flask would reuse this context (and its
    ``g`` and database session) for them. Use ``with app.app_context():`` blocks instead.
    """
    with app.app_context():
        yield app
        db.session.remove()


@dataclass
class Person:
    id: uuid.UUID
    org_id: uuid.UUID
    email: str
    role: str
    password: str = PASSWORD


@dataclass
class OrgFixture:
    """An organisation with one of each kind of person and one team."""

    id: uuid.UUID
    name: str
    team_id: uuid.UUID
    admin: Person
    lead: Person
    rep: Person
    rep2: Person
    cs: Person
    people: list[Person] = field(default_factory=list)

    def user(self, person: Person) -> User:
        """The ORM row (call inside an app context)."""
        with tenant(self.id):
            return db.session.get(User, (self.id, person.id))


def _person(user: User) -> Person:
    return Person(id=user.id, org_id=user.org_id, email=user.email, role=user.role)


def build_org(app: Flask, name: str) -> OrgFixture:
    slug = f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        admin = accounts.signup(name, f"{name} Admin", f"admin@{slug}.test", PASSWORD)
        with tenant(admin.org_id):
            team = accounts.create_team(admin, f"{name} Sales")

            def add(role: str, local: str, in_team: bool = True) -> Person:
                user = accounts.create_user(
                    admin,
                    {
                        "email": f"{local}@{slug}.test",
                        "name": f"{name} {local}",
                        "role": role,
                        "password": PASSWORD,
                        "team_ids": [team.id] if in_team else [],
                    },
                )
                return _person(user)

            org = OrgFixture(
                id=admin.org_id,
                name=name,
                team_id=team.id,
                admin=_person(admin),
                lead=add("lead", "lead"),
                rep=add("rep", "rep"),
                rep2=add("rep", "rep2"),
                cs=add("cs", "cs", in_team=False),
            )
            org.people = [org.admin, org.lead, org.rep, org.rep2, org.cs]
        db.session.commit()  # services flush; their caller commits
        db.session.remove()
    return org


@pytest.fixture
def org(app) -> OrgFixture:
    return build_org(app, "Acme")


@pytest.fixture
def other_org(app) -> OrgFixture:
    return build_org(app, "Globex")


class ApiClient:
    """A test client signed in as one person, by bearer token or by session cookie."""

    def __init__(self, flask_client: FlaskClient, person: Person, mode: str = "bearer") -> None:
        self.client = flask_client
        self.person = person
        self.headers: dict[str, str] = {}
        if mode == "bearer":
            response = flask_client.post(
                "/api/v1/auth/tokens",
                json={"email": person.email, "password": person.password, "device_name": "pytest"},
            )
            assert response.status_code == 201, response.json
            self.token_id = response.json["id"]
            self.headers["Authorization"] = f"Bearer {response.json['token']}"
        else:
            response = flask_client.post(
                "/api/v1/auth/login", json={"email": person.email, "password": person.password}
            )
            assert response.status_code == 200, response.json
            self.headers["X-CSRF-Token"] = response.json["csrf_token"]

    def open(self, method: str, url: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kwargs):
        return self.open("GET", url, **kwargs)

    def post(self, url: str, **kwargs):
        return self.open("POST", url, **kwargs)

    def patch(self, url: str, **kwargs):
        return self.open("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs):
        return self.open("DELETE", url, **kwargs)


@pytest.fixture
def api_as(app):
    """``api_as(person)`` → an ApiClient with its own cookie jar."""

    def make(person: Person, mode: str = "bearer") -> ApiClient:
        return ApiClient(app.test_client(), person, mode)

    return make


def is_postgres(app: Flask) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


# Where a moving clock starts: a weekday evening, when the customer-service shift works.
CLOCK_START = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


class MovingClock:
    """``utcnow`` for the app, moved by the test instead of sleeping."""

    def __init__(self, start: datetime = CLOCK_START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def moving_clock() -> Iterator[MovingClock]:
    """The app's clock stands at ``CLOCK_START`` until the test moves it; put back after."""
    clock = MovingClock()
    previous = database.set_clock(clock)
    try:
        yield clock
    finally:
        database.set_clock(previous)
