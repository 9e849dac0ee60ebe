"""HTTP routes of the assignment rules: parse, call the service, commit, answer."""

from __future__ import annotations

import uuid

from flask_login import login_required
from flask_smorest import Blueprint

from app.accounts.auth import acting_user
from app.assignment import schemas, service
from app.assignment.wire import person_wire, rule_wire, settings_wire
from app.extensions import db
from app.http import wire_response

assignment_bp = Blueprint(
    "assignment",
    __name__,
    url_prefix="/api/v1/assignment-rules",
    description="Assignment rules: who gets a lead nobody named an owner for (admins)",
)


@assignment_bp.route("", methods=["GET"])
@login_required
@assignment_bp.response(200, schemas.RuleSchema(many=True))
def list_rules():
    """The rules in order: the first matching rule that finds someone available decides."""
    return wire_response([rule_wire(r) for r in service.list_rules(acting_user())])


@assignment_bp.route("", methods=["POST"])
@login_required
@assignment_bp.arguments(schemas.RuleCreateSchema)
@assignment_bp.response(201, schemas.RuleSchema)
def create_rule(data):
    """A new rule (last unless ``position`` says otherwise) routing to ``owner_id`` or,
    round-robin, to ``team_id``."""
    rule = service.create_rule(acting_user(), data)
    db.session.commit()
    return wire_response(rule_wire(rule), 201)


@assignment_bp.route("/<uuid:rule_id>", methods=["PATCH"])
@login_required
@assignment_bp.arguments(schemas.RuleFieldsSchema)
@assignment_bp.response(200, schemas.RuleSchema)
def update_rule(data, rule_id: uuid.UUID):
    """Change a rule: ``match`` is replaced whole; ``position`` moves it."""
    rule = service.update_rule(acting_user(), rule_id, data)
    db.session.commit()
    return wire_response(rule_wire(rule))


@assignment_bp.route("/<uuid:rule_id>", methods=["DELETE"])
@login_required
@assignment_bp.response(204)
def delete_rule(rule_id: uuid.UUID):
    service.delete_rule(acting_user(), rule_id)
    db.session.commit()


@assignment_bp.route("/settings", methods=["GET"])
@login_required
@assignment_bp.response(200, schemas.SettingsSchema)
def get_settings():
    return wire_response(settings_wire(service.get_settings(acting_user())))


@assignment_bp.route("/settings", methods=["PATCH"])
@login_required
@assignment_bp.arguments(schemas.SettingsSchema)
@assignment_bp.response(200, schemas.SettingsSchema)
def update_settings(data):
    """The default owner, and whether captures outside a rep's territory are routed."""
    org = service.update_settings(acting_user(), data)
    db.session.commit()
    return wire_response(settings_wire(org))


@assignment_bp.route("/people", methods=["GET"])
@login_required
@assignment_bp.response(200, schemas.PersonSchema(many=True))
def list_people():
    """The sales people as the rules see them: leave, cap, territory and open load."""
    return wire_response([person_wire(u, n) for u, n in service.list_people(acting_user())])


@assignment_bp.route("/people/<uuid:user_id>", methods=["PATCH"])
@login_required
@assignment_bp.arguments(schemas.PersonFieldsSchema)
@assignment_bp.response(200, schemas.PersonSchema)
def update_person(data, user_id: uuid.UUID):
    user, open_leads = service.update_person(acting_user(), user_id, data)
    db.session.commit()
    return wire_response(person_wire(user, open_leads))


BLUEPRINTS = (assignment_bp,)
