"""Canned answers: the service desk's knowledge at hand. Admins and team leads write them;
customer service (and they) search them while replying and insert one, rendered for the
question at hand. Functions flush; the request commits."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.accounts import permissions
from app.accounts.models import Organization, User
from app.changelog import versions as changes
from app.database import utcnow
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.leads.models import Product
from app.questions import service as questions
from app.questions.models import CannedAnswer

LIST_LIMIT = 500
FIELDS = ("title", "body", "product_id", "tags", "active")

# A placeholder: ``{{ name.part }}``, spaces inside the braces allowed. Only these tokens are
# touched; nothing else in a body has any meaning (no expressions, no filters, no loops).
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")


def _may_read(actor: User) -> None:
    # Whoever reads the desk's queue reads its canned answers: customer service, admins and
    # team leads.
    permissions.require(
        permissions.may_read_questions(actor), "Canned answers are for customer service."
    )


def _may_manage(actor: User) -> None:
    permissions.require(
        permissions.may_manage_canned_answers(actor),
        "Only admins and team leads manage canned answers.",
    )


def _check_product(actor: User, product_id: uuid.UUID | None) -> None:
    # Keyed by the actor's organisation (and the tenant scope besides): another
    # organisation's product reads exactly as an unknown one.
    if product_id is not None and db.session.get(Product, (actor.org_id, product_id)) is None:
        raise ValidationFailed({"product_id": ["Not one of our products."]})


def list_canned_answers(
    actor: User,
    q: str | None = None,
    product_id: uuid.UUID | None = None,
    tag: str | None = None,
    include_inactive: bool = False,
) -> list[CannedAnswer]:
    """The answers by title (at most LIST_LIMIT). ``q`` matches title, body or a tag and
    ``tag`` one whole tag, in any case. Retired answers only for managers who ask for them.

    ``q`` and ``tag`` are matched here rather than in SQL: tags are a JSON list (no portable
    way to search its items), and SQLite's ``lower()`` folds ASCII only, so "Größe" would
    match differently on the two databases. An organisation keeps hundreds of canned
    answers, not millions; the SQL narrows by activity and product first."""
    _may_read(actor)
    if include_inactive:
        _may_manage(actor)
    query = select(CannedAnswer).order_by(CannedAnswer.title, CannedAnswer.id)
    if not include_inactive:
        query = query.where(CannedAnswer.active.is_(True))
    if product_id is not None:
        query = query.where(CannedAnswer.product_id == product_id)
    found = list(db.session.scalars(query))
    if tag:
        wanted = tag.strip().casefold()
        found = [a for a in found if any(t.casefold() == wanted for t in a.tags or [])]
    if q:
        needle = q.strip().casefold()
        found = [a for a in found if needle in _searchable(a)]
    return found[:LIST_LIMIT]


def _searchable(answer: CannedAnswer) -> str:
    return "\n".join([answer.title, answer.body, *(answer.tags or [])]).casefold()


def get_canned_answer(actor: User, answer_id: uuid.UUID) -> CannedAnswer:
    """One answer; a retired one only for managers (customer service never inserts it)."""
    _may_read(actor)
    answer = db.session.scalar(select(CannedAnswer).where(CannedAnswer.id == answer_id))
    if answer is None or (not answer.active and not permissions.may_manage_canned_answers(actor)):
        raise NotFound("canned answer")
    return answer


def create_canned_answer(actor: User, data: dict[str, Any]) -> CannedAnswer:
    _may_manage(actor)
    _check_product(actor, data.get("product_id"))
    now = utcnow()
    answer = CannedAnswer(
        org_id=actor.org_id,
        id=uuid.uuid4(),
        title=data["title"],
        body=data["body"],
        product_id=data.get("product_id"),
        tags=data.get("tags") or [],
        active=True,
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    changes.stamp(answer)
    db.session.add(answer)
    db.session.flush()
    return answer


def update_canned_answer(actor: User, answer_id: uuid.UUID, data: dict[str, Any]) -> CannedAnswer:
    _may_manage(actor)
    answer = get_canned_answer(actor, answer_id)
    if "product_id" in data:
        _check_product(actor, data["product_id"])
    for key in FIELDS:
        if key in data:
            setattr(answer, key, data[key])
    answer.updated_at = utcnow()
    changes.stamp(answer)
    db.session.flush()
    return answer


def retire_canned_answer(actor: User, answer_id: uuid.UUID) -> CannedAnswer:
    """DELETE retires rather than deletes: the answer leaves the desk's list but stays, so
    replies once made from it keep their source and a manager can bring it back."""
    _may_manage(actor)
    answer = get_canned_answer(actor, answer_id)
    if answer.active:
        answer.active = False
        answer.updated_at = utcnow()
        changes.stamp(answer)
        db.session.flush()
    return answer


# --- rendering -----------------------------------------------------------------------------


def format_price(amount: Decimal | None, currency: str | None) -> str:
    """``1,250.00 EUR``: thousands by commas, two places (half-even, as the catalogue stores
    prices), then the currency code. No price → empty."""
    if amount is None:
        return ""
    text = f"{Decimal(amount):,.2f}"
    return f"{text} {currency}" if currency else text


def fill(body: str, values: dict[str, str]) -> str:
    """Replace each placeholder whose name is in ``values``; leave unknown ones as written.

    One pass of ``re.sub``: a value put in is never scanned again, so a consumer named
    "{{org.name}}" stays exactly that. Nothing is evaluated (no Jinja): the body and the
    values are typed by staff and consumers, and text must never run."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return PLACEHOLDER.sub(one, body)


def placeholder_values(actor: User, question: Any, answer: CannedAnswer) -> dict[str, str]:
    """What each known placeholder stands for in this reply. A value that is missing (no
    product, no email) is an empty string, so the consumer never sees a raw ``{{…}}``."""
    product_id = question.product_id or answer.product_id
    product = db.session.get(Product, (actor.org_id, product_id)) if product_id else None
    org = db.session.get(Organization, actor.org_id)
    currency = None
    if product is not None:
        # A product priced without a currency is priced in the organisation's own.
        currency = product.currency or (org.currency if org else None)
    return {
        "consumer.name": question.name or "",
        "consumer.email": question.email or "",
        "product.name": product.name if product is not None else "",
        "product.list_price": format_price(product.list_price, currency) if product else "",
        "org.name": org.name if org is not None else "",
        "staff.name": actor.name or "",
    }


def render(actor: User, question_id: uuid.UUID, answer_id: uuid.UUID) -> str:
    """The answer's body filled in for one question, as plain text (nothing stored)."""
    question = questions.get_question(actor, question_id)
    answer = get_canned_answer(actor, answer_id)
    return fill(answer.body, placeholder_values(actor, question, answer))
