"""SLA policies and business calendars as devices hold them: a phone computes the same
deadline offline, in the same hours, as the server will."""

from __future__ import annotations

from app.changelog.registry import SyncedEntity, everyone, never_deleted
from app.sla.models import Calendar, SlaPolicy
from app.sla.wire import calendar_wire, policy_wire

SLA_POLICY = SyncedEntity("sla_policy", SlaPolicy, everyone, never_deleted, policy_wire)

# Every calendar of the organisation is for everyone in it: which one counts a lead's
# deadline depends on the lead's team (its own calendar, else the organisation's), and a
# person handles leads of teams not their own (customer service hands leads to anyone, an
# owner may move teams, a team lead sees several). Working hours are no secret, and an
# organisation has a handful. No API removes a calendar (a team keeps its own until the
# team is gone, and then no lead names it), so none is ever deleted on a device.
CALENDAR = SyncedEntity("calendar", Calendar, everyone, never_deleted, calendar_wire)
