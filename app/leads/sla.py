"""The lead's SLA clock: what starts, meets, pauses and restarts it, and how the SLA check
speaks of a lead.

Lead events (created, followed up, rescheduled, won/lost/reopened) are called by the leads
service inside its transaction. Importing this module registers the lead as a timed kind,
so ``app.sla.check.run_sla_check`` advances lead clocks and words their reminders here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.leads.models import CONTACT_KINDS, Lead
from app.sla import clock, events
from app.sla.timed import DefaultTarget, TimedKind, Wording, register_timed_kind


def reminder_wording(lead: Lead, milestone: str) -> Wording:
    """ "First response due soon: Ada (Acme)", "Follow-up overdue: …"; opens the lead."""
    who = lead.contact_name + (f" ({lead.company})" if lead.company else "")
    what = "First response" if lead.sla_metric == "first_response" else "Follow-up"
    news = "due soon" if milestone == "warning" else "overdue"
    return Wording(f"{what} {news}: {who}", f"/leads/{lead.id}")


LEAD = register_timed_kind(
    TimedKind(
        item_type="lead",
        model=Lead,
        calendar_kind="sales",
        owner_column="owner_id",
        team_column="team_id",
        wording=reminder_wording,
        # Sensible for a sales team when an organisation has set nothing: answer a new
        # inquiry within 2 business hours, follow up at least every 3 business days (of 8
        # hours), warn at 80 %.
        default_targets={
            "first_response": DefaultTarget(120, 0.8, escalate_after_minutes=120),
            "follow_up": DefaultTarget(3 * 8 * 60, 0.8, escalate_after_minutes=8 * 60),
        },
    )
)


def _clock_inputs(lead: Lead, metric: str, at: datetime) -> tuple:
    """Everything a lead's clock, started at ``at``, depends on (besides the policies and
    calendars, read once per transaction): leads alike in these get the same clock."""
    cap = lead.next_follow_up_at if metric == "follow_up" else None
    return (lead.org_id, metric, lead.priority, lead.source, lead.team_id, at, cap)


def _lead_clock(inputs: tuple) -> dict[str, Any]:
    """The clock columns for ``_clock_inputs``."""
    org_id, metric, priority, source, team_id, at, cap = inputs
    return events.new_clock(LEAD, org_id, metric, priority, source, team_id, at, cap)


def _start_lead_clock(lead: Lead, metric: str, at: datetime) -> None:
    events.start(LEAD, lead, _lead_clock(_clock_inputs(lead, metric, at)), at)


def leads_created(leads: list[Lead], at: datetime | None = None) -> None:
    """New inquiries must be answered: each lead's first-response clock starts at its
    creation (or at ``at``: an imported old inquiry's starts at the import). For leads
    written together (a push of leads captured offline) each clock is computed once per kind
    of lead (same priority, source, team and creation time: the same deadlines), and the
    "started" events are written with one INSERT."""
    clocks: dict[tuple, dict[str, Any]] = {}
    rows = []
    for lead in leads:
        start = at or lead.created_at
        inputs = _clock_inputs(lead, "first_response", start)
        if inputs not in clocks:
            clocks[inputs] = _lead_clock(inputs)
        clock.set_columns(lead, clocks[inputs])
        rows.append(events.event_row(LEAD.item_type, lead, "started", start))
    events.insert_rows(rows)


def restart_lead_clock(lead: Lead, at: datetime) -> None:
    """Start an open lead's clock afresh at ``at`` (after its past was imported): the
    follow-up cadence once it has been contacted, else the first response."""
    _start_lead_clock(lead, "follow_up" if lead.last_follow_up_at else "first_response", at)


def lead_followed_up(lead: Lead, kind: str, happened_at: datetime) -> None:
    """A contact meets the first-response clock (at its own time, however late it was
    synced) and starts the follow-up cadence from the latest contact."""
    if kind not in CONTACT_KINDS or lead.sla_state == "paused":
        if lead.sla_metric == "follow_up" and lead.sla_state not in ("paused", None):
            lead_rescheduled(lead)
        return
    if lead.sla_metric == "first_response" and lead.sla_met_at is None:
        events.meet(LEAD, lead, happened_at)
    _start_lead_clock(lead, "follow_up", lead.last_follow_up_at or happened_at)


def lead_rescheduled(lead: Lead) -> None:
    """``next_follow_up_at``, priority or source changed: same start, new deadline."""
    if lead.sla_state in (None, "paused", "met") or lead.sla_started_at is None:
        return
    _start_lead_clock(lead, lead.sla_metric, lead.sla_started_at)


def lead_stage_changed(lead: Lead, old_stage: str, now: datetime) -> None:
    """Won and lost pause the clock; reopening restarts it from now."""
    closed = ("won", "lost")
    if lead.stage in closed and old_stage not in closed:
        events.pause(LEAD, lead, now)
    elif old_stage in closed and lead.stage not in closed:
        _start_lead_clock(lead, "follow_up" if lead.last_follow_up_at else "first_response", now)
