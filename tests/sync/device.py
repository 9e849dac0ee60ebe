"""A simulated offline client that follows SYNC-PROTOCOL.md, "What a client must do".

``Device`` keeps what a real client keeps: the server's records by ``(entity, id)`` with the
cursor that goes with them, an outbox of mutations numbered 1, 2, 3 … per ``client_id``,
and the screen's view (server truth plus the still-pending mutations applied on top). It
talks to the app through any object with ``get(url)`` and ``post(url, json=...)`` (the
test suite's ``ApiClient``: a Flask test client with a bearer token), so a script can
drive it as well as a test.

Network faults are simulated at the transport: ``plan_faults("before", "lost", None, …)``
queues what happens to the next requests — ``"before"`` fails before the request reaches
the server, ``"lost"`` lets the server process it and then loses the answer, ``None`` lets
it through. Every request that reached the server is written, with its answer, to
``wiretap`` (a list that several devices may share), whether or not the device got the
answer: tests use it as ground truth of what the server did and in which order.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PUSH_URL = "/api/v1/sync/push"
PULL_URL = "/api/v1/sync/pull"
MAX_BATCH = 500

Key = tuple[str, str]


class TransientError(Exception):
    """The request failed in a way a client retries (no network, lost answer, 5xx, 429)."""


class NetworkError(TransientError):
    """A simulated network failure."""


class ProtocolError(AssertionError):
    """The server answered something a correct client cannot handle: a test failure."""


@dataclass(eq=False)
class WireEntry:
    """One request that reached the server and its answer (delivered to the device or not)."""

    device: Device = field(repr=False)
    kind: str  # "push" | "pull"
    request: Any
    status: int
    body: Any
    delivered: bool


@dataclass
class Pending:
    id: int
    name: str
    args: dict[str, Any]
    client_time: str

    def wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "args": self.args,
            "client_time": self.client_time,
        }


def _json_of(response) -> Any:
    """The body of a Flask test response or of a ``requests`` response (None if not JSON)."""
    if hasattr(response, "get_json"):
        return response.get_json(silent=True)
    try:
        return response.json()
    except ValueError:
        return None


def now_z() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(eq=False)
class Device:
    api: Any
    user_id: str | None = None
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    limit: int = 500
    batch_size: int = MAX_BATCH
    wiretap: list[WireEntry] = field(default_factory=list, repr=False)
    # Backoff between retries: ``sleep(seconds)``; tests pass nothing and do not wait.
    sleep: Callable[[float], None] = lambda _seconds: None
    rng: random.Random = field(default_factory=random.Random)

    # --- persisted state (what a real client keeps in IndexedDB) ---------------------------
    records: dict[Key, dict[str, Any]] = field(default_factory=dict)
    cursor: str | None = None
    outbox: list[Pending] = field(default_factory=list)
    next_mutation_id: int = 1
    # --- derived and bookkeeping ------------------------------------------------------------
    view: dict[Key, dict[str, Any]] = field(default_factory=dict)
    # The highest last_mutation_id a push answer reported: entries up to it need no resend.
    pushed_through: int = 0
    # The last last_mutation_id a pull answer carried (its outbox is empty up to there).
    confirmed_through: int = 0
    # Results the device received in push answers, by mutation id (the last one wins).
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Every mutation this device ever made, by id (the outbox forgets; this does not).
    made: dict[int, Pending] = field(default_factory=dict)
    resets: int = 0
    faults: deque = field(default_factory=deque)
    # Keys a ``del`` removed, and outbox ids whose effects a fresh snapshot may have hidden
    # without a ``del``: what the read-your-writes check must not hold against the server.
    gone: set[Key] = field(default_factory=set)
    unverifiable: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.user_id is None:
            person = getattr(self.api, "person", None)
            self.user_id = str(person.id) if person is not None else None

    # --- making changes offline --------------------------------------------------------------

    def mutate(self, name: str, args: dict[str, Any]) -> int:
        """Record a mutation in the outbox (id allocated in the same step) and show it."""
        pending = Pending(self.next_mutation_id, name, copy.deepcopy(args), now_z())
        self.next_mutation_id += 1
        self.outbox.append(pending)
        self.made[pending.id] = pending
        self._apply_local(self.view, pending)
        return pending.id

    def create_lead(self, **fields: Any) -> tuple[int, str]:
        lead_id = str(fields.pop("id", None) or uuid.uuid4())
        return self.mutate("lead.create", {"id": lead_id, **fields}), lead_id

    def update_lead(self, lead_id: str, base_version: int | None = None, **values: Any) -> int:
        if base_version is None:
            base_version = self.base_version(lead_id)
        return self.mutate(
            "lead.update", {"id": lead_id, "base_version": base_version, "set": values}
        )

    def set_stage(self, lead_id: str, stage: str, **extra: Any) -> int:
        return self.mutate("lead.set_stage", {"id": lead_id, "stage": stage, **extra})

    def assign(self, lead_id: str, owner_id: str) -> int:
        return self.mutate("lead.assign", {"id": lead_id, "owner_id": owner_id})

    def add_follow_up(self, lead_id: str, kind: str, **extra: Any) -> tuple[int, str]:
        follow_up_id = str(extra.pop("id", None) or uuid.uuid4())
        args = {
            "id": follow_up_id,
            "lead_id": lead_id,
            "kind": kind,
            "happened_at": extra.pop("happened_at", None) or now_z(),
            **extra,
        }
        return self.mutate("followup.create", args), follow_up_id

    def base_version(self, lead_id: str) -> int:
        """The version of the server copy this edit is based on (0 if never pulled)."""
        record = self.records.get(("lead", lead_id))
        return record["version"] if record else 0

    # --- reading ------------------------------------------------------------------------------

    def of(self, entity: str, *, view: bool = True) -> dict[str, dict[str, Any]]:
        source = self.view if view else self.records
        return {key[1]: data for key, data in source.items() if key[0] == entity}

    @property
    def unsent(self) -> list[Pending]:
        return [p for p in self.outbox if p.id > self.pushed_through]

    # --- the network --------------------------------------------------------------------------

    def plan_faults(self, *faults: str | None) -> None:
        """Queue what happens to the next requests: "before", "lost" or None (goes through)."""
        for fault in faults:
            assert fault in (None, "before", "lost"), fault
            self.faults.append(fault)

    def _send(self, kind: str, request: Any, call: Callable[[], Any]) -> tuple[int, Any]:
        fault = self.faults.popleft() if self.faults else None
        if fault == "before":
            raise NetworkError(f"{kind}: no connection")
        response = call()
        status, body = response.status_code, _json_of(response)
        self.wiretap.append(WireEntry(self, kind, request, status, body, fault != "lost"))
        if fault == "lost":
            raise NetworkError(f"{kind}: the answer was lost")
        if status >= 500 or status == 429:
            raise TransientError(f"{kind}: {status} {body}")
        return status, body

    # --- push ---------------------------------------------------------------------------------

    def push_once(self) -> dict[str, Any] | None:
        """Send one batch of what the server has not confirmed; None if nothing to send."""
        batch = self.unsent[: self.batch_size]
        if not batch:
            return None
        request = {"client_id": self.client_id, "mutations": [p.wire() for p in batch]}
        status, body = self._send("push", request, lambda: self.api.post(PUSH_URL, json=request))
        if status == 409 and body["error"]["code"] == "mutation_gap":
            expected = body["error"]["expected"]
            if expected < batch[0].id and (not self.outbox or expected < self.outbox[0].id):
                raise ProtocolError(f"gap: the server expects {expected}, which we no longer hold")
            # The server lacks mutations we still hold: send again from there.
            self.pushed_through = expected - 1
            return body
        if status != 200:
            raise ProtocolError(f"push answered {status}: {body}")
        for result in body["results"]:
            self.results[result["id"]] = result
        self.pushed_through = max(self.pushed_through, body["last_mutation_id"])
        return body

    def push_all(self) -> None:
        for _ in range(10_000):
            if self.push_once() is None:
                return
        raise ProtocolError("push never finished")

    # --- pull ---------------------------------------------------------------------------------

    def pull_once(self) -> dict[str, Any]:
        url = f"{PULL_URL}?client_id={self.client_id}&limit={self.limit}"
        if self.cursor is not None:
            url += f"&cursor={self.cursor}"
        status, body = self._send("pull", url, lambda: self.api.get(url))
        if status != 200:
            raise ProtocolError(f"pull answered {status}: {body}")
        self._apply_page(body)
        return body

    def pull_all(self) -> list[dict[str, Any]]:
        pages = []
        for _ in range(10_000):
            pages.append(self.pull_once())
            if not pages[-1]["has_more"]:
                return pages
        raise ProtocolError("pull never ended")

    def _apply_page(self, page: dict[str, Any]) -> None:
        """Apply a page's changes, its cursor and its acknowledgement in one local step."""
        fresh_snapshot = page["reset"] or self.cursor is None
        records = {} if page["reset"] else dict(self.records)
        gone: set[Key] = set()
        seen: set[Key] = set()
        for change in page["changes"]:
            key = (change["entity"], change["id"])
            if key in seen:
                raise ProtocolError(f"{key} appears twice in one answer")
            seen.add(key)
            if change["op"] == "put":
                records[key] = change["data"]
            elif change["op"] == "del":
                records.pop(key, None)
                gone.add(key)
            else:
                raise ProtocolError(f"unknown op {change['op']!r}")
        # A page that is not the last of its run may repeat an older acknowledgement (after a
        # reset even 0): it drops nothing more from the outbox, and is no error.
        acknowledged = page["last_mutation_id"]
        if acknowledged >= self.next_mutation_id:
            raise ProtocolError(
                f"acknowledged {acknowledged}, never made beyond {self.next_mutation_id - 1}"
            )
        newly_acknowledged = [p for p in self.outbox if p.id <= acknowledged]
        # --- the "local transaction": everything below changes together --------------------
        if fresh_snapshot:
            self.unverifiable |= {p.id for p in self.outbox}
        self.gone |= gone
        self.records = records
        self.cursor = page["cursor"]
        self.confirmed_through = max(self.confirmed_through, acknowledged)
        self.pushed_through = max(self.pushed_through, acknowledged)
        self.outbox = [p for p in self.outbox if p.id > acknowledged]
        self.resets += bool(page["reset"])
        self._rebuild_view()
        self._check_read_your_writes(newly_acknowledged)

    def _check_read_your_writes(self, acknowledged: list[Pending]) -> None:
        """Guarantee 3: a pull that acknowledges a mutation carries its effects. Checked for
        creates the server answered ``applied``: the record is here, unless a ``del`` took it
        away (it left the user's visible set) or a fresh snapshot made the check moot."""
        entities = {"lead.create": "lead", "followup.create": "followup"}
        for p in acknowledged:
            if p.name not in entities or p.id in self.unverifiable:
                continue
            if self.results.get(p.id, {}).get("status") != "applied":
                continue
            key = (entities[p.name], p.args["id"])
            if key not in self.records and key not in self.gone:
                raise ProtocolError(
                    f"mutation {p.id} ({p.name}) was acknowledged but {key} was never received"
                )

    def _rebuild_view(self) -> None:
        view = copy.deepcopy(self.records)
        for pending in self.outbox:
            self._apply_local(view, pending)
        self.view = view

    # --- sync ---------------------------------------------------------------------------------

    def sync(self) -> list[dict[str, Any]]:
        """Push everything unsent, then pull until ``has_more`` is false. May raise.

        Checks guarantee 3 (read your writes): the run's last page acknowledges at least
        what the pushes were answered, so everything pushed leaves the outbox."""
        self.push_all()
        pushed = self.pushed_through
        pages = self.pull_all()
        if pages[-1]["last_mutation_id"] < pushed:
            raise ProtocolError(
                f"pull acknowledged {pages[-1]['last_mutation_id']} after a push answered {pushed}"
            )
        return pages

    def sync_with_retry(self, attempts: int = 50, base: float = 0.05, cap: float = 5.0):
        """``sync`` retried with exponential backoff and full jitter on transient errors."""
        for attempt in range(attempts):
            try:
                return self.sync()
            except TransientError:
                self.sleep(self.rng.uniform(0, min(cap, base * 2**attempt)))
        raise ProtocolError(f"sync failed {attempts} times in a row")

    def forget_cursor_for(self, token: str) -> None:
        """Replace the cursor (tests: a forged or foreign cursor must answer ``reset``)."""
        self.cursor = token

    # --- optimistic local effects -----------------------------------------------------------

    def _apply_local(self, view: dict[Key, dict[str, Any]], p: Pending) -> None:
        """What the screen shows before the server has answered; the next pull replaces it
        with the server's truth (and re-applies whatever is still pending)."""
        args = p.args
        if p.name == "lead.create":
            key = ("lead", args["id"])
            if key not in view:
                view[key] = {
                    "stage": "new",
                    "priority": "normal",
                    "owner_id": self.user_id,
                    "version": 0,
                    **copy.deepcopy(args),
                }
        elif p.name == "lead.update":
            lead = view.get(("lead", args["id"]))
            if lead is not None and isinstance(args.get("set"), dict):
                lead.update(copy.deepcopy(args["set"]))
        elif p.name == "lead.set_stage":
            lead = view.get(("lead", args["id"]))
            if lead is not None:
                lead["stage"] = args["stage"]
                for extra in ("lost_reason", "won_value"):
                    if extra in args:
                        lead[extra] = args[extra]
        elif p.name == "lead.assign":
            lead = view.get(("lead", args["id"]))
            if lead is not None:
                lead["owner_id"] = args["owner_id"]
        elif p.name == "followup.create":
            key = ("followup", args["id"])
            if key not in view and ("lead", args.get("lead_id")) in view:
                view[key] = {"author_id": self.user_id, "version": 0, **copy.deepcopy(args)}
