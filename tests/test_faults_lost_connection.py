"""Finding 6: the database connection is lost in the middle of a pull.

The pull answers 503 in the common shape with Retry-After (not a 500 from the commit that
used to follow the lost connection), and the device's next pull works.

The connection is really lost: on PostgreSQL its server process is terminated
(``pg_terminate_backend`` from another connection); on SQLite the connection is closed under
the request. Either happens just after the pull has read the organisation's change counter,
inside its snapshot.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import event

from app.extensions import db


class ConnectionKiller:
    """Loses the connection of the next pull, once, after it reads the change counter."""

    def __init__(self, app) -> None:
        self.app = app
        self.armed = False
        self.counter_read = False
        self.killed = 0

    def before_execute(self, conn, _cursor, statement, _params, _context, _many) -> None:
        if not self.armed:
            return
        if not self.counter_read:
            self.counter_read = "change_counters.purged_through" in statement
            return
        self.armed = False
        self.killed += 1
        dbapi = conn.connection.dbapi_connection
        if conn.dialect.name == "postgresql":
            url = self.app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")
            with psycopg.connect(url, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (dbapi.info.backend_pid,))
        else:
            dbapi.close()


@pytest.fixture
def killer(app) -> Iterator[ConnectionKiller]:
    with app.app_context():
        engine = db.engine
    watcher = ConnectionKiller(app)
    event.listen(engine, "before_cursor_execute", watcher.before_execute)
    yield watcher
    event.remove(engine, "before_cursor_execute", watcher.before_execute)


def test_a_connection_lost_mid_pull_is_a_503_and_the_next_pull_works(
    app, org, api_as, killer
) -> None:
    rep = api_as(org.rep)
    created = rep.post("/api/v1/leads", json={"contact_name": "Ada Lovelace"})
    assert created.status_code == 201, created.json
    client_id = uuid.uuid4()
    url = f"/api/v1/sync/pull?client_id={client_id}"

    killer.armed = True
    lost = rep.get(url)
    assert killer.killed == 1
    assert lost.status_code == 503, lost.get_data(as_text=True)
    assert lost.json == {
        "error": {
            "code": "unavailable",
            "message": "The database is unavailable; try again shortly.",
        }
    }
    assert int(lost.headers["Retry-After"]) > 0

    # The device retries: a whole first page, its own lead in it.
    again = rep.get(url)
    assert again.status_code == 200, again.json
    leads = [c for c in again.json["changes"] if c["entity"] == "lead"]
    assert [lead["data"]["contact_name"] for lead in leads] == ["Ada Lovelace"]
    assert again.json["has_more"] is False
