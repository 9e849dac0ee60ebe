"""Consumer questions: every rule and every write. The public side (no account) finds the
organisation by its slug and a conversation by its secret, and enters that organisation's
scope itself; the staff side takes the acting user. Functions flush; the request commits."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import case, func, or_, select

from app.accounts import permissions
from app.accounts.models import Organization, User, lead_sources
from app.accounts.security import hash_secret, seal, unseal
from app.assignment import service as assignment
from app.assignment.models import AssignmentRule
from app.changelog import versions as changes
from app.database import utcnow
from app.errors import AlreadyExists, ApiError, NotFound, ValidationFailed
from app.extensions import db
from app.leads import service as leads
from app.leads.models import Lead, Product
from app.push.outbox import NewReminder, enqueue_reminders
from app.questions import notify, sla
from app.questions.models import Question, QuestionMessage
from app.sla.quiet_hours import send_time
from app.tenancy import all_orgs, current_org_id, tenant

LIST_LIMIT = 500
# What the consumer's link is sealed for (``security.seal``): only these links.
LINK_PURPOSE = "question-link"
# A "new question" push is news for this long; after that the queue shows it anyway.
NEW_QUESTION_PUSH_TTL = timedelta(minutes=30)


# --- the public side -----------------------------------------------------------------------


def find_organization(slug: str) -> Organization | None:
    """The organisation a public address names (``/q/<slug>``), if any."""
    return db.session.scalar(select(Organization).where(Organization.slug == slug.lower()))


def public_origins(org_id: uuid.UUID) -> list[str]:
    """The web origins the organisation lets call its public endpoints (CORS)."""
    org = db.session.get(Organization, org_id)
    return list(org.public_origins or []) if org is not None else []


@contextmanager
def scope_of(org_id: uuid.UUID) -> Iterator[None]:
    """Public requests have no signed-in user to set the organisation: they say it here."""
    with tenant(org_id):
        yield


def public_products(org: Organization) -> list[Any]:
    """The active catalogue, for the form's product picker."""
    with scope_of(org.id):
        return list(
            db.session.execute(
                select(Product.id, Product.name, Product.list_price, Product.currency)
                .where(Product.active.is_(True))
                .order_by(Product.name, Product.id)
            )
        )


def _offered(org: Organization, product_id: uuid.UUID) -> bool:
    """Whether the product is one the form offers (the organisation's, and active)."""
    with scope_of(org.id):
        found = db.session.scalar(
            select(Product.id).where(Product.id == product_id, Product.active.is_(True))
        )
    return found is not None


@dataclass(frozen=True)
class Asked:
    """A question taken in: its id and the conversation's secret (shown once); the stored
    question (None for a honeypot's)."""

    id: uuid.UUID
    token: str
    question: Question | None

    @property
    def stored(self) -> bool:
        return self.question is not None


def ask(org: Organization, data: dict[str, Any]) -> Asked:
    """Take in a consumer's question with its first message. A filled-in honeypot
    (``website``) gets an answer that looks the same, and nothing is stored."""
    token = secrets.token_urlsafe(32)  # 256 random bits
    if data.get("website"):
        return Asked(uuid.uuid4(), token, None)
    with scope_of(org.id):
        product_id = data.get("product_id")
        if product_id is not None and not _offered(org, product_id):
            raise ValidationFailed({"product_id": ["Not one of our products."]})
        now = utcnow()
        question = Question(
            org_id=org.id,
            id=uuid.uuid4(),
            name=data["name"],
            email=data.get("email"),
            phone=data.get("phone"),
            product_id=product_id,
            product_text=data.get("product_text"),
            region=data.get("region"),
            status="new",
            token_hash=hash_secret(token),
            token_sealed=seal(token, LINK_PURPOSE),
            message_count=0,
            created_at=now,
            updated_at=now,
            last_consumer_message_at=now,
        )
        # Intake is the desk's busiest write: everything that only reads comes first (the
        # clock's policy and hours, who is on shift), and the organisation's change counter
        # — which every writer of the organisation waits for — is taken last, just before
        # the rows are written, for the question and its first message at once.
        sla.question_asked(question, now)
        _tell_the_desk(org, question, now)
        top = changes.next_versions(org.id, 2)
        question.version = top
        db.session.add(question)
        message = _add_message(
            question, "consumer", None, question.name, data["message"], False, now, stamp=False
        )
        message.version = top - 1
        db.session.flush()
        if org.route_questions_to_sales:
            _straight_to_sales(question, org)
    return Asked(question.id, token, question)


def _straight_to_sales(question: Question, org: Organization) -> None:
    """The organisation sends every question to sales as it arrives: a lead routed by the
    rules. When that cannot be done (no rule and no default owner, a contact the leads
    refuse) the question simply waits for the desk, which may hand it on itself."""
    try:
        with db.session.begin_nested():
            _hand_to_sales(question, org, None, None, None, "")
    except ApiError:
        return


def _tell_the_desk(org: Organization, question: Question, now: datetime) -> None:
    """A push to each customer-service person on shift now: a new question is waiting.
    Those off shift see it in the queue when they start (and its deadline warns them)."""
    reminders = [
        NewReminder(
            org_id=org.id,
            user_id=person.id,
            kind="new_question",
            item_type="question",
            item_id=question.id,
            milestone=f"asked:{int(question.created_at.timestamp())}",
            title=f"New question: {question.name}"[:120],
            body=f"Reply {sla.promise_of(question, org, now).text.removeprefix('We reply ')}",
            url=f"/questions/{question.id}",
            not_before=now,
            ttl_seconds=int(NEW_QUESTION_PUSH_TTL.total_seconds()),
        )
        for person in permissions.desk_staff()
        if send_time(person, org, now) == now
    ]
    # About a question made in this transaction: no older reminder to supersede or to find.
    enqueue_reminders(reminders, supersede=False, read_back=False)


def reply_promise(org: Organization, question: Question | None = None) -> sla.Promise:
    """What the consumer is told of the reply: for a question asked now (the form), or for
    theirs (``sla.promise_of``)."""
    with scope_of(org.id):
        if question is None:
            return sla.promise_for_new(org, utcnow())
        return sla.promise_of(question, org, utcnow())


def conversation_link(token: str) -> str:
    """The consumer's private link: ``<PUBLIC_BASE_URL>/c/<token>`` (else this server's
    address, as the request reached it)."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if not base and has_request_context():
        base = request.host_url
    return f"{(base or '').rstrip('/')}/c/{token}"


def conversation_url(question: Question) -> str | None:
    """The consumer's link again (mailed with each reply), or None when the secret cannot
    be read back (sealed under another SECRET_KEY, or from before links were kept)."""
    token = unseal(question.token_sealed, LINK_PURPOSE) if question.token_sealed else None
    return conversation_link(token) if token else None


def question_by_token(token: str, *, for_update: bool = False) -> Question:
    """The question behind a conversation link; 404 for any other secret."""
    with all_orgs():  # the secret alone says whose it is
        found = db.session.execute(
            select(Question.org_id, Question.id).where(Question.token_hash == hash_secret(token))
        ).first()
    if found is None:
        raise NotFound("conversation")
    with scope_of(found.org_id):
        return _load(found.id, for_update=for_update)


def org_of_token(token: str) -> uuid.UUID | None:
    """The organisation a conversation link belongs to (the per-organisation limit's key)."""
    with all_orgs():
        return db.session.scalar(
            select(Question.org_id).where(Question.token_hash == hash_secret(token))
        )


def conversation(token: str) -> tuple[Question, list[QuestionMessage]]:
    question = question_by_token(token)
    with scope_of(question.org_id):
        return question, messages_of(question)


def consumer_writes(token: str, body: str) -> Question:
    """The consumer answers back; a resolved question opens again, and a reply is owed
    again (the first-reply clock runs) unless one is owed already."""
    question = question_by_token(token, for_update=True)
    with scope_of(question.org_id):
        now = utcnow()
        _add_message(question, "consumer", None, question.name, body, False, now)
        question.last_consumer_message_at = now
        if question.status == "resolved":
            question.status = "open" if question.first_replied_at else "new"
            question.resolved_at = None
        changes.stamp(question)
        sla.consumer_wrote(question, now)
        db.session.flush()
    return question


# --- the staff side ------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    user_id: uuid.UUID
    name: str
    until: datetime


def claim_span() -> timedelta:
    """How long a claim holds after its holder's claim or last reply."""
    return timedelta(minutes=current_app.config["QUESTION_CLAIM_MINUTES"])


def _holder(question: Question, now: datetime) -> uuid.UUID | None:
    """Who holds the question now: a claim lapses a span after its holder's last claim or
    reply, so nothing sits behind an absent colleague."""
    if question.claimed_by is None or question.claimed_at is None:
        return None
    return question.claimed_by if now < question.claimed_at + claim_span() else None


def live_claims(questions: list[Question]) -> dict[uuid.UUID, Claim]:
    """The live claim of each question that has one, with its holder's name."""
    now = utcnow()
    held = {q.id: q for q in questions if _holder(q, now) is not None}
    if not held:
        return {}
    names = dict(
        db.session.execute(
            select(User.id, User.name).where(User.id.in_({q.claimed_by for q in held.values()}))
        ).all()
    )
    return {
        q.id: Claim(q.claimed_by, names.get(q.claimed_by, ""), q.claimed_at + claim_span())
        for q in held.values()
    }


def _may_read(actor: User) -> None:
    permissions.require(
        permissions.may_read_questions(actor), "Questions are for customer service."
    )


def _may_work(actor: User) -> None:
    permissions.require(
        permissions.may_work_questions(actor), "Only customer service answers questions."
    )


def _load(question_id: uuid.UUID, *, for_update: bool = False) -> Question:
    query = select(Question).where(Question.id == question_id)
    if for_update:
        # The organisation's change counter first, then the row: the order every writer
        # keeps (``changes.lock_counter``), so the SLA check and a reply never deadlock.
        changes.lock_counter(current_org_id())
        # Claims and replies read the claim and then write it: the row lock makes two
        # colleagues at the same moment take turns, so exactly one claim wins.
        query = query.with_for_update().execution_options(populate_existing=True)
    question = db.session.scalar(query)
    if question is None:
        raise NotFound("question")
    return question


def list_questions(
    actor: User,
    status: str | None = None,
    claimed_by: uuid.UUID | None = None,
    q: str | None = None,
) -> list[Question]:
    """The queue (at most LIST_LIMIT): questions owed a reply first, the earliest deadline
    first; then the rest, newest first."""
    _may_read(actor)
    owed = Question.sla_state.in_(("ok", "warning", "breached"))
    query = select(Question).order_by(
        case((owed, 0), else_=1),
        case((owed, Question.sla_due_at)),
        Question.created_at.desc(),
        Question.id.desc(),
    )
    if status is not None:
        query = query.where(Question.status == status)
    if claimed_by is not None:
        query = query.where(
            Question.claimed_by == claimed_by, Question.claimed_at > utcnow() - claim_span()
        )
    if q:
        needle = q.strip().lower()
        in_messages = select(QuestionMessage.question_id).where(
            func.lower(QuestionMessage.body).contains(needle, autoescape=True)
        )
        query = query.where(
            or_(
                func.lower(Question.name).contains(needle, autoescape=True),
                func.lower(Question.email).contains(needle, autoescape=True),
                func.lower(Question.phone).contains(needle, autoescape=True),
                Question.id.in_(in_messages),
            )
        )
    return list(db.session.scalars(query.limit(LIST_LIMIT)))


def get_question(actor: User, question_id: uuid.UUID) -> Question:
    _may_read(actor)
    return _load(question_id)


def messages_of(question: Question) -> list[QuestionMessage]:
    """Every message, internal notes included, in the order written."""
    return list(
        db.session.scalars(
            select(QuestionMessage)
            .where(QuestionMessage.question_id == question.id)
            .order_by(QuestionMessage.position)
        )
    )


def _claimed_by_other(question: Question, actor: User, now: datetime) -> ApiError | None:
    holder = _holder(question, now)
    if holder is None or holder == actor.id:
        return None
    claim = live_claims([question])[question.id]
    until = claim.until.strftime("%H:%M UTC")
    return ApiError(
        409,
        "claimed",
        f"{claim.name} is answering this question (their claim holds until {until}).",
        {"claimed_by": [claim.name]},
        claimed_by={"user_id": str(claim.user_id), "name": claim.name},
        claimed_until=claim.until.isoformat().replace("+00:00", "Z"),
    )


def claim(actor: User, question_id: uuid.UUID) -> Question:
    """Take the question, or 409 ``claimed`` naming who holds it. Claiming one's own again
    renews it."""
    _may_work(actor)
    question = _load(question_id, for_update=True)
    if question.status == "resolved":
        raise ApiError(409, "resolved", "This question is resolved; nothing to claim.")
    now = utcnow()
    conflict = _claimed_by_other(question, actor, now)
    if conflict is not None:
        raise conflict
    _take(question, actor, now)
    changes.stamp(question)
    db.session.flush()
    return question


def _take(question: Question, actor: User, now: datetime) -> None:
    """The actor holds the question from now; their team's leads hear of an escalation."""
    question.claimed_by, question.claimed_at = actor.id, now
    question.team_id = actor.team_ids[0] if actor.team_ids else None
    question.updated_at = now


def reply(
    actor: User,
    question_id: uuid.UUID,
    body: str,
    internal: bool = False,
    message_id: uuid.UUID | None = None,
) -> QuestionMessage:
    """Answer the consumer (which claims the question, or renews one's claim, moves a new
    question to open and meets its first-reply clock), or add a note only staff see (which
    anyone may, claimed or not). ``message_id``: a device's own id for the message; the
    same id again is the same message (a resend), not a second one."""
    _may_work(actor)
    question = _load(question_id, for_update=True)
    if message_id is not None:
        known = db.session.get(QuestionMessage, (question.org_id, message_id))
        if known is not None:
            if known.question_id != question.id or known.author_id != actor.id:
                raise AlreadyExists("message")
            return known
    now = utcnow()
    if not internal:
        conflict = _claimed_by_other(question, actor, now)
        if conflict is not None:
            raise conflict
        _take(question, actor, now)
        if question.status == "new":
            question.status = "open"
        if question.first_replied_at is None:
            question.first_replied_at = now
        sla.staff_replied(question, now)
    message = _add_message(
        question, "staff", actor.id, actor.name, body, internal, now, message_id
    )
    changes.stamp(question)
    notify.queue_reply_mail(question, message, conversation_url(question))
    db.session.flush()
    return message


def resolve(actor: User, question_id: uuid.UUID) -> Question:
    """Close the question (and its claim); the consumer writing again reopens it."""
    _may_work(actor)
    question = _load(question_id, for_update=True)
    if question.status == "resolved":
        return question
    now = utcnow()
    conflict = _claimed_by_other(question, actor, now)
    if conflict is not None:
        raise conflict
    question.status, question.resolved_at = "resolved", now
    question.claimed_by = question.claimed_at = None
    question.updated_at = now
    sla.resolved(question, now)
    changes.stamp(question)
    db.session.flush()
    return question


@dataclass(frozen=True)
class HandOff:
    """A question handed to sales: the lead made of it, whose it is, and the rule that
    chose them (None: the organisation's default owner)."""

    lead_id: uuid.UUID
    owner_id: uuid.UUID
    team_id: uuid.UUID | None
    rule: str | None


# The lead's source when the organisation keeps it in its list (else its default source).
HAND_OFF_SOURCE = "customer_service"


def convert(actor: User, question_id: uuid.UUID, data: dict[str, Any]) -> HandOff:
    """Hand the buying interest to sales: a lead with the consumer's contact, product,
    quantity and region and the conversation so far, owned by whom the assignment rules
    choose, its first-response clock running from now. The question keeps the lead
    (``lead_id``) and the lead's conversation is the question's (``conversation_of_lead``).
    ``data``: ``lead_id`` (a device's own id for the lead: the same id again is the same
    hand-off), ``quantity``, ``note``. A question is handed on once: 409 ``converted``."""
    _may_work(actor)
    question = _load(question_id, for_update=True)
    if question.lead_id is not None:
        if data.get("lead_id") in (None, question.lead_id):
            return _hand_off_of(question)
        raise ApiError(
            409,
            "converted",
            "This question was handed to sales already.",
            {"id": ["converted"]},
            lead_id=str(question.lead_id),
        )
    org = db.session.get(Organization, question.org_id)
    note = (data.get("note") or "").strip()
    return _hand_to_sales(question, org, actor, data.get("lead_id"), data.get("quantity"), note)


def _hand_to_sales(
    question: Question,
    org: Organization,
    actor: User | None,
    lead_id: uuid.UUID | None,
    quantity: Any,
    note: str,
) -> HandOff:
    """The lead made of a question, routed by the assignment rules; ``actor`` None: the
    organisation sends every question straight to sales, nobody handed it on."""
    lead_data = {
        "id": lead_id or uuid.uuid4(),
        "contact_name": question.name,
        "email": question.email,
        "phone": question.phone,
        "product_id": question.product_id,
        "product_text": question.product_text,
        "region": question.region,
        "quantity": quantity,
        "notes": _hand_off_notes(question, actor, note),
    }
    if HAND_OFF_SOURCE in lead_sources(org):
        lead_data["source"] = HAND_OFF_SOURCE
    lead, decision = assignment.create_routed_lead(
        actor, {k: v for k, v in lead_data.items() if v is not None}, org
    )
    question.lead_id = lead.id
    question.updated_at = utcnow()
    if note and actor is not None:
        _add_message(question, "staff", actor.id, actor.name, note, True, question.updated_at)
    changes.stamp(question)
    db.session.flush()
    return HandOff(lead.id, decision.owner_id, decision.team_id, decision.rule_name)


def _hand_off_of(question: Question) -> HandOff:
    lead = db.session.execute(
        select(Lead.id, Lead.owner_id, Lead.team_id, Lead.assigned_by_rule).where(
            Lead.id == question.lead_id
        )
    ).one()
    rule = None
    if lead.assigned_by_rule is not None:
        rule = db.session.scalar(
            select(AssignmentRule.name).where(AssignmentRule.id == lead.assigned_by_rule)
        )
    return HandOff(lead.id, lead.owner_id, lead.team_id, rule)


# The conversation a lead carries in its notes: enough for the rep, within the notes' size.
HAND_OFF_NOTES_MAX = 4000


def _hand_off_notes(question: Question, actor: User | None, note: str) -> str:
    """What the rep reads in the lead's notes: who handed it on, their note, and the
    conversation so far (a consumer's later messages are read on the lead's conversation)."""
    if actor is None:
        lines = ["From a consumer's question on the website, sent straight to sales."]
    else:
        lines = [f"From a customer-service question, handed on by {actor.name}."]
    if note:
        lines.append(f"Note: {note}")
    lines.append("")
    for message in messages_of(question):
        if not message.internal:
            lines.append(f"{message.name}: {message.body}")
    text = "\n".join(lines)
    return text if len(text) <= HAND_OFF_NOTES_MAX else text[: HAND_OFF_NOTES_MAX - 1] + "…"


def conversation_of_lead(
    actor: User, lead_id: uuid.UUID
) -> tuple[Question, list[QuestionMessage]]:
    """The conversation a lead was made from (its consumer's later messages included), for
    whoever may see the lead (404 otherwise, as for a lead that came from elsewhere)."""
    lead = leads.get_visible_lead(actor, lead_id)
    question = db.session.scalar(select(Question).where(Question.lead_id == lead.id))
    if question is None:
        raise NotFound("conversation")
    return question, messages_of(question)


def _add_message(
    question: Question,
    author: str,
    author_id: uuid.UUID | None,
    name: str,
    body: str,
    internal: bool,
    at: datetime,
    message_id: uuid.UUID | None = None,
    stamp: bool = True,
) -> QuestionMessage:
    question.message_count = (question.message_count or 0) + 1
    question.updated_at = at
    message = QuestionMessage(
        org_id=question.org_id,
        id=message_id or uuid.uuid4(),
        question_id=question.id,
        position=question.message_count,
        author=author,
        author_id=author_id,
        name=name,
        body=body,
        internal=internal,
        at=at,
    )
    if stamp:
        changes.stamp(message)
    db.session.add(message)
    return message
