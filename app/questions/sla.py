"""A question's first-reply clock, and the promise the consumer is given from it.

Every question waits for a reply from the desk: its ``first_reply`` clock starts when it is
asked (and again when the consumer writes after being answered), counted in the
organisation's **service calendar** (the evening shift) with the question's policy, and is
met by a staff reply that the consumer sees (a note does not count). Resolving stops it.
Importing this module registers the question as a timed kind, so the SLA check warns the
claim holder (or, unclaimed, the whole desk), marks breaches and escalates to the holder's
team leads (else the admins), exactly as for leads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from app.accounts import permissions
from app.accounts.models import Organization
from app.business_time import BusinessCalendar
from app.questions.models import Question
from app.sla import events
from app.sla.calendars import calendar_for
from app.sla.policies import resolve_target
from app.sla.timed import DefaultTarget, TimedKind, Wording, register_timed_kind

METRIC = "first_reply"


def reminder_wording(question: Question, milestone: str) -> Wording:
    """ "Reply due soon: Ada Lovelace", "Reply overdue: …"; opens the question."""
    news = "due soon" if milestone == "warning" else "overdue"
    return Wording(f"Reply {news}: {question.name}", f"/questions/{question.id}")


QUESTION = register_timed_kind(
    TimedKind(
        item_type="question",
        model=Question,
        calendar_kind="service",
        owner_column="claimed_by",
        team_column="team_id",
        wording=reminder_wording,
        # A consumer writing in the evening should hear back within half an hour of the
        # shift; warn at 80 %, escalate after another half hour.
        default_targets={METRIC: DefaultTarget(30, 0.8, escalate_after_minutes=30)},
        unowned_audience=permissions.desk_staff,
    )
)


def _start(question: Question, at: datetime) -> None:
    columns = events.new_clock(QUESTION, question.org_id, METRIC, None, None, None, at)
    events.start(QUESTION, question, columns, at)


def question_asked(question: Question, at: datetime) -> None:
    """A new question waits for its first reply from now."""
    _start(question, at)


def consumer_wrote(question: Question, at: datetime) -> None:
    """The consumer wrote again: if the desk had answered (or resolved it), a reply is owed
    again from now; if a reply is owed already, its deadline stands."""
    if question.sla_state in (None, "met", "paused"):
        _start(question, at)


def staff_replied(question: Question, at: datetime) -> None:
    """A reply the consumer sees meets the clock (however late)."""
    if question.sla_metric == METRIC and question.sla_state not in (None, "met", "paused"):
        events.meet(QUESTION, question, at)


def resolved(question: Question, at: datetime) -> None:
    """Nothing is owed until the consumer writes again."""
    if question.sla_state not in (None, "met", "paused"):
        events.pause(QUESTION, question, at)


# --- the promise ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Promise:
    """When the consumer may expect a reply, in the organisation's words and time.

    ``state``: ``"promised"`` (a reply is owed by ``due_at``), ``"late"`` (it was owed by
    ``due_at`` and has not come: the page says so), or ``"none"`` (nothing is owed now)."""

    state: str
    due_at: datetime | None
    text: str


def _day_words(day: datetime, today: datetime) -> str:
    days = (day.date() - today.date()).days
    if days == 0:
        return "tonight" if day.hour >= 17 else "today"
    if days == 1:
        return "tomorrow"
    if days < 7:
        return f"on {day.strftime('%A')}"
    return f"on {day.day} {day.strftime('%b')}"


def promise_text(calendar: BusinessCalendar, zone: ZoneInfo, now: datetime, due: datetime) -> str:
    """ "We reply by 21:40 tonight." while the desk is open; when it is closed, when it
    opens: "We reply tomorrow from 18:00 (by 18:30 at the latest).\""""
    local_now, local_due = now.astimezone(zone), due.astimezone(zone)
    if calendar.is_open(now):
        return f"We reply by {local_due:%H:%M} {_day_words(local_due, local_now)}."
    opens = calendar.next_open(now).astimezone(zone)
    return (
        f"Our desk is closed now. We reply {_day_words(opens, local_now)} from {opens:%H:%M}"
        f" (by {local_due:%H:%M} at the latest)."
    )


def _desk(org: Organization) -> tuple[BusinessCalendar, ZoneInfo]:
    calendar = calendar_for(org, QUESTION.calendar_kind)
    return calendar, ZoneInfo(calendar.timezone or org.timezone or "UTC")


def promise_for_new(org: Organization, now: datetime) -> Promise:
    """What the form tells a consumer before they ask: the deadline a question asked now
    would get."""
    target = resolve_target(org.id, QUESTION.item_type, METRIC, None, None)
    calendar, zone = _desk(org)
    due = calendar.add_business_time(now, target.target)
    return Promise("promised", due, promise_text(calendar, zone, now, due))


def promise_of(question: Question, org: Organization, now: datetime) -> Promise:
    """What the conversation page tells the consumer: the reply owed and by when, or that
    it is late — the promise kept or visibly broken."""
    due = question.sla_due_at
    if question.sla_state in (None, "met", "paused") or due is None:
        return Promise("none", None, "")
    calendar, zone = _desk(org)
    if now >= due:
        local_due = due.astimezone(zone)
        when = _day_words(local_due, now.astimezone(zone))
        return Promise(
            "late",
            due,
            f"We promised a reply by {local_due:%H:%M} {when} and are late. Sorry — "
            "your question is at the top of our list.",
        )
    return Promise("promised", due, promise_text(calendar, zone, now, due))

