"""Spend entries in and out (also the OpenAPI)."""

from __future__ import annotations

import marshmallow as ma

from app.fields import Currency, UtcDateTime


class SpendFieldsSchema(ma.Schema):
    source = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    spent_on = ma.fields.Date(metadata={"description": "the local day of the spend"})
    amount = ma.fields.Decimal(
        places=2, as_string=False, validate=ma.validate.Range(min=0, max=10**12 - 1)
    )
    currency = Currency(
        load_only=True,
        metadata={"description": "optional; must be the organisation's reporting currency"},
    )
    note = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=1000))


class SpendCreateSchema(SpendFieldsSchema):
    source = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    spent_on = ma.fields.Date(required=True)
    amount = ma.fields.Decimal(
        required=True, places=2, validate=ma.validate.Range(min=0, max=10**12 - 1)
    )


class SpendSchema(ma.Schema):
    id = ma.fields.UUID()
    source = ma.fields.String()
    spent_on = ma.fields.Date()
    amount = ma.fields.Float()
    currency = ma.fields.String()
    note = ma.fields.String(allow_none=True)
    created_by = ma.fields.UUID()
    created_at = UtcDateTime()
    updated_at = UtcDateTime()


class SpendQuerySchema(ma.Schema):
    from_ = ma.fields.Date(data_key="from")
    to = ma.fields.Date()
    source = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
