"""Bodies of the push API: the browser's ``PushSubscription.toJSON()`` and what we answer."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import marshmallow as ma
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app

from app.fields import UtcDateTime
from app.push.vapid import b64url_decode

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def insecure_endpoints_allowed() -> bool:
    """Plain-HTTP loopback endpoints (a local push-service stand-in) are for tests only."""
    config = current_app.config
    return bool(config.get("TESTING") or config.get("PUSH_ALLOW_INSECURE_ENDPOINTS"))


def _is_private_host(host: str) -> bool:
    if host in LOOPBACK_HOSTS or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def validate_endpoint(value: str) -> None:
    """An https URL of a push service on the public internet (no internal addresses).

    The server POSTs to this URL, so a private or loopback host would let a user aim the
    server at its own network. ``http://127.0.0.1|localhost`` passes only in tests or with
    ``PUSH_ALLOW_INSECURE_ENDPOINTS`` (other private addresses never do).
    """
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError as error:
        raise ma.ValidationError("Not a valid URL.") from error
    if not host or parts.username or parts.password or parts.fragment:
        raise ma.ValidationError("Not a push service URL.")
    if parts.scheme not in ("http", "https"):
        raise ma.ValidationError("Must be an https URL.")
    if host in LOOPBACK_HOSTS and insecure_endpoints_allowed():
        return
    if parts.scheme != "https":
        raise ma.ValidationError("Must be an https URL.")
    if _is_private_host(host):
        raise ma.ValidationError("Must be a push service on the public internet.")


def _decoded(value: str) -> bytes:
    try:
        return b64url_decode(value)
    except (ValueError, TypeError) as error:
        raise ma.ValidationError("Not base64url.") from error


def validate_p256dh(value: str) -> None:
    raw = _decoded(value)
    if len(raw) != 65 or raw[0] != 4:
        raise ma.ValidationError("Must be an uncompressed P-256 point (65 bytes, base64url).")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as error:
        raise ma.ValidationError("Not a point on the P-256 curve.") from error


def validate_auth(value: str) -> None:
    if len(_decoded(value)) != 16:
        raise ma.ValidationError("Must be a 16-byte secret (base64url).")


class SubscriptionKeysSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    p256dh = ma.fields.String(
        required=True, validate=[ma.validate.Length(max=100), validate_p256dh]
    )
    auth = ma.fields.String(required=True, validate=[ma.validate.Length(max=32), validate_auth])


class SubscriptionCreateSchema(ma.Schema):
    """``PushSubscription.toJSON()``, optionally with a name for the device."""

    class Meta:
        unknown = ma.EXCLUDE  # browsers may add members

    endpoint = ma.fields.String(
        required=True, validate=[ma.validate.Length(min=1, max=2048), validate_endpoint]
    )
    expirationTime = ma.fields.Float(  # the browser's name
        allow_none=True,
        load_default=None,
        validate=ma.validate.Range(min=0, max=253402300799000),
        metadata={"description": "milliseconds since the epoch, or null"},
    )
    keys = ma.fields.Nested(SubscriptionKeysSchema, required=True)
    device_name = ma.fields.String(
        allow_none=True, load_default=None, validate=ma.validate.Length(max=120)
    )


class SubscriptionSchema(ma.Schema):
    id = ma.fields.UUID(dump_only=True)
    endpoint = ma.fields.String()
    device_name = ma.fields.String(allow_none=True)
    user_agent = ma.fields.String(allow_none=True)
    expires_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    last_success_at = UtcDateTime(allow_none=True)


class PublicKeySchema(ma.Schema):
    public_key = ma.fields.String(
        metadata={"description": "applicationServerKey: base64url uncompressed P-256 point"}
    )
