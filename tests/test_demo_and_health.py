"""The demo organisation and the health probes."""

from __future__ import annotations

import re

from app.extensions import db


def test_demo_data_prints_working_credentials_once(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data", "--if-empty"])
    assert first.exit_code == 0, first.output
    credentials = re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", first.output, re.M)
    assert {role for role, _, _ in credentials} == {"admin", "lead", "rep", "cs"}
    assert len(credentials) == 9
    for role, email, password in credentials:
        response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, (role, response.json)
        assert response.json["user"]["role"] == role
    # Customer service signs in to a real queue: the late question on top.
    casey = next(c for c in credentials if c[0] == "cs")
    client.post("/api/v1/auth/login", json={"email": casey[1], "password": casey[2]})
    queue = client.get("/api/v1/questions").json
    assert len(queue) >= 20 and queue[0]["sla"]["state"] == "breached"
    robin = next(c for c in credentials if c[1].startswith("robin"))
    client.post("/api/v1/auth/login", json={"email": robin[1], "password": robin[2]})
    me = client.get("/api/v1/auth/me").json["user"]["id"]
    leads = client.get("/api/v1/leads?limit=200").json["items"]
    assert len(leads) >= 10 and {lead["owner_id"] for lead in leads} == {me}
    assert {"Jonas Weber", "Mia Schulz", "Lukas Becker"} <= {lead["contact_name"] for lead in leads}
    overdue = client.get("/api/v1/leads?overdue=true&limit=200").json["items"]
    assert "Jonas Weber" in [lead["contact_name"] for lead in overdue]
    second = runner.invoke(args=["demo-data", "--if-empty"])
    assert "already has data" in second.output
    assert not re.search(r"@demo", second.output)


def test_demo_reps_share_a_team_with_their_lead(app, client):
    app.test_cli_runner().invoke(args=["demo-data"])
    with app.app_context():
        from sqlalchemy import select

        from app.accounts.models import User
        from app.tenancy import all_orgs

        with all_orgs():
            people = db.session.scalars(select(User)).all()
            leads_teams = [set(u.team_ids) for u in people if u.role == "lead"]
            reps_teams = [set(u.team_ids) for u in people if u.role == "rep"]
        db.session.remove()
    assert len(leads_teams) == 2 and len(reps_teams) >= 4
    assert all(len(teams) == 1 for teams in leads_teams + reps_teams)
    assert all(any(rep == lead for lead in leads_teams) for rep in reps_teams)


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["migrations"] == "current"


def test_readyz_says_when_migrations_are_behind(client, monkeypatch):
    from app import health

    monkeypatch.setattr(health, "migration_heads", lambda: {"some_newer_revision"})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["migrations"] == "behind"


def test_the_app_shell_is_served_at_root(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"LeadSync" in response.data
