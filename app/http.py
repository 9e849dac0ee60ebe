"""Writing JSON answers fast (orjson), for the routes that build their own wire dicts."""

from __future__ import annotations

import base64
from typing import Any

import orjson
from flask import Response

from app.errors import ApiError


def wire_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


def encode_key(value: Any) -> str:
    """An opaque, URL-safe token for a small JSON value (keyset positions)."""
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def decode_key(token: str) -> Any:
    try:
        return orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, orjson.JSONDecodeError) as error:
        raise ApiError(
            400, "bad_page_key", "The page key is not valid.", {"after": ["invalid"]}
        ) from error
