"""The OpenAPI-producing API object (flask-smorest), speaking LeadSync's error shape."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest import Api

from app.errors import error_response, http_exception_body


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "stable, machine-readable"})
    message = ma.fields.String(required=True, metadata={"description": "for people"})
    fields = ma.fields.Dict(metadata={"description": "field name → list of problems"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


class LeadSyncApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        status, body, headers = http_exception_body(error)
        return error_response(status, body, headers)
