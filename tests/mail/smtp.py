"""A real SMTP server on loopback (aiosmtpd) for every test that sends mail (the outbox,
replies to consumers, invitations), which can be stopped and started again on the same port
(the mail server being down, then back), and can ask for a sign-in."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask

# Recipients this server refuses for good (550), as a real one refuses an unknown mailbox.
REFUSED_DOMAIN = "@nowhere.test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """The aiosmtpd handler: keeps every message it accepts, with its envelope's recipients,
    and every sign-in tried (user, password); ``password`` is the one it accepts."""

    def __init__(self, password: str | None = None) -> None:
        self.password = password
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith(REFUSED_DOMAIN):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        return AuthResult(success=password == self.password)

    def only_message(self) -> EmailMessage:
        assert len(self.messages) == 1, [m["Subject"] for m in self.messages]
        return self.messages[0]


class SmtpServer:
    """The server and the app pointed at it (no TLS: loopback only). With a ``password``
    it offers AUTH (without TLS, as loopback allows) and accepts that password alone."""

    def __init__(self, password: str | None = None) -> None:
        self.inbox = Inbox(password)
        self.port = free_port()
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def start(self) -> SmtpServer:
        if self._controller is None:
            sign_in = {}
            if self.inbox.password is not None:
                sign_in = {"authenticator": self.inbox.authenticate, "auth_require_tls": False}
            self._controller = Controller(
                self.inbox, hostname="127.0.0.1", port=self.port, **sign_in
            )
            self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def running_smtp(
    app: Flask,
    monkeypatch,
    *,
    started: bool = True,
    mail_from: str = "Acme Desk <desk@acme.test>",
    password: str | None = None,
) -> Iterator[SmtpServer]:
    """The body of an ``smtp`` fixture: the server (started or not; asking for ``password``
    when given) and the app's mail settings pointed at it, signing in as nobody (a test
    sets ``SMTP_USERNAME``/``SMTP_PASSWORD`` itself); both put back afterwards."""
    server = SmtpServer(password)
    for key, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": server.port,
        "SMTP_SECURITY": "none",
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_TIMEOUT_SECONDS": 5,
        "MAIL_FROM": mail_from,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    if started:
        server.start()
    try:
        yield server
    finally:
        server.stop()


def text_of(message: EmailMessage) -> str:
    """The plain-text body as the consumer's mail client shows it (transfer encoding and the
    wire's CRLF line ends undone)."""
    return message.get_content().replace("\r\n", "\n")
