"""Push subscriptions: the rules behind the API (not committed here; the routes commit)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.errors import NotFound
from app.extensions import db
from app.push.models import PushSubscription
from app.tenancy import all_orgs


def endpoint_hash(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def _expiry(expiration_time_ms: float | None) -> datetime | None:
    if expiration_time_ms is None:
        return None
    return datetime.fromtimestamp(expiration_time_ms / 1000, UTC)


def subscribe(
    actor: User, data: dict[str, Any], user_agent: str | None = None
) -> tuple[PushSubscription, bool]:
    """Register ``actor``'s browser subscription; returns (subscription, created).

    Idempotent per endpoint: posting the same endpoint again updates its keys, and an
    endpoint registered to someone else (in any organisation — the same browser signed in
    to another account) moves to ``actor``, since a browser delivers to one receiver.
    """
    digest = endpoint_hash(data["endpoint"])
    fields = {
        "user_id": actor.id,
        "endpoint": data["endpoint"],
        "p256dh": data["keys"]["p256dh"],
        "auth": data["keys"]["auth"],
        "expires_at": _expiry(data.get("expirationTime")),
        "user_agent": (user_agent or "")[:300] or None,
    }
    if data.get("device_name") is not None:
        fields["device_name"] = data["device_name"].strip() or None
    for _ in range(2):  # a concurrent first registration of the same endpoint: retry once
        mine = None
        with all_orgs():  # the endpoint may sit in another organisation
            holders = db.session.scalars(
                select(PushSubscription).where(PushSubscription.endpoint_hash == digest)
            ).all()
        for holder in holders:
            if holder.org_id == actor.org_id and holder.endpoint == data["endpoint"]:
                mine = holder
            else:
                db.session.delete(holder)
        if mine is not None:
            for name, value in fields.items():
                setattr(mine, name, value)
            db.session.flush()
            return mine, False
        subscription = PushSubscription(
            id=uuid.uuid4(), org_id=actor.org_id, endpoint_hash=digest, **fields
        )
        try:
            with db.session.begin_nested():
                db.session.add(subscription)
        except IntegrityError:
            continue
        return subscription, True
    raise RuntimeError("could not register the push subscription")  # pragma: no cover


def list_subscriptions(actor: User) -> list[PushSubscription]:
    return list(
        db.session.scalars(
            select(PushSubscription)
            .where(PushSubscription.user_id == actor.id)
            .order_by(PushSubscription.created_at, PushSubscription.id)
        )
    )


def delete_subscription(actor: User, subscription_id: uuid.UUID) -> None:
    """Remove one of ``actor``'s own subscriptions; anyone else's is 404."""
    subscription = db.session.get(PushSubscription, (actor.org_id, subscription_id))
    if subscription is None or subscription.user_id != actor.id:
        raise NotFound("push subscription")
    db.session.delete(subscription)
    db.session.flush()
