"""Leads created together are written with one INSERT, not by the ORM's flush: they must be
stored exactly as a flush would store them, and be loaded and changed like any other lead."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.database import utcnow
from app.extensions import db
from app.leads import service
from app.leads.models import Lead
from app.tenancy import tenant

TABLE = Lead.__table__


def stored_row(lead_id: uuid.UUID) -> dict:
    return dict(db.session.execute(select(TABLE).where(TABLE.c.id == lead_id)).mappings().one())


def a_batch() -> list[dict]:
    return [
        {
            "id": uuid.uuid4(),
            "contact_name": "Ada Buyer",
            "company": "Buyer GmbH",
            "phone": "+49 30 1234567",
            "email": "Ada@Example.com",
            "region": "Berlin",
            "source": "website",
            "product_text": "Widgets",
            "quantity": Decimal("3.000"),
            "estimated_value": Decimal("900.50"),
            "currency": "EUR",
            "priority": "high",
            "notes": "Met at the fair.",
            "next_follow_up_at": utcnow() + timedelta(days=2),
        },
        {"id": uuid.uuid4(), "contact_name": "Only a name"},
        # the same email as the first: flagged as its possible duplicate
        {"id": uuid.uuid4(), "contact_name": "Ada again", "email": "ada@example.com"},
    ]


def test_leads_written_together_hold_what_a_flush_of_the_same_leads_writes(app, org):
    with app.app_context(), tenant(org.id):
        leads = service.create_leads(org.user(org.rep), a_batch())
        assert all(isinstance(lead, Lead) for lead in leads)
        assert leads[2].possible_duplicate_of == leads[0].id
        for lead in leads:
            # The same values, written by the ORM's flush under another id.
            copy = Lead(
                **{c.key: getattr(lead, c.key) for c in TABLE.columns if c.key != "id"},
                id=uuid.uuid4(),
            )
            db.session.add(copy)
            db.session.flush()
            written, flushed = stored_row(lead.id), stored_row(copy.id)
            written_change = json.loads(written.pop("wire_change"))
            flushed_change = json.loads(flushed.pop("wire_change"))
            assert written == {**flushed, "id": lead.id}
            assert written_change["data"]["sla"]["metric"] == "first_response"
            assert written_change == {
                **flushed_change,
                "id": str(lead.id),
                "data": {**flushed_change["data"], "id": str(lead.id)},
            }
        db.session.rollback()


def test_a_lead_written_together_can_be_changed_in_the_same_transaction(app, org):
    """As a follow-up pushed after its lead does: the lead is loaded and written back."""
    with app.app_context(), tenant(org.id):
        leads = service.create_leads(org.user(org.rep), a_batch())
        assert not any(lead in db.session for lead in leads)  # values of what was written
        stored = db.session.get(Lead, (org.id, leads[1].id))
        assert stored.contact_name == "Only a name" and stored.version == leads[1].version
        stored.company = "Changed GmbH"
        db.session.flush()
        row = stored_row(leads[1].id)
        assert row["company"] == "Changed GmbH"
        assert json.loads(row["wire_change"])["data"]["company"] == "Changed GmbH"
        db.session.rollback()


def test_a_rolled_back_savepoint_leaves_nothing_and_the_same_leads_can_be_written_again(app, org):
    """The one-by-one retry of a refused run writes the same ids again."""
    with app.app_context(), tenant(org.id):
        actor = org.user(org.rep)
        batch = a_batch()
        savepoint = db.session.begin_nested()
        first = service.create_leads(actor, batch)
        savepoint.rollback()
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 0

        savepoint = db.session.begin_nested()
        again = service.create_leads(actor, batch)
        savepoint.commit()
        assert [lead.id for lead in again] == [lead.id for lead in first]
        assert db.session.scalar(select(func.count()).select_from(Lead)) == len(batch)
        db.session.rollback()  # the transaction around the released savepoint
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 0
