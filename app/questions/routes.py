"""HTTP routes of consumer questions: the public intake (JSON, and the server-rendered
form and conversation pages) and the staff queue. Thin: parse, call the service, commit,
answer with the entity's wire form."""

from __future__ import annotations

import uuid
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import current_app, g, redirect, render_template, request, url_for
from flask_login import login_required
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from app.accounts.auth import acting_user
from app.accounts.models import Organization
from app.errors import ApiError, NotFound
from app.extensions import db, limiter
from app.http import wire_response
from app.questions import canned, schemas, service
from app.questions.wire import (
    canned_answer_wire,
    conversation_wire,
    hand_off_wire,
    message_wire,
    promise_wire,
    public_product_wire,
    questions_wire,
)

# A question is a few kilobytes of text: the public endpoints refuse larger bodies (413)
# long before the app-wide MAX_CONTENT_LENGTH.
PUBLIC_BODY_MAX_BYTES = 64 * 1024

public_bp = Blueprint(
    "public_questions",
    __name__,
    url_prefix="/api/v1/public",
    description="Consumers' questions (public, no account)",
)
questions_bp = Blueprint(
    "questions", __name__, url_prefix="/api/v1/questions", description="The service desk's queue"
)
lead_conversation_bp = Blueprint(
    "lead_conversations",
    __name__,
    url_prefix="/api/v1/leads",
    description="The conversation a lead was handed to sales from",
)
canned_bp = Blueprint(
    "canned_answers",
    __name__,
    url_prefix="/api/v1/canned-answers",
    description="Canned answers: the service desk's knowledge at hand",
)


class PageBlueprint(FlaskBlueprint):
    """Server-rendered HTML pages, registered like the API's blueprints (by the factory's
    convention) but left out of the OpenAPI document, which describes JSON only."""

    description = "Consumer pages (HTML): /q/<slug> and /c/<token>"

    def register_views_in_doc(self, *args: Any, **kwargs: Any) -> None:
        return None


pages_bp = PageBlueprint("question_pages", __name__, template_folder="templates")


# --- limits --------------------------------------------------------------------------------


def _configured(name: str):
    return lambda: current_app.config[name]


def _named_org() -> Organization | None:
    """The organisation a public address names by its slug, looked up once per request
    (the limits, CORS and the view all ask)."""
    if "named_org" not in g:
        slug = (request.view_args or {}).get("org_slug")
        g.named_org = service.find_organization(slug) if slug else None
    return g.named_org


def _org_named(slug: str) -> Organization:
    org = _named_org()
    if org is None:
        raise NotFound("organisation")
    return org


def _public_org_id() -> uuid.UUID | None:
    """The organisation a public request names — by its slug, or by a conversation's
    secret — looked up once per request (the limits and CORS both ask)."""
    if "public_org" not in g:
        args = request.view_args or {}
        if "org_slug" in args:
            org = _named_org()
            g.public_org = org.id if org is not None else None
        elif "token" in args:
            g.public_org = service.org_of_token(args["token"])
        else:
            g.public_org = None
    return g.public_org


def _org_key() -> str:
    return f"org:{_public_org_id() or '?'}"


# The JSON endpoint and the form share each budget (the scope), so neither is a way around
# the other; only sending counts (reading the form or a conversation is free).
questions_per_ip = limiter.shared_limit(
    _configured("QUESTIONS_PER_IP"), scope="questions-ip", methods=["POST"]
)
questions_per_org = limiter.shared_limit(
    _configured("QUESTIONS_PER_ORG"),
    scope="questions-org",
    key_func=_org_key,
    methods=["POST"],
)
messages_per_ip = limiter.shared_limit(
    _configured("CONSUMER_MESSAGES_PER_IP"), scope="consumer-messages-ip", methods=["POST"]
)
messages_per_org = limiter.shared_limit(
    _configured("CONSUMER_MESSAGES_PER_ORG"),
    scope="consumer-messages-org",
    key_func=_org_key,
    methods=["POST"],
)


def _small_bodies() -> None:
    request.max_content_length = PUBLIC_BODY_MAX_BYTES


def _allow_own_origins(response):
    """CORS for the public JSON endpoints only, and only for the origins the organisation
    named (``public_origins``): the company's own site may then call them from its pages.
    Every other origin gets no grant, and the browser keeps the answer from its page."""
    origin = request.headers.get("Origin")
    if origin is None:
        return response
    response.vary.add("Origin")
    org_id = _public_org_id()
    if org_id is None or origin.lower() not in service.public_origins(org_id):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    if request.method == "OPTIONS":  # the preflight of a JSON POST
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


public_bp.after_request(_allow_own_origins)


public_bp.before_request(_small_bodies)
pages_bp.before_request(_small_bodies)


def _private(response):
    # It carries or shows a conversation's secret: no cache may keep it, no page it links
    # to may learn it from the Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- the public JSON API -------------------------------------------------------------------


@public_bp.route("/<org_slug>/questions", methods=["POST"])
@questions_per_org
@questions_per_ip
@public_bp.arguments(schemas.QuestionCreateSchema)
@public_bp.response(201, schemas.QuestionCreatedSchema)
def ask(data, org_slug: str):
    """Ask a question (no account): `email` or `phone` is required. The answer's `url`
    (`<PUBLIC_BASE_URL>/c/<token>`) is the consumer's private conversation; only a hash of
    the token is kept. Limited per address (QUESTIONS_PER_IP) and per organisation
    (QUESTIONS_PER_ORG): 429 with Retry-After, nothing stored."""
    org = _org_named(org_slug)
    asked = service.ask(org, data)
    promise = _promise_after_asking(org, asked)  # before the commit expires what it reads
    db.session.commit()
    body = {
        "id": str(asked.id),
        "token": asked.token,
        "url": service.conversation_link(asked.token),
        "promise": promise_wire(promise),
    }
    return _private(wire_response(body, 201))


@public_bp.route("/<org_slug>/products", methods=["GET"])
@public_bp.response(200, schemas.PublicProductSchema(many=True))
def public_products(org_slug: str):
    """The active catalogue, for the question form's product picker."""
    org = _org_named(org_slug)
    return wire_response([public_product_wire(p) for p in service.public_products(org)])


@public_bp.route("/questions/<token>", methods=["GET"])
@public_bp.response(200, schemas.ConversationSchema)
def get_conversation(token: str):
    """The consumer's conversation (never an internal note); any other token is a 404."""
    return _private(wire_response(_conversation(token)))


@public_bp.route("/questions/<token>/messages", methods=["POST"])
@messages_per_org
@messages_per_ip
@public_bp.arguments(schemas.ConsumerMessageSchema)
@public_bp.response(201, schemas.ConversationSchema)
def consumer_message(data, token: str):
    """The consumer writes again (a resolved question opens again) → the conversation.
    Limited per address and per organisation (CONSUMER_MESSAGES_PER_*)."""
    service.consumer_writes(token, data["message"])
    db.session.commit()
    return _private(wire_response(_conversation(token), 201))


def _promise_after_asking(org: Organization, asked: service.Asked) -> service.sla.Promise:
    # A honeypot's answer looks the same: the promise a question asked now gets.
    if not asked.stored:
        return service.reply_promise(org)
    return service.reply_promise(org, asked.question)


def _conversation(token: str) -> dict[str, Any]:
    question, messages = service.conversation(token)
    org = db.session.get(Organization, question.org_id)
    return conversation_wire(question, messages, service.reply_promise(org, question))


# --- the staff queue -----------------------------------------------------------------------


def _question(question, messages=None) -> dict[str, Any]:
    (body,) = questions_wire([question])
    if messages is not None:
        body["messages"] = [message_wire(m) for m in messages]
    return body


@questions_bp.route("", methods=["GET"])
@login_required
@questions_bp.arguments(schemas.QuestionQuerySchema, location="query")
@questions_bp.response(200, schemas.QuestionSchema(many=True))
def list_questions(query):
    """The queue, newest first: customer service and admins, and team leads (read only).
    `claimed_by` matches live claims; `q` searches name, email, phone and every message."""
    questions = service.list_questions(
        acting_user(), query.get("status"), query.get("claimed_by"), query.get("q")
    )
    return wire_response(questions_wire(questions))


@questions_bp.route("/<uuid:question_id>", methods=["GET"])
@login_required
@questions_bp.response(200, schemas.QuestionDetailSchema)
def get_question(question_id: uuid.UUID):
    """A question with every message, internal notes included."""
    question = service.get_question(acting_user(), question_id)
    return wire_response(_question(question, service.messages_of(question)))


@questions_bp.route("/<uuid:question_id>/claim", methods=["POST"])
@login_required
@questions_bp.response(200, schemas.QuestionSchema)
def claim_question(question_id: uuid.UUID):
    """Take the question. 409 `claimed` names who holds it (`claimed_by`); a claim lapses
    QUESTION_CLAIM_MINUTES after its holder's claim or last reply."""
    question = service.claim(acting_user(), question_id)
    db.session.commit()
    return wire_response(_question(question))


@questions_bp.route("/<uuid:question_id>/replies", methods=["POST"])
@login_required
@questions_bp.arguments(schemas.ReplySchema)
@questions_bp.response(201, schemas.MessageSchema)
def reply(data, question_id: uuid.UUID):
    """Answer the consumer (claims the question for you; 409 `claimed` while a colleague
    holds it), or with `internal: true` add a note only staff ever see."""
    message = service.reply(acting_user(), question_id, data["body"], data["internal"])
    db.session.commit()
    return wire_response(message_wire(message), 201)


@questions_bp.route("/<uuid:question_id>/resolve", methods=["POST"])
@login_required
@questions_bp.response(200, schemas.QuestionSchema)
def resolve(question_id: uuid.UUID):
    """Mark the question resolved (its claim ends); the consumer writing again reopens it."""
    question = service.resolve(acting_user(), question_id)
    db.session.commit()
    return wire_response(_question(question))


@questions_bp.route("/<uuid:question_id>/convert", methods=["POST"])
@login_required
@questions_bp.arguments(schemas.ConvertSchema)
@questions_bp.response(201, schemas.HandOffSchema)
def convert(data, question_id: uuid.UUID):
    """Hand the buying interest to sales: a lead (source `customer_service`) with the
    consumer's contact, product, region, the `quantity` given and the conversation, owned by
    whom the assignment rules choose (`rule`), its first-response clock running. The lead's
    conversation stays readable at `GET /leads/<id>/conversation`. 409 `converted` when the
    question was handed on already (the same `lead_id` again answers the same hand-off);
    422 `no_owner` when no rule and no default owner applies."""
    hand_off = service.convert(acting_user(), question_id, data)
    db.session.commit()
    return wire_response(hand_off_wire(hand_off), 201)


@lead_conversation_bp.route("/<uuid:lead_id>/conversation", methods=["GET"])
@login_required
@lead_conversation_bp.response(200, schemas.QuestionDetailSchema)
def lead_conversation(lead_id: uuid.UUID):
    """The customer-service conversation a lead was made from, with the consumer's later
    messages (for whoever may see the lead; 404 for a lead that came from elsewhere)."""
    question, messages = service.conversation_of_lead(acting_user(), lead_id)
    return wire_response(_question(question, messages))


# --- canned answers ------------------------------------------------------------------------


@canned_bp.route("", methods=["GET"])
@login_required
@canned_bp.arguments(schemas.CannedAnswerQuerySchema, location="query")
@canned_bp.response(200, schemas.CannedAnswerSchema(many=True))
def list_canned_answers(query):
    """The active canned answers by title: customer service, admins and team leads. `q`
    searches title, body and tags, `tag` matches one tag (any case); `include_inactive=true`
    (admins and team leads) adds retired ones."""
    answers = canned.list_canned_answers(
        acting_user(),
        q=query.get("q"),
        product_id=query.get("product_id"),
        tag=query.get("tag"),
        include_inactive=query["include_inactive"],
    )
    return wire_response([canned_answer_wire(a) for a in answers])


@canned_bp.route("", methods=["POST"])
@login_required
@canned_bp.arguments(schemas.CannedAnswerCreateSchema)
@canned_bp.response(201, schemas.CannedAnswerSchema)
def create_canned_answer(data):
    """Write a canned answer (admins and team leads)."""
    answer = canned.create_canned_answer(acting_user(), data)
    db.session.commit()
    return wire_response(canned_answer_wire(answer), 201)


@canned_bp.route("/<uuid:canned_answer_id>", methods=["GET"])
@login_required
@canned_bp.response(200, schemas.CannedAnswerSchema)
def get_canned_answer(canned_answer_id: uuid.UUID):
    """One canned answer, unrendered (a retired one only for admins and team leads)."""
    return wire_response(
        canned_answer_wire(canned.get_canned_answer(acting_user(), canned_answer_id))
    )


@canned_bp.route("/<uuid:canned_answer_id>", methods=["PATCH"])
@login_required
@canned_bp.arguments(schemas.CannedAnswerUpdateSchema)
@canned_bp.response(200, schemas.CannedAnswerSchema)
def update_canned_answer(data, canned_answer_id: uuid.UUID):
    """Change a canned answer, or bring a retired one back with `active: true`."""
    answer = canned.update_canned_answer(acting_user(), canned_answer_id, data)
    db.session.commit()
    return wire_response(canned_answer_wire(answer))


@canned_bp.route("/<uuid:canned_answer_id>", methods=["DELETE"])
@login_required
@canned_bp.response(204)
def retire_canned_answer(canned_answer_id: uuid.UUID):
    """Retire a canned answer: it leaves the desk's list but is kept (`active: false`)."""
    canned.retire_canned_answer(acting_user(), canned_answer_id)
    db.session.commit()


@questions_bp.route(
    "/<uuid:question_id>/canned-answers/<uuid:canned_answer_id>/render", methods=["POST"]
)
@login_required
@questions_bp.response(200, schemas.RenderedSchema)
def render_canned_answer(question_id: uuid.UUID, canned_answer_id: uuid.UUID):
    """The canned answer's body filled in for this question, as plain text (nothing is
    sent or stored): the consumer's name and email, the question's product (else the
    answer's), the organisation and you. Unknown placeholders stay as written; a missing
    value (no product) is empty."""
    body = canned.render(acting_user(), question_id, canned_answer_id)
    return wire_response({"body": body})


# --- the server-rendered pages -------------------------------------------------------------

# No script at all, styles only inline, forms only to us. Framing: the organisation's own
# site embeds the pages, so each sets g.frame_ancestors to its public_origins, and the
# security headers (app/web.py) add frame-ancestors with exactly those (none: nobody).
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'"


@pages_bp.after_request
def _page_headers(response):
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _page(template: str, status: int = 200, **context: Any):
    return render_template(f"questions/{template}", **context), status


@pages_bp.errorhandler(ApiError)
def _page_api_error(error: ApiError):
    title = "Not found" if error.status == 404 else "Something is not right"
    return _page("error.html", error.status, title=title, message=error.message)


@pages_bp.errorhandler(HTTPException)
def _page_http_error(error: HTTPException):
    messages = {
        413: "That was too long to send. Please shorten your message.",
        429: "Too many messages from your connection. Please try again later.",
    }
    message = messages.get(error.code or 500, error.description or "Something went wrong.")
    # Flask-Limiter adds Retry-After to whatever answers its 429.
    return _page("error.html", error.code or 500, title=error.name, message=message)


def _local(org: Organization):
    zone = ZoneInfo(org.timezone or "UTC")
    return lambda at: at.astimezone(zone).strftime("%d %b %Y, %H:%M")


def _form_errors(error: ma.ValidationError) -> dict[str, str]:
    messages = error.messages if isinstance(error.messages, dict) else {}
    return {k: " ".join(v) if isinstance(v, list) else str(v) for k, v in messages.items()}


@pages_bp.route("/q/<org_slug>", methods=["GET", "POST"])
@questions_per_org
@questions_per_ip
def question_form(org_slug: str):
    """The question form (works without JavaScript; embeddable by iframe)."""
    org = _org_named(org_slug)
    g.frame_ancestors = service.public_origins(org.id)
    products = service.public_products(org)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if isinstance(v, str)}
        try:
            data = schemas.QuestionCreateSchema().load(values)
            asked = service.ask(org, data)
        except ma.ValidationError as error:
            errors = _form_errors(error)
        except ApiError as error:
            if error.status != 422:
                raise
            errors = {k: " ".join(v) for k, v in (error.fields or {}).items()}
        else:
            promise = _promise_after_asking(org, asked)
            db.session.commit()
            url = service.conversation_link(asked.token)
            page, status = _page("thanks.html", 201, org=org, url=url, promise=promise)
            return _private(current_app.make_response((page, status)))
    status = 422 if errors else 200
    promise = service.reply_promise(org)
    return _page(
        "form.html",
        status,
        org=org,
        products=products,
        values=values,
        errors=errors,
        promise=promise,
    )


@pages_bp.route("/c/<token>", methods=["GET", "POST"])
@messages_per_org
@messages_per_ip
def conversation_page(token: str):
    """The consumer's conversation and a reply form."""
    error = None
    if request.method == "POST":
        try:
            data = schemas.ConsumerMessageSchema().load(
                {"message": request.form.get("message", "")}
            )
        except ma.ValidationError as invalid:
            error = _form_errors(invalid).get("message")
        else:
            service.consumer_writes(token, data["message"])
            db.session.commit()
            # Post/redirect/get: a reload does not send the message twice.
            return _private(redirect(url_for("question_pages.conversation_page", token=token), 303))
    question, messages = service.conversation(token)
    org = db.session.get(Organization, question.org_id)
    g.frame_ancestors = service.public_origins(org.id)
    promise = service.reply_promise(org, question)
    shown = conversation_wire(question, messages, promise)["messages"]
    for wire, message in zip(shown, [m for m in messages if not m.internal], strict=True):
        wire["when"] = _local(org)(message.at)
    page, status = _page(
        "conversation.html",
        422 if error else 200,
        org=org,
        question_status=question.status,
        promise=promise,
        messages=shown,
        error=error,
        values={"message": request.form.get("message", "")} if error else {},
    )
    return _private(current_app.make_response((page, status)))


BLUEPRINTS = (public_bp, questions_bp, lead_conversation_bp, canned_bp, pages_bp)
