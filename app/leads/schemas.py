"""Bodies of the leads API and the args of the lead/follow-up mutations (one set for both)."""

from __future__ import annotations

import marshmallow as ma

from app.fields import Currency, Email, UtcDateTime
from app.leads.models import FOLLOW_UP_KINDS, PRIORITIES, STAGES
from app.sla.schemas import SlaClockSchema


class Text(ma.fields.String):
    """A string without NUL characters (PostgreSQL cannot store them; SQLite would)."""

    default_error_messages = {"nul": "Contains a NUL character."}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if value is not None and "\x00" in value:
            raise self.make_error("nul")
        return value


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


def _text(max_length: int, **kwargs):
    return Text(validate=ma.validate.Length(max=max_length), allow_none=True, **kwargs)


def _name(**kwargs):
    return Text(validate=[ma.validate.Length(min=1, max=200), _not_blank], **kwargs)


def _money(**kwargs):
    return ma.fields.Decimal(
        places=2,
        allow_none=True,
        validate=ma.validate.Range(min=0, max=10**12 - 1),
        **kwargs,
    )


class LeadFieldsSchema(ma.Schema):
    """The fields a person writes; also ``set`` of lead.update (loaded partial)."""

    contact_name = _name()
    company = _text(200)
    phone = _text(40)
    email = Email(allow_none=True, validate=ma.validate.Length(max=254))
    region = _text(120)
    territory = _text(40)
    source = Text(validate=ma.validate.Length(min=1, max=40))
    product_id = ma.fields.UUID(allow_none=True)
    product_text = _text(200)
    quantity = ma.fields.Decimal(
        places=3, allow_none=True, validate=ma.validate.Range(min=0, max=10**10)
    )
    estimated_value = _money()
    currency = Currency(allow_none=True)
    priority = ma.fields.String(validate=ma.validate.OneOf(PRIORITIES))
    notes = _text(5000)
    next_follow_up_at = UtcDateTime(allow_none=True)


class LeadCreateSchema(LeadFieldsSchema):
    id = ma.fields.UUID(metadata={"description": "made by the client, so it can create offline"})
    captured_at = UtcDateTime(
        allow_none=True,
        load_only=True,
        metadata={
            "description": "when the person captured it (offline, perhaps hours before it"
            " arrives): the lead and its reply clock count from then — never later than its"
            " arrival, never more than 30 days before"
        },
    )
    contact_name = _name(required=True)
    owner_id = ma.fields.UUID(allow_none=True)
    team_id = ma.fields.UUID(allow_none=True)
    stage = ma.fields.String(validate=ma.validate.OneOf(STAGES))


class LeadCreateArgs(LeadCreateSchema):
    id = ma.fields.UUID(required=True)


class LeadUpdateSchema(ma.Schema):
    base_version = ma.fields.Integer(
        allow_none=True,
        strict=True,
        validate=ma.validate.Range(min=0),
        metadata={"description": "version of your copy; fields changed since then conflict"},
    )
    set = ma.fields.Nested(LeadFieldsSchema(partial=True), required=True)


class LeadUpdateArgs(LeadUpdateSchema):
    id = ma.fields.UUID(required=True)
    base_version = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=0))


class StageSchema(ma.Schema):
    stage = ma.fields.String(required=True, validate=ma.validate.OneOf(STAGES))
    lost_reason = Text(allow_none=True, validate=ma.validate.Length(max=60))
    won_value = _money()
    note = _text(5000)


class StageArgs(StageSchema):
    id = ma.fields.UUID(required=True)


class AssignSchema(ma.Schema):
    owner_id = ma.fields.UUID(required=True)


class AssignArgs(AssignSchema):
    id = ma.fields.UUID(required=True)


class FollowUpCreateSchema(ma.Schema):
    id = ma.fields.UUID()
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(FOLLOW_UP_KINDS))
    note = _text(5000)
    outcome = _text(200)
    happened_at = UtcDateTime(required=True)
    next_follow_up_at = UtcDateTime(allow_none=True)
    quoted_amount = _money()


class FollowUpCreateArgs(FollowUpCreateSchema):
    id = ma.fields.UUID(required=True)
    lead_id = ma.fields.UUID(required=True)


# --- responses (documentation of app.leads.wire) ----------------------------------------


class LeadSchema(LeadFieldsSchema):
    id = ma.fields.UUID()
    phone_e164 = ma.fields.String(
        allow_none=True,
        metadata={"description": "the phone normalised to E.164 (null: none, or not a number)"},
    )
    owner_id = ma.fields.UUID()
    team_id = ma.fields.UUID(allow_none=True)
    stage = ma.fields.String(metadata={"enum": list(STAGES)})
    lost_reason = ma.fields.String(allow_none=True)
    won_value = ma.fields.Float(allow_none=True)
    closed_at = UtcDateTime(
        allow_none=True,
        metadata={"description": "when it last became won or lost; null while open"},
    )
    quantity = ma.fields.Float(allow_none=True)
    estimated_value = ma.fields.Float(allow_none=True)
    last_follow_up_at = UtcDateTime(allow_none=True)
    possible_duplicate_of = ma.fields.UUID(
        allow_none=True, metadata={"description": "an open lead with the same phone or email"}
    )
    external_ref = ma.fields.String(
        allow_none=True, metadata={"description": "its number in the system it was imported from"}
    )
    assigned_by_rule = ma.fields.UUID(
        allow_none=True, metadata={"description": "the assignment rule that chose its owner"}
    )
    created_by = ma.fields.UUID()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    version = ma.fields.Integer()
    sla = ma.fields.Nested(
        SlaClockSchema, allow_none=True, metadata={"description": "the running SLA clock"}
    )


class FollowUpSchema(FollowUpCreateSchema):
    lead_id = ma.fields.UUID()
    quoted_amount = ma.fields.Float(allow_none=True)
    author_id = ma.fields.UUID()
    received_at = UtcDateTime()
    version = ma.fields.Integer()


class StageChangeSchema(ma.Schema):
    from_stage = ma.fields.String(
        allow_none=True, metadata={"enum": list(STAGES), "description": "null: created"}
    )
    to_stage = ma.fields.String(metadata={"enum": list(STAGES)})
    at = UtcDateTime()
    actor_id = ma.fields.UUID(
        allow_none=True, metadata={"description": "null: reconstructed for an older lead"}
    )


class LeadDetailSchema(LeadSchema):
    follow_ups = ma.fields.List(ma.fields.Nested(FollowUpSchema))


class ConflictSchema(ma.Schema):
    field = ma.fields.String()
    server_value = ma.fields.Raw(allow_none=True)


class LeadUpdateResultSchema(ma.Schema):
    lead = ma.fields.Nested(LeadSchema)
    conflicts = ma.fields.List(ma.fields.Nested(ConflictSchema))


class LeadListQuerySchema(ma.Schema):
    owner_id = ma.fields.UUID()
    team_id = ma.fields.UUID()
    stage = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(STAGES)))
    source = Text(validate=ma.validate.Length(max=40))
    overdue = ma.fields.Boolean()
    created_from = UtcDateTime()
    created_to = UtcDateTime()
    q = Text(validate=ma.validate.Length(min=1, max=100))
    sort = ma.fields.String(
        load_default="-created_at",
        validate=ma.validate.OneOf(
            ["-created_at", "created_at", "-updated_at", "next_follow_up_at"]
        ),
    )
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))
    after = Text(
        validate=ma.validate.Length(max=200),
        metadata={"description": "next_after of the previous page"},
    )


class LeadPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(LeadSchema))
    next_after = ma.fields.String(
        allow_none=True, metadata={"description": "pass as after= for the next page"}
    )


class ProductSchema(ma.Schema):
    id = ma.fields.UUID()
    name = _name(required=True)
    sku = _text(64, metadata={"description": "unique in the organisation; blank means none"})
    list_price = _money()
    currency = Currency(allow_none=True)
    spec = _text(4000, metadata={"description": "a short specification (plain text)"})
    faq = _text(
        8000, metadata={"description": "frequent questions and their answers (plain text)"}
    )
    active = ma.fields.Boolean()
    version = ma.fields.Integer(dump_only=True)


class ProductUpdateSchema(ProductSchema):
    name = _name()
    id = ma.fields.UUID(dump_only=True)


class ProductListQuerySchema(ma.Schema):
    include_inactive = ma.fields.Boolean(
        load_default=False, metadata={"description": "also list deactivated products"}
    )
