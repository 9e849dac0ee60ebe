"""The OpenAPI-producing API object (flask-smorest), speaking LeadSync's error shape."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import flask_login
import marshmallow as ma
from flask import Flask, current_app, request
from flask_smorest import Api

from app.errors import ValidationFailed, error_response, http_exception_body

BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
# Every operation needs a session cookie or a device token unless its view is not behind
# login_required (sign-up, sign-in, the consumer's public endpoints …): those say so.
SIGNED_IN = [{"session": []}, {"bearer": []}]
_LOGIN_REQUIRED_CODE = flask_login.login_required(lambda: None).__code__
BODY_METHODS = frozenset({"PATCH"})


class ErrorBodySchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "stable, machine-readable"})
    message = ma.fields.String(required=True, metadata={"description": "for people"})
    fields = ma.fields.Dict(metadata={"description": "field name → list of problems"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBodySchema, required=True)


def decimal_bounds_as_numbers(self, field: ma.fields.Field, ret: dict, **kwargs) -> dict:
    """Range bounds of Decimal fields as JSON numbers: apispec keeps them Decimal and the
    document wrote them as strings ("minimum": "0.00"), which tools cannot compare with."""
    return {
        key: int(value) if value == value.to_integral_value() else float(value)
        for key, value in ret.items()
        if key in BOUNDS and isinstance(value, Decimal)
    }


def requires_login(view: Any) -> bool:
    """Whether flask-login's ``login_required`` wraps the view (seen through functools.wraps)."""
    while view is not None:
        if getattr(view, "__code__", None) is _LOGIN_REQUIRED_CODE:
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def openapi_path(rule: str) -> str:
    """``/teams/<uuid:team_id>`` → ``/teams/{team_id}``, as the document names paths."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def refuse_missing_body() -> None:
    """A PATCH whose body is documented as required but was not sent is a 422.

    Without this the partial schema loaded nothing and the PATCH answered 200, changing
    nothing — a client that lost its body would never know.
    """
    if request.method not in BODY_METHODS:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    wants_body = any(p.get("in") == "json" and p.get("required") for p in parameters)
    if wants_body and not request.get_data(cache=True):
        raise ValidationFailed(
            {"body": ["Send the fields to change as a JSON object."]},
            "The request has no body.",
        )


class LeadSyncApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def init_app(self, app: Flask, *args: Any, **kwargs: Any) -> None:
        super().init_app(app, *args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(decimal_bounds_as_numbers)
        self.spec.options["security"] = SIGNED_IN
        app.before_request(refuse_missing_body)

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        super().register_blueprint(blp, parameters=parameters, **options)
        # Public operations say they need nothing (the document's default is SIGNED_IN).
        app = self._app
        paths = self.spec._paths  # apispec's table of documented operations
        for rule in app.url_map.iter_rules():
            if rule.endpoint.split(".", 1)[0] != blp.name:
                continue
            if requires_login(app.view_functions[rule.endpoint]):
                continue
            operations = paths.get(openapi_path(rule.rule), {})
            for method in rule.methods or ():
                if method.lower() in operations:
                    operations[method.lower()]["security"] = []

    def handle_http_exception(self, error):
        status, body, headers = http_exception_body(error)
        return error_response(status, body, headers)
