"""Quiet hours: when a person may be told of a milestone."""

from __future__ import annotations

from datetime import datetime

from app.accounts import permissions
from app.accounts.models import Organization, User
from app.business_time import BusinessCalendar
from app.sla.calendars import calendar_for, calendar_of


def user_calendar(user: User, org: Organization) -> BusinessCalendar:
    """A person's working hours: their own, else their team's or organisation's hours of
    their work (the service shift for customer service, else office hours)."""
    if user.working_hours:
        return calendar_of(user.working_hours)
    kind = "service" if permissions.works_service_shift(user) else "sales"
    return calendar_for(org, kind, user.team_ids[0] if user.team_ids else None)


def send_time(user: User, org: Organization, now: datetime, *, any_hour: bool = False) -> datetime:
    """Now if the person is working, else the start of their next working period."""
    if any_hour:
        return now
    hours = user_calendar(user, org)
    return now if hours.is_open(now) else hours.next_open(now)
