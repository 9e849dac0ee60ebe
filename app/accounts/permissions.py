"""Who may do what: every role question of the app, asked by name.

Services, feeds and routes ask these predicates (``may_assign_leads``, ``lead_scope``…)
and never compare role strings themselves, so a rule lives in one place and a new role is
one edit here. The roles:

- ``admin``: the whole organisation — people, teams, catalogue, settings, every lead.
- ``lead`` (team lead): their own leads and their teams' leads; reassigns within their
  teams, manages their teams' calendars (SLA policies are the admins'), hears escalations.
- ``rep``: the leads they own.
- ``cs`` (customer service): no leads; hands buying interest to a sales person.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import ColumnElement, false, or_, select, true

from app.accounts.models import ROLES, TeamMember, User
from app.changelog.audiences import ORG_AUDIENCE, team_audience, user_audience
from app.errors import Forbidden
from app.extensions import db

ADMIN, TEAM_LEAD, REP, CUSTOMER_SERVICE = ROLES
# People who can own leads (and so be given one).
SALES_ROLES = (ADMIN, TEAM_LEAD, REP)


# --- the organisation and its people ------------------------------------------------------


def sees_whole_org(actor: User) -> bool:
    return actor.role == ADMIN


def may_manage_org(actor: User) -> bool:
    """Organisation settings, lists, people, teams."""
    return actor.role == ADMIN


def may_manage_people(actor: User) -> bool:
    return actor.role == ADMIN


def may_manage_catalogue(actor: User) -> bool:
    return actor.role == ADMIN


def may_revoke_token_of(actor: User, owner_id: uuid.UUID) -> bool:
    """Everyone revokes their own device tokens; an admin anyone's."""
    return owner_id == actor.id or actor.role == ADMIN


def visible_people(actor: User) -> frozenset[uuid.UUID] | None:
    """Whose records a person sees: themselves and the members of their teams; None means
    everyone in the organisation. Customer service gives leads to any sales person
    (``may_give_lead_to``), so it sees everyone: its owner picker offers the active sales
    people, and a deactivation or role change reaches its devices as an update."""
    if sees_whole_org(actor) or actor.role == CUSTOMER_SERVICE:
        return None
    people = {actor.id}
    if actor.team_ids:
        people |= set(
            db.session.scalars(
                select(TeamMember.user_id).where(TeamMember.team_id.in_(actor.team_ids))
            )
        )
    return frozenset(people)


def may_see_person(actor: User, user_id: uuid.UUID) -> bool:
    people = visible_people(actor)
    return people is None or user_id in people


def would_lock_out(actor: User, user: User, changes: dict) -> bool:
    """An admin deactivating or demoting themselves: the organisation could lose its last
    way in through one mistake."""
    return user.id == actor.id and (
        changes.get("active") is False or changes.get("role", ADMIN) != ADMIN
    )


# --- leads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadScope:
    """The leads a person may see: the whole org, or those of some owners and teams."""

    whole_org: bool
    owner_ids: frozenset[uuid.UUID]
    team_ids: frozenset[uuid.UUID]

    def clause(self, owner_column, team_column) -> ColumnElement[bool]:
        """SQL: a row with these owner/team columns is in scope."""
        if self.whole_org:
            return true()
        conditions = []
        if self.owner_ids:
            conditions.append(owner_column.in_(self.owner_ids))
        if self.team_ids:
            conditions.append(team_column.in_(self.team_ids))
        return or_(*conditions) if conditions else false()

    def allows(self, owner_id: uuid.UUID, team_id: uuid.UUID | None) -> bool:
        return self.whole_org or owner_id in self.owner_ids or (team_id in self.team_ids)

    def audiences(self) -> list[str]:
        """The tombstone audiences this person listens to."""
        if self.whole_org:
            return [ORG_AUDIENCE]
        return [user_audience(u) for u in self.owner_ids] + [
            team_audience(t) for t in self.team_ids
        ]


def lead_scope(actor: User) -> LeadScope:
    """A rep sees the leads they own (and what hangs off them); a team lead also every lead
    of their teams; an admin the organisation; customer service no leads (they hand buying
    interest to a rep and see the question queue instead)."""
    if actor.role == ADMIN:
        return LeadScope(True, frozenset(), frozenset())
    if actor.role == TEAM_LEAD:
        return LeadScope(False, frozenset({actor.id}), frozenset(actor.team_ids))
    if actor.role == REP:
        return LeadScope(False, frozenset({actor.id}), frozenset())
    return LeadScope(False, frozenset(), frozenset())


def may_read_spend(actor: User) -> bool:
    """The spend ledger: admins write it, team leads read it too (it feeds their reports)."""
    return actor.role in (ADMIN, TEAM_LEAD)


def may_read_reports(actor: User) -> bool:
    """Management's tables: admins the organisation, team leads their teams, reps their own
    figures (their lead scope, always); customer service none."""
    return actor.role in SALES_ROLES


def may_report_on_team(actor: User, team_id: uuid.UUID) -> bool:
    return actor.role == ADMIN or (actor.role == TEAM_LEAD and team_id in actor.team_ids)


def may_report_on_person(actor: User, person: User) -> bool:
    return person.id == actor.id or (
        actor.role == ADMIN
        or (actor.role == TEAM_LEAD and bool(set(person.team_ids) & set(actor.team_ids)))
    )


def may_see_lead(actor: User, owner_id: uuid.UUID, team_id: uuid.UUID | None) -> bool:
    return lead_scope(actor).allows(owner_id, team_id)


def may_own_leads(user: User) -> bool:
    return user.active and user.role in SALES_ROLES


def must_name_owner(actor: User) -> bool:
    """Customer service captures buying interest for a sales person, never for itself."""
    return actor.role == CUSTOMER_SERVICE


def may_give_lead_to(actor: User, owner: User) -> bool:
    """Who may put a lead in someone's hands: anyone their own, an admin anyone's, a team
    lead their teams' people, customer service any sales person."""
    if actor.role == ADMIN or owner.id == actor.id:
        return True
    if actor.role == TEAM_LEAD:
        return bool(set(owner.team_ids) & set(actor.team_ids))
    return actor.role == CUSTOMER_SERVICE


def may_file_under_any_team(actor: User) -> bool:
    """Whether a new lead may go to a team its owner is not in."""
    return actor.role == ADMIN


def may_assign_leads(actor: User) -> bool:
    return actor.role in (ADMIN, TEAM_LEAD)


def may_manage_assignment_rules(actor: User) -> bool:
    """The assignment rules, the default owner, and who is on leave or at a cap."""
    return actor.role == ADMIN


def takes_team_round_robin(user: User) -> bool:
    """Who a team's round-robin hands leads to: its active reps (team leads and admins in a
    team are given leads by name, not by turn)."""
    return user.active and user.role == REP


# --- consumer questions (the evening service desk) -----------------------------------------


def may_work_questions(actor: User) -> bool:
    """Claim, answer, note and resolve consumers' questions: customer service and admins."""
    return actor.role in (ADMIN, CUSTOMER_SERVICE)


def works_service_shift(actor: User) -> bool:
    """Customer service works the desk's (service calendar's) hours, not office hours: they
    are told of questions then, and hear of new ones when on shift."""
    return actor.role == CUSTOMER_SERVICE


@dataclass(frozen=True)
class DeskPerson:
    """What telling a customer-service person something needs of them (read lean: every
    question asked reads them)."""

    id: uuid.UUID
    role: str
    timezone: str | None
    working_hours: dict | None
    escalations_any_hour: bool
    team_ids: tuple[uuid.UUID, ...]  # their first team, if any (whose calendar counts)


def desk_staff() -> list[DeskPerson]:
    """The organisation's active customer-service people, in one query: they hear of new
    questions and of deadlines of questions nobody has claimed."""
    first_team = (
        select(TeamMember.team_id)
        .where(TeamMember.org_id == User.org_id, TeamMember.user_id == User.id)
        .order_by(TeamMember.team_id)
        .limit(1)
        .correlate(User)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            User.id,
            User.role,
            User.timezone,
            User.working_hours,
            User.escalations_any_hour,
            first_team,
        ).where(User.role == CUSTOMER_SERVICE, User.active.is_(True))
    )
    return [DeskPerson(*row[:5], (row[5],) if row[5] else ()) for row in rows]


def may_read_questions(actor: User) -> bool:
    """The queue and its conversations: those who work it, and team leads, who watch it."""
    return actor.role in (ADMIN, CUSTOMER_SERVICE, TEAM_LEAD)


def may_manage_canned_answers(actor: User) -> bool:
    """Write, change and retire the desk's canned answers: admins and team leads, who know
    the products and the tone; customer service reads and inserts them
    (``may_read_questions``)."""
    return actor.role in (ADMIN, TEAM_LEAD)


# --- SLAs ---------------------------------------------------------------------------------


def may_manage_sla(actor: User) -> bool:
    """The SLA settings screen: calendars (of the teams ``may_set_calendar_of`` allows)
    and the preview."""
    return actor.role in (ADMIN, TEAM_LEAD)


def may_set_sla_policies(actor: User) -> bool:
    """Policies are the organisation's, not a team's (they have no team): a target set
    there counts for every team, so only admins set them. A team lead shapes their teams'
    deadlines through their teams' calendars."""
    return actor.role == ADMIN


def may_set_calendar_of(actor: User, team_id: uuid.UUID | None) -> bool:
    """The organisation's calendars (``team_id`` None) are an admin's; a team's, an admin's
    or that team's lead's."""
    if team_id is None:
        return actor.role == ADMIN
    return actor.role == ADMIN or (actor.role == TEAM_LEAD and team_id in actor.team_ids)


def escalation_recipients(team_id: uuid.UUID | None) -> list[User]:
    """Who hears that a breach has lasted: the active leads of the item's team, else the
    organisation's active admins."""
    if team_id is not None:
        members = select(TeamMember.user_id).where(TeamMember.team_id == team_id)
        leads_of_team = db.session.scalars(
            select(User).where(User.id.in_(members), User.role == TEAM_LEAD, User.active.is_(True))
        ).all()
        if leads_of_team:
            return list(leads_of_team)
    return list(db.session.scalars(select(User).where(User.role == ADMIN, User.active.is_(True))))


# --- asking -------------------------------------------------------------------------------


def require(allowed: bool, message: str) -> None:
    """Raise 403 with ``message`` unless ``allowed``."""
    if not allowed:
        raise Forbidden(message)


# --- what a device may hold ---------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """What a pull needs to know of the person asking; feeds ask it who sees which rows."""

    org_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    team_ids: tuple[uuid.UUID, ...]
    leads: LeadScope
    _actor: User

    @cached_property
    def people(self) -> frozenset[uuid.UUID] | None:
        """Whose user records they see (``visible_people``). Read when first needed, in the
        pull's snapshot: most pages of a first sync are leads and follow-ups and never ask."""
        return visible_people(self._actor)

    @property
    def reads_questions(self) -> bool:
        """Whether the desk's questions, conversations and canned answers reach their
        devices (``may_read_questions``)."""
        return may_read_questions(self._actor)

    def people_audiences(self) -> list[str]:
        """The tombstone audiences of the people feed."""
        if self.people is None:
            return [ORG_AUDIENCE]
        return [user_audience(self.user_id)] + [team_audience(t) for t in self.team_ids]

    @property
    def scope_fingerprint(self) -> str:
        """Changes when what the person may see changes by their own role or teams."""
        text = self.role + ":" + ",".join(sorted(t.hex for t in self.team_ids))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def viewer_of(actor: User) -> Viewer:
    return Viewer(
        org_id=actor.org_id,
        user_id=actor.id,
        role=actor.role,
        team_ids=tuple(actor.team_ids),
        leads=lead_scope(actor),
        _actor=actor,
    )
