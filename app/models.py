"""Imports every model, so that Alembic and the ORM see all tables."""

from app.accounts.models import DeviceToken, Organization, Team, TeamMember, User
from app.leads.models import FollowUp, Lead, Product
from app.sync.models import ChangeCounter, SyncClient, Tombstone

__all__ = [
    "ChangeCounter",
    "DeviceToken",
    "FollowUp",
    "Lead",
    "Organization",
    "Product",
    "SyncClient",
    "Team",
    "TeamMember",
    "Tombstone",
    "User",
]
