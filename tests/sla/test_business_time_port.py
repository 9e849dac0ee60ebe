"""The device's business time (pwa/src/sync/business-time.js) is the server's
(app/business_time.py), to the millisecond.

Thousands of generated cases — calendars in zones with daylight saving (also half-hour and
45-minute offsets, and a half-hour DST shift), lunch breaks, night shifts past midnight,
full days, holidays and per-date overrides; starts inside and outside the hours, on and
around the days the clocks change — are computed by both, and every answer must agree. The
JS runs under node as the browser runs it (pwa_node), with a device zone of its own.
"""

from __future__ import annotations

import functools
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.business_time import DEFAULT_SALES_HOURS, WEEKDAYS, BusinessCalendar
from app.sla.clock import Target, started
from tests.sla import pwa_node

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MS = timedelta(milliseconds=1)
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "America/St_Johns",  # -03:30, DST
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kathmandu",  # +05:45, no DST
    "Asia/Shanghai",
    "Europe/London",
    "Pacific/Auckland",
    "UTC",
]
FIRST, LAST = datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 12, 31, tzinfo=UTC)


def ms_of(t: datetime) -> int:
    whole, rest = divmod(t - EPOCH, ONE_MS)
    assert rest == timedelta(0), f"{t} is not a whole millisecond"
    return whole


def at_ms(value: int) -> datetime:
    return EPOCH + value * ONE_MS


def hhmm(minute: int) -> str:
    return "24:00" if minute == 1440 else f"{minute // 60 % 24:02d}:{minute % 60:02d}"


def random_day(rng: random.Random) -> list[dict[str, str]]:
    shape = rng.random()
    if shape < 0.2:
        return []
    if shape < 0.27:
        return [{"start": "00:00", "end": "24:00"}]
    step = rng.choice((1, 15, 30, 60))
    count = rng.choice((1, 1, 2, 2, 3))
    # Often in the small hours, where clocks change (a wall time skipped or shown twice).
    hours = range(0, 5 * 60, 30) if rng.random() < 0.35 else range(0, 1440, step)
    points = sorted(rng.sample(hours, count * 2))
    intervals = [
        {"start": hhmm(points[i]), "end": hhmm(points[i + 1])} for i in range(0, len(points), 2)
    ]
    if rng.random() < 0.2:  # a night shift: the last interval runs past midnight
        last = intervals[-1]
        start = int(last["start"][:2]) * 60 + int(last["start"][3:])
        intervals[-1] = {"start": last["start"], "end": hhmm((start + rng.randint(60, 600)) % 1440)}
    return intervals


def random_calendar(rng: random.Random) -> BusinessCalendar:
    while True:
        definition = {
            "timezone": rng.choice(ZONES),
            "weekly": {day: random_day(rng) for day in WEEKDAYS},
            "holidays": [],
            "overrides": {},
        }
        days = [FIRST.date() + timedelta(days=rng.randrange((LAST - FIRST).days)) for _ in range(6)]
        definition["holidays"] = sorted({d.isoformat() for d in days[:3]})
        for day in days[3:]:
            if day.isoformat() not in definition["holidays"]:
                definition["overrides"][day.isoformat()] = random_day(rng)
        try:
            return BusinessCalendar.from_dict(definition)
        except ValueError:
            continue  # overlapping hours or none at all: draw again


@functools.cache
def transitions(zone: str) -> list[datetime]:
    """The instants the zone's clocks change within the range (to the hour, then exact)."""
    tz = ZoneInfo(zone)
    found = []
    t = FIRST
    offset = t.astimezone(tz).utcoffset()
    while t < LAST:
        nxt = t + timedelta(hours=1)
        if nxt.astimezone(tz).utcoffset() != offset:
            low, high = t, nxt
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                if mid.astimezone(tz).utcoffset() == offset:
                    low = mid
                else:
                    high = mid
            found.append(high.replace(microsecond=0))
            offset = nxt.astimezone(tz).utcoffset()
        t = nxt
    return found


def cases(seed: int, calendars: int) -> list[dict]:
    rng = random.Random(seed)
    changes = {zone: transitions(zone) for zone in ZONES}
    out = []
    for _ in range(calendars):
        calendar = random_calendar(rng)
        near = changes[calendar.timezone] + [
            datetime.fromisoformat(d).replace(tzinfo=ZoneInfo(calendar.timezone)).astimezone(UTC)
            for d in [
                *(str(h) for h in calendar.holidays),
                *(str(d) for d, _ in calendar.overrides),
            ]
        ]
        for _ in range(12):
            if near and rng.random() < 0.6:
                start = rng.choice(near) + timedelta(minutes=rng.randint(-36 * 60, 36 * 60))
            else:
                start = FIRST + timedelta(
                    minutes=rng.randrange(int((LAST - FIRST).total_seconds() // 60))
                )
            if rng.random() < 0.3:
                start += timedelta(milliseconds=rng.randrange(60_000))
            minutes = rng.choice((0, 1, 30, 120, 480, 1440, 3 * 8 * 60, rng.randint(1, 9000)))
            out.append(
                {
                    "definition": calendar.to_dict(),
                    "start": ms_of(start),
                    "duration": minutes * 60_000,
                    "end": ms_of(start + timedelta(minutes=rng.randint(0, 20_000))),
                    "ratio": rng.choice((0.05, 0.5, 0.8, 0.9, 1.0, 0.33)),
                    "cap": ms_of(start + timedelta(minutes=rng.randint(-600, 6000)))
                    if rng.random() < 0.5
                    else None,
                }
            )
    return out


NODE_SCRIPT = """
import { BusinessCalendar } from 'PWA_SRC/sync/business-time.js';
import { startedClock } from 'PWA_SRC/sync/leads.js';
const out = input.map((c) => {
  const cal = new BusinessCalendar(c.definition);
  const ctx = {
    calendars: [{ id: 'c', kind: 'sales', team_id: null, definition: c.definition }],
    policies: [{ id: 'p', item_type: 'lead', metric: 'follow_up', priority: null, source: null,
                 target_minutes: c.duration / 60000, warn_ratio: c.ratio, active: true }],
    timezone: 'UTC',
  };
  const lead = { priority: 'normal', source: 'phone', team_id: null };
  const at = new Date(c.start).toISOString();
  const cap = c.cap == null ? null : new Date(c.cap).toISOString();
  const clock = startedClock(lead, 'follow_up', at, ctx, cap);
  return {
    add: cal.addBusinessTime(c.start, c.duration),
    between: cal.businessTimeBetween(c.start, c.end),
    next: cal.nextOpen(c.start),
    due: Date.parse(clock.due_at),
    warn: Date.parse(clock.warn_at),
  };
});
print(out);
"""


def python_answers(case: dict) -> dict:
    calendar = BusinessCalendar.from_dict(case["definition"])
    start = at_ms(case["start"])
    duration = timedelta(milliseconds=case["duration"])
    clock = started(
        Target("follow_up", duration, case["ratio"], None),
        calendar,
        start,
        at_ms(case["cap"]) if case["cap"] is not None else None,
    )
    return {
        "add": ms_of(calendar.add_business_time(start, duration)),
        "between": (calendar.business_time_between(start, at_ms(case["end"]))) // ONE_MS,
        "next": ms_of(calendar.next_open(start)),
        "due": ms_of(clock["sla_due_at"]),
        # Python keeps microseconds (warn_ratio × span); the wire and the device milliseconds.
        "warn": (clock["sla_warn_at"] - EPOCH) / ONE_MS,
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_device_counts_business_time_as_the_server_does(tmp_path, seed):
    generated = cases(seed, calendars=80)
    device = pwa_node.run(tmp_path, NODE_SCRIPT, generated)
    mismatches = []
    for case, answer in zip(generated, device, strict=True):
        server = python_answers(case)
        warn_ok = abs(answer["warn"] - server["warn"]) <= 1
        if {k: v for k, v in answer.items() if k != "warn"} != {
            k: v for k, v in server.items() if k != "warn"
        } or not warn_ok:
            mismatches.append((case, server, answer))
    assert not mismatches, f"{len(mismatches)} of {len(generated)} differ; first: {mismatches[0]}"


def test_the_comparison_is_not_vacuous(tmp_path):
    """The device's answer follows the calendar it is given: hours read in another zone
    (Tokyo for Berlin) give other answers, which the comparison above would catch."""
    weekdays = {day: [{"start": "09:00", "end": "17:00"}] for day in WEEKDAYS[:5]}
    case = {
        "definition": {"timezone": "Europe/Berlin", "weekly": weekdays},
        "start": ms_of(datetime(2026, 11, 30, 15, 0, tzinfo=UTC)),  # Monday 16:00 in Berlin
        "duration": 2 * 3_600_000,
        "end": ms_of(datetime(2026, 12, 1, 15, 0, tzinfo=UTC)),
        "ratio": 0.8,
        "cap": None,
    }
    tokyo = {**case, "definition": {**case["definition"], "timezone": "Asia/Tokyo"}}
    right, wrong = pwa_node.run(tmp_path, NODE_SCRIPT, [case, tokyo])
    server = python_answers(case)
    assert right["add"] == server["add"] == ms_of(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    assert wrong["add"] != server["add"]


def test_the_default_hours_and_targets_are_the_servers(tmp_path):
    script = """
import { DEFAULT_SALES_HOURS } from 'PWA_SRC/sync/business-time.js';
import { DEFAULT_TARGETS } from 'PWA_SRC/sync/leads.js';
print({ hours: DEFAULT_SALES_HOURS, targets: DEFAULT_TARGETS });
"""
    from app.sla.timed import timed_kinds

    device = pwa_node.run(tmp_path, script, None)
    assert device["hours"] == DEFAULT_SALES_HOURS
    # Every timed kind's defaults (a lead's two clocks, a question's first reply).
    assert device["targets"] == {
        metric: {"target_minutes": t.target_minutes, "warn_ratio": t.warn_ratio}
        for kind in timed_kinds()
        for metric, t in kind.default_targets.items()
    }


def test_generated_cases_cover_what_they_claim():
    """The generator really makes starts on the days clocks change, night shifts and
    holidays: otherwise the comparison above proves less than it says."""
    generated = cases(1, calendars=80)
    zones = {c["definition"]["timezone"] for c in generated}
    assert {"Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham"} <= zones
    night = any(
        i["end"] <= i["start"] and i["end"] != "24:00"
        for c in generated
        for day in c["definition"]["weekly"].values()
        for i in day
    )
    assert night
    berlin_changes = transitions("Europe/Berlin")
    assert any(
        abs(at_ms(c["start"]) - t) < timedelta(hours=36)
        for c in generated
        if c["definition"]["timezone"] == "Europe/Berlin"
        for t in berlin_changes
    )
    assert all(c["definition"]["holidays"] for c in generated)
    assert date(2025, 1, 1) <= min(at_ms(c["start"]).date() for c in generated)
