"""The parameters of a report and the shape of its answer (for the OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma

from app.leads.models import PRIORITIES
from app.leads.schemas import Text


class ReportQuerySchema(ma.Schema):
    from_ = ma.fields.Date(
        required=True, data_key="from", metadata={"description": "first local day (inclusive)"}
    )
    to = ma.fields.Date(required=True, metadata={"description": "last local day (inclusive)"})
    group_by = ma.fields.String(
        validate=ma.validate.Length(max=20),
        metadata={"description": "a dimension of the report, or week, month, quarter, year"},
    )
    team_id = ma.fields.UUID()
    owner_id = ma.fields.UUID()
    source = Text(validate=ma.validate.Length(min=1, max=40))
    product_id = ma.fields.UUID()
    region = Text(validate=ma.validate.Length(min=1, max=120))
    priority = ma.fields.String(validate=ma.validate.OneOf(PRIORITIES))
    format = ma.fields.String(validate=ma.validate.OneOf(["json", "csv"]))


class ReportRowSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE  # each report's own figures

    key = ma.fields.Raw(metadata={"description": "the group's key (null: not set)"})
    label = ma.fields.String()
    previous = ma.fields.Dict(metadata={"description": "the same figures, period before"})
    year_ago = ma.fields.Dict(metadata={"description": "the same figures, a year earlier"})


class ReportSchema(ma.Schema):
    report = ma.fields.String()
    from_ = ma.fields.Date(data_key="from")
    to = ma.fields.Date()
    timezone = ma.fields.String()
    currency = ma.fields.String()
    group_by = ma.fields.String()
    filters = ma.fields.Dict()
    rows = ma.fields.List(ma.fields.Nested(ReportRowSchema))
    totals = ma.fields.Dict(metadata={"description": "figures, previous, year_ago"})


class BreachSchema(ma.Schema):
    lead_id = ma.fields.UUID()
    contact_name = ma.fields.String()
    owner_id = ma.fields.UUID()
    owner_name = ma.fields.String()
    metric = ma.fields.String(metadata={"enum": ["first_response", "follow_up"]})
    breached_at = ma.fields.String(metadata={"format": "date-time"})
    due_at = ma.fields.String(allow_none=True, metadata={"format": "date-time"})


class BreachListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(BreachSchema))
