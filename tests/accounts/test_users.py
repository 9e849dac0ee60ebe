"""Admin user management, roles, and deactivation ending access at once."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


def test_admin_adds_a_rep_to_a_team_who_can_then_sign_in(api_as, org, client):
    admin = api_as(org.admin)
    response = admin.post(
        "/api/v1/users",
        json={
            "email": "new.rep@acme.test",
            "name": "New Rep",
            "role": "rep",
            "team_id": str(org.team_id),
            "password": PASSWORD,
        },
    )
    assert response.status_code == 201
    assert response.json["team_ids"] == [str(org.team_id)]
    login = client.post(
        "/api/v1/auth/login", json={"email": "new.rep@acme.test", "password": PASSWORD}
    )
    assert login.status_code == 200
    assert login.json["user"]["role"] == "rep"


@pytest.mark.parametrize("who", ["lead", "rep", "cs"])
def test_only_admins_manage_people_and_teams(api_as, org, who):
    person = api_as(getattr(org, who))
    create = person.post(
        "/api/v1/users",
        json={"email": f"x-{who}@acme.test", "name": "X", "role": "admin", "password": PASSWORD},
    )
    assert create.status_code == 403
    assert person.patch(f"/api/v1/users/{org.rep.id}", json={"role": "admin"}).status_code in (
        403,
        404,
    )
    assert person.post("/api/v1/teams", json={"name": "Shadow"}).status_code == 403
    assert person.patch("/api/v1/org", json={"name": "Mine"}).status_code == 403
    assert api_as(org.admin).get(f"/api/v1/users/{org.rep.id}").json["role"] == "rep"


def test_create_user_validates_role_team_and_email(api_as, org, other_org):
    admin = api_as(org.admin)
    bad_role = admin.post(
        "/api/v1/users",
        json={"email": "a@x.test", "name": "A", "role": "god", "password": PASSWORD},
    )
    assert bad_role.status_code == 422 and "role" in bad_role.json["error"]["fields"]
    foreign_team = admin.post(
        "/api/v1/users",
        json={
            "email": "b@x.test",
            "name": "B",
            "role": "rep",
            "team_id": str(other_org.team_id),
            "password": PASSWORD,
        },
    )
    assert foreign_team.status_code == 422 and "team_ids" in foreign_team.json["error"]["fields"]
    taken = admin.post(
        "/api/v1/users",
        json={"email": other_org.rep.email, "name": "C", "role": "rep", "password": PASSWORD},
    )
    assert taken.status_code == 409


def test_reps_see_only_people_of_their_teams(api_as, org):
    visible = {u["email"] for u in api_as(org.rep).get("/api/v1/users").json}
    assert visible == {org.lead.email, org.rep.email, org.rep2.email}
    everyone = {u["email"] for u in api_as(org.admin).get("/api/v1/users").json}
    assert everyone == {p.email for p in org.people}
    assert api_as(org.rep).get(f"/api/v1/users/{org.cs.id}").status_code == 404


def test_changing_role_and_teams(api_as, org):
    admin = api_as(org.admin)
    new_team = admin.post("/api/v1/teams", json={"name": "South"}).json["id"]
    changed = admin.patch(
        f"/api/v1/users/{org.rep.id}", json={"role": "lead", "team_ids": [new_team]}
    )
    assert changed.status_code == 200
    assert changed.json["role"] == "lead" and changed.json["team_ids"] == [new_team]
    assert api_as(org.rep).get("/api/v1/auth/me").json["user"]["role"] == "lead"


@pytest.mark.parametrize("mode", ["bearer", "cookie"])
def test_deactivation_stops_sessions_and_tokens_at_once(api_as, org, mode, client):
    rep = api_as(org.rep, mode)
    assert rep.get("/api/v1/auth/me").status_code == 200
    response = api_as(org.admin).patch(f"/api/v1/users/{org.rep.id}", json={"active": False})
    assert response.status_code == 200 and response.json["active"] is False
    assert rep.get("/api/v1/auth/me").status_code == 401
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": org.rep.email, "password": PASSWORD}
        ).status_code
        == 401
    )
    # reactivated, the person signs in afresh; the old session stays dead
    api_as(org.admin).patch(f"/api/v1/users/{org.rep.id}", json={"active": True})
    assert rep.get("/api/v1/auth/me").status_code == 401
    assert (
        client.post(
            "/api/v1/auth/login", json={"email": org.rep.email, "password": PASSWORD}
        ).status_code
        == 200
    )


def test_password_change_ends_existing_sessions(api_as, org):
    rep = api_as(org.rep, "cookie")
    api_as(org.admin).patch(f"/api/v1/users/{org.rep.id}", json={"password": "a whole new secret"})
    assert rep.get("/api/v1/auth/me").status_code == 401


def test_admin_cannot_lock_themselves_out(api_as, org):
    admin = api_as(org.admin)
    assert admin.patch(f"/api/v1/users/{org.admin.id}", json={"active": False}).status_code == 409
    assert admin.patch(f"/api/v1/users/{org.admin.id}", json={"role": "rep"}).status_code == 409
    assert admin.get("/api/v1/auth/me").json["user"]["role"] == "admin"


def test_team_names_are_unique_per_org(api_as, org, other_org):
    admin = api_as(org.admin)
    assert admin.post("/api/v1/teams", json={"name": "acme sales"}).status_code == 409
    # the same name is free in another organisation
    assert (
        api_as(other_org.admin).post("/api/v1/teams", json={"name": "Acme Sales"}).status_code
        == 201
    )


def test_org_settings_are_validated(api_as, org):
    admin = api_as(org.admin)
    bad = admin.patch("/api/v1/org", json={"timezone": "Mars/Olympus", "default_country": "XX"})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"timezone", "default_country"}
    ok = admin.patch("/api/v1/org", json={"timezone": "Europe/Berlin", "default_country": "DE"})
    assert ok.status_code == 200 and ok.json["timezone"] == "Europe/Berlin"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        (
            {"working_hours": {"weekly": {"mon": [{"start": "25:00", "end": "26:00"}]}}},
            "working_hours",
        ),
        ({"working_hours": {"weekly": {}}}, "working_hours"),
        ({"working_hours": "9-5"}, "working_hours"),
        ({"escalations_any_hour": "sometimes"}, "escalations_any_hour"),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(api_as, org, body, field):
    rep = api_as(org.rep)
    before = rep.get("/api/v1/auth/me/preferences").json
    response = rep.patch("/api/v1/auth/me/preferences", json=body)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert rep.get("/api/v1/auth/me/preferences").json == before
