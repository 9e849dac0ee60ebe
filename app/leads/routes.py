"""HTTP routes for leads, follow-ups and products: parse, call the service, commit, answer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask_login import login_required
from flask_smorest import Blueprint

from app.accounts.auth import acting_user
from app.changelog.wire import wire_value
from app.errors import ApiError
from app.extensions import db
from app.http import decode_key, encode_key, wire_response
from app.leads import schemas, service
from app.leads.wire import follow_up_wire, lead_wire, product_wire, stage_change_wire

leads_bp = Blueprint(
    "leads", __name__, url_prefix="/api/v1/leads", description="Leads and follow-ups"
)
products_bp = Blueprint(
    "products", __name__, url_prefix="/api/v1/products", description="Product catalogue"
)


def _lead_detail(actor, lead) -> dict:
    return {
        **lead_wire(lead),
        "follow_ups": [follow_up_wire(f) for f in service.follow_ups_of(actor, lead.id)],
    }


def _bad_page_key() -> ApiError:
    return ApiError(400, "bad_page_key", "The page key is not valid.", {"after": ["invalid"]})


def _page_key(token: str | None, sort: str):
    """Read ``after``: a key made by this listing with the same sort, or 400."""
    if token is None:
        return None
    key = decode_key(token)
    if not isinstance(key, list) or len(key) != 3 or key[0] != sort:
        raise _bad_page_key()
    _, value, last_id = key
    try:
        if value is None:
            if sort != "next_follow_up_at":  # the only sort whose column may be empty
                raise ValueError(value)
        else:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None:
                raise ValueError(value)
            value = value.astimezone(UTC)
        return value, uuid.UUID(last_id)
    except (TypeError, ValueError, OverflowError, AttributeError) as error:
        raise _bad_page_key() from error


def _next_after(next_key, sort: str) -> str | None:
    if next_key is None:
        return None
    value, last_id = next_key
    return encode_key([sort, value.isoformat() if value is not None else None, str(last_id)])


@leads_bp.route("", methods=["GET"])
@login_required
@leads_bp.arguments(schemas.LeadListQuerySchema, location="query")
@leads_bp.response(200, schemas.LeadPageSchema)
def list_leads(query):
    """Leads you may see: filtered, sorted, paged by keyset (send ``next_after`` as ``after``)."""
    filters = service.LeadFilters(
        **{
            k: query.get(k)
            for k in (
                "owner_id",
                "team_id",
                "stage",
                "source",
                "overdue",
                "created_from",
                "created_to",
                "q",
            )
        }
    )
    sort = query["sort"]
    page, next_key = service.list_leads(
        acting_user(), filters, sort, query["limit"], _page_key(query.get("after"), sort)
    )
    return wire_response(
        {"items": [lead_wire(lead) for lead in page], "next_after": _next_after(next_key, sort)}
    )


@leads_bp.route("", methods=["POST"])
@login_required
@leads_bp.arguments(schemas.LeadCreateSchema)
@leads_bp.response(201, schemas.LeadSchema)
def create_lead(data):
    """Capture an inquiry (the same rules as the ``lead.create`` mutation)."""
    lead = service.create_lead(acting_user(), data)
    db.session.commit()
    return wire_response(lead_wire(lead), 201)


@leads_bp.route("/<uuid:lead_id>", methods=["GET"])
@login_required
@leads_bp.response(200, schemas.LeadDetailSchema)
def get_lead(lead_id: uuid.UUID):
    """One lead with its follow-up timeline."""
    actor = acting_user()
    return wire_response(_lead_detail(actor, service.get_visible_lead(actor, lead_id)))


@leads_bp.route("/<uuid:lead_id>", methods=["PATCH"])
@login_required
@leads_bp.arguments(schemas.LeadUpdateSchema)
@leads_bp.response(200, schemas.LeadUpdateResultSchema)
def update_lead(data, lead_id: uuid.UUID):
    """Change fields (``lead.update``); with ``base_version``, fields changed since conflict."""
    lead, conflicts = service.update_lead(
        acting_user(), lead_id, data.get("base_version"), data["set"]
    )
    db.session.commit()
    return wire_response(
        {
            "lead": lead_wire(lead),
            "conflicts": [
                {"field": c.field, "server_value": wire_value(c.server_value)} for c in conflicts
            ],
        }
    )


@leads_bp.route("/<uuid:lead_id>/stage", methods=["POST"])
@login_required
@leads_bp.arguments(schemas.StageSchema)
@leads_bp.response(200, schemas.LeadSchema)
def set_stage(data, lead_id: uuid.UUID):
    """Move the lead along the pipeline (``lead.set_stage``): won needs a value, lost a reason."""
    lead = service.set_stage(
        acting_user(),
        lead_id,
        data["stage"],
        lost_reason=data.get("lost_reason"),
        won_value=data.get("won_value"),
        note=data.get("note"),
    )
    db.session.commit()
    return wire_response(lead_wire(lead))


@leads_bp.route("/<uuid:lead_id>/assign", methods=["POST"])
@login_required
@leads_bp.arguments(schemas.AssignSchema)
@leads_bp.response(200, schemas.LeadSchema)
def assign_lead(data, lead_id: uuid.UUID):
    """Give the lead to another person (team lead or admin; ``lead.assign``)."""
    lead = service.assign_lead(acting_user(), lead_id, data["owner_id"])
    db.session.commit()
    return wire_response(lead_wire(lead))


@leads_bp.route("/<uuid:lead_id>/followups", methods=["GET"])
@login_required
@leads_bp.response(200, schemas.FollowUpSchema(many=True))
def list_follow_ups(lead_id: uuid.UUID):
    return wire_response([follow_up_wire(f) for f in service.follow_ups_of(acting_user(), lead_id)])


@leads_bp.route("/<uuid:lead_id>/history", methods=["GET"])
@login_required
@leads_bp.response(200, schemas.StageChangeSchema(many=True))
def stage_history(lead_id: uuid.UUID):
    """The lead's stage changes, oldest first: when, from what, to what, and by whom."""
    return wire_response(
        [stage_change_wire(c) for c in service.stage_history(acting_user(), lead_id)]
    )


@leads_bp.route("/<uuid:lead_id>/followups", methods=["POST"])
@login_required
@leads_bp.arguments(schemas.FollowUpCreateSchema)
@leads_bp.response(201, schemas.FollowUpSchema)
def create_follow_up(data, lead_id: uuid.UUID):
    """Log a call, visit, message, email, quote or note (``followup.create``)."""
    follow_up = service.create_follow_up(acting_user(), {**data, "lead_id": lead_id})
    db.session.commit()
    return wire_response(follow_up_wire(follow_up), 201)


@products_bp.route("", methods=["GET"])
@login_required
@products_bp.arguments(schemas.ProductListQuerySchema, location="query")
@products_bp.response(200, schemas.ProductSchema(many=True))
def list_products(query):
    """The active catalogue (``include_inactive=true`` adds deactivated products)."""
    products = service.list_products(acting_user(), include_inactive=query["include_inactive"])
    return wire_response([product_wire(p) for p in products])


@products_bp.route("", methods=["POST"])
@login_required
@products_bp.arguments(schemas.ProductSchema)
@products_bp.response(201, schemas.ProductSchema)
def create_product(data):
    """Add a product to the catalogue (admin)."""
    product = service.create_product(acting_user(), data)
    db.session.commit()
    return wire_response(product_wire(product), 201)


@products_bp.route("/<uuid:product_id>", methods=["GET"])
@login_required
@products_bp.response(200, schemas.ProductSchema)
def get_product(product_id: uuid.UUID):
    return wire_response(product_wire(service.get_product(acting_user(), product_id)))


@products_bp.route("/<uuid:product_id>", methods=["PATCH"])
@login_required
@products_bp.arguments(schemas.ProductUpdateSchema)
@products_bp.response(200, schemas.ProductSchema)
def update_product(data, product_id: uuid.UUID):
    """Rename, reprice or deactivate a product (admin)."""
    product = service.update_product(acting_user(), product_id, data)
    db.session.commit()
    return wire_response(product_wire(product))


BLUEPRINTS = (leads_bp, products_bp)
