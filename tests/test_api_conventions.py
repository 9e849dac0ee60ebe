"""One JSON error shape everywhere, body limits, and an OpenAPI document that covers every route."""

from __future__ import annotations

import uuid

import pytest

from app.accounts import service as accounts_service


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    error = response.json["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    if code:
        assert error["code"] == code
    return error


def test_unknown_route_is_a_json_404(client):
    assert_error_shape(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_a_json_405_with_allow(client):
    response = client.delete("/api/v1/auth/login")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_a_body_that_is_not_json_is_400(api_as, org):
    admin = api_as(org.admin)
    response = admin.post("/api/v1/teams", data="{name: oops", content_type="application/json")
    assert_error_shape(response, 400, "invalid_json")


@pytest.mark.parametrize("body", [[], "text", 42, None])
def test_a_json_body_of_the_wrong_kind_is_422(api_as, org, body):
    response = api_as(org.admin).post("/api/v1/teams", json=body)
    assert_error_shape(response, 422, "validation_error")


def test_wrong_types_name_their_fields(api_as, org):
    response = api_as(org.admin).post(
        "/api/v1/users", json={"email": 12, "name": ["x"], "role": None, "password": True}
    )
    error = assert_error_shape(response, 422, "validation_error")
    assert set(error["fields"]) == {"email", "name", "role", "password"}


def test_oversize_strings_are_refused(api_as, org):
    response = api_as(org.admin).post("/api/v1/teams", json={"name": "x" * 10_000})
    assert "name" in assert_error_shape(response, 422)["fields"]


def test_a_huge_body_is_413_and_nothing_is_written(api_as, org, app):
    admin = api_as(org.admin)
    before = admin.get("/api/v1/teams").json
    payload = '{"name": "' + "x" * (app.config["MAX_CONTENT_LENGTH"] + 10) + '"}'
    response = admin.post("/api/v1/teams", data=payload, content_type="application/json")
    assert_error_shape(response, 413, "payload_too_large")
    assert admin.get("/api/v1/teams").json == before


def test_unauthenticated_api_calls_are_401(client):
    assert_error_shape(client.get("/api/v1/users"), 401, "unauthorized")


def test_an_unexpected_failure_is_a_json_500_without_details(api_as, org, monkeypatch):
    def explode(actor):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(accounts_service, "list_teams", explode)
    response = api_as(org.admin).get("/api/v1/teams")
    error = assert_error_shape(response, 500, "internal_error")
    assert "secret" not in error["message"]


def test_openapi_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<uuid:{name}>", f"{{{name}}}").replace(f"<{name}>", f"{{{name}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in spec["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing, missing
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    assert "requestBody" in login and "200" in login["responses"]
    assert "bearer" in spec["components"]["securitySchemes"]


def test_docs_page_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.data


def _api_paths(app, methods_wanted):
    """(rule, concrete path) of every API rule with one of the methods, ids filled in."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs"):
            continue
        if not (rule.methods or set()) & methods_wanted:
            continue
        # A made-up UUID fits every argument: uuid ones, and plain ones (slugs, tokens).
        values = {name: uuid.uuid4() for name in rule.arguments}
        yield rule, rule.build(values, append_unknown=False)[1]


def test_get_on_a_post_only_path_is_405_naming_the_real_methods(app, client):
    checked = 0
    for rule, path in _api_paths(app, {"POST"}):
        same_path = [other for other in app.url_map.iter_rules() if other.rule == rule.rule]
        if any("GET" in (other.methods or ()) for other in same_path):
            continue
        response = client.get(path)
        assert_error_shape(response, 405, "method_not_allowed")
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert "GET" not in allowed and "POST" in allowed, (path, allowed)
        checked += 1
    assert checked >= 10  # /auth/login, /auth/signup, /sync/push, /leads/{id}/stage …
    login = client.get("/api/v1/auth/login")
    assert set(login.headers["Allow"].replace(" ", "").split(",")) == {"POST", "OPTIONS"}
    # A path that does not exist at all stays 404, and the app's pages are still served.
    assert_error_shape(client.get("/api/v1/auth/no-such-thing"), 404, "not_found")
    assert client.get("/leads/some-lead").status_code == 200


def test_patch_without_a_body_is_422_and_changes_nothing(app, api_as, org):
    admin = api_as(org.admin)
    before = admin.get(f"/api/v1/teams/{org.team_id}").json
    response = admin.patch(f"/api/v1/teams/{org.team_id}")
    error = assert_error_shape(response, 422, "validation_error")
    assert "body" in error["fields"]
    assert admin.get(f"/api/v1/teams/{org.team_id}").json == before
    # Every PATCH of the API alike (each documents a required JSON body).
    patched = 0
    for _rule, path in _api_paths(app, {"PATCH"}):
        assert_error_shape(admin.patch(path), 422, "validation_error")
        patched += 1
    assert patched >= 10
    # A body still works as before.
    renamed = admin.patch(f"/api/v1/teams/{org.team_id}", json={"name": "Acme Field Sales"})
    assert renamed.status_code == 200 and renamed.json["name"] == "Acme Field Sales"
