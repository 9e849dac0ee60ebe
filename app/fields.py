"""Marshmallow fields shared by every package's schemas."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma


def isoformat_z(value: datetime) -> str:
    """UTC, ISO 8601, millisecond precision, with ``Z`` — the protocol's time format."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # Cut from the plain isoformat(): twice as fast as timespec="milliseconds", and every
    # record written is serialised with a dozen times.
    text = value.isoformat()  # "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00"
    return (text[:23] if value.microsecond else text[:19] + ".000") + "Z"


def wire_time(value: datetime | None) -> str | None:
    """A time as it travels in a wire form, or None."""
    return isoformat_z(value) if value is not None else None


class UtcDateTime(ma.fields.DateTime):
    """Reads ISO 8601 with an offset (``Z`` or ``±hh:mm``), writes UTC with ``Z``."""

    default_error_messages = {
        "naive": "Give a time zone (end the time with Z).",
        "range": "The time lies outside the years 1 to 9999 in UTC.",
    }

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else isoformat_z(value)

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is None:
            raise self.make_error("naive")
        try:
            return result.astimezone(UTC)
        except OverflowError as error:  # e.g. 0001-01-01T00:00+05:00 lies before year 1 in UTC
            raise self.make_error("range") from error


def trimmed_string(max_length: int, *, required: bool = False, min_length: int = 0, **kwargs):
    """A string field with length limits."""
    return ma.fields.String(
        required=required,
        validate=ma.validate.Length(min=min_length, max=max_length),
        **kwargs,
    )


class Email(ma.fields.Email):
    """An email address, trimmed and lower-cased before it is checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = value.strip().lower()
        return super()._deserialize(value, attr, data, **kwargs)


class Currency(ma.fields.String):
    """An ISO 4217 code: three letters, read in any case, written upper-case."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if value is None:
            return None
        value = value.strip().upper()
        if len(value) != 3 or not value.isalpha():
            raise ma.ValidationError("A three-letter ISO 4217 code, e.g. EUR.")
        return value
