"""Helpers of the consumer questions' tests: asking as the public does, and a movable clock."""

from __future__ import annotations

import pytest

from tests.conftest import MovingClock


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


@pytest.fixture
def clock(moving_clock: MovingClock) -> MovingClock:
    return moving_clock


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
