"""Request and response bodies of the accounts API (also its OpenAPI description)."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

import marshmallow as ma
import phonenumbers

from app.accounts.models import ROLES, SLUG_PATTERN
from app.fields import Currency, Email, UtcDateTime, trimmed_string
from app.mail import OUTCOMES as MAIL_OUTCOMES


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Must not be blank.")


def _valid_timezone(value: str) -> None:
    if value not in available_timezones():
        raise ma.ValidationError("Not a known IANA time zone, e.g. Europe/Berlin.")


def _valid_country(value: str) -> None:
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ma.ValidationError("Not a two-letter country code, e.g. DE.")


def _name(max_length: int = 120, **kwargs):
    return ma.fields.String(
        validate=[ma.validate.Length(min=1, max=max_length), _not_blank], **kwargs
    )


Password = ma.fields.String(
    required=True,
    load_only=True,
    validate=ma.validate.Length(min=8, max=256, error="Use 8 to 256 characters."),
)


class SignupSchema(ma.Schema):
    org_name = _name(200, required=True)
    name = _name(required=True)
    email = Email(required=True, validate=ma.validate.Length(max=254))
    password = Password


class LoginSchema(ma.Schema):
    email = trimmed_string(254, required=True)
    password = trimmed_string(256, required=True, load_only=True)


class TokenRequestSchema(LoginSchema):
    device_name = _name(required=True)


class UserSchema(ma.Schema):
    """A person (``accounts.wire.user_wire`` writes it, for REST and sync alike)."""

    id = ma.fields.UUID(dump_only=True)
    email = Email()
    name = ma.fields.String()
    role = ma.fields.String(metadata={"enum": list(ROLES)})
    team_ids = ma.fields.List(ma.fields.UUID())
    active = ma.fields.Boolean()
    created_at = UtcDateTime(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class SessionSchema(ma.Schema):
    user = ma.fields.Nested(UserSchema)
    csrf_token = ma.fields.String(
        metadata={"description": "send as X-CSRF-Token on cookie-authenticated writes"}
    )


class SignupResultSchema(SessionSchema):
    organization = ma.fields.Nested("OrganizationSchema")


class DeviceTokenSchema(ma.Schema):
    id = ma.fields.UUID()
    name = ma.fields.String()
    created_at = UtcDateTime()
    last_used_at = UtcDateTime(allow_none=True)


class NewDeviceTokenSchema(DeviceTokenSchema):
    token = ma.fields.String(metadata={"description": "shown once; send as Authorization: Bearer"})


class UserCreateSchema(ma.Schema):
    email = Email(required=True, validate=ma.validate.Length(max=254))
    name = _name(required=True)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    team_id = ma.fields.UUID(allow_none=True)
    team_ids = ma.fields.List(ma.fields.UUID(), validate=ma.validate.Length(max=50))
    password = ma.fields.String(
        load_only=True,
        validate=ma.validate.Length(min=8, max=256, error="Use 8 to 256 characters."),
        metadata={
            "description": "omit it to invite the person instead: they choose their own"
            " password through the link in the answer's `invitation`"
        },
    )


class InvitationSentSchema(ma.Schema):
    """A new invitation link, shown once (only its hash is stored)."""

    url = ma.fields.String(
        metadata={"description": "<base URL>/invite/<secret>: works once, until expires_at"}
    )
    expires_at = UtcDateTime()
    email = ma.fields.String(
        metadata={
            "enum": list(MAIL_OUTCOMES),
            "description": "whether the link was emailed: sent, not_configured (no SMTP_HOST:"
            " hand the link over yourself) or failed (the mail server refused or was"
            " unreachable)",
        }
    )


class NewUserSchema(UserSchema):
    invitation = ma.fields.Nested(
        InvitationSentSchema,
        allow_none=True,
        metadata={"description": "null when a password was given"},
    )


class OpenInvitationSchema(ma.Schema):
    """Someone who has not chosen a password yet, and their latest invitation."""

    user_id = ma.fields.UUID()
    sent_at = UtcDateTime(allow_none=True)
    expires_at = UtcDateTime(allow_none=True)
    live = ma.fields.Boolean(
        metadata={"description": "false: expired or withdrawn (send a new one)"}
    )


# The secret of an invitation link travels in the body, never in a URL the server logs.
_InvitationToken = trimmed_string(
    100,
    required=True,
    min_length=1,
    load_only=True,
    metadata={"description": "the secret: the last part of the invitation link"},
)


class InvitationTokenSchema(ma.Schema):
    token = _InvitationToken


class InvitationAcceptSchema(ma.Schema):
    token = _InvitationToken
    password = Password


class InvitationSchema(ma.Schema):
    """What an invitation link is for, shown before the person chooses a password."""

    org_name = ma.fields.String()
    name = ma.fields.String()
    email = ma.fields.String()
    expires_at = UtcDateTime()


class UserUpdateSchema(ma.Schema):
    name = _name()
    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))
    team_ids = ma.fields.List(ma.fields.UUID(), validate=ma.validate.Length(max=50))
    password = ma.fields.String(
        load_only=True,
        validate=ma.validate.Length(min=8, max=256, error="Use 8 to 256 characters."),
    )
    active = ma.fields.Boolean()


class TeamSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    name = _name(required=True)
    created_at = UtcDateTime(dump_only=True)


def _distinct(values: list[str]) -> None:
    if len({v.strip().lower() for v in values}) != len(values):
        raise ma.ValidationError("Each entry once.")


def _choices(max_length: int, description: str) -> ma.fields.List:
    """One of the organisation's own lists: 1–50 distinct entries; null restores the
    defaults."""
    return ma.fields.List(
        ma.fields.String(validate=[ma.validate.Length(min=1, max=max_length), _not_blank]),
        allow_none=True,
        validate=[ma.validate.Length(min=1, max=50), _distinct],
        metadata={"description": description},
    )


_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(:[0-9]{1,5})?$")


def _valid_origin(value: str) -> None:
    if not _ORIGIN.match(value):
        raise ma.ValidationError(
            "An origin is scheme://host[:port] with no path, e.g. https://www.acme.com."
        )


class OrganizationSchema(ma.Schema):
    """The organisation (``accounts.wire.org_wire`` writes it, for REST and sync alike)."""

    id = ma.fields.UUID(dump_only=True)
    name = _name(200)
    slug = ma.fields.String(
        validate=ma.validate.Regexp(
            SLUG_PATTERN, error="Use 3 to 60 characters: a-z, 0-9 and '-'."
        ),
        metadata={
            "description": "the public address of the question form (/q/<slug>) and of"
            " /api/v1/public/<slug>/…; unique (409 `slug_taken` when another has it)"
        },
    )
    default_country = ma.fields.String(validate=_valid_country)
    timezone = ma.fields.String(validate=_valid_timezone)
    lead_sources = _choices(40, "the source channels a lead may come from")
    lost_reasons = _choices(60, "the reasons a lead may be lost for")
    default_source = ma.fields.String(
        allow_none=True,
        validate=[ma.validate.Length(min=1, max=40), _not_blank],
        metadata={
            "description": "one of lead_sources: quick capture starts with it and a lead given"
            " no source takes it; null: none preset, the person chooses"
        },
    )
    currency = Currency(
        metadata={"description": "the reporting currency (ISO 4217): spend and report totals"}
    )
    appraisal_weights = ma.fields.Nested(
        "AppraisalWeightsSchema",
        allow_none=True,
        metadata={"description": "the rep appraisal's weights; null restores 0.5/0.3/0.2"},
    )
    public_origins = ma.fields.List(
        ma.fields.String(validate=_valid_origin),
        allow_none=True,
        validate=ma.validate.Length(max=10),
        metadata={
            "description": "the company's own web origins (scheme://host[:port], e.g."
            " https://www.acme.com) whose pages may call /api/v1/public/… from a browser"
            " (CORS); at most 10; null or [] for none"
        },
    )
    version = ma.fields.Integer(dump_only=True)
    created_at = UtcDateTime(dump_only=True)

    @ma.pre_load
    def _trim_entries(self, data: dict, **kwargs) -> dict:
        for key in ("lead_sources", "lost_reasons"):
            values = data.get(key) if isinstance(data, dict) else None
            if isinstance(values, list):
                data = {**data, key: [v.strip() if isinstance(v, str) else v for v in values]}
        if isinstance(data, dict) and isinstance(data.get("default_source"), str):
            data = {**data, "default_source": data["default_source"].strip()}
        if isinstance(data, dict) and isinstance(data.get("slug"), str):
            data = {**data, "slug": data["slug"].strip().lower()}
        origins = data.get("public_origins") if isinstance(data, dict) else None
        if isinstance(origins, list):
            # Browsers send an origin lower-case and without a trailing slash.
            cleaned = [o.strip().rstrip("/").lower() if isinstance(o, str) else o for o in origins]
            data = {**data, "public_origins": list(dict.fromkeys(cleaned))}
        return data


class AppraisalWeightsSchema(ma.Schema):
    """How much sales, inquiries and workload count in a rep's score: each 0–1, summing
    to 1."""

    sales = ma.fields.Decimal(required=True, places=4, validate=ma.validate.Range(min=0, max=1))
    inquiries = ma.fields.Decimal(
        required=True, places=4, validate=ma.validate.Range(min=0, max=1)
    )
    workload = ma.fields.Decimal(
        required=True, places=4, validate=ma.validate.Range(min=0, max=1)
    )

    @ma.validates_schema
    def _sum_to_one(self, data: dict, **kwargs) -> None:
        if sum(data.values()) != 1:
            raise ma.ValidationError("The three weights add up to 1.", "_schema")

    @ma.post_load
    def _as_floats(self, data: dict, **kwargs) -> dict:
        return {key: float(value) for key, value in data.items()}


class PreferencesSchema(ma.Schema):
    """Quiet hours: reminders wait for your working hours (escalations too, unless asked)."""

    timezone = ma.fields.String(allow_none=True, validate=_valid_timezone)
    working_hours = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "a calendar's JSON form (weekly hours, holidays); null: the team's hours"
        },
    )
    escalations_any_hour = ma.fields.Boolean()
