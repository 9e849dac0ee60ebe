"""Consumer questions in and out (also the OpenAPI)."""

from __future__ import annotations

import re

import marshmallow as ma

from app.fields import Email, UtcDateTime
from app.questions.models import AUTHORS, STATUSES
from app.sla.schemas import SlaClockSchema

MESSAGE_MAX = 5000
NAME_MAX = 200
# Control characters other than tab and newline: invisible, and PostgreSQL refuses NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE = re.compile(r"[0-9+()./ \-]{3,40}\Z")


def plain_text(value: str) -> str:
    """What is stored of a typed text: line ends as \\n, no control characters, trimmed."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


class PlainText(ma.fields.String):
    """A typed text, cleaned (``plain_text``) before its length is checked; blank → error
    when required, None when optional."""

    def __init__(self, max_length: int, **kwargs) -> None:
        self.max_length = max_length
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = plain_text(super()._deserialize(value, attr, data, **kwargs))
        if len(text) > self.max_length:
            raise ma.ValidationError(f"At most {self.max_length:,} characters.")
        if not text:
            if self.required:
                raise ma.ValidationError("Must not be blank.")
            return None
        return text


def _optional(max_length: int, **kwargs) -> PlainText:
    return PlainText(max_length, allow_none=True, **kwargs)


class _EmptyIsNone(ma.Schema):
    """A form sends every field; an empty one means not given."""

    @ma.pre_load
    def _drop_empty(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


class QuestionCreateSchema(_EmptyIsNone):
    name = PlainText(NAME_MAX, required=True)
    email = Email(allow_none=True, validate=ma.validate.Length(max=254))
    phone = _optional(40)
    product_id = ma.fields.UUID(allow_none=True)
    product_text = _optional(NAME_MAX, metadata={"description": "a product not in the list"})
    region = _optional(120, metadata={"description": "postcode, town or area"})
    message = PlainText(MESSAGE_MAX, required=True)
    website = ma.fields.String(
        load_only=True,
        allow_none=True,
        validate=ma.validate.Length(max=2000),
        metadata={"description": "leave empty (a field that only robots fill in)"},
    )

    @ma.validates("phone")
    def _phone(self, value, **kwargs) -> None:
        if value is not None and not _PHONE.match(value):
            raise ma.ValidationError("Use digits, spaces and + ( ) - . only.")

    @ma.validates_schema
    def _a_way_back(self, data, **kwargs) -> None:
        if not data.get("email") and not data.get("phone"):
            message = "Give an email address or a phone number, so we can answer."
            raise ma.ValidationError({"email": [message], "phone": [message]})


class QuestionCreatedSchema(ma.Schema):
    id = ma.fields.UUID()
    token = ma.fields.String(metadata={"description": "the conversation's secret, shown once"})
    url = ma.fields.String(metadata={"description": "<PUBLIC_BASE_URL>/c/<token>"})
    promise = ma.fields.Nested(lambda: PromiseSchema())


class PromiseSchema(ma.Schema):
    """When the consumer may expect a reply, from the service calendar and the first-reply
    target: `promised` (by `due_at`), `late` (it was due and has not come), `none`."""

    state = ma.fields.String(metadata={"enum": ["promised", "late", "none"]})
    due_at = UtcDateTime(allow_none=True)
    text = ma.fields.String(metadata={"description": 'e.g. "We reply by 21:40 tonight."'})


class ConsumerMessageSchema(ma.Schema):
    message = PlainText(MESSAGE_MAX, required=True)


class PublicMessageSchema(ma.Schema):
    author = ma.fields.String(metadata={"enum": list(AUTHORS)})
    name = ma.fields.String()
    body = ma.fields.String(metadata={"description": "plain text"})
    at = UtcDateTime()


class ConversationSchema(ma.Schema):
    """The consumer's view of their question: never an internal note."""

    id = ma.fields.UUID()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    promise = ma.fields.Nested(PromiseSchema)
    messages = ma.fields.List(ma.fields.Nested(PublicMessageSchema))


class PublicProductSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    list_price = ma.fields.Float(allow_none=True)
    currency = ma.fields.String(allow_none=True)


class MessageSchema(ma.Schema):
    """A message as staff see it (``wire.message_wire``; the ``reply`` entity)."""

    id = ma.fields.UUID()
    version = ma.fields.Integer()
    question_id = ma.fields.UUID()
    position = ma.fields.Integer(metadata={"description": "1, 2, 3… in the conversation"})
    author = ma.fields.String(metadata={"enum": list(AUTHORS)})
    author_id = ma.fields.UUID(allow_none=True)
    name = ma.fields.String()
    body = ma.fields.String()
    internal = ma.fields.Boolean()
    at = UtcDateTime()


class ClaimSchema(ma.Schema):
    user_id = ma.fields.UUID()
    name = ma.fields.String()
    until = UtcDateTime()


class QuestionSchema(ma.Schema):
    """A question as staff see it (``wire.question_wire``)."""

    id = ma.fields.UUID()
    version = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    name = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    product_id = ma.fields.UUID(allow_none=True)
    product_text = ma.fields.String(allow_none=True)
    region = ma.fields.String(allow_none=True)
    claim = ma.fields.Nested(
        ClaimSchema, allow_none=True, metadata={"description": "null: nobody holds it now"}
    )
    message_count = ma.fields.Integer()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    last_consumer_message_at = UtcDateTime(allow_none=True)
    first_replied_at = UtcDateTime(allow_none=True)
    resolved_at = UtcDateTime(allow_none=True)
    sla = ma.fields.Nested(
        SlaClockSchema, allow_none=True, metadata={"description": "the first-reply clock"}
    )
    lead_id = ma.fields.UUID(allow_none=True, metadata={"description": "handed to sales as"})
    lead_owner_name = ma.fields.String(allow_none=True)


class QuestionDetailSchema(QuestionSchema):
    messages = ma.fields.List(
        ma.fields.Nested(MessageSchema), metadata={"description": "internal notes included"}
    )


class QuestionQuerySchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    claimed_by = ma.fields.UUID(metadata={"description": "a live claim's holder"})
    q = ma.fields.String(
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "in name, email, phone or any message, any case"},
    )


class ConvertSchema(ma.Schema):
    """Hand a question to sales (``POST /questions/<id>/convert``)."""

    lead_id = ma.fields.UUID(
        metadata={"description": "the new lead's id (a device's own; again: a resend)"}
    )
    quantity = ma.fields.Decimal(
        places=3, allow_none=True, validate=ma.validate.Range(min=0, max=10**10)
    )
    note = _optional(2000, metadata={"description": "for the rep (kept as a note on the question)"})


class HandOffSchema(ma.Schema):
    lead_id = ma.fields.UUID()
    owner_id = ma.fields.UUID()
    team_id = ma.fields.UUID(allow_none=True)
    rule = ma.fields.String(
        allow_none=True, metadata={"description": "the assignment rule that chose the owner"}
    )


class ReplySchema(ma.Schema):
    body = PlainText(MESSAGE_MAX, required=True)
    internal = ma.fields.Boolean(
        load_default=False, metadata={"description": "a note for staff, never shown outside"}
    )


# --- canned answers ------------------------------------------------------------------------

CANNED_TITLE_MAX = 200
CANNED_BODY_MAX = 5000
TAG_MAX = 40
TAGS_MAX = 20


def _distinct_tags(tags: list[str] | None) -> list[str]:
    """Tags as typed, without blanks or repeats (repeats in any case: the filter ignores case)."""
    seen: set[str] = set()
    kept = []
    for tag in tags or []:
        if tag is not None and tag.casefold() not in seen:
            seen.add(tag.casefold())
            kept.append(tag)
    return kept


class CannedAnswerCreateSchema(ma.Schema):
    title = PlainText(CANNED_TITLE_MAX, required=True)
    body = PlainText(
        CANNED_BODY_MAX,
        required=True,
        metadata={
            "description": "plain text; placeholders {{consumer.name}}, {{consumer.email}}, "
            "{{product.name}}, {{product.list_price}}, {{org.name}}, {{staff.name}}"
        },
    )
    product_id = ma.fields.UUID(allow_none=True, metadata={"description": "a catalogue product"})
    tags = ma.fields.List(
        PlainText(TAG_MAX, allow_none=True),
        validate=ma.validate.Length(max=TAGS_MAX),
        metadata={"description": f"at most {TAGS_MAX} short labels ({TAG_MAX} characters)"},
    )

    @ma.post_load
    def _tags(self, data, **kwargs):
        if "tags" in data:
            data["tags"] = _distinct_tags(data["tags"])
        return data


class CannedAnswerUpdateSchema(CannedAnswerCreateSchema):
    title = PlainText(CANNED_TITLE_MAX)
    body = PlainText(CANNED_BODY_MAX)
    active = ma.fields.Boolean(metadata={"description": "true brings a retired answer back"})

    @ma.validates_schema
    def _not_blanked(self, data, **kwargs) -> None:
        # PlainText turns a blank optional text into None; a title or body cannot be removed.
        for name in ("title", "body"):
            if name in data and data[name] is None:
                raise ma.ValidationError({name: ["Must not be blank."]})


class CannedAnswerSchema(ma.Schema):
    """A canned answer (``wire.canned_answer_wire``)."""

    id = ma.fields.UUID()
    title = ma.fields.String()
    body = ma.fields.String()
    product_id = ma.fields.UUID(allow_none=True)
    tags = ma.fields.List(ma.fields.String())
    active = ma.fields.Boolean()
    version = ma.fields.Integer()
    created_by = ma.fields.UUID()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class CannedAnswerQuerySchema(ma.Schema):
    q = ma.fields.String(
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "in title, body or tags, any case"},
    )
    product_id = ma.fields.UUID()
    tag = ma.fields.String(
        validate=ma.validate.Length(min=1, max=TAG_MAX), metadata={"description": "any case"}
    )
    include_inactive = ma.fields.Boolean(
        load_default=False, metadata={"description": "also retired answers (managers only)"}
    )


class RenderedSchema(ma.Schema):
    body = ma.fields.String(metadata={"description": "plain text, placeholders filled in"})
