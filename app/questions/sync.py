"""The service desk as devices hold it: questions, the messages of their conversations
(``reply``) and canned answers, for those who work or watch the desk
(``Viewer.reads_questions``: customer service, admins, team leads), and the mutations that
answer questions offline. Each mutation ends in the same service function as its REST twin.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from sqlalchemy import ColumnElement, Table, false, true

from app.accounts.models import User
from app.accounts.permissions import Viewer
from app.changelog.registry import Mutation, Outcome, SyncedEntity, applied, never_deleted
from app.questions import schemas, service
from app.questions.models import CannedAnswer, Question, QuestionMessage
from app.questions.wire import canned_answer_wire, message_wire, question_wire, questions_wire


def _desk(table: Table, viewer: Viewer) -> ColumnElement[bool]:
    return true() if viewer.reads_questions else false()


class QuestionArgs(ma.Schema):
    id = ma.fields.UUID(required=True)


class ReplyArgs(schemas.ReplySchema):
    id = ma.fields.UUID(required=True, metadata={"description": "the new message's id"})
    question_id = ma.fields.UUID(required=True)


class ConvertArgs(schemas.ConvertSchema):
    id = ma.fields.UUID(required=True, metadata={"description": "the question"})
    lead_id = ma.fields.UUID(required=True, metadata={"description": "the new lead's id"})


def _reply(actor: User, a: dict[str, Any]) -> Outcome:
    return applied(
        service.reply(actor, a["question_id"], a["body"], a["internal"], message_id=a["id"])
    )


QUESTION = SyncedEntity(
    "question",
    Question,
    _desk,
    never_deleted,
    question_wire,
    wire_rows=questions_wire,
    skip_columns=("token_hash", "token_sealed"),
    mutations=(
        Mutation("question.claim", QuestionArgs, lambda u, a: applied(service.claim(u, a["id"]))),
        Mutation(
            "question.resolve", QuestionArgs, lambda u, a: applied(service.resolve(u, a["id"]))
        ),
        Mutation(
            "question.convert",
            ConvertArgs,
            lambda u, a: applied(service.convert(u, a["id"], a)),
        ),
    ),
)
REPLY = SyncedEntity(
    "reply",
    QuestionMessage,
    _desk,
    never_deleted,
    message_wire,
    mutations=(Mutation("question.reply", ReplyArgs, _reply),),
)
CANNED_ANSWER = SyncedEntity(
    "canned_answer", CannedAnswer, _desk, never_deleted, canned_answer_wire
)
