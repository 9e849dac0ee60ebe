"""Small helpers for sync tests: pull until quiet and keep a device's local copy."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Replica:
    """What one device holds: records by (entity, id), and its cursor."""

    api: Any
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    cursor: str | None = None
    records: dict[tuple[str, str], dict] = field(default_factory=dict)
    last_mutation_id: int = 0
    next_mutation_id: int = 1
    pages: list[dict] = field(default_factory=list)

    def pull_page(self, limit: int = 500) -> dict:
        url = f"/api/v1/sync/pull?client_id={self.client_id}&limit={limit}"
        if self.cursor:
            url += f"&cursor={self.cursor}"
        response = self.api.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.json
        self.apply(body)
        return body

    def apply(self, body: dict) -> None:
        seen = set()
        if body["reset"]:
            self.records.clear()
        for change in body["changes"]:
            key = (change["entity"], change["id"])
            assert key not in seen, f"{key} twice in one answer"
            seen.add(key)
            if change["op"] == "put":
                self.records[key] = change["data"]
            else:
                self.records.pop(key, None)
        self.cursor = body["cursor"]
        self.last_mutation_id = body["last_mutation_id"]
        self.pages.append(body)

    def pull_all(self, limit: int = 500) -> list[dict]:
        answers = []
        for _ in range(10_000):
            answers.append(self.pull_page(limit))
            if not answers[-1]["has_more"]:
                return answers
        raise AssertionError("pull never ended")

    def push(self, *mutations: tuple[str, dict], expect: int = 200) -> dict:
        batch = []
        for name, args in mutations:
            batch.append({"id": self.next_mutation_id, "name": name, "args": args})
            self.next_mutation_id += 1
        return self.push_raw(batch, expect)

    def push_raw(self, batch: list[dict], expect: int = 200) -> dict:
        response = self.api.post(
            "/api/v1/sync/push", json={"client_id": self.client_id, "mutations": batch}
        )
        assert response.status_code == expect, response.get_data(as_text=True)
        return response.json

    def of(self, entity: str) -> dict[str, dict]:
        return {key[1]: data for key, data in self.records.items() if key[0] == entity}


def server_view(api) -> dict[tuple[str, str], dict]:
    """What the server shows this person now: a full pull by a brand-new device."""
    fresh = Replica(api)
    fresh.pull_all(limit=1000)
    return fresh.records


def new_lead(**fields) -> dict:
    return {"id": str(uuid.uuid4()), "contact_name": "Ada Buyer", **fields}
