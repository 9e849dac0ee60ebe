"""Outgoing email over SMTP (the standard library's smtplib), for the few messages the
server sends itself: invitations (sent at once, the admin waits for the outcome) and the
consumer's copy of each staff reply (queued in ``outbox`` and sent by the scheduler's
``sender`` job, with retries).

Mail is optional: with no ``SMTP_HOST`` nothing is sent and callers say so to the person
who asked (an invitation link is then handed over by hand). Sending never raises: the
answer says whether the message went, and a failure is logged without the message's text,
which may carry a secret link.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import current_app

log = logging.getLogger(__name__)

SENT, NOT_CONFIGURED, FAILED = "sent", "not_configured", "failed"
OUTCOMES = (SENT, NOT_CONFIGURED, FAILED)


def mail_configured() -> bool:
    return bool(current_app.config.get("SMTP_HOST"))


def new_message(to: str, subject: str, text: str) -> EmailMessage:
    """A plain-text message from ``MAIL_FROM`` to one address."""
    sender = current_app.config["MAIL_FROM"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    # One line, whatever the text it was made from holds (a name typed with a line break
    # must not start a header of its own).
    message["Subject"] = " ".join(subject.split())
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    return message


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    timeout = config["SMTP_TIMEOUT_SECONDS"]
    security = config["SMTP_SECURITY"]
    if security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp
    except BaseException:
        smtp.close()
        raise


@dataclass(frozen=True)
class Attempt:
    """What one try to send a message came to. ``permanent``: the server refused this
    message for good (a 5xx for its recipient or content), so trying again cannot help;
    anything else (no connection, a 4xx, a refused sign-in an admin may yet fix) may."""

    outcome: str
    permanent: bool = False
    detail: str | None = None


def _refused_for_good(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def attempt(message: EmailMessage) -> Attempt:
    """Try to send ``message`` once, and say how it went (never raises)."""
    if not mail_configured():
        return Attempt(NOT_CONFIGURED)
    config = current_app.config
    try:
        with _connect() as smtp:
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        # The error names the server's refusal or the network's; never the message body.
        detail = f"{type(error).__name__}: {error}"[:300]
        log.warning("mail to the %s server not sent: %s", config["SMTP_HOST"], detail)
        return Attempt(FAILED, permanent=_refused_for_good(error), detail=detail)
    return Attempt(SENT)


def send(message: EmailMessage) -> str:
    """Send ``message``: ``"sent"``, ``"not_configured"`` (no SMTP_HOST) or ``"failed"``."""
    return attempt(message).outcome
