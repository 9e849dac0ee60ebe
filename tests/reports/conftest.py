"""Reports are tested on organisations whose every figure is worked out by hand: each lead
is written at a wall time of the organisation (Europe/Berlin) by moving the app's clock."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from app import database

BERLIN = ZoneInfo("Europe/Berlin")


class WallClock:
    """What the app reads as now, set as Berlin wall time."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=BERLIN).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def at(self, year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
        self.now = datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)
        return self.now


@pytest.fixture
def wall():
    clock = WallClock()
    database.set_clock(clock)
    yield clock
    database.set_clock(None)


@pytest.fixture
def berlin_org(org, api_as):
    response = api_as(org.admin).patch(
        "/api/v1/org", json={"timezone": "Europe/Berlin", "default_country": "DE"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return org
