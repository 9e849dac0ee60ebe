"""A local stand-in for a browser push service (FCM, Mozilla autopush …), for tests and bench.

A real HTTP/1.1 server on 127.0.0.1 (a random free port, one thread per connection) that
does what a push service does with each message, and checks what a real one would:

* the VAPID ``Authorization: vapid t=<JWT>, k=<key>`` header (RFC 8292): ``k`` is the key
  the app serves at ``GET /api/v1/push/key``, the ES256 signature verifies against it,
  ``aud`` is this server's origin and ``exp`` is in the future (and within 24 h);
* the body is aes128gcm (RFC 8188/8291): it is decrypted with the fake browser's private
  key and auth secret, exactly as the browser would;
* ``TTL``, ``Urgency`` and ``Topic`` are recorded with the decrypted JSON.

Answers follow a programmable script (per endpoint, then for everyone), 201 by default.
It counts TCP connections, so tests can see that the sender reuses them.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class FakeBrowser:
    """A browser's push subscription: a real P-256 key pair and a 16-byte auth secret."""

    endpoint: str
    token: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def to_json(self, **extra) -> dict:
        """What ``PushSubscription.toJSON()`` gives."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth_secret)},
            **extra,
        }


@dataclass
class Received:
    token: str
    status: int
    ttl: str | None
    urgency: str | None
    topic: str | None
    content_encoding: str | None
    payload: dict | None
    size: int


class VapidError(Exception):
    pass


def verify_vapid(header: str | None, public_key_b64: str, audience: str) -> dict:
    """Check an RFC 8292 ``vapid t=…, k=…`` header; returns the JWT claims."""
    if not header or not header.lower().startswith("vapid "):
        raise VapidError(f"no vapid Authorization header: {header!r}")
    params = {}
    for part in header[6:].split(","):
        name, _, value = part.strip().partition("=")
        params[name.strip()] = value.strip()
    if params.get("k") != public_key_b64:
        raise VapidError("k is not the application server key")
    token = params.get("t", "")
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        jwt_header = json.loads(unb64url(header_b64))
        claims = json.loads(unb64url(claims_b64))
        signature = unb64url(signature_b64)
    except ValueError as error:
        raise VapidError(f"malformed JWT: {error}") from error
    if jwt_header.get("alg") != "ES256" or len(signature) != 64:
        raise VapidError("not an ES256 JWT")
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), unb64url(public_key_b64)
    )
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as error:
        raise VapidError("bad JWT signature") from error
    if claims.get("aud") != audience:
        raise VapidError(f"aud {claims.get('aud')!r} is not {audience!r}")
    exp = int(claims.get("exp", 0))
    if not time.time() < exp <= time.time() + 24 * 3600:
        raise VapidError("exp is not within the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidError("sub is not a mailto: or https: contact")
    return claims


class PushServiceStandIn:
    def __init__(self) -> None:
        self.vapid_public_key: str | None = None
        self.browsers: dict[str, FakeBrowser] = {}
        self.received: list[Received] = []
        self.problems: list[str] = []
        self.connections = 0
        self.script: deque[tuple[int, dict]] = deque()
        self.scripts: dict[str, deque[tuple[int, dict]]] = {}
        self.decrypt = True
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle -------------------------------------------------------------------
    def start(self) -> PushServiceStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like a real push service

            def setup(self) -> None:
                super().setup()
                with standin._lock:
                    standin.connections += 1

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                standin._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- programming it ---------------------------------------------------------------
    def new_browser(self) -> FakeBrowser:
        token = secrets.token_urlsafe(24)
        browser = FakeBrowser(endpoint=f"{self.origin}/wpush/v2/{token}", token=token)
        self.browsers[token] = browser
        return browser

    def answer(self, *statuses, browser: FakeBrowser | None = None) -> None:
        """Queue answers: ints, or (status, headers) pairs; then 201 again."""
        queue = self.script if browser is None else self.scripts.setdefault(browser.token, deque())
        for status in statuses:
            queue.append(status if isinstance(status, tuple) else (status, {}))

    def for_browser(self, browser: FakeBrowser) -> list[Received]:
        return [r for r in self.received if r.token == browser.token]

    # --- serving ----------------------------------------------------------------------
    def _next_answer(self, token: str) -> tuple[int, dict]:
        with self._lock:
            own = self.scripts.get(token)
            if own:
                return own.popleft()
            if self.script:
                return self.script.popleft()
        return 201, {}

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        token = request.path.rsplit("/", 1)[-1]
        browser = self.browsers.get(token)
        status, headers = self._next_answer(token)
        payload = None
        try:
            if browser is None:
                raise VapidError(f"unknown endpoint {request.path}")
            verify_vapid(request.headers.get("Authorization"), self.vapid_public_key, self.origin)
            if request.headers.get("Content-Encoding") != "aes128gcm":
                raise VapidError("Content-Encoding is not aes128gcm")
            if self.decrypt:
                plain = http_ece.decrypt(
                    body,
                    private_key=browser.private_key,
                    auth_secret=browser.auth_secret,
                    version="aes128gcm",
                )
                payload = json.loads(plain)
        except Exception as error:  # noqa: BLE001  (any failure is the sender's bug)
            with self._lock:
                self.problems.append(f"{type(error).__name__}: {error}")
            status, headers = 400, {}
        with self._lock:
            self.received.append(
                Received(
                    token=token,
                    status=status,
                    ttl=request.headers.get("TTL"),
                    urgency=request.headers.get("Urgency"),
                    topic=request.headers.get("Topic"),
                    content_encoding=request.headers.get("Content-Encoding"),
                    payload=payload,
                    size=len(body),
                )
            )
        request.send_response(status)
        if status == 201:
            request.send_header("Location", f"{self.origin}/m/{secrets.token_hex(8)}")
        for name, value in headers.items():
            request.send_header(name, value)
        request.send_header("Content-Length", "0")
        request.end_headers()
