"""A demo organisation, so a newcomer has something to sign in to and look at."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from app.accounts import security
from app.accounts import service as accounts
from app.accounts.models import Organization, Team, TeamMember, User
from app.extensions import db
from app.sync import changes
from app.tenancy import tenant

DEMO_PEOPLE = (
    ("admin", "Avery Admin", "admin@demo.leadsync.test"),
    ("lead", "Lee Lead", "lead@demo.leadsync.test"),
    ("rep", "Robin Rep", "robin@demo.leadsync.test"),
    ("rep", "Riley Rep", "riley@demo.leadsync.test"),
    ("cs", "Casey Service", "casey@demo.leadsync.test"),
)


@dataclass
class DemoCredential:
    role: str
    email: str
    password: str


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(Organization)) == 0


def load_demo_data(password: str | None = None) -> list[DemoCredential]:
    """Create the demo organisation; returns the sign-ins (passwords are not stored in clear).

    ``password`` (or ``LEADSYNC_DEMO_PASSWORD``) gives everyone one known password, for
    scripted demos; otherwise each person gets a fresh random one.
    """
    password = password or os.environ.get("LEADSYNC_DEMO_PASSWORD")
    org = accounts.create_organization(
        "Demo Trading Co.", default_country="DE", timezone="Europe/Berlin"
    )
    credentials = []
    with tenant(org.id):
        team = Team(org_id=org.id, name="Field Sales North")
        db.session.add(team)
        db.session.flush()
        for role, name, email in DEMO_PEOPLE:
            secret = password or secrets.token_urlsafe(9)
            user = User(
                org_id=org.id,
                email=email,
                name=name,
                role=role,
                password_hash=security.hash_password(secret),
            )
            changes.stamp(user)
            db.session.add(user)
            db.session.flush()
            if role in ("lead", "rep"):
                db.session.add(TeamMember(org_id=org.id, team_id=team.id, user_id=user.id))
            credentials.append(DemoCredential(role, email, secret))
        db.session.commit()
    return credentials
