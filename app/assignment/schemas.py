"""Assignment rules and settings in and out (also the OpenAPI)."""

from __future__ import annotations

import marshmallow as ma

from app.fields import UtcDateTime
from app.sla.models import PRIORITIES


class MatchSchema(ma.Schema):
    """A rule's conditions: every one given must hold; none given matches every lead."""

    region = ma.fields.String(
        validate=ma.validate.Length(min=1, max=120),
        metadata={"description": "the lead's region, exactly (case and spacing aside)"},
    )
    region_prefix = ma.fields.String(
        validate=ma.validate.Length(min=1, max=40),
        metadata={
            "description": "a postcode/area-code prefix the region starts with (compared in"
            " upper case without spaces or hyphens: `SW1` matches `sw1a 1aa`)"
        },
    )
    source = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    product_id = ma.fields.UUID()
    priority = ma.fields.String(validate=ma.validate.OneOf(PRIORITIES))


class RuleFieldsSchema(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=120))
    position = ma.fields.Integer(
        validate=ma.validate.Range(min=1),
        metadata={"description": "1 = first; the others move down (past the end: last)"},
    )
    match = ma.fields.Nested(MatchSchema)
    owner_id = ma.fields.UUID(
        allow_none=True, metadata={"description": "route to this person (or give team_id)"}
    )
    team_id = ma.fields.UUID(
        allow_none=True,
        metadata={"description": "round-robin among this team's available reps"},
    )


class RuleCreateSchema(RuleFieldsSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))


class RuleSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    position = ma.fields.Integer()
    match = ma.fields.Nested(MatchSchema, metadata={"description": "only the conditions set"})
    owner_id = ma.fields.UUID(allow_none=True)
    team_id = ma.fields.UUID(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class SettingsSchema(ma.Schema):
    default_owner_id = ma.fields.UUID(
        allow_none=True,
        metadata={"description": "who owns a lead no rule routes (null: nobody chosen)"},
    )
    route_out_of_territory = ma.fields.Boolean(
        metadata={
            "description": "a rep's capture (no owner named) outside their regions is routed"
            " by the rules instead of kept by the rep"
        }
    )
    route_questions_to_sales = ma.fields.Boolean(
        metadata={
            "description": "every consumer question becomes a lead routed by the rules as it"
            " arrives (the desk still answers the conversation)"
        }
    )


class PersonFieldsSchema(ma.Schema):
    on_leave = ma.fields.Boolean(metadata={"description": "skipped by team round-robin"})
    max_open_leads = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(min=0, max=100000),
        metadata={"description": "skipped by round-robin at this many open leads; null: no cap"},
    )
    regions = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=120)),
        allow_none=True,
        validate=ma.validate.Length(max=200),
        metadata={
            "description": "the territory: region names, and postcode prefixes ending in `*`"
            " (`80*`); null or empty: none"
        },
    )


class PersonSchema(PersonFieldsSchema):
    user_id = ma.fields.UUID()
    name = ma.fields.String()
    role = ma.fields.String()
    active = ma.fields.Boolean()
    team_ids = ma.fields.List(ma.fields.UUID())
    open_leads = ma.fields.Integer(metadata={"description": "leads owned, not won or lost"})
