"""Putting email in the outbox: what a service calls when it owes someone a message.

``queue_mail`` adds a row to the caller's transaction and nothing else: no SMTP in the
request, and a request that rolls back queues nothing. ``sender.deliver_due`` (a scheduler
job) sends it later, with retries. With mail not configured (no ``SMTP_HOST``/``SMTP_URL``)
nothing is queued, as invitations then send nothing either.

The sender's pace and patience are settings with defaults here (``MAIL_*`` in
``app.config`` wins, which is how tests shorten them); they are not environment variables.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from flask import current_app

from app import outboxes
from app.database import utcnow
from app.extensions import db
from app.mail import mail_configured
from app.mail.models import OutgoingMail

# How often the scheduler sends due mail (s), how long a claim holds (s), the retry backoff
# base · 2^(attempts-1) up to a ceiling (s), and when the sender gives up: after so many
# attempts, or once a mail is this old (h), whichever comes first.
DEFAULTS = {
    "MAIL_SEND_SECONDS": 15,
    "MAIL_LEASE_SECONDS": 300,
    "MAIL_RETRY_BASE_SECONDS": 60,
    "MAIL_RETRY_MAX_SECONDS": 3600,
    "MAIL_MAX_ATTEMPTS": 20,
    "MAIL_MAX_AGE_HOURS": 48,
}
MAX_SUBJECT = 300


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def _checked_address(to: str) -> str:
    """One bare address, or ValueError: a line break would start a header of its own."""
    address = to.strip()
    if not address or any(c in address for c in "\r\n,;<>") or "@" not in address:
        raise ValueError("queue_mail takes one bare email address")
    if parseaddr(address)[1] != address:
        raise ValueError("queue_mail takes one bare email address")
    return address


def queue_mail(
    org_id: uuid.UUID,
    to: str,
    subject: str,
    text: str,
    *,
    kind: str,
    ref_id: uuid.UUID | None = None,
) -> OutgoingMail | None:
    """Queue a plain-text email to ``to`` in the caller's transaction (flushed, not
    committed); None when mail is not configured. ``kind`` says what it is about
    ("question_reply") and ``ref_id`` the record, for finding it again."""
    if not mail_configured():
        return None
    now = utcnow()
    sender = parseaddr(current_app.config["MAIL_FROM"])[1]
    mail = OutgoingMail(
        org_id=org_id,
        id=uuid.uuid4(),
        kind=kind[:40],
        ref_id=ref_id,
        to_address=_checked_address(to),
        # One line, whatever it was made from (as app.mail.new_message makes it).
        subject=" ".join(subject.split())[:MAX_SUBJECT],
        text=text,
        message_id=make_msgid(domain=sender.rpartition("@")[2] or None),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(mail)
    db.session.flush()
    return mail


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: base, 2·base, 4·base … up to the
    ceiling (as push reminders back off)."""
    return outboxes.backoff(
        attempts, setting("MAIL_RETRY_BASE_SECONDS"), setting("MAIL_RETRY_MAX_SECONDS")
    )
