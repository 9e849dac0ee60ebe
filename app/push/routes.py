"""HTTP routes of Web Push: the server's public key and your browser subscriptions."""

from __future__ import annotations

import uuid

from flask import current_app, request
from flask_login import login_required
from flask_smorest import Blueprint

from app.accounts.auth import acting_user
from app.extensions import db
from app.push import schemas, service
from app.push.vapid import get_vapid

push_bp = Blueprint(
    "push", __name__, url_prefix="/api/v1/push", description="Web Push key and subscriptions"
)


@push_bp.route("/key", methods=["GET"])
@push_bp.response(200, schemas.PublicKeySchema)
def public_key():
    """The VAPID public key to pass as ``applicationServerKey`` to ``pushManager.subscribe``."""
    return {"public_key": get_vapid(current_app).public_key}


@push_bp.route("/subscriptions", methods=["POST"])
@login_required
@push_bp.arguments(schemas.SubscriptionCreateSchema)
@push_bp.response(201, schemas.SubscriptionSchema)
@push_bp.alt_response(200, schema=schemas.SubscriptionSchema, description="already registered")
def subscribe(data):
    """Register this browser (the body is ``PushSubscription.toJSON()``).

    Idempotent per endpoint: 201 the first time, 200 with updated keys after that. An
    endpoint registered to another account moves to yours.
    """
    subscription, created = service.subscribe(
        acting_user(), data, request.headers.get("User-Agent")
    )
    db.session.commit()
    return subscription, (201 if created else 200)


@push_bp.route("/subscriptions", methods=["GET"])
@login_required
@push_bp.response(200, schemas.SubscriptionSchema(many=True))
def list_subscriptions():
    """Your browsers that receive reminders."""
    return service.list_subscriptions(acting_user())


@push_bp.route("/subscriptions/<uuid:subscription_id>", methods=["DELETE"])
@login_required
@push_bp.response(204)
def delete_subscription(subscription_id: uuid.UUID):
    """Stop reminders to one of your browsers."""
    service.delete_subscription(acting_user(), subscription_id)
    db.session.commit()


BLUEPRINTS = (push_bp,)
