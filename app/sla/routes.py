"""HTTP routes for SLA policies and business-hours calendars."""

from __future__ import annotations

import uuid

from flask_login import login_required
from flask_smorest import Blueprint

from app.accounts.auth import acting_user
from app.extensions import db
from app.http import wire_response
from app.sla import calendars, policies, schemas
from app.sla.preview import preview_deadline
from app.sla.wire import calendar_wire, policy_wire

sla_bp = Blueprint(
    "sla", __name__, url_prefix="/api/v1/sla", description="SLA policies and calendars"
)


@sla_bp.route("/policies", methods=["GET"])
@login_required
@sla_bp.response(200, schemas.SlaPolicySchema(many=True))
def list_policies():
    """The organisation's SLA policies (targets per metric, priority and source)."""
    return wire_response([policy_wire(p) for p in policies.list_policies(acting_user())])


@sla_bp.route("/policies", methods=["POST"])
@login_required
@sla_bp.arguments(schemas.SlaPolicySchema)
@sla_bp.response(201, schemas.SlaPolicySchema)
def create_policy(data):
    """Add a policy (admin or team lead); the most specific matching policy wins."""
    policy = policies.create_policy(acting_user(), data)
    db.session.commit()
    return wire_response(policy_wire(policy), 201)


@sla_bp.route("/policies/<uuid:policy_id>", methods=["PATCH"])
@login_required
@sla_bp.arguments(schemas.SlaPolicyUpdateSchema)
@sla_bp.response(200, schemas.SlaPolicySchema)
def update_policy(data, policy_id: uuid.UUID):
    """Change a policy's target, warning, escalation or activity (admin or team lead)."""
    policy = policies.update_policy(acting_user(), policy_id, data)
    db.session.commit()
    return wire_response(policy_wire(policy))


@sla_bp.route("/calendars", methods=["GET"])
@login_required
@sla_bp.response(200, schemas.CalendarSchema(many=True))
def list_calendars():
    """Business-hours calendars: the organisation's and per-team overrides."""
    return wire_response([calendar_wire(c) for c in calendars.list_calendars(acting_user())])


@sla_bp.route("/calendars", methods=["POST"])
@login_required
@sla_bp.arguments(schemas.CalendarSchema)
@sla_bp.response(201, schemas.CalendarSchema)
def create_calendar(data):
    """Add the organisation's calendar (admin) or a team's (its team lead or admin)."""
    calendar = calendars.create_calendar(acting_user(), data)
    db.session.commit()
    return wire_response(calendar_wire(calendar), 201)


@sla_bp.route("/calendars/<uuid:calendar_id>", methods=["PATCH"])
@login_required
@sla_bp.arguments(schemas.CalendarUpdateSchema)
@sla_bp.response(200, schemas.CalendarSchema)
def update_calendar(data, calendar_id: uuid.UUID):
    """Change hours, holidays or overrides. Running clocks keep their deadlines; new ones
    count in the new hours."""
    calendar = calendars.update_calendar(acting_user(), calendar_id, data)
    db.session.commit()
    return wire_response(calendar_wire(calendar))


@sla_bp.route("/preview", methods=["POST"])
@login_required
@sla_bp.arguments(schemas.SlaPreviewSchema)
@sla_bp.response(200, schemas.SlaPreviewResultSchema)
def preview(data):
    """When a new inquiry arriving now (or ``at``) would be due, worked out as its real clock
    would be; optionally with an unsaved policy and/or calendar definition (admins and team
    leads). Nothing is saved."""
    return preview_deadline(acting_user(), data)


BLUEPRINTS = (sla_bp,)
