"""Bodies of the SLA API: policies and calendars."""

from __future__ import annotations

import marshmallow as ma

from app.fields import UtcDateTime
from app.sla.models import CALENDAR_KINDS, ITEM_TYPES, METRICS, PRIORITIES


class SlaPolicySchema(ma.Schema):
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


class CalendarUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=120))
    definition = ma.fields.Dict()
