"""HTTP routes of the spend ledger: parse, call the service, commit, answer."""

from __future__ import annotations

import uuid

from flask_login import login_required
from flask_smorest import Blueprint

from app.accounts.auth import acting_user
from app.accounts.models import Organization
from app.extensions import db
from app.http import wire_response
from app.spend import schemas, service
from app.spend.wire import spend_wire

spend_bp = Blueprint(
    "spend", __name__, url_prefix="/api/v1/spend", description="Marketing spend per channel"
)


def _currency(actor) -> str:
    return db.session.get(Organization, actor.org_id).currency


@spend_bp.route("", methods=["GET"])
@login_required
@spend_bp.arguments(schemas.SpendQuerySchema, location="query")
@spend_bp.response(200, schemas.SpendSchema(many=True))
def list_spend(query):
    """Spend entries, newest day first (``from``/``to``: local days, inclusive)."""
    actor = acting_user()
    entries = service.list_spend(actor, query.get("from_"), query.get("to"), query.get("source"))
    currency = _currency(actor)
    return wire_response([spend_wire(e, currency) for e in entries])


@spend_bp.route("", methods=["POST"])
@login_required
@spend_bp.arguments(schemas.SpendCreateSchema)
@spend_bp.response(201, schemas.SpendSchema)
def create_spend(data):
    actor = acting_user()
    entry = service.create_spend(actor, data)
    db.session.commit()
    return wire_response(spend_wire(entry, _currency(actor)), 201)


@spend_bp.route("/<uuid:entry_id>", methods=["PATCH"])
@login_required
@spend_bp.arguments(schemas.SpendFieldsSchema)
@spend_bp.response(200, schemas.SpendSchema)
def update_spend(data, entry_id: uuid.UUID):
    actor = acting_user()
    entry = service.update_spend(actor, entry_id, data)
    db.session.commit()
    return wire_response(spend_wire(entry, _currency(actor)))


@spend_bp.route("/<uuid:entry_id>", methods=["DELETE"])
@login_required
@spend_bp.response(204)
def delete_spend(entry_id: uuid.UUID):
    service.delete_spend(acting_user(), entry_id)
    db.session.commit()


BLUEPRINTS = (spend_bp,)
