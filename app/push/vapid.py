"""The server's VAPID identity (RFC 8292): one P-256 key pair and a contact subject.

Where the key comes from, first match wins:

1. ``VAPID_PRIVATE_KEY`` (read from the environment by ``app.config``): a PEM private key,
   or base64url of the raw 32-byte private scalar (what ``vapid --gen`` / web-push tools
   print), or DER.
2. ``<instance>/vapid_private.pem``, made on first run with mode 0600.

Browsers bind every subscription to the public key they were given, so the key must stay
the same across restarts and across all processes: set ``VAPID_PRIVATE_KEY`` in
production (a key made per host would orphan every subscription made through another).
"""

from __future__ import annotations

import base64
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from py_vapid import Vapid

log = logging.getLogger(__name__)

KEY_FILE = "vapid_private.pem"
# RFC 8292 allows at most 24 h; tokens are reused until an hour before they run out.
TOKEN_LIFETIME = 12 * 3600
TOKEN_RENEW_BEFORE = 3600
_EXTENSION_KEY = "leadsync_push_vapid"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    text = text.strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_private_key(value: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM, base64url raw scalar or base64url DER."""
    value = value.strip()
    if value.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(value.encode(), password=None)
    else:
        raw = b64url_decode(value)
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        else:
            key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("VAPID_PRIVATE_KEY must be a P-256 (prime256v1) EC key")
    return key


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _load_or_create_key_file(path: Path) -> ec.EllipticCurvePrivateKey:
    if path.exists():
        return parse_private_key(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    # Write a private temp file, then link it into place: two processes starting together
    # never see a half-written key, and the loser of the race reads the winner's.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, _pem(key))
        os.close(fd)
        try:
            os.link(tmp, path)
            log.warning("made a new VAPID key in %s (set VAPID_PRIVATE_KEY in production)", path)
        except FileExistsError:
            return parse_private_key(path.read_text())
    finally:
        Path(tmp).unlink(missing_ok=True)
    return key


@dataclass
class VapidIdentity:
    private_key: ec.EllipticCurvePrivateKey
    subject: str
    _vapid: Vapid = field(init=False, repr=False)
    _tokens: dict[str, tuple[dict[str, str], int]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._vapid = Vapid(private_key=self.private_key)

    @property
    def public_key(self) -> str:
        """The application server key for ``pushManager.subscribe`` (base64url, 65 bytes)."""
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def headers_for(self, audience: str) -> dict[str, str]:
        """``Authorization: vapid t=<JWT>,k=<key>`` for a push service origin.

        The JWT's ``exp`` is wall-clock time (the push service checks it against its own
        clock), unlike the sender's scheduling clock. Tokens are cached per origin.
        """
        wall = int(time.time())
        with self._lock:
            cached = self._tokens.get(audience)
            if cached is not None and cached[1] - wall > TOKEN_RENEW_BEFORE:
                return cached[0]
            exp = wall + TOKEN_LIFETIME
            headers = self._vapid.sign({"aud": audience, "exp": exp, "sub": self.subject})
            self._tokens[audience] = (headers, exp)
            return headers


def get_vapid(app: Flask) -> VapidIdentity:
    """The app's VAPID identity, loaded (or made) once per app."""
    identity = app.extensions.get(_EXTENSION_KEY)
    if identity is None:
        configured = app.config.get("VAPID_PRIVATE_KEY")
        if configured:
            key = parse_private_key(configured)
        else:
            if app.config.get("LEADSYNC_ENV") == "production":
                log.warning("VAPID_PRIVATE_KEY is not set; using a key kept in the instance folder")
            key = _load_or_create_key_file(Path(app.instance_path) / KEY_FILE)
        identity = VapidIdentity(key, app.config["VAPID_SUBJECT"])
        app.extensions[_EXTENSION_KEY] = identity
    return identity
