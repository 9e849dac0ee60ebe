"""A demo organisation, so a newcomer has something to sign in to and look at."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from app.accounts import security
from app.accounts import service as accounts
from app.accounts.models import Organization, Team, TeamMember, User
from app.changelog import versions as changes
from app.extensions import db
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
    password = password or current_app.config.get("LEADSYNC_DEMO_PASSWORD")
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
        db.session.flush()
        _load_demo_pipeline(org.id)
        db.session.commit()
    return credentials


DEMO_PRODUCTS = (
    ("Industrial mixer M200", "MX-200", "12500.00"),
    ("Conveyor belt module", "CB-10", "3400.00"),
    ("Spare parts kit", "SP-KIT", "480.00"),
)
# (owner email, contact, company, phone, source, product index or None, value, priority,
#  hours until the next follow-up is due (negative: overdue), follow-up kind or None)
DEMO_LEADS = (
    (
        "robin@demo.leadsync.test",
        "Jonas Weber",
        "Weber Bau GmbH",
        "030 1234567",
        "website",
        0,
        "25000",
        "high",
        -3,
        None,
    ),
    (
        "robin@demo.leadsync.test",
        "Mia Schulz",
        "Schulz Logistik",
        "+49 40 555123",
        "trade_show",
        1,
        "6800",
        "normal",
        2,
        "call",
    ),
    (
        "robin@demo.leadsync.test",
        "Lukas Becker",
        None,
        "0171 2345678",
        "phone",
        None,
        None,
        "normal",
        26,
        "visit",
    ),
    (
        "riley@demo.leadsync.test",
        "Emma Fischer",
        "Fischer Foods AG",
        "089 987654",
        "marketplace",
        2,
        "960",
        "urgent",
        -1,
        None,
    ),
    (
        "riley@demo.leadsync.test",
        "Noah Wagner",
        "Wagner Metall",
        "0221 445566",
        "referral",
        0,
        "12500",
        "normal",
        48,
        "quote",
    ),
)


def _load_demo_pipeline(org_id) -> None:
    """A small catalogue and a few inquiries, some overdue, so every screen has something."""
    from datetime import timedelta
    from decimal import Decimal

    from app.database import utcnow
    from app.leads import service as leads

    people = {u.email: u for u in db.session.scalars(select(User))}
    admin = people["admin@demo.leadsync.test"]
    products = [
        leads.create_product(
            admin, {"name": name, "sku": sku, "list_price": Decimal(price), "currency": "EUR"}
        )
        for name, sku, price in DEMO_PRODUCTS
    ]
    now = utcnow()
    for (
        owner,
        contact,
        company,
        phone,
        source,
        product,
        value,
        priority,
        due_in,
        kind,
    ) in DEMO_LEADS:
        rep = people[owner]
        lead = leads.create_lead(
            rep,
            {
                "contact_name": contact,
                "company": company,
                "phone": phone,
                "source": source,
                "product_id": products[product].id if product is not None else None,
                "estimated_value": Decimal(value) if value else None,
                "currency": "EUR" if value else None,
                "priority": priority,
                "next_follow_up_at": now + timedelta(hours=due_in),
            },
        )
        if kind:
            leads.create_follow_up(
                rep,
                {
                    "lead_id": lead.id,
                    "kind": kind,
                    "note": f"First {kind} with {contact}.",
                    "happened_at": now,
                    "quoted_amount": Decimal(value) if kind == "quote" else None,
                },
            )
