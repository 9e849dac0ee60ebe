"""Imports every model, so that Alembic and the ORM see all tables."""

from app.accounts.models import DeviceToken, Organization, Team, TeamMember, User

__all__ = ["DeviceToken", "Organization", "Team", "TeamMember", "User"]
