"""Helpers of the consumer questions' tests: asking as the public does, and a movable clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app import database


def slug_of(api_as, org) -> str:
    return api_as(org.admin).get("/api/v1/org").json["slug"]


def question_body(**overrides) -> dict:
    body = {"name": "Dana Consumer", "email": "dana@example.com", "message": "Does it fold?"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def ask(client, slug: str, **overrides):
    return client.post(f"/api/v1/public/{slug}/questions", json=question_body(**overrides))


def token_of(created) -> str:
    assert created.status_code == 201, created.get_data(as_text=True)
    return created.json["token"]


class Clock:
    """``utcnow`` for the app, moved by the test instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Iterator[Clock]:
    moved = Clock()
    previous = database.set_clock(moved)
    try:
        yield moved
    finally:
        database.set_clock(previous)


@pytest.fixture
def config(app):
    """Change app settings for one test; they are put back afterwards."""
    saved: dict = {}

    def set_(**values) -> None:
        for key, value in values.items():
            saved.setdefault(key, app.config[key])
            app.config[key] = value

    yield set_
    app.config.update(saved)
