"""A clock the tests move by hand, in Berlin wall time of late November 2026 (UTC+1)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app import database

# Monday 2026-11-23 09:00 in Berlin is 08:00 UTC; the default hours are Mon–Fri 09–17.
MONDAY_0900 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall time in late November 2026, in UTC."""
    return datetime(2026, 11, day, hour - 1, minute, tzinfo=UTC)


class Clock:
    """What the app reads as now (``database.set_clock``)."""

    def __init__(self, now: datetime = MONDAY_0900) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def berlin(self, day: int, hour: int, minute: int = 0) -> datetime:
        """Move to a Berlin wall time."""
        self.now = berlin(day, hour, minute)
        return self.now

    def set(self, **wall) -> datetime:
        """``berlin`` by keywords: ``clock.set(day=24, hour=10)``."""
        return self.berlin(wall["day"], wall["hour"], wall.get("minute", 0))


@pytest.fixture
def clock():
    fake = Clock()
    database.set_clock(fake)
    yield fake
    database.set_clock(None)


@pytest.fixture
def berlin_org(org, api_as):
    assert api_as(org.admin).patch(
        "/api/v1/org", json={"timezone": "Europe/Berlin", "default_country": "DE"}
    )
    return org
