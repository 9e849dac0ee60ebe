"""Bad input is answered, never a 500 (issue 14, findings 2, 3, 4 and the chunked 413).

Every JSON body is read through one gate (app.http.LeadSyncRequest): a NUL or half a
surrogate pair in any string is a 422 naming the field, nesting deeper than 32 levels is a
400 before any parser recurses, a body over the limit is a 413 whether or not it says its
length. The same suite runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import re
import socket
import threading
import uuid

import pytest
from werkzeug.serving import make_server

from app.http import MAX_JSON_DEPTH, NUL_MESSAGE, SURROGATE_MESSAGE
from tests.conftest import PASSWORD
from tests.sync.syncing import Replica, new_lead

NUL = "a\u0000b"
SURROGATE = "a\ud800b"
OFFICE_HOURS = {
    "timezone": "Europe/Berlin",
    "weekly": {"mon": [{"start": "09:00", "end": "17:00"}]},
}


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


def _refused_with(response, fields: dict) -> None:
    assert response.status_code == 422, response.get_data(as_text=True)
    error = _error(response)
    assert error["code"] == "validation_error"
    assert error["fields"] == fields


def _refused_naming(response, field: str, message: str) -> None:
    _refused_with(response, {field: [message]})


# --- findings 2 and 3: a NUL or a lone surrogate, wherever a name is written ----------------

# (who, method, url, body with the bad text at FIELD, field)
WRITES = [
    ("anyone", "POST", "/api/v1/auth/login", {"email": "BAD", "password": PASSWORD}, "email"),
    (
        "anyone",
        "POST",
        "/api/v1/auth/signup",
        {"org_name": "BAD", "name": "Eve", "email": "eve@new.test", "password": PASSWORD},
        "org_name",
    ),
    (
        "anyone",
        "POST",
        "/api/v1/auth/tokens",
        {"email": "x@y.test", "password": PASSWORD, "device_name": "BAD"},
        "device_name",
    ),
    ("admin", "POST", "/api/v1/teams", {"name": "BAD"}, "name"),
    ("admin", "PATCH", "/api/v1/org", {"name": "BAD"}, "name"),
    (
        "admin",
        "POST",
        "/api/v1/users",
        {"email": "new@acme.test", "name": "BAD", "role": "rep", "password": PASSWORD},
        "name",
    ),
    (
        "admin",
        "POST",
        "/api/v1/sla/policies",
        {"name": "BAD", "metric": "first_response", "target_minutes": 30},
        "name",
    ),
    (
        "admin",
        "POST",
        "/api/v1/sla/calendars",
        {"name": "BAD", "kind": "sales", "definition": OFFICE_HOURS},
        "name",
    ),
    (
        "rep",
        "POST",
        "/api/v1/push/subscriptions",
        {
            "endpoint": "https://push.example.com/send/abc",
            "keys": {"p256dh": "x", "auth": "y"},
            "device_name": "BAD",
        },
        "device_name",
    ),
    ("rep", "POST", "/api/v1/leads", {"contact_name": "BAD"}, "contact_name"),
    ("rep", "PATCH", "/api/v1/auth/me/preferences", {"BAD": True}, None),
]


def _send(client, api_as, org, who, method, url, body):
    if who == "anyone":
        return client.open(url, method=method, json=body)
    return api_as(getattr(org, who)).open(method, url, json=body)


def _with_bad(value, bad: str):
    """The body with "BAD" (as a value or a key) replaced by the bad text."""
    if isinstance(value, dict):
        return {(bad if key == "BAD" else key): _with_bad(item, bad) for key, item in value.items()}
    return bad if value == "BAD" else value


@pytest.mark.parametrize(("bad", "message"), [(NUL, NUL_MESSAGE), (SURROGATE, SURROGATE_MESSAGE)])
@pytest.mark.parametrize(
    ("who", "method", "url", "body", "field"), WRITES, ids=[f"{w[1]} {w[2]}" for w in WRITES]
)
def test_text_no_database_can_store_is_a_422_naming_the_field(
    client, api_as, org, who, method, url, body, field, bad, message
):
    response = _send(client, api_as, org, who, method, url, _with_bad(body, bad))
    # A bad key is named with its bad characters replaced (U+FFFD), so the answer encodes.
    _refused_naming(response, field or bad.replace(bad[1], "\ufffd"), message)


def test_nothing_was_written_by_the_refused_requests(client, api_as, org):
    admin = api_as(org.admin)
    admin.post("/api/v1/teams", json={"name": NUL})
    admin.post("/api/v1/leads", json={"contact_name": SURROGATE})
    assert [team["name"] for team in admin.get("/api/v1/teams").json] == ["Acme Sales"]
    assert admin.get("/api/v1/leads").json["items"] == []


def test_bad_text_deep_in_a_body_is_named_by_its_path(api_as, org):
    response = api_as(org.admin).post(
        "/api/v1/sla/calendars",
        json={
            "name": "Office",
            "kind": "sales",
            "definition": {"timezone": "UTC", "holidays": ["2026-12-25", NUL]},
        },
    )
    _refused_with(response, {"definition": {"holidays": {"1": [NUL_MESSAGE]}}})


def test_escaped_backslashes_and_whole_surrogate_pairs_are_ordinary_text(api_as, org):
    # "\\u0000" is a backslash and five characters; "\ud83d\ude00" is one emoji.
    raw = '{"contact_name": "Ada \\\\u0000 \\ud83d\\ude00"}'
    response = api_as(org.rep).post(
        "/api/v1/leads", data=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.json
    assert response.json["contact_name"] == "Ada \\u0000 \U0001f600"


def test_a_bad_sign_in_is_counted_by_the_throttle(client, org, app):
    app.config["LOGIN_FAILURES_PER_IP"] = "3 per 15 minutes"
    try:
        for bad in (NUL, SURROGATE, NUL):
            response = client.post(
                "/api/v1/auth/login", json={"email": f"{bad}@acme.test", "password": "guess"}
            )
            assert response.status_code == 422
        blocked = client.post(
            "/api/v1/auth/login", json={"email": org.rep.email, "password": PASSWORD}
        )
        assert blocked.status_code == 429
    finally:
        app.config["LOGIN_FAILURES_PER_IP"] = "50 per 15 minutes"


@pytest.mark.parametrize(("bad", "message"), [(NUL, NUL_MESSAGE), (SURROGATE, SURROGATE_MESSAGE)])
def test_a_pushed_mutation_with_bad_text_is_rejected_alone(api_as, org, bad, message):
    device = Replica(api_as(org.rep))
    good_before, good_after = new_lead(contact_name="Before"), new_lead(contact_name="After")
    answer = device.push(
        ("lead.create", good_before),
        ("lead.create", new_lead(contact_name=bad)),
        ("lead.create", new_lead(contact_name="Fine", notes={"x": [bad]})),
        ("lead.create", good_after),
    )
    assert answer["last_mutation_id"] == 4
    statuses = [result["status"] for result in answer["results"]]
    assert statuses == ["applied", "rejected", "rejected", "applied"]
    assert answer["results"][1]["error"] == {
        "code": "validation_error",
        "message": "Some args are not valid.",
        "fields": {"contact_name": [message]},
    }
    assert answer["results"][2]["error"]["fields"] == {"notes": {"x": {"0": [message]}}}
    device.pull_all()
    names = sorted(lead["contact_name"] for lead in device.of("lead").values())
    assert names == ["After", "Before"]


def test_bad_text_outside_the_mutations_refuses_the_push(api_as, org):
    response = api_as(org.rep).post(
        "/api/v1/sync/push",
        json={
            "client_id": str(uuid.uuid4()),
            "mutations": [{"id": 1, "name": NUL, "args": {}}],
        },
    )
    _refused_with(response, {"mutations": {"0": {"name": [NUL_MESSAGE]}}})


def test_a_nul_in_a_query_parameter_or_path_segment_is_a_422_naming_it(client, api_as, org):
    _refused_naming(api_as(org.rep).get("/api/v1/leads?q=a%00b"), "q", NUL_MESSAGE)
    response = client.post(
        "/api/v1/public/acme%00x/questions",
        json={"name": "Dana", "email": "dana@example.com", "message": "Hello"},
    )
    _refused_naming(response, "org_slug", NUL_MESSAGE)


# --- finding 4: deep nesting ----------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# NEST marks where the nesting goes.
DEEP_TARGETS = [
    ("anyone", "POST", "/api/v1/auth/login", '{"email": NEST, "password": "x"}'),
    ("rep", "POST", "/api/v1/leads", '{"contact_name": "Ada", "notes": NEST}'),
    ("rep", "POST", "/api/v1/sync/push", f'{{"client_id": "{uuid.uuid4()}", "mutations": NEST}}'),
    ("rep", "PATCH", "/api/v1/auth/me/preferences", '{"board": NEST}'),
]
LEAD_WITH_NOTES = '{"contact_name": "Ada", "notes": NEST}'


@pytest.mark.parametrize(("who", "method", "url", "template"), DEEP_TARGETS)
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_json_nested_deeper_than_32_levels_is_a_400(
    client, api_as, org, who, method, url, template, depth
):
    raw = template.replace("NEST", _nested(depth))
    headers = {"Content-Type": "application/json"}
    if who == "anyone":
        response = client.open(url, method=method, data=raw, headers=headers)
    else:
        response = api_as(getattr(org, who)).open(method, url, data=raw, headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    error = _error(response)
    assert error["code"] == "json_too_deep"
    assert "32" in error["message"]


def test_32_levels_pass_the_gate_and_brackets_inside_strings_do_not_count(api_as, org):
    rep = api_as(org.rep)
    headers = {"Content-Type": "application/json"}
    # The body's own object is level 1, so "notes" may nest 31 more.
    at_the_limit = LEAD_WITH_NOTES.replace("NEST", _nested(MAX_JSON_DEPTH - 1))
    response = rep.post("/api/v1/leads", data=at_the_limit, headers=headers)
    assert _error(response)["code"] != "json_too_deep"
    one_more = LEAD_WITH_NOTES.replace("NEST", _nested(MAX_JSON_DEPTH))
    response = rep.post("/api/v1/leads", data=one_more, headers=headers)
    assert _error(response)["code"] == "json_too_deep"
    in_a_string = json.dumps({"contact_name": "[" * 150 + "{" * 50})
    response = rep.post("/api/v1/leads", data=in_a_string, headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["contact_name"] == "[" * 150 + "{" * 50


def test_a_body_that_is_not_json_is_still_invalid_json(api_as, org):
    response = api_as(org.rep).post(
        "/api/v1/leads", data='{"contact_name": "Ada"', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "invalid_json"


# --- finding 16 (first half): a body over the limit is a 413, chunked or not ------------------


@pytest.fixture
def served(app):
    """The app behind a real HTTP server on loopback (werkzeug's, which reads chunked
    bodies as gunicorn does: it tells the app the stream ends by itself)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=10)


def _send_raw(port: int, head: bytes, body_chunks) -> tuple[int, dict]:
    """Send a request as bytes and read the answer, even if the server answers before
    the whole body is in (it may, once it has seen enough)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        try:
            for chunk in body_chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        # Read the head, then as many bytes as it announces: the server may keep the
        # socket open for the rest of a body it refused to read.
        answer = b""
        while b"\r\n\r\n" not in answer:
            part = sock.recv(65536)
            assert part, f"connection closed after {answer!r}"
            answer += part
        head_part, _, payload = answer.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: (\d+)", head_part)[1])
        while len(payload) < length:
            part = sock.recv(65536)
            assert part, "connection closed mid-answer"
            payload += part
    status = int(head_part.split(b" ", 2)[1])
    return status, json.loads(payload)


def _chunked(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        piece = body[start : start + size]
        yield b"%x\r\n%s\r\n" % (len(piece), piece)
    yield b"0\r\n\r\n"


def _three_mib_lead() -> bytes:
    return json.dumps({"contact_name": "Ada", "notes": "x" * (3 * 1024 * 1024)}).encode()


def test_a_chunked_body_over_the_limit_is_a_413(app, served, org, api_as):
    token = api_as(org.rep).headers["Authorization"]
    head = (
        "POST /api/v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {token}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    status, body = _send_raw(served, head, _chunked(_three_mib_lead()))
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"
    # Under the limit, the same chunked request is taken.
    small = json.dumps({"contact_name": "Ada", "notes": "x" * 1000}).encode()
    status, body = _send_raw(served, head, _chunked(small))
    assert status == 201, body
    assert body["notes"] == "x" * 1000


def test_a_body_over_the_limit_with_its_length_is_a_413(app, served, org, api_as):
    token = api_as(org.rep).headers["Authorization"]
    data = _three_mib_lead()
    head = (
        "POST /api/v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
    ).encode()
    status, body = _send_raw(served, head, [data])
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"


def test_a_chunked_sign_in_over_the_limit_is_a_413_too(client):
    # The same through the test client: no length given, the server ends the stream.
    response = client.post(
        "/api/v1/auth/login",
        input_stream=io.BytesIO(_three_mib_lead()),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert _error(response)["code"] == "payload_too_large"
