"""Assignment rules: who owns a lead that nobody named an owner for.

An organisation keeps an ordered list of rules. A rule matches a lead on region (exact,
case-insensitive), a postcode/area-code prefix of the region, source, product and priority
— every condition it sets must hold, and a rule that sets none matches every lead. It routes
to one person (``owner_id``) or to a team (``team_id``), whose active reps take turns
weighted by open load: the rep with the fewest open leads (not won or lost) gets the next
one, ties going round in turn after the last rep given one. A rep on leave, or holding
their cap of open leads (``User.max_open_leads``), is skipped; a rule left with nobody
available passes the lead on to the next matching rule. The first rule that finds someone
decides; when none does, the organisation's default owner takes the lead (``Decision`` with
no rule), and when it has none, nobody is chosen and the caller decides.

Used by every path that creates a lead without an owner: the desk's conversion and the
public form (``create_routed_lead``), CSV import rows without an owner (``app.imports``),
and a rep's capture outside their territory when the organisation asks for it
(``route_capture``, registered with the leads service below).

Concurrency: ``decide`` takes the organisation's change-counter lock before it reads
anything (every writer takes it before any row lock, see ``app.changelog.versions``), and
holds it until the lead is written and committed. That lock serialises the organisation's
decisions: each one reads the open loads and the team's last turn that every earlier one
committed, so concurrent conversions share a team's leads out evenly. The turn is then
written to the team's rotation row (locking it too, after the counter).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import String, bindparam, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.accounts import permissions
from app.accounts.models import (
    Organization,
    Team,
    TeamMember,
    User,
    lead_sources,
    source_when_none_given,
)
from app.assignment.models import OPEN_LOAD, AssignmentRotation, AssignmentRule
from app.changelog import versions as changes
from app.changelog.audiences import user_audience
from app.database import utcnow
from app.errors import ApiError, NotFound, ValidationFailed
from app.extensions import db
from app.leads import service as leads
from app.leads.models import OPEN_STAGES, Lead, Product
from app.leads.service import RoutedOwner

# --- the decision ----------------------------------------------------------------------------
#
# A decision runs inside the request that writes the lead, and must cost at most 2 ms with
# 200 rules (bench/assignment_bench.py). So it reads with a few fixed Core statements, built
# once and bound with parameters, each filtering by ``org_id`` by hand (the tenancy hook
# scopes ORM statements only, and building its criteria cost more than the reads).


@dataclass(frozen=True)
class Decision:
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    rule_id: uuid.UUID | None  # None: no rule matched (default owner)
    rule_name: str | None


NOBODY = Decision(None, None, None, None)


@dataclass
class _Batch:
    """What decisions of one transaction share: rules matched per kind of lead, people read
    (with their open load as read, plus the leads given them since), teams' reps, and the
    last rep of each team's turn."""

    rules: dict[tuple, list[Any]] = field(default_factory=dict)
    people: dict[uuid.UUID, Any] = field(default_factory=dict)
    loads: dict[uuid.UUID, int] = field(default_factory=dict)
    team_reps: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    last_turn: dict[uuid.UUID, uuid.UUID | None] = field(default_factory=dict)


_batch: ContextVar[_Batch | None] = ContextVar("leadsync_assignment_batch", default=None)


@contextmanager
def decisions_batch() -> Iterator[None]:
    """Decide for many leads before any of them is written (an import): each decision
    counts the leads the earlier ones gave away, and rules, teams and loads are read once.
    Use it inside one transaction; the leads must be written in the same one."""
    token = _batch.set(_Batch())
    try:
        yield
    finally:
        _batch.reset(token)


def _transaction_batch() -> _Batch:
    """Outside ``decisions_batch``, the decisions of one transaction share a batch: several
    leads routed before any is written (a push of captures) count each other. Safe to keep
    for the transaction: the counter lock, held from the first decision to the commit, keeps
    every other writer of the organisation out meanwhile."""
    session = db.session()  # the scoped session's own Session
    transaction = session.get_transaction()
    if transaction is None:  # (decide has begun one by locking the counter)
        return _Batch()
    held = session.info.get("assignment_batch")
    if held is None or held[0] is not transaction:
        held = (transaction, _Batch())
        session.info["assignment_batch"] = held
    return held[1]


def region_key(region: str) -> str:
    """What an exact region matches by: case-folded, spaces collapsed."""
    return " ".join(region.split()).casefold()


def compact_region(region: str) -> str:
    """What a postcode prefix matches against: upper case without spaces or hyphens
    ("sw1a 1aa" → "SW1A1AA")."""
    return re.sub(r"[\s\-]", "", region).upper()


def decide(
    org_id: uuid.UUID,
    *,
    region: str | None,
    source: str | None,
    product_id: uuid.UUID | None,
    priority: str | None,
) -> Decision:
    """Who gets a new lead with these values (see the module docstring). Takes the locks
    round-robin needs: call it inside the transaction that writes the lead."""
    changes.lock_counter(org_id)  # the counter first, then the rotation row: no deadlock
    batch = _batch.get() or _transaction_batch()
    region = region.strip() if region else None
    for rule in _matching_rules(batch, org_id, region or None, source, product_id, priority):
        if rule.owner_id is not None:
            owner = _person(batch, org_id, rule.owner_id)
            if owner is not None and permissions.may_own_leads(owner) and _has_room(batch, owner):
                batch.loads[owner.id] += 1
                return Decision(owner.id, owner.first_team, rule.id, rule.name)
        else:
            chosen = _take_turn(batch, org_id, rule.team_id)
            if chosen is not None:
                return Decision(chosen, rule.team_id, rule.id, rule.name)
    return _default_owner(batch, org_id)


@cache
def _statements(dialect: str) -> dict[str, Any]:
    """The decision's statements, built once per dialect (bound by parameters on each run)."""
    rules, users = AssignmentRule.__table__, User.__table__
    members, leads_ = TeamMember.__table__, Lead.__table__
    rotations = AssignmentRotation.__table__
    mine = members.alias("mine")
    org = bindparam("org")

    def either(column, name: str):
        # NULL in the rule matches anything; a NULL value matches only that.
        return or_(column.is_(None), column == bindparam(name))

    compact = bindparam("compact", type_=String)
    starts = func.substr(compact, 1, func.length(rules.c.match_region_prefix))
    open_load = (
        select(func.count())
        .select_from(leads_)
        .where(
            leads_.c.org_id == users.c.org_id,
            leads_.c.owner_id == users.c.id,
            text(OPEN_LOAD),
        )
        .scalar_subquery()
        .label("open_leads")
    )
    # The team a lead given to someone by name is filed under, as the leads service files a
    # lead whose creator names none: the first of theirs.
    first_team = (
        select(mine.c.team_id)
        .where(mine.c.org_id == users.c.org_id, mine.c.user_id == users.c.id)
        .order_by(mine.c.team_id)
        .limit(1)
        .scalar_subquery()
        .label("first_team")
    )
    person_columns = (
        users.c.id, users.c.active, users.c.role, users.c.on_leave, users.c.max_open_leads,
        open_load, first_team,
    )  # fmt: skip
    last_turn = (
        select(rotations.c.last_user_id)
        .where(rotations.c.org_id == org, rotations.c.team_id == bindparam("team"))
        .scalar_subquery()
        .label("last_turn")
    )
    in_team = (members.c.org_id == users.c.org_id) & (members.c.user_id == users.c.id)
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(rotations).values(
        org_id=org, team_id=bindparam("team"), last_user_id=bindparam("chosen"), turns=1
    )
    return {
        "rules": select(rules.c.id, rules.c.name, rules.c.owner_id, rules.c.team_id)
        .where(
            rules.c.org_id == org,
            either(rules.c.match_region_key, "region_key"),
            or_(rules.c.match_region_prefix.is_(None), starts == rules.c.match_region_prefix),
            either(rules.c.match_source, "source"),
            either(rules.c.match_product_id, "product_id"),
            either(rules.c.match_priority, "priority"),
        )
        .order_by(rules.c.position, rules.c.id),
        "person": select(*person_columns).where(
            users.c.org_id == org, users.c.id == bindparam("user")
        ),
        "team": select(*person_columns, last_turn)
        .join(members, in_team)
        .where(members.c.org_id == org, members.c.team_id == bindparam("team")),
        "turn": upsert.on_conflict_do_update(
            index_elements=[rotations.c.org_id, rotations.c.team_id],
            set_={
                "last_user_id": upsert.excluded.last_user_id,
                "turns": rotations.c.turns + 1,
            },
        ),
    }


def _run(name: str, **params: Any):
    return db.session.execute(_statements(db.engine.dialect.name)[name], params)


def _matching_rules(
    batch: _Batch,
    org_id: uuid.UUID,
    region: str | None,
    source: str | None,
    product_id: uuid.UUID | None,
    priority: str | None,
) -> list[Any]:
    """The rules matching these values, in list order: one statement, the matching done by
    the database (200 rules cost it less than sending them)."""
    key = (region, source, product_id, priority)
    if key not in batch.rules:
        batch.rules[key] = _run(
            "rules",
            org=org_id,
            region_key=region_key(region) if region else None,
            compact=compact_region(region) if region else None,
            source=source,
            product_id=product_id,
            priority=priority,
        ).all()
    return batch.rules[key]


def _remember(batch: _Batch, row: Any) -> Any:
    batch.people[row.id] = row
    batch.loads.setdefault(row.id, row.open_leads)  # the batch's own count goes on
    return row


def _person(batch: _Batch, org_id: uuid.UUID, user_id: uuid.UUID) -> Any | None:
    """A person's row (active, role, leave, cap, open load), or None."""
    if user_id not in batch.people:
        row = _run("person", org=org_id, user=user_id).first()
        if row is None:
            return None
        _remember(batch, row)
    return batch.people[user_id]


def _has_room(batch: _Batch, person: Any) -> bool:
    """Not on leave, and below their cap of open leads (if they have one)."""
    if person.on_leave:
        return False
    return person.max_open_leads is None or batch.loads[person.id] < person.max_open_leads


def _take_turn(batch: _Batch, org_id: uuid.UUID, team_id: uuid.UUID) -> uuid.UUID | None:
    """The team's next rep: the least loaded of those available, ties in turn after the last
    one given a lead (by id, wrapping round). None when nobody is available. The turn is
    written to the team's rotation row, which stays locked until the transaction ends."""
    if team_id not in batch.team_reps:
        rows = _run("team", org=org_id, team=team_id).all()
        batch.last_turn[team_id] = rows[0].last_turn if rows else None
        batch.team_reps[team_id] = sorted(
            _remember(batch, row).id for row in rows if permissions.takes_team_round_robin(row)
        )
    reps = [rep for rep in batch.team_reps[team_id] if _has_room(batch, batch.people[rep])]
    if not reps:
        return None
    least = min(batch.loads[rep] for rep in reps)
    tied = [rep for rep in reps if batch.loads[rep] == least]
    last_turn = batch.last_turn[team_id]
    chosen = next((rep for rep in tied if last_turn is not None and rep > last_turn), tied[0])
    _run("turn", org=org_id, team=team_id, chosen=chosen)
    batch.last_turn[team_id] = chosen
    batch.loads[chosen] += 1
    return chosen


def _default_owner(batch: _Batch, org_id: uuid.UUID) -> Decision:
    """The organisation's default owner, whatever their load or leave: someone must have
    the lead, and an admin chose them for exactly this."""
    org = db.session.get(Organization, org_id)
    if org is None or org.default_owner_id is None:
        return NOBODY
    owner = _person(batch, org_id, org.default_owner_id)
    if owner is None or not permissions.may_own_leads(owner):
        return NOBODY
    batch.loads[owner.id] += 1
    return Decision(owner.id, owner.first_team, None, None)


# --- leads routed by the rules ------------------------------------------------------------


def routed_owner(decision: Decision) -> RoutedOwner | None:
    """The leads service's form of a decision (None: nobody was chosen)."""
    if decision.owner_id is None:
        return None
    return RoutedOwner(decision.owner_id, decision.team_id, decision.rule_id)


def decide_for(org: Organization, data: dict[str, Any]) -> Decision:
    """``decide`` for a new lead's data, with the source and priority it will be given."""
    return decide(
        org.id,
        region=data.get("region"),
        source=data.get("source") or source_when_none_given(org),
        product_id=data.get("product_id"),
        priority=data.get("priority") or "normal",
    )


def create_routed_lead(
    actor: User | None, data: dict[str, Any], org: Organization | None = None
) -> tuple[Lead, Decision]:
    """Create a lead (``data`` as ``POST /leads`` takes it, without ``owner_id``) whose owner
    and team the rules choose, on behalf of someone who need not be allowed to give leads to
    that person (a customer-service user converting a question) — or of nobody signed in
    (``actor`` None, ``org`` given: a consumer's question sent straight to sales), when the
    lead is made in its new owner's name. The lead records the rule, its history's first
    step too, and the owner's first-response clock starts now, on the calendar of the lead's
    team. 422 ``no_owner`` when no rule matches and the organisation has no default owner.
    The returned lead is not attached to the session (as ``leads.service.create_lead``)."""
    org = org or db.session.get(Organization, actor.org_id)
    decision = decide_for(org, data)
    routed = routed_owner(decision)
    if routed is None:
        raise ApiError(
            422,
            "no_owner",
            "No assignment rule matches this lead and the organisation has no default owner.",
            {"owner_id": ["Nobody to give it to: add a rule or a default owner."]},
        )
    fields = {k: v for k, v in data.items() if k not in ("owner_id", "team_id")}
    maker = actor or db.session.get(User, (org.id, routed.owner_id))
    return leads.create_lead(maker, {**fields, "routed": routed}), decision


def in_territory(regions: list[str] | None, region: str) -> bool:
    """Whether a region lies in a rep's territory: equal to one of its names (case aside),
    or starting with one of its prefixes (entries ending in "*", compared compact)."""
    for entry in regions or ():
        if entry.endswith("*"):
            stem = compact_region(entry[:-1])
            if stem and compact_region(region).startswith(stem):
                return True
        elif region_key(entry) == region_key(region):
            return True
    return False


def route_capture(actor: User, org: Organization, data: dict[str, Any]) -> RoutedOwner | None:
    """The leads service's owner router: a new lead without an owner stays with whoever
    captured it, unless the organisation routes captures outside a rep's territory and
    this one is — then the rules choose (if they choose nobody, the rep keeps it)."""
    region = (data.get("region") or "").strip()
    if (
        not org.route_out_of_territory
        or not permissions.may_own_leads(actor)
        or not actor.regions
        or not region
        or in_territory(actor.regions, region)
    ):
        return None
    routed = routed_owner(decide_for(org, data))
    if (
        routed is not None
        and data.get("id") is not None
        and not permissions.may_see_lead(actor, routed.owner_id, routed.team_id)
    ):
        # The device that captured it holds a copy it will never be sent again: a
        # tombstone for its person tells it to drop it on the next pull.
        changes.bury(org.id, "lead", data["id"], [user_audience(actor.id)])
    return routed


leads.register_owner_router(route_capture)


# --- the rules --------------------------------------------------------------------------------


def _require_manager(actor: User) -> None:
    permissions.require(
        permissions.may_manage_assignment_rules(actor), "Only admins manage assignment rules."
    )


def _ordered() -> list[AssignmentRule]:
    return list(
        db.session.scalars(
            select(AssignmentRule).order_by(AssignmentRule.position, AssignmentRule.id)
        )
    )


def list_rules(actor: User) -> list[AssignmentRule]:
    _require_manager(actor)
    return _ordered()


def get_rule(actor: User, rule_id: uuid.UUID) -> AssignmentRule:
    _require_manager(actor)
    rule = db.session.get(AssignmentRule, (actor.org_id, rule_id))
    if rule is None:
        raise NotFound("assignment rule")
    return rule


def _set_match(org: Organization, rule: AssignmentRule, match: dict[str, Any]) -> None:
    """Replace the rule's conditions (keys left out match anything)."""
    problems: dict[str, list[str]] = {}
    region = (match.get("region") or "").strip() or None
    prefix = match.get("region_prefix")
    if prefix is not None:
        prefix = compact_region(prefix)
        if not re.fullmatch(r"[A-Z0-9]{1,20}", prefix):
            problems["region_prefix"] = ["1-20 letters and digits (spaces and hyphens ignored)."]
    source = match.get("source")
    if source is not None and source not in lead_sources(org):
        problems["source"] = [f"must be one of {', '.join(lead_sources(org))}"]
    product_id = match.get("product_id")
    if product_id is not None and db.session.get(Product, (org.id, product_id)) is None:
        problems["product_id"] = ["No such product."]
    if problems:
        raise ValidationFailed({"match": problems})
    rule.match_region = region
    rule.match_region_key = region_key(region) if region else None
    rule.match_region_prefix = prefix
    rule.match_source = source
    rule.match_product_id = product_id
    rule.match_priority = match.get("priority")


def _set_target(actor: User, rule: AssignmentRule, owner_id, team_id) -> None:
    if (owner_id is None) == (team_id is None):
        message = ["Give exactly one of owner_id (a person) or team_id (round-robin)."]
        raise ValidationFailed({"owner_id": message, "team_id": message})
    if owner_id is not None:
        owner = db.session.get(User, (actor.org_id, owner_id))
        if owner is None or not permissions.may_own_leads(owner):
            raise ValidationFailed({"owner_id": ["No such active sales person."]})
    if team_id is not None and db.session.get(Team, (actor.org_id, team_id)) is None:
        raise ValidationFailed({"team_id": ["No such team."]})
    rule.owner_id, rule.team_id = owner_id, team_id


def _place(rule: AssignmentRule, position: int | None) -> None:
    """Put the rule at ``position`` (1-based; None or past the end: last) and number the
    list 1, 2, 3 … again."""
    others = [r for r in _ordered() if r.id != rule.id]
    index = len(others) if position is None else min(max(position, 1) - 1, len(others))
    others.insert(index, rule)
    for number, each in enumerate(others, start=1):
        if each.position != number:
            each.position = number


def create_rule(actor: User, data: dict[str, Any]) -> AssignmentRule:
    _require_manager(actor)
    changes.lock_counter(actor.org_id)  # rule writes take turns: positions stay a sequence
    org = db.session.get(Organization, actor.org_id)
    now = utcnow()
    rule = AssignmentRule(
        org_id=actor.org_id, id=uuid.uuid4(), name=data["name"].strip(), position=0,
        created_at=now, updated_at=now,
    )  # fmt: skip
    _set_match(org, rule, data.get("match") or {})
    _set_target(actor, rule, data.get("owner_id"), data.get("team_id"))
    _place(rule, data.get("position"))
    db.session.add(rule)
    db.session.flush()
    return rule


def update_rule(actor: User, rule_id: uuid.UUID, data: dict[str, Any]) -> AssignmentRule:
    """Change what is given: ``match`` is replaced whole; giving ``owner_id`` routes to that
    person and giving ``team_id`` to that team (the other is cleared)."""
    changes.lock_counter(actor.org_id)
    rule = get_rule(actor, rule_id)
    org = db.session.get(Organization, actor.org_id)
    if "name" in data:
        rule.name = data["name"].strip()
    if "match" in data:
        _set_match(org, rule, data["match"] or {})
    if "owner_id" in data or "team_id" in data:
        _set_target(actor, rule, data.get("owner_id"), data.get("team_id"))
    if "position" in data:
        _place(rule, data["position"])
    rule.updated_at = utcnow()
    db.session.flush()
    return rule


def delete_rule(actor: User, rule_id: uuid.UUID) -> None:
    changes.lock_counter(actor.org_id)
    rule = get_rule(actor, rule_id)
    db.session.delete(rule)
    db.session.flush()
    for number, each in enumerate(_ordered(), start=1):
        if each.position != number:
            each.position = number
    db.session.flush()


# --- settings: the default owner, territories, leave and caps ------------------------------


def get_settings(actor: User) -> Organization:
    _require_manager(actor)
    return db.session.get(Organization, actor.org_id)


def update_settings(actor: User, data: dict[str, Any]) -> Organization:
    _require_manager(actor)
    org = db.session.get(Organization, actor.org_id)
    if "default_owner_id" in data:
        owner_id = data["default_owner_id"]
        if owner_id is not None:
            owner = db.session.get(User, (actor.org_id, owner_id))
            if owner is None or not permissions.may_own_leads(owner):
                raise ValidationFailed({"default_owner_id": ["No such active sales person."]})
        org.default_owner_id = owner_id
    for flag in ("route_out_of_territory", "route_questions_to_sales"):
        if flag in data:
            setattr(org, flag, data[flag])
    db.session.flush()
    return org


def list_people(actor: User) -> list[tuple[User, int]]:
    """The organisation's sales people with their open load, by name."""
    _require_manager(actor)
    people = [
        u
        for u in db.session.scalars(select(User).order_by(User.name, User.email))
        if u.role in permissions.SALES_ROLES
    ]
    loads = _open_loads([u.id for u in people])
    return [(u, loads.get(u.id, 0)) for u in people]


def update_person(actor: User, user_id: uuid.UUID, data: dict[str, Any]) -> tuple[User, int]:
    """Set a sales person's leave, cap of open leads or territory."""
    _require_manager(actor)
    user = db.session.get(User, (actor.org_id, user_id))
    if user is None or user.role not in permissions.SALES_ROLES:
        raise NotFound("sales person")
    for key in ("on_leave", "max_open_leads"):
        if key in data:
            setattr(user, key, data[key])
    if "regions" in data:
        regions = [r.strip() for r in data["regions"] or [] if r.strip() and r.strip() != "*"]
        user.regions = list(dict.fromkeys(regions)) or None
    db.session.flush()
    return user, _open_loads([user.id]).get(user.id, 0)


def _open_loads(user_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each person's open leads (not won or lost)."""
    if not user_ids:
        return {}
    return dict(
        db.session.execute(
            select(Lead.owner_id, func.count())
            .where(Lead.owner_id.in_(user_ids), Lead.stage.in_(OPEN_STAGES))
            .group_by(Lead.owner_id)
        ).all()
    )
