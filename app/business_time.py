"""Business-hours calendars: when is a team working, and when is an SLA deadline due.

Every lead and consumer question has a deadline counted in *working* time ("answer within
2 business hours"), so the deadline depends on the organisation's opening hours, its time
zone, its holidays and one-off changes. This module is that arithmetic, and nothing else:
no database, no Flask, no clock. It takes and returns aware UTC datetimes, like the rest of
the application, and works in local wall-clock time only where opening hours are defined.

The rules, and why:

* **Opening hours are wall-clock times in the calendar's zone.** "09:00-17:00" means what
  the clock on the office wall shows, also on the days the clocks change. Durations are then
  measured in real elapsed time (UTC): on the spring-forward day a 01:00-05:00 interval in
  Europe/Berlin is 3 real hours of work, on the fall-back day it is 5.
* **Wall times that do not exist, or exist twice, resolve to the first instant at which
  the local clock shows that time or later.** For an ambiguous time (the repeated hour in
  autumn) that is the first occurrence, i.e. ``fold=0``. For a time skipped in spring it is
  the moment the clock jumps, i.e. the time is shifted forward to the first wall time that
  exists. One rule for both keeps the mapping from wall time to real time monotonic, so an
  interval never gets a negative length: an interval lying wholly inside the skipped hour
  is simply empty that day.
* **An interval may span midnight** ("18:00-02:00"); the part after midnight belongs to the
  day on which the shift started. Holidays and per-date overrides therefore replace the
  shifts *starting* on that date: the night shift that began the evening before a holiday
  still runs into the holiday's early morning, and the holiday's own evening shift is
  cancelled including its part after midnight.
* **Intervals are half-open**, ``[start, end)``: at 17:00 a 09:00-17:00 office is closed.
  Intervals that touch (12:00-13:00 followed by 13:00-17:00, or a night shift ending at
  02:00 when the next one starts at 02:00) form one continuous open period.
* **A deadline is the earliest instant at which the requested working time has elapsed.**
  Work that completes exactly at closing time is due at closing time (Friday 17:00), not at
  the next opening. A zero duration is therefore due at the start itself, even when the
  calendar is closed then; only this choice makes ``add(add(s, a), b) == add(s, a + b)``
  hold when ``b`` is zero (with "next opening" the left side would jump to Monday while the
  right side stays at Friday 17:00), and it agrees with the inverse rule
  ``business_time_between(s, add_business_time(s, d)) == d``. Use ``next_open`` for "when
  does work on this start".
* Times have minute resolution; durations and instants keep full microsecond precision,
  and ``timedelta`` arithmetic is exact, so the properties above hold exactly.

Computation walks the open periods day by day (each day's periods are converted once and
cached per calendar), never minute by minute, and jumps over whole *regular* weeks at once:
a week none of whose days is a holiday or an override and in which the clocks do not change
holds exactly the weekly hours' nominal open time (``weekly_open_time``). So the cost of a
deadline grows with the number of special dates and clock changes it passes, not with how
little a week is open: one minute a week for 400,000 minutes takes a fraction of a second,
where a day-by-day walk over those 7,700 years took many seconds. (Clock changes are taken
to be more than a week apart, as they are in every zone's rules: the offset is sampled at
each Monday midnight, in cached chunks of 1,024 weeks per zone.) A calendar must have at
least one weekly opening interval: that is what guarantees every search for working time
ends (holidays and overrides are finitely many dates).

The JSON form (what ``to_dict`` writes and ``from_dict`` reads)::

    {
      "timezone": "Europe/Berlin",
      "weekly": {"mon": [{"start": "08:00", "end": "12:00"},
                         {"start": "13:00", "end": "17:00"}],
                 "tue": [...], ..., "sun": []},
      "holidays": ["2026-12-25", "2026-12-26"],
      "overrides": {"2026-12-24": [{"start": "08:00", "end": "12:00"}],
                    "2026-12-31": []}
    }

Times are "HH:MM"; an end at or before the start means the next day, and "24:00" is
midnight at the end of the day ("00:00"-"24:00" is a full day). An override with an empty
list closes that date, exactly as a holiday does.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_EVENING_SHIFT",
    "DEFAULT_SALES_HOURS",
    "WEEKDAYS",
    "BusinessCalendar",
    "Interval",
]

#: Weekday keys of the JSON form, in ``date.weekday()`` order (Monday is 0).
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

MINUTES_PER_DAY = 24 * 60
_MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(weeks=1)
_ZERO = timedelta(0)
_TICK = timedelta(microseconds=1)
_HHMM = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_CACHE_LIMIT = 8192  # days of converted periods kept per calendar (~22 years)


def _weekdays_hours(start: str, end: str) -> dict[str, list[dict[str, str]]]:
    return {
        day: ([{"start": start, "end": end}] if day in WEEKDAYS[:5] else []) for day in WEEKDAYS
    }


#: Office hours Monday to Friday, 09:00-17:00. Copy it and set ``"timezone"`` to the
#: organisation's zone: ``{**DEFAULT_SALES_HOURS, "timezone": org.timezone}``.
DEFAULT_SALES_HOURS: dict[str, Any] = {
    "timezone": "UTC",
    "weekly": _weekdays_hours("09:00", "17:00"),
    "holidays": [],
    "overrides": {},
}

#: The customer-service desk's hours when an organisation has set none: consumers write in
#: the evening, every day of the week, 18:00-23:00.
DEFAULT_EVENING_SHIFT: dict[str, Any] = {
    "timezone": "UTC",
    "weekly": {day: [{"start": "18:00", "end": "23:00"}] for day in WEEKDAYS},
    "holidays": [],
    "overrides": {},
}


def _format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _parse_hhmm(value: object, where: str, *, allow_24: bool = False) -> int:
    if allow_24 and value == "24:00":
        return MINUTES_PER_DAY
    if not isinstance(value, str) or not (match := _HHMM.fullmatch(value)):
        allowed = "'HH:MM' (00:00-23:59, or 24:00 as an end)" if allow_24 else "'HH:MM'"
        raise ValueError(f"{where}: expected a time {allowed}, got {value!r}")
    return int(match[1]) * 60 + int(match[2])


@dataclass(frozen=True, order=True)
class Interval:
    """One opening interval of a day, in wall-clock minutes after that day's local midnight.

    ``end_minute`` is greater than ``start_minute``; past 1440 the interval runs into the
    next day (a night shift), and that part still belongs to the day it started on. An
    interval is shorter than 24 hours, except the full day 00:00-24:00 (0, 1440), so that
    every interval has exactly one "HH:MM" form.
    """

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        start, end = self.start_minute, self.end_minute
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise ValueError(f"interval minutes must be integers, got {start!r}-{end!r}")
        if not 0 <= start < MINUTES_PER_DAY:
            raise ValueError(f"interval start must be within the day (0-1439), got {start}")
        if not start < end <= max(MINUTES_PER_DAY, start + MINUTES_PER_DAY - 1):
            raise ValueError(
                f"interval end {end} must be after its start {start} and less than 24 hours "
                "later (only 00:00-24:00 may be a full day)"
            )

    @classmethod
    def parse(cls, start: str, end: str, *, where: str = "interval") -> Interval:
        """Build from "HH:MM" strings; an end at or before the start is on the next day.

        "24:00" is accepted as an end (midnight at the end of the day). Equal start and end
        are refused rather than guessed as 0 or 24 hours: write "00:00"-"24:00" for a full
        day.
        """
        start_minute = _parse_hhmm(start, f"{where}.start")
        if end == "24:00":
            end_minute = MINUTES_PER_DAY
        else:
            end_minute = _parse_hhmm(end, f"{where}.end", allow_24=True)
            if end_minute == start_minute:
                raise ValueError(
                    f"{where}: start and end are both {start}; "
                    "an interval cannot be empty (use 00:00-24:00 for a full day)"
                )
            if end_minute < start_minute:
                end_minute += MINUTES_PER_DAY
        try:
            return cls(start_minute, end_minute)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None

    @property
    def start(self) -> str:
        """The start as "HH:MM"."""
        return _format_minute(self.start_minute)

    @property
    def end(self) -> str:
        """The end as "HH:MM" ("24:00" for midnight at the end of the starting day)."""
        if self.end_minute == MINUTES_PER_DAY:
            return "24:00"
        return _format_minute(self.end_minute % MINUTES_PER_DAY)

    @property
    def crosses_midnight(self) -> bool:
        """Whether part of the interval falls on the next day."""
        return self.end_minute > MINUTES_PER_DAY

    @property
    def nominal_length(self) -> timedelta:
        """Wall-clock length; the real length differs on days the clocks change."""
        return timedelta(minutes=self.end_minute - self.start_minute)

    def to_dict(self) -> dict[str, str]:
        """The JSON form, ``{"start": "HH:MM", "end": "HH:MM"}``."""
        return {"start": self.start, "end": self.end}

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


def _coerce_intervals(value: Iterable[Interval], where: str) -> tuple[Interval, ...]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValueError(f"{where}: expected a list of intervals, got {value!r}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, Interval):
            raise ValueError(f"{where}: expected Interval objects, got {item!r}")
    return tuple(sorted(items))


def _check_no_overlap(ranges: list[tuple[int, int, str]], what: str) -> None:
    """Refuse overlapping ``(start, end, label)`` minute ranges; touching is fine."""
    ranges.sort()
    for (_, prev_end, prev_label), (start, _, label) in zip(ranges, ranges[1:], strict=False):
        if start < prev_end:
            raise ValueError(f"{what}: {prev_label} overlaps {label}")


@dataclass(frozen=True)
class BusinessCalendar:
    """A team's working time: weekly hours, holidays and per-date overrides in one zone.

    Immutable and hashable, so one instance can be shared by threads and cached; each
    instance keeps a private cache of the real (UTC) open periods of the days it has
    looked at. Build it from the JSON form with ``from_dict``; constructing it directly
    takes ``weekly`` as seven interval sequences, Monday first.

    Invalid input (unknown zone, overlapping intervals, a date that is both a holiday and an
    override, no weekly hours at all) raises ``ValueError`` with a message fit for an API
    error response.
    """

    timezone: str
    weekly: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[date] = frozenset()
    overrides: tuple[tuple[date, tuple[Interval, ...]], ...] = ()

    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _override_map: Mapping[date, tuple[Interval, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _day_cache: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        init=False, repr=False, compare=False, hash=False, default_factory=dict
    )
    _special_days: tuple[date, ...] = field(init=False, repr=False, compare=False, hash=False)

    # --- construction -----------------------------------------------------------------

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        if not isinstance(self.timezone, str) or not self.timezone:
            raise ValueError(f"timezone: expected an IANA time zone name, got {self.timezone!r}")
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"timezone: unknown time zone {self.timezone!r}") from None
        set_(self, "_zone", zone)

        weekly = self.weekly
        if isinstance(weekly, Mapping | str | bytes) or not isinstance(weekly, Iterable):
            raise ValueError("weekly: expected seven interval lists, Monday first")
        weekly = tuple(
            _coerce_intervals(day, f"weekly.{WEEKDAYS[i] if i < 7 else i}")
            for i, day in enumerate(weekly)
        )
        if len(weekly) != 7:
            raise ValueError(f"weekly: expected seven interval lists, got {len(weekly)}")
        set_(self, "weekly", weekly)

        holidays = self.holidays
        if isinstance(holidays, str | bytes) or not isinstance(holidays, Iterable):
            raise ValueError(f"holidays: expected a collection of dates, got {holidays!r}")
        holidays = frozenset(holidays)
        for day in holidays:
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"holidays: expected dates, got {day!r}")
        set_(self, "holidays", holidays)

        overrides = self.overrides
        items = overrides.items() if isinstance(overrides, Mapping) else overrides
        if isinstance(items, str | bytes) or not isinstance(items, Iterable):
            raise ValueError(f"overrides: expected (date, intervals) pairs, got {overrides!r}")
        override_map: dict[date, tuple[Interval, ...]] = {}
        for entry in items:
            if not isinstance(entry, tuple | list) or len(entry) != 2:
                raise ValueError(f"overrides: expected (date, intervals) pairs, got {entry!r}")
            day, intervals = entry
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"overrides: expected dates, got {day!r}")
            if day in override_map:
                raise ValueError(f"overrides.{day.isoformat()}: given twice")
            if day in holidays:
                raise ValueError(
                    f"overrides.{day.isoformat()}: the date is also a holiday; "
                    "keep one (an override with no intervals closes the date)"
                )
            override_map[day] = _coerce_intervals(intervals, f"overrides.{day.isoformat()}")
        set_(self, "overrides", tuple(sorted(override_map.items())))
        set_(self, "_override_map", MappingProxyType(override_map))
        set_(self, "_special_days", tuple(sorted(holidays | set(override_map))))

        self._validate_weekly()
        for day in override_map:
            self._validate_around(day)

    def _validate_weekly(self) -> None:
        if not any(self.weekly):
            # Holidays and overrides are finitely many dates, so without weekly hours a
            # deadline far enough ahead could never be reached.
            raise ValueError("weekly: the calendar needs at least one opening interval")
        ranges: list[tuple[int, int, str]] = []
        for index, intervals in enumerate(self.weekly):
            for interval in intervals:
                base = index * MINUTES_PER_DAY
                label = f"{WEEKDAYS[index]} {interval}"
                ranges.append((base + interval.start_minute, base + interval.end_minute, label))
                # The same interval one week later catches Sunday night running into Monday.
                ranges.append(
                    (
                        base + _MINUTES_PER_WEEK + interval.start_minute,
                        base + _MINUTES_PER_WEEK + interval.end_minute,
                        label,
                    )
                )
        _check_no_overlap(ranges, "weekly hours")

    def _validate_around(self, day: date) -> None:
        """An override must not overlap itself nor the shifts of the days next to it."""
        ranges: list[tuple[int, int, str]] = []
        for offset in (-1, 0, 1):
            neighbour = day + timedelta(days=offset)
            for interval in self._intervals_on(neighbour):
                base = offset * MINUTES_PER_DAY
                ranges.append(
                    (
                        base + interval.start_minute,
                        base + interval.end_minute,
                        f"{neighbour.isoformat()} {interval}",
                    )
                )
        _check_no_overlap(ranges, f"overrides.{day.isoformat()}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """Build from the JSON form (see the module docstring); ``ValueError`` if invalid.

        Missing weekdays are closed; "holidays" and "overrides" may be left out. Unknown
        keys are refused so that a typo ("monday", "holiday") is an error, not a silently
        open or closed day.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"calendar: expected an object, got {type(data).__name__}")
        unknown = set(data) - {"timezone", "weekly", "holidays", "overrides"}
        if unknown:
            raise ValueError(f"calendar: unknown keys {sorted(map(str, unknown))}")
        if "timezone" not in data:
            raise ValueError("timezone: required")
        weekly_data = data.get("weekly")
        if not isinstance(weekly_data, Mapping):
            raise ValueError("weekly: expected an object with keys 'mon'..'sun'")
        unknown = set(weekly_data) - set(WEEKDAYS)
        if unknown:
            raise ValueError(
                f"weekly: unknown weekday keys {sorted(map(str, unknown))}; use {list(WEEKDAYS)}"
            )
        weekly = tuple(
            cls._intervals_from_json(weekly_data.get(day, []), f"weekly.{day}") for day in WEEKDAYS
        )

        holidays_data = data.get("holidays", [])
        if not isinstance(holidays_data, list):
            raise ValueError("holidays: expected a list of 'YYYY-MM-DD' dates")
        holidays = [
            cls._date_from_json(value, f"holidays[{i}]") for i, value in enumerate(holidays_data)
        ]
        if len(set(holidays)) != len(holidays):
            raise ValueError("holidays: a date is listed twice")

        overrides_data = data.get("overrides", {})
        if not isinstance(overrides_data, Mapping):
            raise ValueError("overrides: expected an object of 'YYYY-MM-DD': [intervals]")
        overrides = {
            cls._date_from_json(key, f"overrides.{key}"): cls._intervals_from_json(
                value, f"overrides.{key}"
            )
            for key, value in overrides_data.items()
        }
        return cls(
            timezone=data["timezone"],
            weekly=weekly,
            holidays=frozenset(holidays),
            overrides=tuple(overrides.items()),
        )

    @staticmethod
    def _intervals_from_json(value: object, where: str) -> tuple[Interval, ...]:
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list of {{'start', 'end'}} objects")
        intervals = []
        for i, item in enumerate(value):
            if not isinstance(item, Mapping) or set(item) != {"start", "end"}:
                raise ValueError(
                    f"{where}[{i}]: expected {{'start': 'HH:MM', 'end': 'HH:MM'}}, got {item!r}"
                )
            intervals.append(Interval.parse(item["start"], item["end"], where=f"{where}[{i}]"))
        return tuple(intervals)

    @staticmethod
    def _date_from_json(value: object, where: str) -> date:
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise ValueError(f"{where}: expected a date 'YYYY-MM-DD', got {value!r}")

    def to_dict(self) -> dict[str, Any]:
        """The JSON form; ``from_dict(c.to_dict()) == c``."""
        return {
            "timezone": self.timezone,
            "weekly": {
                WEEKDAYS[i]: [interval.to_dict() for interval in intervals]
                for i, intervals in enumerate(self.weekly)
            },
            "holidays": sorted(day.isoformat() for day in self.holidays),
            "overrides": {
                day.isoformat(): [interval.to_dict() for interval in intervals]
                for day, intervals in self.overrides
            },
        }

    # --- queries ----------------------------------------------------------------------

    @property
    def weekly_open_time(self) -> timedelta:
        """Nominal (wall-clock) open time of one ordinary week of the weekly hours."""
        return sum((interval.nominal_length for day in self.weekly for interval in day), _ZERO)

    def is_open(self, at: datetime) -> bool:
        """Whether working time is accruing at the instant ``at`` (open periods are half-open)."""
        at = _as_utc(at, "at")
        for start, _end in self._periods_from(at):
            return start <= at
        return False  # pragma: no cover - the period stream only ends past year 9999

    def next_open(self, at: datetime) -> datetime:
        """The earliest instant at or after ``at`` at which the calendar is open (UTC).

        That is ``at`` itself while open, otherwise the start of the next open period: the
        moment work on something arriving at ``at`` can begin.
        """
        at = _as_utc(at, "at")
        for start, _end in self._periods_from(at):
            return max(start, at)
        raise ValueError(f"no working time after {at.isoformat()} within the supported dates")

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant (UTC) at which ``duration`` of working time has elapsed after ``start``.

        It is the earliest such instant: inside an open period, or exactly at its end when
        the work completes at closing time. A zero duration gives ``start`` itself, even
        when closed (see the module docstring for why). Raises ``ValueError`` for a negative
        duration or a naive datetime.
        """
        start = _as_utc(start, "start")
        if not isinstance(duration, timedelta):
            raise ValueError(f"duration: expected a timedelta, got {duration!r}")
        if duration < _ZERO:
            raise ValueError(f"duration: must not be negative, got {duration}")
        if duration == _ZERO:
            return start
        remaining = duration
        week_open = self.weekly_open_time
        day = self._first_day(start)
        while day is not None:
            if remaining > week_open and self._midnight_at_or_after(day, start):
                weeks = self._regular_weeks(day, (remaining - _TICK) // week_open)
                if weeks:
                    remaining -= week_open * weeks
                    day = _add_days(day, 7 * weeks)
                    continue
            periods = self._periods_of(day)
            if periods is None:
                break
            for period_start, period_end in periods:
                if period_end <= start:
                    continue
                begin = max(period_start, start)
                available = period_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day = _add_days(day, 1)
        raise ValueError(
            f"{duration} of working time after {start.isoformat()} ends past the supported dates"
        )

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time elapsed in ``[start, end)``; zero when ``end <= start``."""
        start = _as_utc(start, "start")
        end = _as_utc(end, "end")
        total = _ZERO
        if end <= start:
            return total
        week_open = self.weekly_open_time
        try:
            last_day = end.astimezone(self._zone).date()
        except OverflowError:
            last_day = date.max
        day = self._first_day(start)
        while day is not None:
            # Whole weeks whose periods all end before the local day before ``end``'s.
            whole_weeks = ((last_day - day).days - 2) // 7
            if whole_weeks > 0 and self._midnight_at_or_after(day, start):
                weeks = self._regular_weeks(day, whole_weeks)
                if weeks:
                    total += week_open * weeks
                    day = _add_days(day, 7 * weeks)
                    continue
            periods = self._periods_of(day)
            if periods is None:
                break
            for period_start, period_end in periods:
                if period_end <= start:
                    continue
                if period_start >= end:
                    return total
                total += min(period_end, end) - max(period_start, start)
            day = _add_days(day, 1)
        return total

    def open_periods(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The open periods within ``[start, end)``, clipped to it, as UTC ``(from, to)``.

        Touching intervals are merged into one period, so consecutive periods are always
        separated by closed time.
        """
        start = _as_utc(start, "start")
        end = _as_utc(end, "end")
        periods: list[tuple[datetime, datetime]] = []
        if end <= start:
            return periods
        for period_start, period_end in self._periods_from(start):
            if period_start >= end:
                break
            begin, finish = max(period_start, start), min(period_end, end)
            if periods and periods[-1][1] == begin:
                begin = periods.pop()[0]
            periods.append((begin, finish))
        return periods

    # --- internals --------------------------------------------------------------------

    def _intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The intervals that *start* on the local date ``day``."""
        if day in self.holidays:
            return ()
        override = self._override_map.get(day)
        if override is not None:
            return override
        return self.weekly[day.weekday()]

    def _wall_to_utc(self, wall: datetime) -> datetime:
        """The first instant at which the local clock shows the naive ``wall`` time or later.

        For ordinary and ambiguous (repeated) wall times this is the ``fold=0`` reading; for
        a wall time inside a spring-forward gap it is the instant of the jump.
        """
        zone = self._zone
        first = wall.replace(tzinfo=zone).astimezone(UTC)
        if first.astimezone(zone).replace(tzinfo=None) == wall:
            return first
        # In a gap. fold=0 applied the offset from before the jump, which lands after it;
        # fold=1 applies the offset from after the jump, which lands before it. The jump is
        # between the two, on a whole second: bisect for it (gaps are rare, this is cheap).
        low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
        high = first
        if low >= high:  # pragma: no cover - defensive; zoneinfo follows PEP 495
            return high
        low_s, high_s = int(low.timestamp()), int(high.timestamp())
        while high_s - low_s > 1:
            mid_s = (low_s + high_s) // 2
            shown = datetime.fromtimestamp(mid_s, zone).replace(tzinfo=None)
            if shown >= wall:
                high_s = mid_s
            else:
                low_s = mid_s
        return datetime.fromtimestamp(high_s, UTC)

    def _day_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """Real (UTC) ``(start, end)`` of the intervals starting on ``day``, cached."""
        cached = self._day_cache.get(day)
        if cached is not None:
            return cached
        midnight = datetime.combine(day, time())
        periods = []
        for interval in self._intervals_on(day):
            begin = self._wall_to_utc(midnight + timedelta(minutes=interval.start_minute))
            finish = self._wall_to_utc(midnight + timedelta(minutes=interval.end_minute))
            if finish > begin:  # empty when the interval lies wholly inside a DST gap
                periods.append((begin, finish))
        result = tuple(periods)
        if len(self._day_cache) >= _DAY_CACHE_LIMIT:
            self._day_cache.clear()
        self._day_cache[day] = result
        return result

    def _first_day(self, at: datetime) -> date | None:
        """The local day a walk from ``at`` starts on: the day before ``at``'s, because
        that day's night shift may still be running."""
        try:
            return at.astimezone(self._zone).date() - _ONE_DAY
        except OverflowError:
            return None

    def _periods_of(self, day: date) -> tuple[tuple[datetime, datetime], ...] | None:
        """``_day_periods``, or None past the supported dates."""
        try:
            return self._day_periods(day)
        except OverflowError:
            return None

    def _midnight_at_or_after(self, day: date, at: datetime) -> bool:
        """Whether every period of ``day`` starts at or after ``at``."""
        try:
            return self._wall_to_utc(datetime.combine(day, time())) >= at
        except OverflowError:
            return False

    def _regular_weeks(self, day: date, most: int) -> int:
        """How many whole weeks from local ``day`` on (at most ``most``) hold exactly
        ``weekly_open_time`` each: none of their days is a holiday or an override, and the
        UTC offset stays the same from ``day``'s midnight to the midnight two days after
        their last day (by then the last night shift has ended), so every interval lasts
        its nominal length. The offset is sampled once a week: clock changes are more than
        a week apart."""
        if most <= 0:
            return 0
        index = bisect_left(self._special_days, day)
        if index < len(self._special_days):
            most = min(most, (self._special_days[index] - day).days // 7)
        # Keep the checked days (up to ``day + 7 * weeks + 1``) inside the supported dates.
        most = min(most, ((date.max - day).days - 2) // 7)
        if most <= 0:
            return 0
        # Offsets are sampled at local Monday midnights (weeks counted from 0001-01-01, a
        # Monday), a chunk of them at a time, and remembered per zone: a whole chunk
        # found steady is skipped with one look-up.
        first_week = (day - _FIRST_MONDAY).days // 7
        steady_to = first_week  # the offset is the same from Monday ``first_week`` to here
        while (_monday(steady_to) - day).days - 1 < 7 * most:
            chunk = steady_to // _CHUNK_WEEKS
            if _steady_chunk(self._zone, chunk):
                steady_to = (chunk + 1) * _CHUNK_WEEKS
                continue
            # A clock change in this chunk: go week by week up to it.
            offset = _monday_offset(self._zone, first_week)
            while (_monday(steady_to) - day).days - 1 < 7 * most and _monday_offset(
                self._zone, steady_to + 1
            ) == offset:
                steady_to += 1
            break
        return max(0, min(most, ((_monday(steady_to) - day).days - 1) // 7))

    def _periods_from(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open periods ending after ``at``, in order, one interval at a time.

        Periods are not merged here, so a 24/7 calendar still yields one period a day
        instead of searching forever for the end of an endless one; touching periods are
        harmless to the callers because periods are half-open. Starts one local day early
        because the night shift of the day before may still be running. Endless in
        practice (the weekly hours are never empty); it stops only past ``date.max``.
        """
        try:
            day = at.astimezone(self._zone).date() - _ONE_DAY
        except OverflowError:
            return
        while True:
            try:
                periods = self._day_periods(day)
            except OverflowError:
                return
            for begin, finish in periods:
                if finish > at:
                    yield begin, finish
            if day == date.max:
                return
            day += _ONE_DAY


_FIRST_MONDAY = date(1, 1, 1)
_CHUNK_WEEKS = 1024  # about 20 years
_LAST_WEEK = (date.max - _FIRST_MONDAY).days // 7


def _monday(week: int) -> date:
    """The Monday of ``week`` (counted from 0001-01-01), held at the last one."""
    return _FIRST_MONDAY + timedelta(weeks=min(week, _LAST_WEEK))


def _monday_offset(zone: ZoneInfo, week: int) -> timedelta | None:
    """The UTC offset at local midnight starting ``week``; None past the supported dates
    (never equal to a real offset, so a steady run ends there)."""
    if week > _LAST_WEEK:
        return None
    try:
        return datetime.combine(_monday(week), time(), tzinfo=zone).utcoffset()
    except OverflowError:
        return None


@lru_cache(maxsize=65536)
def _steady_chunk(zone: ZoneInfo, chunk: int) -> bool:
    """Whether the zone's offset is the same at every Monday midnight of weeks
    ``chunk * _CHUNK_WEEKS`` to ``(chunk + 1) * _CHUNK_WEEKS`` (both ends included, so
    steady chunks in a row are steady together)."""
    first = chunk * _CHUNK_WEEKS
    if first + _CHUNK_WEEKS > _LAST_WEEK:
        return False
    try:
        base = datetime.combine(_monday(first), time(), tzinfo=zone)
        offsets = {(base + _ONE_WEEK * i).utcoffset() for i in range(_CHUNK_WEEKS + 1)}
    except OverflowError:
        return False
    return len(offsets) == 1


def _add_days(day: date, days: int) -> date | None:
    """``day`` plus ``days``, or None past the supported dates."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def _as_utc(value: datetime, name: str) -> datetime:
    """Refuse naive datetimes (their zone would be a guess) and normalise to UTC."""
    if not isinstance(value, datetime):
        raise ValueError(f"{name}: expected a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name}: expected an aware datetime, got naive {value.isoformat()}")
    return value.astimezone(UTC)
