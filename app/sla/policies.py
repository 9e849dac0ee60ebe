"""SLA policies: which target applies to an item, and their administration."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.accounts import permissions
from app.accounts.models import Organization, User
from app.changelog import versions as changes
from app.database import utcnow
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.sla import cache, calendars, clock
from app.sla.clock import Target
from app.sla.models import SlaPolicy
from app.sla.timed import timed_kind

# --- what applies ------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRule:
    """What of an active policy the choice of a target reads."""

    id: uuid.UUID
    priority: str | None
    source: str | None
    target_minutes: int
    warn_ratio: float
    escalate_after_minutes: int | None


def _active_policies(org_id: uuid.UUID, item_type: str, metric: str) -> list[PolicyRule]:
    rows = db.session.scalars(
        select(SlaPolicy).where(
            SlaPolicy.item_type == item_type, SlaPolicy.metric == metric, SlaPolicy.active.is_(True)
        )
    )
    return [
        PolicyRule(
            p.id, p.priority, p.source, p.target_minutes, p.warn_ratio, p.escalate_after_minutes
        )
        for p in rows
    ]


def active_policies(org_id: uuid.UUID, item_type: str, metric: str) -> list[PolicyRule]:
    """The organisation's active policies of one metric, read once per transaction."""
    return cache.per_transaction(
        ("policies", org_id, item_type, metric),
        lambda: _active_policies(org_id, item_type, metric),
    )


def choose_target(
    rules: Iterable[PolicyRule],
    item_type: str,
    metric: str,
    priority: str | None,
    source: str | None,
) -> Target:
    """The most specific of ``rules`` that matches (a policy naming priority and source
    beats one naming either, which beats a catch-all; among equals the stricter target
    wins), else the kind's own defaults (``TimedKind.default_targets``). The SLA preview
    passes the rules with an admin's unsaved edit in them; a real clock the stored ones."""
    matching = [r for r in rules if r.priority in (None, priority) and r.source in (None, source)]
    if matching:
        best = max(
            matching,
            key=lambda r: ((r.priority is not None) + (r.source is not None), -r.target_minutes),
        )
        return Target(
            metric,
            timedelta(minutes=best.target_minutes),
            best.warn_ratio,
            timedelta(minutes=best.escalate_after_minutes) if best.escalate_after_minutes else None,
            best.id,
        )
    default = timed_kind(item_type).default_targets[metric]
    return Target(
        metric,
        timedelta(minutes=default.target_minutes),
        default.warn_ratio,
        timedelta(minutes=default.escalate_after_minutes),
    )


def resolve_target(
    org_id: uuid.UUID, item_type: str, metric: str, priority: str | None, source: str | None
) -> Target:
    """The target of an item's clock: ``choose_target`` among the organisation's active
    policies."""
    return choose_target(
        active_policies(org_id, item_type, metric), item_type, metric, priority, source
    )


# --- administration (admins and team leads) ----------------------------------------------


def require_policy_setter(actor: User) -> None:
    """Only admins set policies (they count for every team); a change drops what this
    transaction had read of the SLA settings."""
    permissions.require(
        permissions.may_set_sla_policies(actor),
        "Only admins set SLA policies; team leads set their teams' calendars.",
    )
    cache.forget()


def _require_reachable(actor: User, policy: SlaPolicy) -> None:
    """A target must be reachable in every calendar that may count it: a deadline past the
    supported dates (the year 9999) is refused here, with 422, rather than met at capture
    (where it is held at ``clock.HORIZON``)."""
    if not policy.active:
        return
    target = Target(
        policy.metric,
        timedelta(minutes=policy.target_minutes),
        policy.warn_ratio,
        timedelta(minutes=policy.escalate_after_minutes) if policy.escalate_after_minutes else None,
    )
    org = db.session.get(Organization, actor.org_id)
    now = utcnow()
    for name, calendar in calendars.calendars_of_kind(
        org, timed_kind(policy.item_type).calendar_kind
    ):
        try:
            clock.started(target, calendar, now, strict=True)
        except ValueError as error:
            raise ValidationFailed(
                {"target_minutes": [f"Unreachable in the calendar {name!r}: {error}"]}
            ) from error


def list_policies(actor: User) -> list[SlaPolicy]:
    return list(
        db.session.scalars(
            select(SlaPolicy).order_by(SlaPolicy.item_type, SlaPolicy.metric, SlaPolicy.name)
        )
    )


def create_policy(actor: User, data: dict[str, Any]) -> SlaPolicy:
    require_policy_setter(actor)
    policy = SlaPolicy(org_id=actor.org_id, id=uuid.uuid4(), **data)
    _require_reachable(actor, policy)
    changes.stamp(policy)
    db.session.add(policy)
    db.session.flush()
    return policy


def update_policy(actor: User, policy_id: uuid.UUID, data: dict[str, Any]) -> SlaPolicy:
    require_policy_setter(actor)
    policy = db.session.get(SlaPolicy, (actor.org_id, policy_id))
    if policy is None:
        raise NotFound("policy")
    for key, value in data.items():
        setattr(policy, key, value)
    _require_reachable(actor, policy)
    changes.stamp(policy)
    db.session.flush()
    return policy
