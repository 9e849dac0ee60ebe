"""Every synced entity, in snapshot order: one line each.

A first sync sends each kind in this order — reference data first, a lead before its
follow-ups — and a snapshot cursor counts its place in this list, so append new entities
at the end of their group rather than reordering. Each entity comes whole from its own
domain's ``sync.py`` (table, who sees which rows, wire form, mutations).
"""

from __future__ import annotations

from app.accounts.sync import ORG, USER
from app.changelog import registry
from app.leads.sync import FOLLOW_UP, LEAD, PRODUCT
from app.questions.sync import CANNED_ANSWER, QUESTION, REPLY
from app.sla.sync import CALENDAR, SLA_POLICY

registry.register(
    ORG,
    PRODUCT,
    SLA_POLICY,
    USER,
    CALENDAR,
    LEAD,
    FOLLOW_UP,
    QUESTION,
    REPLY,
    CANNED_ANSWER,
)
