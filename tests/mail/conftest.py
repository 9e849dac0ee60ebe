"""Fixtures of the mail tests: the loopback SMTP server and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import CLOCK_START, MovingClock
from tests.mail.smtp import SmtpServer, running_smtp

T0 = CLOCK_START


@pytest.fixture
def smtp(app, monkeypatch) -> Iterator[SmtpServer]:
    yield from running_smtp(app, monkeypatch)


@pytest.fixture
def clock(moving_clock: MovingClock) -> MovingClock:
    return moving_clock
