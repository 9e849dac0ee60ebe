"""Business-hours calendar: worked examples in tables, then properties with hypothesis.

Local times in the tables are wall-clock times in the calendar's zone ("2026-03-06 17:55");
a trailing "Z" marks a UTC instant, used where the wall time would be ambiguous.
"""

from __future__ import annotations

import time as timer
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.business_time import (
    DEFAULT_EVENING_SHIFT,
    DEFAULT_SALES_HOURS,
    WEEKDAYS,
    BusinessCalendar,
    Interval,
)

WEEKDAYS_MON_FRI = WEEKDAYS[:5]


def hours(spec: str) -> list[dict[str, str]]:
    """ "08:00-12:00 13:00-17:00" -> the JSON interval list."""
    result = []
    for part in spec.split():
        start, end = part.split("-")
        result.append({"start": start, "end": end})
    return result


def make(
    tz: str,
    weekly: dict[str, str],
    holidays: tuple[str, ...] = (),
    overrides: dict[str, str] | None = None,
) -> BusinessCalendar:
    return BusinessCalendar.from_dict(
        {
            "timezone": tz,
            "weekly": {day: hours(spec) for day, spec in weekly.items()},
            "holidays": list(holidays),
            "overrides": {day: hours(spec) for day, spec in (overrides or {}).items()},
        }
    )


def every(days: tuple[str, ...], spec: str) -> dict[str, str]:
    return dict.fromkeys(days, spec)


CALENDARS: dict[str, BusinessCalendar] = {
    "sales": make("Europe/Berlin", every(WEEKDAYS_MON_FRI, "08:00-18:00")),
    "split": make("Europe/Berlin", every(WEEKDAYS_MON_FRI, "08:00-12:00 13:00-17:00")),
    "touching": make("Europe/Berlin", {"mon": "08:00-12:00 12:00-13:00"}),
    "holidays": make(
        "Europe/Berlin",
        every(WEEKDAYS_MON_FRI, "08:00-18:00"),
        holidays=("2026-12-25", "2026-12-26", "2027-01-01"),
        overrides={"2026-12-24": "08:00-12:00", "2026-12-27": "10:00-14:00", "2026-12-31": ""},
    ),
    "ny_sales": make("America/New_York", every(WEEKDAYS_MON_FRI, "09:00-17:00")),
    "evening": make("America/New_York", every(WEEKDAYS_MON_FRI, "18:00-02:00")),
    "evening_daily": make("America/New_York", every(WEEKDAYS, "18:00-02:00")),
    "night_chain": make("Europe/Berlin", {"mon": "18:00-02:00", "tue": "02:00-06:00"}),
    "berlin_night": make("Europe/Berlin", every(WEEKDAYS, "01:00-05:00")),
    "ny_night": make("America/New_York", every(WEEKDAYS, "01:00-05:00")),
    "berlin_gap": make("Europe/Berlin", {"sun": "02:00-04:00"}),
    "berlin_ambiguous": make("Europe/Berlin", {"sun": "02:30-03:30"}),
    "lord_howe": make("Australia/Lord_Howe", every(WEEKDAYS, "01:00-03:00")),
    "lord_howe_gap": make("Australia/Lord_Howe", {"sun": "02:00-02:30 02:40-03:00"}),
    "always": make("UTC", every(WEEKDAYS, "00:00-24:00")),
}


def instant(calendar: BusinessCalendar, text: str) -> datetime:
    """A UTC instant from a local wall time in the calendar's zone (or a "...Z" UTC time)."""
    if text.endswith("Z"):
        return datetime.fromisoformat(text)
    wall = datetime.fromisoformat(text)
    return wall.replace(tzinfo=ZoneInfo(calendar.timezone)).astimezone(UTC)


# --- add_business_time ------------------------------------------------------------------

ADD_CASES = [
    # The specification's example: Friday 17:55, 2-hour target, Mon-Fri 08:00-18:00.
    ("sales", "2026-03-06 17:55", timedelta(hours=2), "2026-03-09 09:55"),
    ("sales", "2026-03-07 12:00", timedelta(hours=1), "2026-03-09 09:00"),  # Saturday
    ("sales", "2026-03-09 07:00", timedelta(minutes=30), "2026-03-09 08:30"),  # before opening
    ("sales", "2026-03-09 10:00", timedelta(hours=3), "2026-03-09 13:00"),  # inside
    ("sales", "2026-03-09 10:00", timedelta(hours=8), "2026-03-09 18:00"),  # due at closing
    ("sales", "2026-03-09 10:00", timedelta(hours=8, minutes=1), "2026-03-10 08:01"),
    ("sales", "2026-03-09 18:00", timedelta(minutes=1), "2026-03-10 08:01"),  # after closing
    ("sales", "2026-03-09 08:00", timedelta(hours=30), "2026-03-11 18:00"),  # 3 business days
    ("sales", "2026-03-09 10:00", timedelta(seconds=1.5), "2026-03-09 10:00:01.500000"),
    ("sales", "2026-03-07 12:00", timedelta(0), "2026-03-07 12:00"),  # zero while closed
    ("sales", "2026-03-09 10:00", timedelta(0), "2026-03-09 10:00"),  # zero while open
    ("split", "2026-03-09 11:30", timedelta(hours=1), "2026-03-09 13:30"),  # over lunch
    ("split", "2026-03-09 12:30", timedelta(minutes=30), "2026-03-09 13:30"),  # in lunch
    ("split", "2026-03-09 16:00", timedelta(hours=2), "2026-03-10 09:00"),
    ("split", "2026-03-09 12:00", timedelta(hours=4), "2026-03-09 17:00"),
    ("touching", "2026-03-09 11:00", timedelta(hours=2), "2026-03-09 13:00"),
    # Christmas: the 24th is a half day, 25th/26th holidays, Sunday 27th an extra shift.
    ("holidays", "2026-12-24 11:00", timedelta(hours=2), "2026-12-27 11:00"),
    # New year: the 31st is closed by an override, the 1st a holiday, then a weekend.
    ("holidays", "2026-12-30 17:00", timedelta(hours=2), "2027-01-04 09:00"),
    ("holidays", "2026-12-25 09:00", timedelta(0), "2026-12-25 09:00"),
    # Evening shift 18:00-02:00: the part after midnight belongs to the evening before.
    ("evening", "2026-03-10 01:00", timedelta(minutes=30), "2026-03-10 01:30"),
    ("evening", "2026-03-10 01:30", timedelta(hours=1), "2026-03-10 18:30"),
    ("evening", "2026-03-14 01:00", timedelta(minutes=30), "2026-03-14 01:30"),  # Sat, Fri shift
    ("evening", "2026-03-14 03:00", timedelta(hours=1), "2026-03-16 19:00"),
    ("evening", "2026-03-15 23:00", timedelta(hours=1), "2026-03-16 19:00"),  # Sunday night
    ("evening", "2026-03-09 23:00", timedelta(hours=2), "2026-03-10 01:00"),  # over midnight
    ("evening", "2026-03-09 17:00", timedelta(hours=40), "2026-03-14 02:00"),  # whole week
    ("night_chain", "2026-03-09 23:00", timedelta(hours=5), "2026-03-10 04:00"),
    # DST, New York: 2026-03-08 springs forward at 02:00, 2026-11-01 falls back at 02:00.
    ("ny_sales", "2026-03-06 16:00", timedelta(hours=2), "2026-03-09 10:00"),
    ("ny_sales", "2026-10-30 16:00", timedelta(hours=2), "2026-11-02 10:00"),
    # The Saturday shift ends at 02:00, which does not exist on 03-08: it ends at the jump.
    ("evening_daily", "2026-03-07 18:00", timedelta(hours=8), "2026-03-08T07:00Z"),
    ("evening_daily", "2026-03-07 18:00", timedelta(hours=8, minutes=1), "2026-03-08 18:01"),
    # Saturday 10-31 18:00-02:00 is 9 real hours: 01:00-02:00 happens twice.
    ("evening_daily", "2026-10-31 18:00", timedelta(hours=9), "2026-11-01T07:00Z"),
    ("evening_daily", "2026-10-31 18:00", timedelta(hours=8), "2026-11-01T06:00Z"),
    ("ny_night", "2026-03-08 00:00", timedelta(hours=3), "2026-03-08 05:00"),
    ("ny_night", "2026-11-01 00:00", timedelta(hours=5), "2026-11-01 05:00"),
    # DST, Berlin: 2026-03-29 springs forward 02:00->03:00, 2026-10-25 falls back 03:00->02:00.
    ("berlin_night", "2026-03-29 01:00", timedelta(hours=3), "2026-03-29T03:00Z"),
    ("berlin_night", "2026-03-29 01:00", timedelta(hours=3, minutes=1), "2026-03-30 01:01"),
    ("berlin_night", "2026-10-25 01:00", timedelta(hours=5), "2026-10-25T04:00Z"),
    ("berlin_night", "2026-10-25 01:00", timedelta(hours=2), "2026-10-25T01:00Z"),
    ("berlin_night", "2026-10-25 01:00", timedelta(hours=5, minutes=1), "2026-10-26 01:01"),
    ("sales", "2026-03-27 17:00", timedelta(hours=2), "2026-03-30 09:00"),
    ("sales", "2026-10-23 17:00", timedelta(hours=2), "2026-10-26 09:00"),
    # 02:00 does not exist on 03-29: the interval starts at the jump (03:00 CEST = 01:00Z).
    ("berlin_gap", "2026-03-29 00:00", timedelta(minutes=30), "2026-03-29T01:30Z"),
    # 02:30 exists twice on 10-25: the first one (CEST, 00:30Z) opens the interval.
    ("berlin_ambiguous", "2026-10-25 00:00", timedelta(hours=1, minutes=30), "2026-10-25T02:00Z"),
    # Lord Howe Island moves its clocks by 30 minutes.
    ("lord_howe", "2026-10-04 00:00", timedelta(hours=1, minutes=30), "2026-10-04 03:00"),
    ("lord_howe", "2026-04-05 00:00", timedelta(hours=2, minutes=30), "2026-04-05 03:00"),
    ("always", "2026-03-09 10:00", timedelta(days=3), "2026-03-12 10:00"),
]


@pytest.mark.parametrize(
    ("name", "start", "duration", "expected"),
    [pytest.param(*case, id=f"{case[0]}:{case[1]}+{case[2]}") for case in ADD_CASES],
)
def test_add_business_time(name: str, start: str, duration: timedelta, expected: str) -> None:
    calendar = CALENDARS[name]
    begin = instant(calendar, start)
    due = calendar.add_business_time(begin, duration)
    assert due == instant(calendar, expected)
    assert due.tzinfo is UTC
    assert calendar.business_time_between(begin, due) == duration


def test_add_accepts_any_aware_zone_and_answers_in_utc() -> None:
    calendar = CALENDARS["sales"]
    start = datetime(2026, 3, 6, 17, 55, tzinfo=ZoneInfo("Europe/Berlin"))
    due = calendar.add_business_time(start, timedelta(hours=2))
    assert due == datetime(2026, 3, 9, 8, 55, tzinfo=UTC)
    assert due.utcoffset() == timedelta(0)


# --- business_time_between --------------------------------------------------------------

BETWEEN_CASES = [
    ("sales", "2026-03-06 17:00", "2026-03-09 09:00", timedelta(hours=2)),
    ("sales", "2026-03-09 12:00", "2026-03-09 12:00", timedelta(0)),
    ("sales", "2026-03-09 12:00", "2026-03-09 11:00", timedelta(0)),  # end before start
    ("sales", "2026-03-09 00:00", "2026-03-16 00:00", timedelta(hours=50)),
    ("sales", "2026-03-07 00:00", "2026-03-09 00:00", timedelta(0)),  # weekend
    ("split", "2026-03-09 00:00", "2026-03-10 00:00", timedelta(hours=8)),
    ("split", "2026-03-09 11:00", "2026-03-09 14:00", timedelta(hours=2)),
    ("holidays", "2026-12-21 00:00", "2027-01-04 00:00", timedelta(hours=68)),
    ("holidays", "2026-12-25 00:00", "2026-12-27 00:00", timedelta(0)),
    ("evening", "2026-03-14 00:00", "2026-03-15 00:00", timedelta(hours=2)),  # Friday's tail
    ("evening", "2026-03-09 00:00", "2026-03-16 00:00", timedelta(hours=40)),
    ("night_chain", "2026-03-09 00:00", "2026-03-11 00:00", timedelta(hours=12)),
    ("berlin_night", "2026-03-22 00:00", "2026-03-22 06:00", timedelta(hours=4)),
    ("berlin_night", "2026-03-29 00:00", "2026-03-29 06:00", timedelta(hours=3)),
    ("berlin_night", "2026-10-25 00:00", "2026-10-25 06:00", timedelta(hours=5)),
    ("ny_night", "2026-03-01 00:00", "2026-03-01 06:00", timedelta(hours=4)),
    ("ny_night", "2026-03-08 00:00", "2026-03-08 06:00", timedelta(hours=3)),
    ("ny_night", "2026-11-01 00:00", "2026-11-01 06:00", timedelta(hours=5)),
    ("evening_daily", "2026-03-07 12:00", "2026-03-08 12:00", timedelta(hours=8)),
    ("evening_daily", "2026-10-31 12:00", "2026-11-01 12:00", timedelta(hours=9)),
    ("berlin_gap", "2026-03-22 00:00", "2026-03-23 00:00", timedelta(hours=2)),
    ("berlin_gap", "2026-03-29 00:00", "2026-03-30 00:00", timedelta(hours=1)),
    ("berlin_ambiguous", "2026-10-18 00:00", "2026-10-19 00:00", timedelta(hours=1)),
    ("berlin_ambiguous", "2026-10-25 00:00", "2026-10-26 00:00", timedelta(hours=2)),
    ("lord_howe", "2026-10-04 00:00", "2026-10-04 06:00", timedelta(hours=1, minutes=30)),
    ("lord_howe", "2026-04-05 00:00", "2026-04-05 06:00", timedelta(hours=2, minutes=30)),
    # 02:00-02:30 lies inside Lord Howe's half-hour gap on 10-04: it does not happen.
    ("lord_howe_gap", "2026-10-04 00:00", "2026-10-05 00:00", timedelta(minutes=20)),
    ("lord_howe_gap", "2026-10-11 00:00", "2026-10-12 00:00", timedelta(minutes=50)),
    ("always", "2026-03-29 00:00", "2026-03-30 00:00", timedelta(hours=24)),
]


@pytest.mark.parametrize(
    ("name", "start", "end", "expected"),
    [pytest.param(*case, id=f"{case[0]}:{case[1]}..{case[2]}") for case in BETWEEN_CASES],
)
def test_business_time_between(name: str, start: str, end: str, expected: timedelta) -> None:
    calendar = CALENDARS[name]
    assert calendar.business_time_between(instant(calendar, start), instant(calendar, end)) == (
        expected
    )


# --- is_open and next_open --------------------------------------------------------------

OPEN_CASES = [
    # (calendar, at, is_open, next_open)
    ("sales", "2026-03-09 08:00", True, "2026-03-09 08:00"),
    ("sales", "2026-03-09 17:59:59.999999", True, "2026-03-09 17:59:59.999999"),
    ("sales", "2026-03-09 18:00", False, "2026-03-10 08:00"),  # half-open: closed at closing
    ("sales", "2026-03-09 07:59", False, "2026-03-09 08:00"),
    ("sales", "2026-03-07 12:00", False, "2026-03-09 08:00"),
    ("split", "2026-03-09 12:00", False, "2026-03-09 13:00"),
    ("split", "2026-03-09 13:00", True, "2026-03-09 13:00"),
    ("touching", "2026-03-09 12:00", True, "2026-03-09 12:00"),
    ("holidays", "2026-12-25 10:00", False, "2026-12-27 10:00"),
    ("holidays", "2026-12-24 12:00", False, "2026-12-27 10:00"),
    ("holidays", "2026-12-31 10:00", False, "2027-01-04 08:00"),
    ("evening", "2026-03-14 01:59", True, "2026-03-14 01:59"),
    ("evening", "2026-03-14 02:00", False, "2026-03-16 18:00"),
    ("evening", "2026-03-16 17:59", False, "2026-03-16 18:00"),
    ("evening", "2026-03-09 01:00", False, "2026-03-09 18:00"),  # Sunday's shift: none
    ("night_chain", "2026-03-10 02:00", True, "2026-03-10 02:00"),  # shifts touch at 02:00
    ("berlin_gap", "2026-03-29T00:59:59Z", False, "2026-03-29T01:00Z"),
    ("berlin_ambiguous", "2026-10-25T00:30Z", True, "2026-10-25T00:30Z"),
    ("berlin_ambiguous", "2026-10-25T02:30Z", False, "2026-11-01 02:30"),
    ("lord_howe_gap", "2026-10-03T15:30Z", False, "2026-10-03T15:40Z"),
]


@pytest.mark.parametrize(
    ("name", "at", "expected_open", "expected_next"),
    [pytest.param(*case, id=f"{case[0]}:{case[1]}") for case in OPEN_CASES],
)
def test_is_open_and_next_open(name: str, at: str, expected_open: bool, expected_next: str) -> None:
    calendar = CALENDARS[name]
    moment = instant(calendar, at)
    assert calendar.is_open(moment) is expected_open
    assert calendar.next_open(moment) == instant(calendar, expected_next)


def test_open_periods_merge_touching_intervals_and_clip() -> None:
    calendar = CALENDARS["night_chain"]
    start = instant(calendar, "2026-03-09 20:00")
    end = instant(calendar, "2026-03-10 12:00")
    assert calendar.open_periods(start, end) == [
        (start, instant(calendar, "2026-03-10 06:00")),
    ]
    assert calendar.open_periods(end, start) == []


# --- speed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (timedelta(hours=3 * 8), "2026-01-07 17:00"),  # 3 business days
        (timedelta(hours=10 * 52 * 40), "2035-12-21 17:00"),  # 520 weeks: a Friday at closing
    ],
)
def test_long_durations_go_interval_by_interval(duration: timedelta, expected: str) -> None:
    calendar = BusinessCalendar.from_dict({**DEFAULT_SALES_HOURS, "timezone": "Europe/Berlin"})
    start = instant(calendar, "2026-01-05 09:00")  # a Monday
    began = timer.perf_counter()
    due = calendar.add_business_time(start, duration)
    back = calendar.business_time_between(start, due)
    elapsed = timer.perf_counter() - began
    assert due == instant(calendar, expected)
    assert back == duration
    assert elapsed < 1.0, f"took {elapsed:.2f}s: not interval by interval?"


def test_duration_past_the_last_representable_date_is_a_value_error() -> None:
    calendar = CALENDARS["sales"]
    start = datetime(9999, 12, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="supported dates"):
        calendar.add_business_time(start, timedelta(days=365))


# --- construction, validation and the JSON form -----------------------------------------


def test_defaults_are_valid_canonical_json() -> None:
    sales = BusinessCalendar.from_dict(DEFAULT_SALES_HOURS)
    evening = BusinessCalendar.from_dict(DEFAULT_EVENING_SHIFT)
    assert sales.to_dict() == DEFAULT_SALES_HOURS
    assert evening.to_dict() == DEFAULT_EVENING_SHIFT
    monday = datetime(2026, 3, 9, tzinfo=UTC)
    week = monday + timedelta(days=7)
    assert sales.business_time_between(monday, week) == timedelta(hours=40)
    assert evening.business_time_between(monday, week) == timedelta(hours=35)  # 18-23 daily


@pytest.mark.parametrize("name", sorted(CALENDARS))
def test_json_round_trip(name: str) -> None:
    calendar = CALENDARS[name]
    again = BusinessCalendar.from_dict(calendar.to_dict())
    assert again == calendar
    assert hash(again) == hash(calendar)
    assert again.to_dict() == calendar.to_dict()


def test_interval_forms() -> None:
    night = Interval.parse("18:00", "02:00")
    assert (night.start_minute, night.end_minute) == (18 * 60, 26 * 60)
    assert night.crosses_midnight and str(night) == "18:00-02:00"
    assert night.nominal_length == timedelta(hours=8)
    full = Interval.parse("00:00", "24:00")
    assert full.to_dict() == {"start": "00:00", "end": "24:00"}
    assert Interval.parse("18:00", "00:00") == Interval.parse("18:00", "24:00")
    assert not Interval.parse("18:00", "00:00").crosses_midnight


def test_direct_construction_takes_sequences() -> None:
    weekly = [[Interval.parse("13:00", "17:00"), Interval.parse("08:00", "12:00")]] + [[]] * 6
    calendar = BusinessCalendar(
        "Europe/Berlin",
        weekly,  # type: ignore[arg-type]
        holidays={date(2026, 3, 16)},  # type: ignore[arg-type]
        overrides={date(2026, 3, 23): [Interval.parse("10:00", "11:00")]},  # type: ignore[arg-type]
    )
    assert calendar.weekly[0] == (
        Interval.parse("08:00", "12:00"),
        Interval.parse("13:00", "17:00"),
    )
    assert calendar == BusinessCalendar.from_dict(calendar.to_dict())


def _weekly(**days: str) -> dict[str, list[dict[str, str]]]:
    return {day: hours(spec) for day, spec in days.items()}


INVALID = [
    ({"timezone": "Mars/Olympus_Mons", "weekly": _weekly(mon="09:00-17:00")}, "unknown time zone"),
    ({"timezone": "", "weekly": _weekly(mon="09:00-17:00")}, "timezone"),
    ({"weekly": _weekly(mon="09:00-17:00")}, "timezone: required"),
    ({"timezone": "UTC", "weekly": _weekly(mon="8:00-17:00")}, r"weekly\.mon\[0\]\.start"),
    ({"timezone": "UTC", "weekly": _weekly(mon="09:00-25:00")}, r"weekly\.mon\[0\]\.end"),
    ({"timezone": "UTC", "weekly": _weekly(mon="09:60-17:00")}, "expected a time"),
    ({"timezone": "UTC", "weekly": _weekly(mon="24:00-02:00")}, r"\.start"),
    ({"timezone": "UTC", "weekly": _weekly(mon="09:00-09:00")}, "cannot be empty"),
    ({"timezone": "UTC", "weekly": {"mon": [{"start": 900, "end": "17:00"}]}}, "expected a time"),
    ({"timezone": "UTC", "weekly": {"mon": [{"start": "09:00"}]}}, "expected"),
    ({"timezone": "UTC", "weekly": {"mon": "09:00-17:00"}}, "expected a list"),
    ({"timezone": "UTC", "weekly": _weekly(mon="08:00-12:00 11:00-13:00")}, "overlaps"),
    ({"timezone": "UTC", "weekly": _weekly(mon="18:00-02:00", tue="01:00-05:00")}, "overlaps"),
    ({"timezone": "UTC", "weekly": _weekly(sun="22:00-02:00", mon="01:00-03:00")}, "overlaps"),
    ({"timezone": "UTC", "weekly": _weekly(monday="09:00-17:00")}, "unknown weekday"),
    ({"timezone": "UTC", "weekly": _weekly(mon="09:00-17:00"), "holiday": []}, "unknown keys"),
    ({"timezone": "UTC", "weekly": {}}, "at least one opening interval"),
    ({"timezone": "UTC", "weekly": [], "holidays": []}, "weekly"),
    (
        {"timezone": "UTC", "weekly": _weekly(mon="09:00-17:00"), "holidays": ["2026-13-01"]},
        r"holidays\[0\]",
    ),
    (
        {"timezone": "UTC", "weekly": _weekly(mon="09:00-17:00"), "holidays": ["26-01-01"]},
        "YYYY-MM-DD",
    ),
    (
        {
            "timezone": "UTC",
            "weekly": _weekly(mon="09:00-17:00"),
            "holidays": ["2026-03-09", "2026-03-09"],
        },
        "twice",
    ),
    (
        {
            "timezone": "UTC",
            "weekly": _weekly(mon="09:00-17:00"),
            "holidays": ["2026-03-09"],
            "overrides": {"2026-03-09": []},
        },
        "also a holiday",
    ),
    (
        # Monday's night shift runs into Tuesday 00:00-02:00; the override collides with it.
        {
            "timezone": "UTC",
            "weekly": _weekly(mon="18:00-02:00"),
            "overrides": {"2026-03-10": hours("01:00-03:00")},
        },
        r"overrides\.2026-03-10: 2026-03-09 18:00-02:00 overlaps 2026-03-10 01:00-03:00",
    ),
    (
        {
            "timezone": "UTC",
            "weekly": _weekly(tue="01:00-03:00"),
            "overrides": {"2026-03-09": hours("20:00-02:00")},
        },
        "overlaps",
    ),
    ("not a calendar", "expected an object"),
]


@pytest.mark.parametrize(("data", "message"), INVALID)
def test_invalid_calendars_are_value_errors(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.from_dict(data)  # type: ignore[arg-type]


def test_override_next_to_a_holiday_does_not_collide_with_the_cancelled_shift() -> None:
    # Monday 2026-03-09 is a holiday, so its night shift never spills into Tuesday.
    calendar = make(
        "UTC",
        {"mon": "18:00-02:00"},
        holidays=("2026-03-09",),
        overrides={"2026-03-10": "01:00-03:00"},
    )
    tuesday = datetime(2026, 3, 10, tzinfo=UTC)
    assert calendar.business_time_between(tuesday, tuesday + timedelta(days=1)) == timedelta(
        hours=2
    )


def test_holiday_keeps_the_shift_of_the_evening_before() -> None:
    calendar = make("UTC", every(WEEKDAYS_MON_FRI, "18:00-02:00"), holidays=("2026-03-10",))
    tuesday = datetime(2026, 3, 10, tzinfo=UTC)
    # Monday's shift still runs until Tuesday 02:00; Tuesday's own shift is cancelled.
    assert calendar.business_time_between(tuesday, tuesday + timedelta(days=1)) == timedelta(
        hours=2
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.add_business_time(datetime(2026, 3, 9, 10), timedelta(hours=1)), "naive"),
        (lambda c: c.add_business_time(datetime.now(UTC), timedelta(hours=-1)), "negative"),
        (lambda c: c.add_business_time(datetime.now(UTC), 3600), "timedelta"),
        (lambda c: c.business_time_between(datetime.now(UTC), datetime(2026, 3, 9)), "naive"),
        (lambda c: c.is_open("2026-03-09T10:00Z"), "expected a datetime"),
        (lambda c: c.next_open(datetime(2026, 3, 9, 10)), "naive"),
    ],
)
def test_bad_arguments_are_value_errors(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(CALENDARS["sales"])


# --- properties -------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the project
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ZONES = ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC", "Asia/Kolkata")

# Instants next to the 2026 clock changes of the zones above, where the edge cases live.
ANCHORS = tuple(
    datetime.fromisoformat(text)
    for text in (
        "2026-03-08T07:00Z",  # New York springs forward
        "2026-11-01T06:00Z",  # New York falls back
        "2026-03-29T01:00Z",  # Berlin springs forward
        "2026-10-25T01:00Z",  # Berlin falls back
        "2026-04-04T15:00Z",  # Lord Howe falls back (30 minutes)
        "2026-10-03T15:30Z",  # Lord Howe springs forward (30 minutes)
    )
)
SPECIAL_DATES = tuple(
    anchor.date() + timedelta(days=offset) for anchor in ANCHORS for offset in range(-2, 3)
)


SLOT = 30  # minutes: random intervals lie on a half-hour grid


def _interval_json(start: int, end: int) -> dict[str, str]:
    """Minutes after the owning day's midnight (end may be past 1440) -> JSON form."""
    return {
        "start": f"{start // 60:02d}:{start % 60:02d}",
        "end": "24:00" if end == 1440 else f"{end // 60 % 24:02d}:{end % 60:02d}",
    }


def _place(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """Add ``[start, end)`` unless it overlaps one already taken (greedy, no rejection)."""
    if any(start < other_end and other_start < end for other_start, other_end in taken):
        return False
    taken.append((start, end))
    return True


# Built once: constructing strategies inside the composite costs more than drawing from them.
_WEEKLY_TRIPLES = st.lists(
    st.tuples(st.integers(0, 6), st.integers(0, 47), st.integers(1, 16)), min_size=1, max_size=8
)
_OVERRIDE_PAIRS = st.lists(st.tuples(st.integers(16, 47), st.integers(1, 16)), max_size=3)
_SPECIAL_DAYS = st.sets(st.sampled_from(SPECIAL_DATES), max_size=3)
_ZONES = st.sampled_from(ZONES)


@st.composite
def random_calendars(draw: st.DrawFn) -> BusinessCalendar:
    """Random weekly hours (night shifts included), holidays and overrides near DST changes.

    Drawn as a few (day, start, length) triples and placed greedily, so every draw is a
    valid calendar: cheap to generate and nothing is rejected. Weekly intervals last at most
    8 hours, so a night shift ends by 07:30; override intervals lie within 08:00-24:00 and
    so never collide with the shift of the evening before.
    """
    week = 7 * 1440
    taken: list[tuple[int, int]] = []
    weekly: dict[str, list[dict[str, str]]] = {day: [] for day in WEEKDAYS}
    for day, first, length in draw(_WEEKLY_TRIPLES):
        start, end = first * SLOT, (first + length) * SLOT
        base = day * 1440
        # Check against the week before and after too: Sunday night runs into Monday.
        copies = [(base + shift + start, base + shift + end) for shift in (-week, 0, week)]
        if all(not any(s < e2 and s2 < e for s2, e2 in taken) for s, e in copies):
            taken.extend(copies)
            weekly[WEEKDAYS[day]].append(_interval_json(start, end))
    holidays = draw(_SPECIAL_DAYS)
    overrides: dict[str, list[dict[str, str]]] = {}
    for day in draw(_SPECIAL_DAYS) - holidays:
        placed: list[tuple[int, int]] = []
        for first, length in draw(_OVERRIDE_PAIRS):
            start, end = first * SLOT, min(first + length, 48) * SLOT
            _place(placed, start, end)
        overrides[day.isoformat()] = [_interval_json(s, e) for s, e in sorted(placed)]
    return BusinessCalendar.from_dict(
        {
            "timezone": draw(_ZONES),
            "weekly": weekly,
            "holidays": sorted(day.isoformat() for day in holidays),
            "overrides": overrides,
        }
    )


calendars = st.one_of(st.sampled_from(sorted(CALENDARS.values(), key=str)), random_calendars())

starts = st.one_of(
    st.builds(
        lambda anchor, seconds: anchor + timedelta(seconds=seconds),
        st.sampled_from(ANCHORS),
        st.integers(-4 * 86400, 4 * 86400),
    ),
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
)


def weekly_time(calendar: BusinessCalendar) -> timedelta:
    return sum(
        (interval.nominal_length for day in calendar.weekly for interval in day), timedelta(0)
    )


@st.composite
def durations(draw: st.DrawFn, calendar: BusinessCalendar) -> timedelta:
    """Zero, or up to about six weeks of this calendar's working time."""
    limit = int(weekly_time(calendar).total_seconds()) * 6
    kind = draw(st.sampled_from(["zero", "seconds", "micro"]))
    if kind == "zero":
        return timedelta(0)
    seconds = draw(st.integers(1, limit))
    micro = draw(st.integers(0, 999_999)) if kind == "micro" else 0
    return timedelta(seconds=seconds, microseconds=micro)


@PROPERTY_SETTINGS
@given(data=st.data(), calendar=calendars, start=starts)
def test_property_inverse(data: st.DataObject, calendar: BusinessCalendar, start: datetime) -> None:
    duration = data.draw(durations(calendar))
    due = calendar.add_business_time(start, duration)
    assert calendar.business_time_between(start, due) == duration
    # ... and it is the earliest such instant.
    if duration:
        assert calendar.business_time_between(start, due - timedelta(microseconds=1)) < duration


@PROPERTY_SETTINGS
@given(data=st.data(), calendar=calendars, start=starts)
def test_property_monotonic(
    data: st.DataObject, calendar: BusinessCalendar, start: datetime
) -> None:
    shorter, longer = sorted([data.draw(durations(calendar)), data.draw(durations(calendar))])
    assert calendar.add_business_time(start, shorter) <= calendar.add_business_time(start, longer)


@PROPERTY_SETTINGS
@given(data=st.data(), calendar=calendars, start=starts)
def test_property_deadline_is_start_or_in_an_open_period(
    data: st.DataObject, calendar: BusinessCalendar, start: datetime
) -> None:
    duration = data.draw(durations(calendar))
    due = calendar.add_business_time(start, duration)
    if not duration:
        assert due == start
        return
    assert due > start
    # Inside an open period, or exactly at its end: open just before the deadline.
    assert calendar.is_open(due - timedelta(microseconds=1))


@PROPERTY_SETTINGS
@given(data=st.data(), calendar=calendars, start=starts)
def test_property_additive(
    data: st.DataObject, calendar: BusinessCalendar, start: datetime
) -> None:
    first = data.draw(durations(calendar))
    second = data.draw(durations(calendar))
    assert calendar.add_business_time(
        calendar.add_business_time(start, first), second
    ) == calendar.add_business_time(start, first + second)


@PROPERTY_SETTINGS
@given(
    calendar=calendars,
    start=starts,
    first=st.integers(0, 10 * 86400),
    second=st.integers(0, 10 * 86400),
)
def test_property_between_splits_and_agrees_with_open_state(
    calendar: BusinessCalendar, start: datetime, first: int, second: int
) -> None:
    middle = start + timedelta(seconds=first)
    end = middle + timedelta(seconds=second)
    whole = calendar.business_time_between(start, end)
    assert whole == calendar.business_time_between(start, middle) + calendar.business_time_between(
        middle, end
    )
    assert whole == sum((b - a for a, b in calendar.open_periods(start, end)), timedelta(0))
    opening = calendar.next_open(start)
    assert opening >= start
    assert calendar.is_open(opening)
    assert calendar.business_time_between(start, opening) == timedelta(0)
    assert (opening == start) is calendar.is_open(start)


# --- bounded cost: whole weeks at once (issue 14, finding 9) ------------------------------

ONE_MINUTE_A_WEEK = make("UTC", {"mon": "09:00-09:01"})


def test_one_minute_a_week_jumps_whole_weeks_instead_of_walking_days() -> None:
    # Monday 2026-11-23 08:00 UTC; the calendar is open Mondays 09:00-09:01, one minute a
    # week. Minute n of work is the n-th Monday's minute, so 400,000 minutes end on the
    # Monday 399,999 weeks after this one, at 09:01: 2,799,993 days later. 7,666 Gregorian
    # years are 19 cycles of 146,097 days plus 66 years with 17 leap days, 2,799,950 days,
    # to 9692-11-23; 43 days more is Monday 9693-01-05.
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    began = timer.perf_counter()
    due = ONE_MINUTE_A_WEEK.add_business_time(start, timedelta(minutes=400_000))
    back = ONE_MINUTE_A_WEEK.business_time_between(start, due)
    elapsed = timer.perf_counter() - began
    assert due == datetime(2026, 11, 23, 9, 1, tzinfo=UTC) + timedelta(days=2_799_993)
    assert due.date() == date(9693, 1, 5)
    assert back == timedelta(minutes=400_000)
    assert elapsed < 0.5, f"took {elapsed:.2f}s: not week by week?"


def test_525600_minutes_at_one_minute_a_week_is_unreachable_and_says_so_quickly() -> None:
    # The finding: a 365-day target (525,600 minutes) in a one-minute-a-week calendar ends
    # 525,599 weeks (about 10,073 years) after 2026, past the year 9999. It used to take
    # 13.6 s to find that out, day by day.
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    began = timer.perf_counter()
    with pytest.raises(ValueError, match="supported dates"):
        ONE_MINUTE_A_WEEK.add_business_time(start, timedelta(minutes=525_600))
    elapsed = timer.perf_counter() - began
    assert elapsed < 0.5, f"took {elapsed:.2f}s"


def test_weeks_jumped_over_clock_changes_holidays_and_overrides_count_them() -> None:
    # Berlin, Mondays 09:00-10:00 and a Sunday night shift 23:30-00:30, across a year: the
    # jump must stop for the clock changes (29 March, 25 October 2026, both Sundays, where
    # the night shift is an ordinary wall-clock hour), a holiday Monday (6 April) and an
    # override (Monday 20 July 09:00-09:30).
    calendar = make(
        "Europe/Berlin",
        {"mon": "09:00-10:00", "sun": "23:30-00:30"},
        holidays=("2026-04-06",),
        overrides={"2026-07-20": "09:00-09:30"},
    )
    start = instant(calendar, "2026-01-05 00:00")  # a Monday
    # To Monday 4 January 2027 00:00: 52 Mondays (5 Jan to 28 Dec) less the holiday's hour
    # and half the override's, 50.5 h; the Sunday night shifts: the half hour after midnight
    # of 4/5 January 2026, 51 whole ones (11 January to 27 December) and the half hour
    # before midnight of 3/4 January 2027: 52 h. Together 102.5 h.
    end = instant(calendar, "2027-01-04 00:00")
    assert calendar.business_time_between(start, end) == timedelta(hours=102, minutes=30)
    # ... so 102.5 h are due at that midnight, and 102 h when the last Monday's hour ends.
    assert calendar.add_business_time(start, timedelta(hours=102, minutes=30)) == end
    assert calendar.add_business_time(start, timedelta(hours=102)) == instant(
        calendar, "2026-12-28 10:00"
    )


def _walked(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The deadline found period by period, with no jumps: the reference."""
    remaining = duration
    for period_start, period_end in calendar._periods_from(start):
        begin = max(period_start, start)
        if remaining <= period_end - begin:
            return begin + remaining
        remaining -= period_end - begin
    raise AssertionError("unreachable")


@PROPERTY_SETTINGS
@given(calendar=calendars, start=starts, weeks=st.integers(1, 120), extra=st.integers(0, 10**6))
def test_property_jumps_agree_with_the_period_walk(
    calendar: BusinessCalendar, start: datetime, weeks: int, extra: int
) -> None:
    # Up to two years and more: many regular weeks, clock changes and special days between.
    duration = weekly_time(calendar) * weeks + timedelta(seconds=extra)
    due = calendar.add_business_time(start, duration)
    assert due == _walked(calendar, start, duration)
    assert calendar.business_time_between(start, due) == duration
