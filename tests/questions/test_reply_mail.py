"""The consumer gets each staff reply by email, with the conversation's link: queued by the
reply (the request never talks to the mail server), sent by the scheduler's mail job to a
real SMTP server on loopback, and retried while that server is down."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.mail.models import OutgoingMail
from app.questions.models import Question
from app.scheduler.lock import LeaseLock
from app.scheduler.runner import Scheduler, default_jobs
from app.tenancy import all_orgs
from tests.mail.smtp import SmtpServer, running_smtp, text_of
from tests.questions.conftest import ask, slug_of

BASE = "https://leads.acme.example"
REPLY = "Yes, it folds to 40 cm.\nDelivery takes 3 days <from the warehouse> & is free."


@pytest.fixture
def smtp(app, monkeypatch, config) -> Iterator[SmtpServer]:
    config(PUBLIC_BASE_URL=BASE)
    yield from running_smtp(app, monkeypatch)


def run_mail_job(app, clock) -> None:
    """One run of the scheduler's mail job, as ``flask scheduler`` runs it."""
    [job] = [job for job in default_jobs(app) if job.name == "deliver_mail"]
    scheduler = Scheduler(app, [job], LeaseLock(clock=clock, holder="reply-mail-test"), clock)
    assert scheduler.run_job(job)


def queued(app) -> int:
    with app.app_context(), all_orgs():
        count = db.session.scalar(select(func.count()).select_from(OutgoingMail))
        db.session.remove()
    return count


def asked(client, api_as, org, **overrides) -> tuple[str, str]:
    """A consumer's question: (its id, the link the consumer was given)."""
    created = ask(client, slug_of(api_as, org), **overrides)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.json["url"].startswith(f"{BASE}/c/")
    return created.json["id"], created.json["url"]


def reply(api, question_id: str, body: str = REPLY, **extra):
    return api.post(f"/api/v1/questions/{question_id}/replies", json={"body": body, **extra})


def test_a_staff_reply_reaches_the_consumer_by_email_with_the_link(
    app, client, api_as, org, smtp, clock
):
    question_id, link = asked(client, api_as, org, email="dana@example.com")
    assert reply(api_as(org.cs), question_id).status_code == 201
    assert smtp.messages == []  # queued by the request, not sent by it
    run_mail_job(app, clock)

    [message] = smtp.messages
    assert smtp.inbox.recipients == [["dana@example.com"]]
    assert message["To"] == "dana@example.com"
    assert message["Subject"] == "Re: your question to Acme"
    assert message.get_content_type() == "text/plain"
    # Plain text: the reply exactly as written (no escaping), who wrote it, and the link.
    assert text_of(message) == (
        "Acme cs of Acme answered your question:\n"
        "\n"
        "Yes, it folds to 40 cm.\n"
        "Delivery takes 3 days <from the warehouse> & is free.\n"
        "\n"
        "Read the whole conversation and write back here:\n"
        f"{link}\n"
        "\n"
        "The link is yours alone: anyone who has it can read and answer the conversation,\n"
        "so please do not pass it on.\n"
    )
    # The link opens the consumer's conversation, with the reply in it.
    token = link.rsplit("/c/", 1)[1]
    page = client.get(f"/api/v1/public/questions/{token}").json
    assert [m["body"] for m in page["messages"]] == ["Does it fold?", REPLY]

    run_mail_job(app, clock)  # sent once, never again
    assert len(smtp.messages) == 1


def test_each_reply_is_a_mail_of_its_own(app, client, api_as, org, smtp, clock):
    question_id, _ = asked(client, api_as, org)
    cs = api_as(org.cs)
    assert reply(cs, question_id, "First answer.").status_code == 201
    assert reply(cs, question_id, "And one more thing.").status_code == 201
    run_mail_job(app, clock)
    # Two mails, one reply each (mail has no order to keep: the two left at the same moment).
    bodies = sorted(text_of(m).split("\n")[2] for m in smtp.messages)
    assert bodies == ["And one more thing.", "First answer."]


def test_an_internal_note_sends_nothing(app, client, api_as, org, smtp, clock):
    question_id, _ = asked(client, api_as, org)
    note = reply(api_as(org.cs), question_id, "Customer sounds annoyed; be kind.", internal=True)
    assert note.status_code == 201
    run_mail_job(app, clock)
    assert queued(app) == 0 and smtp.messages == []


def test_a_question_without_an_email_address_sends_nothing(app, client, api_as, org, smtp, clock):
    question_id, _ = asked(client, api_as, org, email=None, phone="+49 30 1234567")
    assert reply(api_as(org.cs), question_id).status_code == 201
    run_mail_job(app, clock)
    assert queued(app) == 0 and smtp.messages == []


def test_an_address_no_mail_can_go_to_keeps_the_reply_and_sends_nothing(
    app, client, api_as, org, smtp, clock
):
    question_id, _ = asked(client, api_as, org)
    with app.app_context(), all_orgs():  # as a row from before the intake checked addresses
        question = db.session.get(Question, (org.id, uuid.UUID(question_id)))
        question.email = "dana@example.com, eve@example.com"
        db.session.commit()
        db.session.remove()
    assert reply(api_as(org.cs), question_id).status_code == 201
    assert queued(app) == 0


def test_a_link_that_cannot_be_rebuilt_still_sends_the_reply(app, client, api_as, org, smtp, clock):
    question_id, link = asked(client, api_as, org)
    with app.app_context(), all_orgs():  # a question from before links were kept
        question = db.session.get(Question, (org.id, uuid.UUID(question_id)))
        question.token_sealed = None
        db.session.commit()
        db.session.remove()
    assert reply(api_as(org.cs), question_id, "Yes.").status_code == 201
    run_mail_job(app, clock)
    [message] = smtp.messages
    assert text_of(message) == (
        "Acme cs of Acme answered your question:\n"
        "\n"
        "Yes.\n"
        "\n"
        "You can write back through the page you asked your question on.\n"
    )
    assert "/c/" not in text_of(message)


def test_without_mail_configured_nothing_is_queued(app, client, api_as, org, smtp, clock, config):
    question_id, _ = asked(client, api_as, org)
    config(SMTP_HOST=None)
    assert reply(api_as(org.cs), question_id).status_code == 201
    assert queued(app) == 0


def test_a_refused_reply_queues_no_mail(app, client, api_as, org, smtp, clock):
    question_id, _ = asked(client, api_as, org)
    assert api_as(org.cs).post(f"/api/v1/questions/{question_id}/claim").status_code == 200
    # A colleague's claim holds: the admin's reply is refused, and nothing is mailed.
    assert reply(api_as(org.admin), question_id).status_code == 409
    run_mail_job(app, clock)
    assert queued(app) == 0 and smtp.messages == []


def test_with_the_mail_server_down_the_reply_still_answers_and_the_mail_follows_later(
    app, client, api_as, org, smtp, clock
):
    question_id, link = asked(client, api_as, org, email="dana@example.com")
    smtp.stop()
    response = reply(api_as(org.cs), question_id)
    assert response.status_code == 201  # the request never touched the mail server
    run_mail_job(app, clock)  # refused: tried again after 60 s
    assert smtp.messages == []
    with app.app_context(), all_orgs():
        row = db.session.scalar(select(OutgoingMail))
        assert (row.status, row.attempts) == ("pending", 1)
        assert row.next_attempt_at == clock.now + timedelta(seconds=60)
        db.session.remove()

    smtp.start()
    clock.advance(seconds=30)
    run_mail_job(app, clock)  # not due yet
    assert smtp.messages == []
    clock.advance(seconds=30)
    run_mail_job(app, clock)
    [message] = smtp.messages
    assert message["To"] == "dana@example.com"
    assert REPLY in text_of(message) and link in text_of(message)
