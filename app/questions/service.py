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

from flask import current_app
from sqlalchemy import func, or_, select

from app.accounts import permissions
from app.accounts.models import Organization, User
from app.accounts.security import hash_secret
from app.database import utcnow
from app.errors import ApiError, NotFound, ValidationFailed
from app.extensions import db
from app.leads.models import Product
from app.questions.models import Question, QuestionMessage
from app.tenancy import all_orgs, tenant

LIST_LIMIT = 500


# --- the public side -----------------------------------------------------------------------


def organization_by_slug(slug: str) -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.slug == slug.lower()))
    if org is None:
        raise NotFound("organisation")
    return org


def org_id_by_slug(slug: str) -> uuid.UUID | None:
    """The organisation a public address names (the per-organisation limit's key)."""
    return db.session.scalar(select(Organization.id).where(Organization.slug == slug.lower()))


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
    """A question taken in: its id and the conversation's secret (shown once)."""

    id: uuid.UUID
    token: str
    stored: bool


def ask(org: Organization, data: dict[str, Any]) -> Asked:
    """Take in a consumer's question with its first message. A filled-in honeypot
    (``website``) gets an answer that looks the same, and nothing is stored."""
    token = secrets.token_urlsafe(32)  # 256 random bits
    if data.get("website"):
        return Asked(uuid.uuid4(), token, stored=False)
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
            message_count=0,
            created_at=now,
            updated_at=now,
            last_consumer_message_at=now,
        )
        db.session.add(question)
        _add_message(question, "consumer", None, question.name, data["message"], False, now)
        db.session.flush()
    return Asked(question.id, token, stored=True)


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
    """The consumer answers back; a resolved question opens again."""
    question = question_by_token(token, for_update=True)
    with scope_of(question.org_id):
        now = utcnow()
        _add_message(question, "consumer", None, question.name, body, False, now)
        question.last_consumer_message_at = now
        if question.status == "resolved":
            question.status = "open" if question.first_replied_at else "new"
            question.resolved_at = None
        db.session.flush()
    return question


# --- the staff side ------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    user_id: uuid.UUID
    name: str
    until: datetime


def _claim_span() -> timedelta:
    return timedelta(minutes=current_app.config["QUESTION_CLAIM_MINUTES"])


def _holder(question: Question, now: datetime) -> uuid.UUID | None:
    """Who holds the question now: a claim lapses a span after its holder's last claim or
    reply, so nothing sits behind an absent colleague."""
    if question.claimed_by is None or question.claimed_at is None:
        return None
    return question.claimed_by if now < question.claimed_at + _claim_span() else None


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
        q.id: Claim(q.claimed_by, names.get(q.claimed_by, ""), q.claimed_at + _claim_span())
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
    """The queue, newest first (at most LIST_LIMIT)."""
    _may_read(actor)
    query = select(Question).order_by(Question.created_at.desc(), Question.id.desc())
    if status is not None:
        query = query.where(Question.status == status)
    if claimed_by is not None:
        query = query.where(
            Question.claimed_by == claimed_by, Question.claimed_at > utcnow() - _claim_span()
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
    question.claimed_by, question.claimed_at = actor.id, now
    question.updated_at = now
    db.session.flush()
    return question


def reply(
    actor: User, question_id: uuid.UUID, body: str, internal: bool = False
) -> QuestionMessage:
    """Answer the consumer (which claims the question, or renews one's claim, and moves a
    new question to open), or add a note only staff see (which anyone may, claimed or not)."""
    _may_work(actor)
    question = _load(question_id, for_update=True)
    now = utcnow()
    if not internal:
        conflict = _claimed_by_other(question, actor, now)
        if conflict is not None:
            raise conflict
        question.claimed_by, question.claimed_at = actor.id, now
        if question.status == "new":
            question.status = "open"
        if question.first_replied_at is None:
            question.first_replied_at = now
    message = _add_message(question, "staff", actor.id, actor.name, body, internal, now)
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
    db.session.flush()
    return question


def _add_message(
    question: Question,
    author: str,
    author_id: uuid.UUID | None,
    name: str,
    body: str,
    internal: bool,
    at: datetime,
) -> QuestionMessage:
    question.message_count = (question.message_count or 0) + 1
    question.updated_at = at
    message = QuestionMessage(
        org_id=question.org_id,
        id=uuid.uuid4(),
        question_id=question.id,
        position=question.message_count,
        author=author,
        author_id=author_id,
        name=name,
        body=body,
        internal=internal,
        at=at,
    )
    db.session.add(message)
    return message
