"""Two reps' phones and a team lead's device, offline and back, against a running server.

Speaks only HTTP (urllib) to the API of SYNC-PROTOCOL.md and keeps, per device, what a real
client keeps: the server data it pulled, its cursor, and an outbox of numbered mutations
that it drops only once a pull acknowledges them (``last_mutation_id``). It plays:

 1. sign-in of every person (device tokens) and a first full sync of every device;
 2. rep A (Robin) creates leads offline, then pushes and pulls (read your writes);
 3. the team lead pulls them and reassigns one to rep B (Riley); B's pull brings it
    in whole, A's pull takes it away (``del``);
 4. the lead is edited offline on three devices at once: the team lead and B (its new
    owner) touch different fields plus one common field, A (which has not heard of the
    reassignment yet) edits its stale copy; B also logs a follow-up. The team lead pushes
    first: B's different field merges, the common field comes back as a ``conflict``
    carrying the server's value, A's edit is ``rejected`` (no longer A's lead);
 5. A pushes a new lead and a follow-up and the answer is lost on the way (simulated):
    A retries the same batch, which the server answers with ``duplicate``s; the lead and
    its follow-up exist exactly once;
 6. a device whose cursor the server no longer accepts gets ``reset`` and rebuilds;
 7. everyone resyncs, and each device's copy must equal the server's view for that person
    (a brand-new device's full pull, and for the leads of this run the REST API too).

Exit status: 0 when every check holds, 1 on any inconsistency, 2 if the server cannot be
used (unreachable, wrong credentials). Safe to run again and again on the same server.

    LEADSYNC_DEMO_PASSWORD=… python bench/two_devices.py --base-url http://127.0.0.1:5000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any


class Inconsistency(Exception):
    """A device's view and the server's disagree, or the server broke the protocol."""


class Unusable(Exception):
    """The server cannot be used at all (down, or the sign-in is refused)."""


def step(text: str) -> None:
    print(f"== {text}", flush=True)


def note(text: str) -> None:
    print(f"   {text}", flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Inconsistency(message)
    note(f"ok: {message}")


def now_z() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Api:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def request(self, method: str, path: str, body: Any = None, token: str | None = None):
        """(status, parsed body). Network failures are retried with backoff and jitter."""
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(6):
            req = urllib.request.Request(self.base + path, data=data, method=method)
            req.add_header("Accept", "application/json")
            if data is not None:
                req.add_header("Content-Type", "application/json")
            if token:
                req.add_header("Authorization", f"Bearer {token}")
            try:
                with urllib.request.urlopen(req, timeout=30) as resp:
                    return resp.status, json.loads(resp.read() or b"null")
            except urllib.error.HTTPError as error:
                raw = error.read()
                try:
                    return error.code, json.loads(raw or b"null")
                except ValueError:
                    return error.code, {"raw": raw[:300].decode(errors="replace")}
            except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
                if attempt == 5:
                    raise Unusable(f"{method} {path}: {error}") from error
                time.sleep(min(2.0, 0.1 * 2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def ok(self, method: str, path: str, body: Any = None, token: str | None = None, want=200):
        status, answer = self.request(method, path, body, token)
        if status != want:
            raise Inconsistency(f"{method} {path} answered {status} (wanted {want}): {answer}")
        return answer

    def token(self, email: str, password: str, device: str) -> str:
        body = {"email": email, "password": password, "device_name": device}
        status, answer = self.request("POST", "/api/v1/auth/tokens", body)
        if status != 201:
            raise Unusable(f"sign-in of {email} refused ({status}): {answer}")
        return answer["token"]


class Device:
    """One install of a client: a client id, the pulled server data, a cursor, an outbox."""

    def __init__(self, api: Api, label: str, email: str, token: str) -> None:
        self.api = api
        self.label = label
        self.email = email
        self.token = token
        self.client_id = str(uuid.uuid4())
        self.records: dict[tuple[str, str], dict] = {}
        self.cursor: str | None = None
        self.outbox: list[dict] = []
        self.next_id = 1
        self.last_mutation_id = 0

    # --- offline work --------------------------------------------------------------------

    def queue(self, name: str, args: dict) -> dict:
        """Record a mutation in the outbox (its id is allocated with it)."""
        mutation = {"id": self.next_id, "name": name, "args": args, "client_time": now_z()}
        self.next_id += 1
        self.outbox.append(mutation)
        return mutation

    def view(self) -> dict[tuple[str, str], dict]:
        """Server truth plus the local effects of what is not yet acknowledged."""
        shown = {key: dict(data) for key, data in self.records.items()}
        for m in self.outbox:
            args = m["args"]
            if m["name"] == "lead.create":
                shown.setdefault(("lead", args["id"]), {**args, "pending": True})
            elif m["name"] == "lead.update" and ("lead", args["id"]) in shown:
                shown[("lead", args["id"])].update(args["set"])
            elif m["name"] == "followup.create":
                shown.setdefault(("followup", args["id"]), {**args, "pending": True})
        return shown

    def lead(self, lead_id: str) -> dict | None:
        return self.records.get(("lead", lead_id))

    # --- online ----------------------------------------------------------------------------

    def push(self, *, lose_answer: bool = False) -> dict | None:
        """Send the whole outbox (entries already processed come back as ``duplicate``)."""
        if not self.outbox:
            return None
        body = {"client_id": self.client_id, "mutations": self.outbox[:500]}
        status, answer = self.api.request("POST", "/api/v1/sync/push", body, self.token)
        if lose_answer:
            note(f"{self.label}: the push's answer was lost on the way (simulated)")
            return None
        if status != 200:
            raise Inconsistency(f"{self.label}: push answered {status}: {answer}")
        sent = [m["id"] for m in body["mutations"]]
        if [r["id"] for r in answer["results"]] != sent:
            raise Inconsistency(f"{self.label}: push results {answer['results']} for {sent}")
        if answer["last_mutation_id"] < sent[-1]:
            raise Inconsistency(f"{self.label}: push stopped at {answer['last_mutation_id']}")
        return answer

    def pull(self, limit: int = 500) -> list[dict]:
        """Pull until ``has_more`` is false; each page and its cursor are applied together."""
        pages = []
        for _ in range(100_000):
            path = f"/api/v1/sync/pull?client_id={self.client_id}&limit={limit}"
            if self.cursor:
                path += f"&cursor={self.cursor}"
            page = self.api.ok("GET", path, token=self.token)
            self.apply(page)
            pages.append(page)
            if not page["has_more"]:
                return pages
        raise Inconsistency(f"{self.label}: pull never ended")

    def apply(self, page: dict) -> None:
        records = {} if page["reset"] else dict(self.records)
        seen = set()
        for change in page["changes"]:
            key = (change["entity"], change["id"])
            if key in seen:
                raise Inconsistency(f"{self.label}: {key} twice in one answer")
            seen.add(key)
            if change["op"] == "put":
                records[key] = change["data"]
            elif change["op"] == "del":
                records.pop(key, None)
            else:
                raise Inconsistency(f"{self.label}: unknown op {change}")
        if page["last_mutation_id"] < self.last_mutation_id:
            raise Inconsistency(
                f"{self.label}: last_mutation_id went back to {page['last_mutation_id']}"
            )
        # One "local transaction": the records, the cursor and the acknowledged outbox.
        self.records = records
        self.cursor = page["cursor"]
        self.last_mutation_id = page["last_mutation_id"]
        self.outbox = [m for m in self.outbox if m["id"] > self.last_mutation_id]

    def sync(self) -> None:
        self.push()
        self.pull()


# --- comparing with the server -------------------------------------------------------------


def server_view(api: Api, device: Device) -> dict[tuple[str, str], dict]:
    """What the server shows this person now: a full pull by a brand-new device."""
    fresh = Device(api, f"{device.label} (fresh)", device.email, device.token)
    fresh.pull(limit=1000)
    return fresh.records


def rest_leads(api: Api, device: Device) -> dict[str, dict]:
    leads: dict[str, dict] = {}
    after = None
    for _ in range(100_000):
        path = "/api/v1/leads?limit=200" + (f"&after={after}" if after else "")
        page = api.ok("GET", path, token=device.token)
        for item in page["items"]:
            leads[item["id"]] = item
        after = page["next_after"]
        if not after:
            return leads
    raise Inconsistency("lead list never ended")


def differences(mine: dict, theirs: dict) -> list[str]:
    out = []
    for key in sorted(set(mine) | set(theirs)):
        if key not in theirs:
            out.append(f"{key} only on the device")
        elif key not in mine:
            out.append(f"{key} missing on the device")
        elif mine[key] != theirs[key]:
            fields = sorted(
                f
                for f in set(mine[key]) | set(theirs[key])
                if mine[key].get(f) != theirs[key].get(f)
            )
            out.append(f"{key} differs in {fields}")
    return out


# --- the story -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    api = Api(args.base_url)
    run_tag = uuid.uuid4().hex[:8]

    step("sign in and first sync of every device")

    def device(label: str, email: str) -> Device:
        return Device(api, label, email, api.token(email, args.password, f"two_devices {label}"))

    lead_dev = device("team-lead", args.lead_email)
    a = device("rep-A", args.rep_email)
    b = device("rep-B", args.rep2_email)
    admin = device("admin", args.admin_email)
    devices = [a, b, lead_dev, admin]
    for d in devices:
        d.pull()
        note(f"{d.label} ({d.email}): {len(d.records)} records")
    users = {
        data["email"]: data for (entity, _), data in lead_dev.records.items() if entity == "user"
    }
    if args.rep2_email not in users:
        raise Unusable(f"{args.rep2_email} is not in the team lead's teams")
    rep_b_id = users[args.rep2_email]["id"]

    step("rep-A creates three leads offline")
    lead_ids = [str(uuid.uuid4()) for _ in range(3)]
    for n, lead_id in enumerate(lead_ids):
        a.queue(
            "lead.create",
            {
                "id": lead_id,
                "contact_name": f"Offline contact {run_tag}-{n}",
                "company": f"Kunde {n} GmbH",
                "phone": f"+49 30 {random.randint(1_000_000, 9_999_999)}",
                "source": "trade_show",
                "priority": "normal",
                "notes": "Met at the fair; wants a quote.",
            },
        )
    check(
        len(a.outbox) == 3 and all(("lead", i) in a.view() for i in lead_ids),
        "rep-A shows the three leads while offline, pending in its outbox",
    )

    step("rep-A comes online: push, then pull")
    answer = a.push()
    check([r["status"] for r in answer["results"]] == ["applied"] * 3, "push applied all three")
    check(len(a.outbox) == 3, "outbox kept until a pull acknowledges the mutations")
    a.pull()
    check(a.last_mutation_id >= 3 and not a.outbox, "pull acknowledged them; outbox empty")
    check(
        all(a.lead(i) and a.lead(i)["version"] > 0 for i in lead_ids),
        "rep-A holds the server's versions of its leads (read your writes)",
    )

    moved = lead_ids[0]
    step("team lead pulls and reassigns one lead to rep-B")
    lead_dev.pull()
    check(all(lead_dev.lead(i) for i in lead_ids), "team lead sees the team's new leads")
    lead_dev.queue("lead.assign", {"id": moved, "owner_id": rep_b_id})
    answer = lead_dev.push()
    check(answer["results"][0]["status"] == "applied", "reassignment applied")
    lead_dev.pull()
    check(lead_dev.lead(moved)["owner_id"] == rep_b_id, "team lead's copy shows the new owner")

    step("rep-B pulls: the reassigned lead arrives whole")
    b.pull()
    check(
        b.lead(moved) is not None and b.lead(moved)["owner_id"] == rep_b_id,
        "rep-B now holds the lead",
    )
    check(not any(b.lead(i) for i in lead_ids[1:]), "rep-B does not see rep-A's other leads")

    step("the same lead edited offline on three devices; rep-B logs a follow-up")
    base_lead = lead_dev.lead(moved)["version"]
    base_b = b.lead(moved)["version"]
    base_a = a.lead(moved)["version"]  # rep-A has not pulled since the reassignment
    lead_dev.queue(
        "lead.update",
        {
            "id": moved,
            "base_version": base_lead,
            "set": {"company": f"Lead's name {run_tag}", "priority": "urgent"},
        },
    )
    b.queue(
        "lead.update",
        {
            "id": moved,
            "base_version": base_b,
            "set": {"region": f"Region {run_tag}", "priority": "high"},
        },
    )
    follow_up_id = str(uuid.uuid4())
    b.queue(
        "followup.create",
        {
            "id": follow_up_id,
            "lead_id": moved,
            "kind": "call",
            "note": "Called; sending quote.",
            "outcome": "interested",
            "happened_at": now_z(),
        },
    )
    a.queue(
        "lead.update",
        {"id": moved, "base_version": base_a, "set": {"notes": "Edited on a stale copy"}},
    )
    check(b.view()[("lead", moved)]["priority"] == "high", "rep-B shows its own edit offline")

    step("team lead pushes first, then rep-B, then rep-A")
    answer = lead_dev.push()
    check(answer["results"][0]["status"] == "applied", "team lead's edit applied")
    answer = b.push()
    update, follow = answer["results"]
    check(update["status"] == "conflict", "rep-B's edit is a conflict (one field overlapped)")
    check(
        update.get("conflicts") == [{"field": "priority", "server_value": "urgent"}],
        "the conflict names priority and carries the server's value",
    )
    check(follow["status"] == "applied", "rep-B's follow-up applied (append-only)")
    answer = a.push()
    check(
        answer["results"][0]["status"] == "rejected",
        "rep-A's edit of a lead no longer its own is rejected (and counted)",
    )
    for d in (lead_dev, b, a):
        d.pull()
    merged = b.lead(moved)
    check(
        merged["company"] == f"Lead's name {run_tag}" and merged["region"] == f"Region {run_tag}",
        "non-overlapping fields merged (company from the lead, region from rep-B)",
    )
    check(merged["priority"] == "urgent", "the overlapping field kept the server's value")
    check(
        merged["notes"] == "Met at the fair; wants a quote.", "rep-A's rejected edit left no trace"
    )
    check(merged["stage"] == "contacted", "the logged call moved the lead to contacted")
    check(("followup", follow_up_id) in b.records, "rep-B holds its follow-up")
    check(lead_dev.lead(moved) == merged, "team lead and rep-B hold the same lead")
    check(
        a.lead(moved) is None and ("followup", follow_up_id) not in a.records,
        "rep-A's pull removed the reassigned lead",
    )
    check(not (a.outbox or b.outbox or lead_dev.outbox), "every outbox is empty")

    step("rep-A pushes a lead and a follow-up; the answer is lost; rep-A retries")
    retry_lead = str(uuid.uuid4())
    retry_follow_up = str(uuid.uuid4())
    a.queue(
        "lead.create",
        {"id": retry_lead, "contact_name": f"Retry contact {run_tag}", "source": "phone"},
    )
    a.queue(
        "followup.create",
        {
            "id": retry_follow_up,
            "lead_id": retry_lead,
            "kind": "visit",
            "note": "Visited the shop.",
            "happened_at": now_z(),
        },
    )
    a.push(lose_answer=True)
    check(len(a.outbox) == 2, "without an answer both mutations stay in the outbox")
    answer = a.push()
    check(
        [r["status"] for r in answer["results"]] == ["duplicate", "duplicate"],
        "the retry is answered with duplicates: nothing applied twice",
    )
    a.pull()
    check(not a.outbox and a.lead(retry_lead) is not None, "acknowledged; the lead is on rep-A")
    detail = api.ok("GET", f"/api/v1/leads/{retry_lead}", token=a.token)
    check(
        [f["id"] for f in detail["follow_ups"]] == [retry_follow_up],
        "the follow-up exists exactly once on the server",
    )
    found = api.ok("GET", f"/api/v1/leads?q=Retry%20contact%20{run_tag}", token=a.token)
    # The search also matches phone numbers containing the tag's digits (the demo has many):
    # count the leads of this name.
    named = [x["id"] for x in found["items"] if x["contact_name"] == f"Retry contact {run_tag}"]
    check(named == [retry_lead], "the lead exists exactly once")

    step("a cursor the server no longer accepts: reset and rebuild")
    lead_dev.pull()
    before = dict(lead_dev.records)
    lead_dev.cursor = "forged-or-expired-cursor"
    pages = lead_dev.pull()
    check(pages[0]["reset"] is True, "the server answered reset")
    check(lead_dev.records == before, "after the reset the rebuilt copy equals the old one")

    step("everyone resyncs; each copy must equal the server's view for that person")
    for d in devices:
        d.sync()
        view = server_view(api, d)
        diff = differences(d.records, view)
        check(
            not diff and not d.outbox,
            f"{d.label}: {len(d.records)} records equal a fresh full pull"
            + (f" -- {diff[:5]}" if diff else ""),
        )
        mine = {key[1]: data for key, data in d.records.items() if key[0] == "lead"}
        rest = rest_leads(api, d)
        diff = differences(mine, rest)
        check(
            not diff,
            f"{d.label}: its {len(mine)} leads equal the REST lead list"
            + (f" -- {diff[:5]}" if diff else ""),
        )
        for lead_id in [*lead_ids, retry_lead]:
            if lead_id in mine:
                rest_fus = api.ok("GET", f"/api/v1/leads/{lead_id}/followups", token=d.token)
                held = {
                    k[1]: v
                    for k, v in d.records.items()
                    if k[0] == "followup" and v["lead_id"] == lead_id
                }
                if held != {f["id"]: f for f in rest_fus}:
                    raise Inconsistency(f"{d.label}: follow-ups of {lead_id} differ from REST")
    check(
        a.lead(moved) is None and b.lead(moved) is not None,
        "final: the reassigned lead is on rep-B only",
    )
    check(all(admin.lead(i) for i in [*lead_ids, retry_lead]), "final: admin sees every lead")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:5000")
    parser.add_argument("--admin-email", default="admin@demo.leadsync.test")
    parser.add_argument("--lead-email", default="lead@demo.leadsync.test")
    parser.add_argument("--rep-email", default="robin@demo.leadsync.test")
    parser.add_argument("--rep2-email", default="riley@demo.leadsync.test")
    parser.add_argument(
        "--password",
        default=os.environ.get("LEADSYNC_DEMO_PASSWORD"),
        help="everyone's password (default: $LEADSYNC_DEMO_PASSWORD)",
    )
    args = parser.parse_args(argv)
    if not args.password:
        parser.error("give --password or set LEADSYNC_DEMO_PASSWORD")
    started = time.perf_counter()
    try:
        run(args)
    except Inconsistency as error:
        print(f"FAILED: {error}", flush=True)
        return 1
    except Unusable as error:
        print(f"CANNOT RUN: {error}", flush=True)
        return 2
    print(f"ALL CONSISTENT ({time.perf_counter() - started:.1f}s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
