"""Finding 7: a database that stalls must not stall the app.

Every wait on the database is bounded (app/config.py ``database_engine_options``): a lock
or statement wait by PostgreSQL's ``lock_timeout``/``statement_timeout``, opening a
connection by ``connect_timeout``, waiting for a pooled connection by ``pool_timeout``. Past
the bound the request answers 503 with Retry-After; ``/healthz`` never waits on the
database at all.

The stalls are real: a second connection holding an ACCESS EXCLUSIVE lock on the leads
table, a "server" that accepts connections and never answers, a pool whose only connection
is taken.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from tests.conftest import ApiClient, is_postgres

UNAVAILABLE = {
    "error": {"code": "unavailable", "message": "The database is unavailable; try again shortly."}
}


def _app_with(app: Flask, **config) -> Flask:
    """A second app on the suite's database, with other settings (the timeouts)."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "PASSWORD_HASH_CHEAP": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            **config,
        }
    )


@pytest.fixture
def make_app(app) -> Iterator:
    made: list[Flask] = []

    def make(**config) -> Flask:
        made.append(_app_with(app, **config))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def _assert_unavailable(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.json == UNAVAILABLE
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("timeouts", "bound"),
    [
        ({"DATABASE_LOCK_TIMEOUT": 1, "DATABASE_STATEMENT_TIMEOUT": 30}, 1.0),
        ({"DATABASE_LOCK_TIMEOUT": 0, "DATABASE_STATEMENT_TIMEOUT": 1.5}, 1.5),
    ],
    ids=["lock_timeout", "statement_timeout"],
)
def test_a_locked_table_answers_503_within_the_timeout(app, org, api_as, make_app, timeouts, bound):
    if not is_postgres(app):
        pytest.skip("PostgreSQL's lock and statement timeouts (SQLite: busy_timeout)")
    token = api_as(org.rep).headers  # made through the suite's app, before the lock
    bounded = make_app(**timeouts)
    rep = bounded.test_client()
    assert rep.get("/api/v1/leads", headers=token).status_code == 200  # warm: pool connected

    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")
    with psycopg.connect(url) as holder, ThreadPoolExecutor(1) as pool:
        holder.execute("LOCK TABLE leads IN ACCESS EXCLUSIVE MODE")
        try:
            waiting = pool.submit(_timed, lambda: rep.get("/api/v1/leads", headers=token))
            time.sleep(0.3)
            # The leads request is waiting on the lock: the process still answers its probe.
            health, health_took = _timed(lambda: bounded.test_client().get("/healthz"))
            assert not waiting.done()
            assert health.status_code == 200 and health_took < 0.5
            response, took = waiting.result(timeout=bound + 10)
        finally:
            holder.rollback()  # an unbounded wait (the fault) ends here, and the test fails

    _assert_unavailable(response)
    assert bound <= took < bound + 2.0
    # The lock gone, the same app answers at once.
    assert rep.get("/api/v1/leads", headers=token).status_code == 200


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections and never says a word (a frozen server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_a_server_that_never_answers_is_a_503_within_the_connect_timeout(make_app, silent_server):
    frozen = make_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://postgres@127.0.0.1:{silent_server}/x",
        DATABASE_CONNECT_TIMEOUT=2,
    )
    client = frozen.test_client()

    health, health_took = _timed(lambda: client.get("/healthz"))
    assert health.status_code == 200 and health_took < 0.5

    ready, took = _timed(lambda: client.get("/readyz"))
    assert ready.status_code == 503 and ready.json["database"] == "unreachable"
    assert 2.0 <= took < 4.0

    login, took = _timed(
        lambda: client.post(
            "/api/v1/auth/login", json={"email": "a@b.test", "password": "correct horse"}
        )
    )
    _assert_unavailable(login)
    assert 2.0 <= took < 4.0


def test_no_free_pooled_connection_is_a_503_within_the_pool_timeout(app, org, make_app):
    busy = make_app(
        DATABASE_POOL_TIMEOUT=1,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
    )
    client = busy.test_client()
    rep = ApiClient(client, org.rep)  # signs in through this app (its one connection)
    assert rep.get("/api/v1/leads").status_code == 200

    with busy.app_context():
        held = db.engine.connect()  # the pool's only connection, taken
        held.exec_driver_sql("SELECT 1")
        try:
            response, took = _timed(lambda: rep.get("/api/v1/leads"))
        finally:
            held.close()
    _assert_unavailable(response)
    assert 1.0 <= took < 2.5
    assert rep.get("/api/v1/leads").status_code == 200


def test_the_server_enforces_the_configured_timeouts(app, make_app):
    if not is_postgres(app):
        pytest.skip("statement and lock timeouts are PostgreSQL settings")
    defaults = make_app()
    turned_off = make_app(DATABASE_STATEMENT_TIMEOUT=0, DATABASE_LOCK_TIMEOUT=2.5)
    for each, statement, lock in ((defaults, "30s", "10s"), (turned_off, "0", "2500ms")):
        with each.app_context(), db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == statement
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == lock
