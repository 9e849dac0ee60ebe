"""Sending the mail outbox: the scheduler's ``deliver_mail`` job.

Each run gives up what is past saving, then takes due mail a batch at a time, across every
organisation, with the claim and settlement every outbox shares (``app.outboxes``, as the
push sender takes reminders): claimed rows are committed as ``sending`` with a lease (on
PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two senders never take the same row), each is sent
through ``app.mail``, and the outcome is written back.

* sent: ``sent`` with ``sent_at``;
* refused for good by the server (a 5xx for the recipient or the content): ``failed``;
* anything else (no connection, a 4xx, a refused sign-in): pending again after a backoff
  of base · 2^(attempts-1) seconds up to a ceiling; ``failed`` after ``MAIL_MAX_ATTEMPTS``
  tries or once the mail is ``MAIL_MAX_AGE_HOURS`` old, whichever comes first.

A sent or failed mail's text is emptied (it may hold a secret link), and nothing here
logs a message's text: the log says counts, ids and the server's refusal.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from app.extensions import db
from app.mail import FAILED, SENT, attempt, mail_configured, new_message
from app.mail.models import OutgoingMail
from app.mail.outbox import backoff, setting
from app.outboxes import SenderStats, claim_due, detached, due_batches, settle, waiting
from app.tenancy import all_orgs

log = logging.getLogger(__name__)


@dataclass
class MailStats(SenderStats):
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    given_up: int = 0  # too old to send any more


@dataclass(frozen=True)
class _Job:
    org_id: uuid.UUID
    id: uuid.UUID
    to_address: str
    subject: str
    text: str
    message_id: str
    attempts: int
    created_at: datetime


def _give_up_old(now: datetime) -> int:
    """Mail older than ``MAIL_MAX_AGE_HOURS`` that is still waiting (or whose sender's lease
    lapsed) is failed: an answer days late would confuse more than it helps."""
    table = OutgoingMail.__table__
    oldest = now - timedelta(hours=setting("MAIL_MAX_AGE_HOURS"))
    result = db.session.execute(
        update(table)
        .where(table.c.created_at <= oldest, waiting(table, now))
        .values(status="failed", text=None, last_error="gave up: too old to send")
    )
    db.session.commit()
    return result.rowcount or 0


def _claim(now: datetime, batch: int) -> list[_Job]:
    """Take up to ``batch`` due mails, committed as ``sending`` until the lease ends."""
    lease = timedelta(seconds=setting("MAIL_LEASE_SECONDS"))
    with all_orgs():
        mails = claim_due(
            OutgoingMail,
            now,
            batch,
            lease,
            order_by=(OutgoingMail.next_attempt_at, OutgoingMail.created_at),
        )
        jobs = [detached(_Job, mail, text=mail.text or "") for mail in mails]
    db.session.commit()
    return jobs


def _outcome(job: _Job, now: datetime, stats: MailStats) -> dict:
    message = new_message(job.to_address, job.subject, job.text)
    message.replace_header("Message-ID", job.message_id)
    tried = attempt(message)
    row = {"b_org_id": job.org_id, "b_id": job.id, "status": "pending", "sent_at": None}
    row.update(next_attempt_at=now, text=job.text, last_error=tried.detail)
    if tried.outcome == SENT:
        row.update(status="sent", sent_at=now, text=None, last_error=None)
        stats.sent += 1
        return row
    stats.note_error(f"mail {job.id}: {tried.detail or tried.outcome}")
    retry_at = now + backoff(job.attempts)
    too_old = retry_at >= job.created_at + timedelta(hours=setting("MAIL_MAX_AGE_HOURS"))
    if tried.outcome == FAILED and (
        tried.permanent or job.attempts >= setting("MAIL_MAX_ATTEMPTS") or too_old
    ):
        row.update(status="failed", text=None)
        stats.failed += 1
    else:  # failed for now, or mail switched off since it was queued: try again later
        row["next_attempt_at"] = retry_at
        stats.retried += 1
    return row


def _settle(rows: list[dict]) -> None:
    settle(OutgoingMail.__table__, rows)
    db.session.commit()


def deliver_due(now: datetime, batch: int = 50, *, max_batches: int = 20) -> MailStats:
    """Send every mail due at ``now`` (aware UTC), ``batch`` at a time; commits each batch.

    Runs until nothing due is left or ``max_batches`` batches were sent (the rest wait for
    the next run). Needs an app context; no organisation scope (it works across all).
    With mail not configured it sends nothing and the queue waits (or grows old).
    """
    if now.tzinfo is None:
        raise ValueError("now must be an aware UTC datetime")
    started = time.monotonic()
    stats = MailStats()
    try:
        stats.given_up = _give_up_old(now)
        if not mail_configured():
            return stats
        for jobs in due_batches(lambda: _claim(now, batch), batch, max_batches):
            stats.claimed += len(jobs)
            # Settled one at a time: a crash mid-batch leaves what went out marked sent.
            for job in jobs:
                _settle([_outcome(job, now, stats)])
    finally:
        db.session.rollback()
    if stats.claimed or stats.given_up:
        stats.log(log, "mail", started)
    return stats
