"""Bodies of the SLA API: policies and calendars."""

from __future__ import annotations

import marshmallow as ma

from app.fields import UtcDateTime
from app.sla.models import CALENDAR_KINDS, ITEM_TYPES, METRICS, PRIORITIES, STATES
from app.sla.timed import timed_kind


class SlaClockSchema(ma.Schema):
    """A timed item's running clock (``clock.wire``): a lead's, a question's."""

    metric = ma.fields.String(metadata={"enum": list(METRICS)})
    state = ma.fields.String(metadata={"enum": list(STATES)})
    started_at = UtcDateTime(allow_none=True)
    warn_at = UtcDateTime(allow_none=True)
    due_at = UtcDateTime(allow_none=True)
    breached_at = UtcDateTime(allow_none=True)
    met_at = UtcDateTime(allow_none=True)
    escalated_at = UtcDateTime(allow_none=True)


class _MetricOfItsItem(ma.Schema):
    @ma.validates_schema
    def _metric_of_its_item(self, data, **kwargs):
        """A lead has a first response and follow-ups; a question a first reply."""
        item_type, metric = data.get("item_type"), data.get("metric")
        if item_type and metric and metric not in timed_kind(item_type).default_targets:
            known = ", ".join(timed_kind(item_type).default_targets)
            raise ma.ValidationError(f"A {item_type} is timed by: {known}.", "metric")


class SlaPolicySchema(_MetricOfItsItem):
    id = ma.fields.UUID(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    item_type = ma.fields.String(load_default="lead", validate=ma.validate.OneOf(ITEM_TYPES))
    metric = ma.fields.String(required=True, validate=ma.validate.OneOf(METRICS))
    priority = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(PRIORITIES))
    source = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=40))
    target_minutes = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(min=1, max=60 * 24 * 365),
        metadata={"description": "business minutes, counted in the item's calendar"},
    )
    warn_ratio = ma.fields.Float(load_default=0.8, validate=ma.validate.Range(min=0.05, max=1))
    escalate_after_minutes = ma.fields.Integer(
        allow_none=True, strict=True, validate=ma.validate.Range(min=1, max=60 * 24 * 90)
    )
    active = ma.fields.Boolean(load_default=True)
    version = ma.fields.Integer(dump_only=True)
    updated_at = UtcDateTime(dump_only=True)


class SlaPolicyUpdateSchema(SlaPolicySchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=120))
    item_type = ma.fields.String(dump_only=True)
    metric = ma.fields.String(dump_only=True)
    target_minutes = ma.fields.Integer(
        strict=True, validate=ma.validate.Range(min=1, max=60 * 24 * 365)
    )
    warn_ratio = ma.fields.Float(validate=ma.validate.Range(min=0.05, max=1))
    active = ma.fields.Boolean()


class CalendarSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(CALENDAR_KINDS))
    team_id = ma.fields.UUID(allow_none=True)
    definition = ma.fields.Dict(
        required=True,
        metadata={
            "description": 'timezone, weekly {"mon": [{"start": "09:00", "end": "17:00"}], …}, '
            "holidays [dates], overrides {date: [intervals]}"
        },
    )
    updated_at = UtcDateTime(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class CalendarUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=120))
    definition = ma.fields.Dict()


# --- the preview: when would a new inquiry be due -----------------------------------------


class SlaPreviewPolicySchema(SlaPolicySchema):
    """A policy as an administrator's form holds it, unsaved; checked as a saved one is."""

    id = ma.fields.UUID(
        allow_none=True, metadata={"description": "the stored policy it edits; none if new"}
    )
    name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=120))
    item_type = ma.fields.String(dump_only=True)
    metric = ma.fields.String(dump_only=True)


class SlaPreviewCalendarSchema(ma.Schema):
    id = ma.fields.UUID(allow_none=True)
    name = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=120))
    definition = ma.fields.Dict(
        required=True, metadata={"description": "as in CalendarSchema; checked as on save"}
    )


class SlaPreviewSchema(_MetricOfItsItem):
    item_type = ma.fields.String(load_default="lead", validate=ma.validate.OneOf(ITEM_TYPES))
    metric = ma.fields.String(required=True, validate=ma.validate.OneOf(METRICS))
    priority = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(PRIORITIES))
    source = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=40))
    team_id = ma.fields.UUID(
        allow_none=True, metadata={"description": "the item's team (its calendar counts)"}
    )
    at = UtcDateTime(
        allow_none=True, metadata={"description": "when the item arrives; default now"}
    )
    policy = ma.fields.Nested(
        SlaPreviewPolicySchema,
        allow_none=True,
        metadata={"description": "an unsaved policy, in place of the stored one it edits"},
    )
    calendar = ma.fields.Nested(
        SlaPreviewCalendarSchema,
        allow_none=True,
        metadata={"description": "unsaved hours, counted instead of the calendar that applies"},
    )


class SlaPreviewPolicyNameSchema(ma.Schema):
    id = ma.fields.UUID(allow_none=True)
    name = ma.fields.String(allow_none=True)
    unsaved = ma.fields.Boolean()


class SlaPreviewCalendarNameSchema(SlaPreviewPolicyNameSchema):
    team_id = ma.fields.UUID(allow_none=True)


class SlaPreviewResultSchema(ma.Schema):
    at = UtcDateTime()
    due_at = UtcDateTime()
    warn_at = UtcDateTime()
    escalate_at = UtcDateTime(allow_none=True)
    business_minutes = ma.fields.Integer(metadata={"description": "the target, in business time"})
    metric = ma.fields.String()
    policy = ma.fields.Nested(
        SlaPreviewPolicyNameSchema,
        allow_none=True,
        metadata={"description": "the policy that applies; null: the built-in default"},
    )
    calendar = ma.fields.Nested(
        SlaPreviewCalendarNameSchema,
        allow_none=True,
        metadata={
            "description": "the calendar that counts; null: Mon–Fri 09:00–17:00 in the "
            "organisation's time zone"
        },
    )
    timezone = ma.fields.String(metadata={"description": "the counting calendar's time zone"})
