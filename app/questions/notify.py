"""The consumer's copy of each staff reply, by email.

When a question has an email address and mail is configured, a staff reply (never an
internal note) queues a plain-text email to the consumer in the reply's own transaction:
who answered, the reply as written, and the link to the private conversation page. The
scheduler sends it later and retries it (``app.mail.sender``); the request never talks to
an SMTP server.
"""

from __future__ import annotations

import logging

from app.accounts.models import Organization
from app.extensions import db
from app.mail import mail_configured
from app.mail.outbox import queue_mail
from app.questions.models import Question, QuestionMessage

KIND = "question_reply"

log = logging.getLogger(__name__)


def reply_subject(org_name: str) -> str:
    return f"Re: your question to {org_name}"


def reply_text(org_name: str, staff_name: str, body: str, link: str | None) -> str:
    """The email's text: plain, so the reply reads exactly as it was written."""
    lines = [f"{staff_name} of {org_name} answered your question:", "", body, ""]
    if link:
        lines += [
            "Read the whole conversation and write back here:",
            link,
            "",
            "The link is yours alone: anyone who has it can read and answer the conversation,",
            "so please do not pass it on.",
        ]
    else:
        # The page's address could not be rebuilt: the answer still reaches them.
        lines += ["You can write back through the page you asked your question on."]
    return "\n".join(lines) + "\n"


def queue_reply_mail(question: Question, message: QuestionMessage, link: str | None) -> None:
    """Queue the consumer's email for a staff reply, with ``link`` to their conversation
    (``service.conversation_url``: the service passes it in, since this module sits below
    the service and must not import it back); nothing for a note, for a question without an
    email address, or with mail not configured."""
    if message.internal or message.author != "staff" or not question.email:
        return
    if not mail_configured():
        return
    org = db.session.get(Organization, question.org_id)
    org_name = org.name if org is not None else ""
    try:
        queue_mail(
            question.org_id,
            question.email,
            reply_subject(org_name),
            reply_text(org_name, message.name, message.body, link),
            kind=KIND,
            ref_id=message.id,
        )
    except ValueError:
        # An address no mail can go to (the intake checks them; older rows may differ): the
        # reply stands, and the consumer reads it on their page.
        log.warning(
            "question %s: its email address cannot be mailed; reply not emailed", question.id
        )
