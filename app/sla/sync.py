"""SLA policies as devices hold them: a phone computes the same deadline offline."""

from __future__ import annotations

from app.changelog.registry import SyncedEntity, everyone, never_deleted
from app.sla.models import SlaPolicy
from app.sla.wire import policy_wire

SLA_POLICY = SyncedEntity("sla_policy", SlaPolicy, everyone, never_deleted, policy_wire)
