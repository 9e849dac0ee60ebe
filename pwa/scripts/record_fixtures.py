"""Record real server answers for the PWA's sync-engine unit tests.

Run against a server with fresh demo data (LEADSYNC_DEMO_PASSWORD set), e.g.:
    python3 pwa/scripts/record_fixtures.py http://127.0.0.1:5077 demo-pass-123
It writes pwa/test/fixtures/recorded.json: each step's request and the server's answer.
"""

import http.cookiejar
import json
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

BASE, PASSWORD = sys.argv[1], sys.argv[2]
OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "recorded.json"


class Session:
    def __init__(self, email):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.csrf = None
        body = self.call("POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})
        self.csrf = body["body"]["csrf_token"]
        self.user = body["body"]["user"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(BASE + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req) as resp:
                return {"status": resp.status, "body": json.loads(resp.read() or b"null")}
        except urllib.error.HTTPError as err:
            return {"status": err.code, "body": json.loads(err.read() or b"null")}


steps = []


def record(name, session, method, path, body=None):
    answer = session.call(method, path, body)
    steps.append(
        {"step": name, "method": method, "path": path, "request": body,
         "status": answer["status"], "answer": answer["body"]}
    )
    return answer["body"]


def pull_all(name, session, client_id, cursor=None, limit=3):
    while True:
        q = f"/api/v1/sync/pull?client_id={client_id}&limit={limit}"
        if cursor:
            q += f"&cursor={cursor}"
        page = record(name, session, "GET", q)
        cursor = page["cursor"]
        if not page["has_more"]:
            return page


robin, lead = Session("robin@demo.leadsync.test"), Session("lead@demo.leadsync.test")
riley = [u for u in lead.call("GET", "/api/v1/users")["body"] if u["email"].startswith("riley")]
client = str(uuid.UUID("11111111-1111-4111-8111-111111111111"))
L1, F1 = "aaaaaaaa-0000-4000-8000-000000000001", "bbbbbbbb-0000-4000-8000-000000000001"
T = "2026-01-01T10:00:00Z"
record(
    "first_push",
    robin,
    "POST",
    "/api/v1/sync/push",
    {
        "client_id": client,
        "mutations": [
            {"id": 1, "name": "lead.create", "client_time": T,
             # captured_at: what the PWA's outbox stamps on a capture (toISOString of T).
             "args": {"captured_at": "2026-01-01T10:00:00.000Z",
                      "id": L1, "contact_name": "Ada Lovelace", "phone": "+49 30 1234567",
                      "source": "phone", "product_text": "Pump"}},
            {"id": 2, "name": "lead.update", "client_time": T,
             "args": {"id": L1, "base_version": 0, "set": {"phone": "not a phone"}}},
            {"id": 3, "name": "followup.create", "client_time": T,
             "args": {"id": F1, "lead_id": L1, "kind": "call", "note": "first call",
                      "happened_at": T, "next_follow_up_at": "2030-01-01T09:00:00Z"}},
        ],
    },
)
last = pull_all("first_pull", robin, client)
l1 = next(s for s in steps if s["step"] == "first_pull" for c in s["answer"]["changes"]
          if c["id"] == L1)
version = next(c for c in l1["answer"]["changes"] if c["id"] == L1)["version"]
record("lead_patch", lead, "PATCH", f"/api/v1/leads/{L1}", {"set": {"phone": "+49 30 7654321"}})
record(
    "conflict_push",
    robin,
    "POST",
    "/api/v1/sync/push",
    {"client_id": client, "mutations": [
        {"id": 4, "name": "lead.update", "client_time": T,
         "args": {"id": L1, "base_version": version,
                  "set": {"phone": "+49 30 1111111", "company": "Analytical Engines"}}}]},
)
last = pull_all("conflict_pull", robin, client, last["cursor"])
record("assign", lead, "POST", f"/api/v1/leads/{L1}/assign", {"owner_id": riley[0]["id"]})
pull_all("reassign_pull", robin, client, last["cursor"])
pull_all("reset_pull", robin, client, "not-a-cursor")
OUT.write_text(json.dumps(steps, indent=1) + "\n")
print(f"{len(steps)} steps written to {OUT}")
