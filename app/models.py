"""Imports every model, so that Alembic and the ORM see all tables."""

from app.accounts.models import DeviceToken, Organization, Team, TeamMember, User
from app.changelog.models import ChangeCounter, Tombstone
from app.leads.models import FollowUp, Lead, Product
from app.push.models import DeliveryAttempt, PushSubscription, Reminder
from app.scheduler.models import JobRun, SchedulerLease
from app.sla.models import Calendar, SlaEvent, SlaPolicy
from app.sync.models import SyncClient

__all__ = [
    "Calendar",
    "ChangeCounter",
    "DeliveryAttempt",
    "DeviceToken",
    "FollowUp",
    "JobRun",
    "Lead",
    "Organization",
    "Product",
    "PushSubscription",
    "Reminder",
    "SchedulerLease",
    "SlaEvent",
    "SlaPolicy",
    "SyncClient",
    "Team",
    "TeamMember",
    "Tombstone",
    "User",
]
