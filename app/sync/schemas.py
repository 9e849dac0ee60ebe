"""The sync envelopes (SYNC-PROTOCOL.md), for validation and the OpenAPI document."""

from __future__ import annotations

import marshmallow as ma

from app.changelog import registry
from app.fields import UtcDateTime
from app.leads.schemas import ConflictSchema
from app.sync import entities as _registered  # noqa: F401  (fills the registry)


class MutationSchema(ma.Schema):
    id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=2**62))
    name = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=64),
        metadata={
            "enum": registry.mutation_names(),
            "description": "a name this server does not know is answered `rejected`",
        },
    )
    args = ma.fields.Dict(required=True)
    client_time = UtcDateTime(allow_none=True)


class PushSchema(ma.Schema):
    client_id = ma.fields.UUID(required=True)
    mutations = ma.fields.List(ma.fields.Nested(MutationSchema), required=True)


class MutationResultSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": ["applied", "duplicate", "rejected", "conflict"]})
    error = ma.fields.Dict()
    conflicts = ma.fields.List(ma.fields.Nested(ConflictSchema))


class PushResultSchema(ma.Schema):
    last_mutation_id = ma.fields.Integer()
    results = ma.fields.List(ma.fields.Nested(MutationResultSchema))


class PullQuerySchema(ma.Schema):
    client_id = ma.fields.UUID(required=True)
    cursor = ma.fields.String(validate=ma.validate.Length(max=2000))
    limit = ma.fields.Integer(load_default=500, validate=ma.validate.Range(min=1, max=1000))


class ChangeSchema(ma.Schema):
    entity = ma.fields.String(metadata={"enum": registry.entity_names()})
    op = ma.fields.String(metadata={"enum": ["put", "del"]})
    id = ma.fields.String()
    version = ma.fields.Integer(metadata={"description": "put only"})
    data = ma.fields.Dict(metadata={"description": "put only: the whole record as you may see it"})


class PullResultSchema(ma.Schema):
    cursor = ma.fields.String()
    has_more = ma.fields.Boolean()
    reset = ma.fields.Boolean()
    last_mutation_id = ma.fields.Integer()
    server_time = UtcDateTime()
    changes = ma.fields.List(ma.fields.Nested(ChangeSchema))
