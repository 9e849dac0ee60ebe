"""Periods of local dates, their comparisons, and the time buckets a report groups by.

A period is a span of whole local days in the organisation's time zone, both ends
inclusive. Its comparisons are defined once here and used for the whole period and for
each time bucket alike:

- ``previous``: the period just before. When the period is exactly one ISO week (Monday to
  Sunday), calendar month, quarter or year, that is the previous week, month, quarter or
  year (so March compares with all of February); otherwise the same number of days just
  before.
- ``year_ago``: the same dates a year earlier, 29 February mapping to 28 February. A
  period that is exactly one month, quarter or year compares with that whole unit a year
  earlier (February 2025 with all 29 days of February 2024).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 5 * 366  # "periods longer than 5 years" are refused
TIME_GROUPS = ("week", "month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    start: date  # first local day
    end: date  # last local day (inclusive)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[local midnight of start, local midnight after end) as aware UTC datetimes."""
        return _midnight(self.start, tz), _midnight(self.end + timedelta(days=1), tz)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz).astimezone(UTC)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def unit_of(p: Period) -> str | None:
    """'week', 'month', 'quarter' or 'year' when the period is exactly one, else None."""
    if p.start.weekday() == 0 and p.days == 7:
        return "week"
    if p.start.day != 1 or p.end != _month_end(p.end.year, p.end.month):
        return None
    months = (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1
    if months == 1:
        return "month"
    if months == 3 and p.start.month % 3 == 1:
        return "quarter"
    if months == 12 and p.start.month == 1:
        return "year"
    return None


_UNIT_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _shift_unit(p: Period, unit: str, units: int) -> Period:
    """The whole unit that starts ``units`` units after the one ``p`` starts (a week: ``p``
    moved by whole weeks)."""
    if unit == "week":
        return Period(p.start + timedelta(weeks=units), p.end + timedelta(weeks=units))
    months = _UNIT_MONTHS[unit]
    start = _add_months(p.start, units * months)
    end = _add_months(start, months) - timedelta(days=1)
    return Period(start, end)


def previous_of(p: Period) -> Period:
    unit = unit_of(p)
    if unit is not None:
        return _shift_unit(p, unit, -1)
    return Period(p.start - timedelta(days=p.days), p.start - timedelta(days=1))


def _year_earlier(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def year_ago_of(p: Period) -> Period:
    unit = unit_of(p)
    if unit in _UNIT_MONTHS:
        return _shift_unit(p, unit, -12 // _UNIT_MONTHS[unit])
    return Period(_year_earlier(p.start), _year_earlier(p.end))


@dataclass(frozen=True)
class Bucket:
    """One row of a report grouped by time: its key, label and local days (clipped to the
    report's period)."""

    key: str
    label: str
    period: Period


def _unit_start(day: date, unit: str) -> date:
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def _key_and_label(start: date, unit: str) -> tuple[str, str]:
    if unit == "week":
        year, week, _ = start.isocalendar()
        end = start + timedelta(days=6)
        return f"{year}-W{week:02d}", f"Week {week}, {year} ({start:%d %b} – {end:%d %b})"
    if unit == "month":
        return f"{start:%Y-%m}", f"{start:%B %Y}"
    if unit == "quarter":
        quarter = (start.month - 1) // 3 + 1
        return f"{start.year}-Q{quarter}", f"Q{quarter} {start.year}"
    return str(start.year), str(start.year)


def buckets(p: Period, unit: str) -> list[Bucket]:
    """The weeks (ISO), months, quarters or years that the period touches, in order, each
    clipped to the period."""
    found = []
    start = _unit_start(p.start, unit)
    while start <= p.end:
        whole = _shift_unit(Period(start, start + timedelta(days=6)), unit, 0)
        key, label = _key_and_label(start, unit)
        found.append(Bucket(key, label, Period(max(whole.start, p.start), min(whole.end, p.end))))
        start = whole.end + timedelta(days=1)
    return found
