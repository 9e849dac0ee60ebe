"""The mail outbox: queued with the caller's transaction, sent by the scheduler's job
through a real SMTP server on loopback, retried with backoff while the server is down,
given up after a bounded number of attempts or age, and never logged with its text."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.models import OutgoingMail
from app.mail.outbox import queue_mail
from app.mail.sender import deliver_due
from app.scheduler.lock import LeaseLock
from app.scheduler.runner import Scheduler, default_jobs
from app.tenancy import all_orgs, tenant
from tests.mail.conftest import T0
from tests.mail.smtp import REFUSED_DOMAIN, text_of

SECRET_LINK = "https://leads.example.test/c/s3cret-t0ken"


def queue(app, org, to: str = "dana@example.com", **extra) -> uuid.UUID | None:
    """Queue one mail for ``org`` and commit, as a request would; its id (None: not queued)."""
    with app.app_context(), tenant(org.id):
        mail = queue_mail(
            org.id,
            to,
            extra.pop("subject", "Re: your question to Acme"),
            extra.pop("text", f"Hello Dana,\n\nYes, it folds.\n\n{SECRET_LINK}\n"),
            kind=extra.pop("kind", "question_reply"),
            ref_id=extra.pop("ref_id", None),
        )
        db.session.commit()
        mail_id = mail.id if mail is not None else None
        db.session.remove()
    return mail_id


def rows(app) -> list[OutgoingMail]:
    with app.app_context(), all_orgs():
        found = list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.created_at)))
        db.session.expunge_all()
        db.session.remove()
    return found


def run(app, now):
    with app.app_context():
        stats = deliver_due(now)
        db.session.remove()
    return stats


def test_nothing_is_queued_when_mail_is_not_configured(app, org, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_HOST", None)
    assert queue(app, org) is None
    assert rows(app) == []


def test_a_mail_is_written_with_the_callers_transaction(app, org, smtp, clock):
    with app.app_context(), tenant(org.id):
        queue_mail(org.id, "dana@example.com", "Hi", "text", kind="question_reply")
        db.session.rollback()  # the request failed after queueing
        db.session.remove()
    assert rows(app) == []
    assert run(app, T0).claimed == 0
    assert smtp.messages == []


def test_the_scheduler_job_sends_a_queued_mail_to_its_address(app, org, smtp, clock):
    ref = uuid.uuid4()
    mail_id = queue(app, org, ref_id=ref)
    assert smtp.messages == []  # queueing sends nothing
    [job] = [job for job in default_jobs(app) if job.name == "deliver_mail"]
    assert job.every == timedelta(seconds=15)
    scheduler = Scheduler(app, [job], LeaseLock(clock=clock, holder="mail-test"), clock)
    assert scheduler.run_due() == ["deliver_mail"]

    [message] = smtp.messages
    assert smtp.inbox.recipients == [["dana@example.com"]]
    assert message["To"] == "dana@example.com"
    assert message["From"] == "Acme Desk <desk@acme.test>"
    assert message["Subject"] == "Re: your question to Acme"
    assert message.get_content_type() == "text/plain"
    assert text_of(message) == f"Hello Dana,\n\nYes, it folds.\n\n{SECRET_LINK}\n"
    [row] = rows(app)
    assert (row.id, row.org_id, row.kind, row.ref_id) == (mail_id, org.id, "question_reply", ref)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 1, T0, None)
    assert message["Message-ID"] == row.message_id
    assert row.text is None  # the secret link is not kept once it is sent
    assert run(app, T0 + timedelta(hours=1)).claimed == 0  # sent once, never again
    assert len(smtp.messages) == 1


def test_a_server_that_is_down_is_tried_again_with_backoff_until_it_is_back(app, org, smtp, clock):
    smtp.stop()
    queue(app, org)
    # Tries 1, 2, 3 fail; the waits after them are 60 s, 120 s, 240 s (base 60 s, doubling).
    tried_at = [T0, T0 + timedelta(seconds=60), T0 + timedelta(seconds=180)]
    for attempt, now in enumerate(tried_at, start=1):
        assert run(app, now - timedelta(seconds=1)).claimed == 0  # not due a second early
        stats = run(app, now)
        assert (stats.claimed, stats.retried, stats.failed) == (1, 1, 0)
        [row] = rows(app)
        assert (row.status, row.attempts) == ("pending", attempt)
        assert row.next_attempt_at == now + timedelta(seconds=60 * 2 ** (attempt - 1))
        assert "ConnectionRefusedError" in row.last_error
        assert row.text is not None  # still owed
    smtp.start()
    assert run(app, T0 + timedelta(seconds=419)).claimed == 0  # 180 + 240 = 420: not yet
    stats = run(app, T0 + timedelta(seconds=420))
    assert (stats.claimed, stats.sent) == (1, 1)
    [row] = rows(app)
    assert (row.status, row.attempts) == ("sent", 4)
    [message] = smtp.messages
    assert SECRET_LINK in text_of(message)


def test_the_backoff_stops_at_its_ceiling_and_the_sender_gives_up_after_the_last_attempt(
    app, org, smtp, clock, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 4)
    monkeypatch.setitem(app.config, "MAIL_RETRY_MAX_SECONDS", 100)
    smtp.stop()
    queue(app, org)
    now = T0
    waits = []
    for _ in range(3):
        run(app, now)
        [row] = rows(app)
        waits.append((row.next_attempt_at - now).total_seconds())
        now = row.next_attempt_at
    assert waits == [60, 100, 100]  # 60, then 120 and 240 held to the 100 s ceiling
    stats = run(app, now)  # the 4th and last attempt
    assert (stats.claimed, stats.failed, stats.retried) == (1, 1, 0)
    [row] = rows(app)
    assert (row.status, row.attempts, row.text) == ("failed", 4, None)
    smtp.start()
    assert run(app, now + timedelta(days=1)).claimed == 0  # failed stays failed
    assert smtp.messages == []


def test_mail_older_than_the_age_limit_is_given_up(app, org, smtp, clock, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_AGE_HOURS", 2)
    monkeypatch.setitem(app.config, "MAIL_RETRY_BASE_SECONDS", 3600)
    smtp.stop()
    queue(app, org)
    run(app, T0)  # fails; the next try would be at T0 + 1 h
    run(app, T0 + timedelta(hours=1))  # fails; the next would be at T0 + 3 h: past the limit
    [row] = rows(app)
    assert (row.status, row.attempts) == ("failed", 2)

    queue(app, org)  # queued at T0 while the scheduler was not running at all
    smtp.start()
    stats = run(app, T0 + timedelta(hours=2))
    assert (stats.given_up, stats.claimed) == (1, 0)
    assert [r.status for r in rows(app)] == ["failed", "failed"]
    assert rows(app)[1].last_error == "gave up: too old to send"
    assert smtp.messages == []


def test_a_recipient_the_server_refuses_for_good_is_failed_at_once(app, org, smtp, clock):
    queue(app, org, to=f"nobody{REFUSED_DOMAIN}")
    stats = run(app, T0)
    assert (stats.claimed, stats.failed, stats.retried) == (1, 1, 0)
    [row] = rows(app)
    assert (row.status, row.attempts, row.text) == ("failed", 1, None)
    assert "550" in row.last_error


def test_one_run_sends_every_organisations_mail(app, org, other_org, smtp, clock):
    queue(app, org, to="dana@example.com")
    queue(app, other_org, to="erin@example.com")
    assert run(app, T0).sent == 2
    assert sorted(m["To"] for m in smtp.messages) == ["dana@example.com", "erin@example.com"]


def test_a_sender_that_died_mid_send_leaves_the_mail_to_the_next_run(app, org, smtp, clock):
    mail_id = queue(app, org)
    with app.app_context(), all_orgs():  # claimed by a sender that then crashed
        row = db.session.get(OutgoingMail, (org.id, mail_id))
        row.status, row.attempts, row.next_attempt_at = "sending", 1, T0 + timedelta(seconds=300)
        db.session.commit()
        db.session.remove()
    assert run(app, T0 + timedelta(seconds=299)).claimed == 0  # its lease still holds
    assert run(app, T0 + timedelta(seconds=300)).sent == 1
    assert len(smtp.messages) == 1


@pytest.mark.parametrize(
    "address", ["dana@example.com\r\nBcc: x@evil.test", "two@a.test, b@c.test"]
)
def test_only_one_bare_address_is_queued(app, org, smtp, address):
    with pytest.raises(ValueError):
        queue(app, org, to=address)


def test_the_message_text_is_never_logged(app, org, smtp, clock, caplog):
    queue(app, org)
    queue(app, org, to=f"nobody{REFUSED_DOMAIN}")
    with caplog.at_level(logging.DEBUG):
        run(app, T0)
        smtp.stop()
        queue(app, org)
        run(app, T0)
    # The app's own log (the test's SMTP server logs what it receives, as a real one may).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("app."))
    assert "not sent" in logged and "2 claimed, 1 sent" in logged  # failures are logged …
    assert "s3cret-t0ken" not in logged  # … without the message's text
    assert "Yes, it folds" not in logged
