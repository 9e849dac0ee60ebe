"""The one JSON error shape: ``{"error": {"code", "message", "fields"?}}``, for everything.

Services raise ``ApiError`` (or a subclass); Flask's own HTTP errors, webargs validation
errors and anything unexpected are turned into the same shape here.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# The code every HTTP status gets when nothing more precise was said.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the client should see, with its HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class NotFound(ApiError):
    def __init__(self, what: str = "record") -> None:
        super().__init__(404, "not_found", f"No such {what}.")


class Forbidden(ApiError):
    def __init__(self, message: str = "You are not allowed to do that.", code: str = "forbidden"):
        super().__init__(403, code, message)


class AlreadyExists(ApiError):
    """A create whose id is already taken (sync answers ``duplicate``)."""

    def __init__(self, what: str) -> None:
        super().__init__(409, "already_exists", f"A {what} with that id exists already.")


class ValidationFailed(ApiError):
    def __init__(self, fields: dict[str, Any], message: str = "Some fields are not valid.") -> None:
        super().__init__(422, "validation_error", message, fields)


def error_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
    response = jsonify({"error": body})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_webargs_messages(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors by location ({"json": {...}, "query": {...}}): merge them."""
    fields: dict[str, Any] = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            fields.update(location_errors)
        else:
            fields["_schema"] = location_errors
    return fields


def http_exception_body(error: HTTPException) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Turn a werkzeug/webargs HTTPException into (status, error body, headers)."""
    status = error.code or 500
    code = STATUS_CODES.get(status, "error")
    message = error.description or error.name
    fields = None
    # Keep what werkzeug says in headers (Allow on 405, Retry-After on 429 …).
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if status == 400 and messages and "json" in messages and isinstance(messages["json"], list):
        code, message = "invalid_json", "The body is not valid JSON."
    elif messages:
        fields = _flatten_webargs_messages(messages)
        message = "Some fields are not valid."
    if "message" in data:
        message = data["message"]
    headers.update(data.get("headers") or {})
    if status == 429:
        message = "Too many attempts; try again later."
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return status, body, headers


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return error_response(error.status, error.to_dict())

    @app.errorhandler(OperationalError)
    def handle_database_unavailable(error: OperationalError):
        # The database went away or is overloaded: nothing was committed; the client retries.
        log.error("database unavailable: %s", error.orig)
        return error_response(
            503,
            {"code": "unavailable", "message": "The database is unavailable; try again shortly."},
        )

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):
            status, body, headers = http_exception_body(error)
            return error_response(status, body, headers)
        log.exception("unhandled error")
        return error_response(
            500, {"code": "internal_error", "message": "Something went wrong on our side."}
        )
