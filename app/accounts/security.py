"""Password hashing, device-token secrets, CSRF tokens and sealed secrets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app, session
from itsdangerous import BadSignature, URLSafeSerializer

TOKEN_PREFIX = "lsd_"
# The password hash of someone invited who has not chosen a password yet: not an argon2
# hash, so no password ever verifies against it.
NO_PASSWORD = "!invited"


def _hasher() -> PasswordHasher:
    # Tests choose the cheapest parameters; everything else uses argon2-cffi's defaults
    # (RFC 9106's low-memory profile: memory-hard, ~50 ms).
    if current_app.config.get("PASSWORD_HASH_CHEAP"):
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def has_password(password_hash: str) -> bool:
    """Whether the person has chosen a password (an invited person has not, yet)."""
    return password_hash != NO_PASSWORD


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


_DUMMY_HASH: dict[bool, str] = {}


def burn_password_check(password: str) -> None:
    """Spend the time of a real check, so an unknown email answers as slowly as a known one."""
    cheap = bool(current_app.config.get("PASSWORD_HASH_CHEAP"))
    if cheap not in _DUMMY_HASH:
        _DUMMY_HASH[cheap] = hash_password("not-a-real-password")
    verify_password(_DUMMY_HASH[cheap], password)


def new_device_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_invitation_secret() -> str:
    # URL-safe and free of dots: it is the last part of the link's path (/invite/<secret>).
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """How device tokens and invitation links are stored. The secrets have 256 random bits,
    so a fast hash is enough to make a stolen table useless."""
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token() -> str:
    """The session's CSRF token, made on first use."""
    token = session.get("csrf_token")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf_token"] = token
    return token


def csrf_token_matches(sent: str | None) -> bool:
    expected = session.get("csrf_token")
    return bool(sent and expected and hmac.compare_digest(sent, expected))


def _sealing_key(purpose: str) -> bytes:
    """A 256-bit key for one purpose, derived from SECRET_KEY (rotating SECRET_KEY makes
    what was sealed before unreadable, which ``unseal`` answers with None)."""
    return hmac.new(
        current_app.config["SECRET_KEY"].encode(), f"seal:{purpose}".encode(), hashlib.sha256
    ).digest()


def seal(secret: str, purpose: str) -> str:
    """Keep a secret the server must show again later (a consumer's conversation link,
    mailed with each reply) readable only with the server's key: AES-GCM, URL-safe text."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_sealing_key(purpose)).encrypt(nonce, secret.encode(), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(sealed: str, purpose: str) -> str | None:
    """The secret ``seal`` kept, or None when it cannot be read (another key, tampered)."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return AESGCM(_sealing_key(purpose)).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
    except (InvalidTag, ValueError):
        return None


# --- known devices: the sign-in throttle tells the person's own browser from a guesser -----
#
# A browser that has signed in to an account gets a signed cookie naming that account (by a
# hash of its email) and a random device id. Sign-in attempts that present it are counted in
# their own budget (per account and device) instead of the account's and the address's, so a
# guesser who exhausts those cannot lock the person, or an office behind one address, out of
# browsers they already use (OWASP's "device cookies"). The cookie is no credential: it only
# chooses which failure budget an attempt draws from.

KNOWN_DEVICE_COOKIE = "leadsync_device"
KNOWN_DEVICE_MAX_AGE = 365 * 24 * 3600
KNOWN_DEVICE_MAX_ACCOUNTS = 10  # a shared computer remembers this many accounts


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def account_tag(normalized_email: str) -> str:
    # surrogatepass: a body with half a surrogate pair must still be refused (422), not 500.
    tag = f"known-device:{normalized_email}".encode(errors="surrogatepass")
    return hashlib.sha256(tag).hexdigest()[:32]


def read_known_device(cookie: str | None) -> tuple[str, list[str]] | None:
    """(device id, account tags) of a genuine known-device cookie, else None."""
    if not cookie:
        return None
    try:
        data = _device_serializer().loads(cookie)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    device, accounts = data.get("d"), data.get("a")
    if not isinstance(device, str) or not isinstance(accounts, list):
        return None
    return device, [a for a in accounts if isinstance(a, str)]


def known_device_cookie(current: str | None, normalized_email: str) -> str:
    """The cookie value after a successful sign-in to this account on this browser."""
    known = read_known_device(current)
    device, accounts = known if known else (secrets.token_urlsafe(16), [])
    tag = account_tag(normalized_email)
    accounts = [tag] + [a for a in accounts if a != tag]
    return _device_serializer().dumps({"d": device, "a": accounts[:KNOWN_DEVICE_MAX_ACCOUNTS]})
