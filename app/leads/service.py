"""Leads and follow-ups: every rule and every write.

The REST routes and the sync mutations both call these functions, so a rule (say, which
stage moves the pipeline allows) lives in exactly one place. Functions take the acting user
and data already shaped by the schemas; they raise ``ApiError`` for anything refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import phonenumbers
from sqlalchemy import and_, case, insert, or_, select

from app.accounts import permissions
from app.accounts.models import (
    Organization,
    Team,
    User,
    lead_sources,
    lost_reasons,
    source_when_none_given,
)
from app.accounts.signals import teams_left
from app.changelog import versions as changes
from app.changelog.stored import fill_wire
from app.database import utcnow
from app.errors import AlreadyExists, ApiError, NotFound, ValidationFailed
from app.extensions import db
from app.leads import sla, tally
from app.leads.access import audiences_left
from app.leads.models import (
    CONTACT_KINDS,
    OPEN_STAGES,
    FollowUp,
    Lead,
    LeadStageChange,
    Product,
)

# Fields a lead.update may set; stage and owner have their own operations and rules.
EDITABLE_FIELDS = (
    "contact_name",
    "company",
    "phone",
    "email",
    "region",
    "territory",
    "source",
    "product_id",
    "product_text",
    "quantity",
    "estimated_value",
    "currency",
    "priority",
    "notes",
    "next_follow_up_at",
)
# A phone's clock may run ahead a little; a follow-up dated further ahead is a mistake.
MAX_CLOCK_AHEAD = timedelta(hours=24)
# How long before its arrival a capture may count from (a phone a month offline, or one
# whose clock is wrong, counts from its arrival less this).
MAX_CAPTURE_AGE = timedelta(days=30)


def capture_time(captured_at: datetime | None, now: datetime) -> datetime:
    """When a new lead counts from: when it was captured on the device, within reason."""
    if captured_at is None:
        return now
    return min(max(captured_at, now - MAX_CAPTURE_AGE), now)


@dataclass(frozen=True)
class RoutedOwner:
    """An owner chosen by the organisation's assignment rules (``app.assignment``), not by
    the person capturing: the rule's choice stands whatever that person may give away."""

    owner_id: uuid.UUID
    team_id: uuid.UUID | None
    rule_id: uuid.UUID | None  # None: no rule matched, the organisation's default owner


# Fills a new lead's owner when its data names none (``app.assignment`` registers it: the
# leads sit below assignment and must not import it). None: the capturer keeps the lead.
OwnerRouter = Callable[[User, Organization, dict[str, Any]], RoutedOwner | None]
_owner_router: OwnerRouter | None = None


def register_owner_router(router: OwnerRouter | None) -> None:
    global _owner_router
    _owner_router = router


@dataclass
class FieldConflict:
    field: str
    server_value: Any


# --- reference lists ---------------------------------------------------------------------


def _org(actor: User) -> Organization:
    return db.session.get(Organization, actor.org_id)


# --- normalisation and duplicates -------------------------------------------------------


def normalize_phone(raw: str | None, default_country: str) -> str | None:
    """E.164 for a number that can be a phone number; raises for text that is not one."""
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, default_country)
    except phonenumbers.NumberParseException as error:
        raise ValidationFailed({"phone": ["Not a phone number."]}) from error
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        # Dialable only inside its area: without the area code it cannot be matched.
        raise ValidationFailed({"phone": ["Add the area code."]})
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValidationFailed({"phone": ["Not a possible phone number."]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str | None:
    return raw.strip().lower() if raw and raw.strip() else None


def find_possible_duplicate(lead: Lead) -> uuid.UUID | None:
    """The oldest other open lead of the organisation with the same phone or email."""
    return possible_duplicates([lead])[0]


def _slices(first: list, second: list, size: int):
    """Pairs of slices of two lists, together at most ``size`` values each."""
    for start in range(0, max(len(first), len(second)), size // 2):
        yield first[start : start + size // 2], second[start : start + size // 2]


def possible_duplicates(leads: list[Lead]) -> list[uuid.UUID | None]:
    """For each of ``leads``, the oldest (by creation, then id) other open lead of the
    organisation with the same phone or email, among those stored and those before it in
    ``leads``: the same answer as checking them one by one while writing them in order,
    with one query for the lot."""
    phones = {lead.phone_e164 for lead in leads if lead.phone_e164}
    emails = {lead.email_norm for lead in leads if lead.email_norm}
    if not phones and not emails:
        return [None] * len(leads)
    # The oldest (created_at, id) per phone and per email, as each lead of ``leads`` sees it.
    oldest: dict[tuple[str, str], tuple[datetime, uuid.UUID]] = {}
    listed = {lead.id for lead in leads}

    def remember(key: tuple[str, str | None], seen: tuple[datetime, uuid.UUID]) -> None:
        if key[1] and (key not in oldest or seen < oldest[key]):
            oldest[key] = seen

    rows = []
    # In slices: an import brings tens of thousands of numbers, more than one statement
    # may bind (SQLite's limit is 32,766).
    for phone_part, email_part in _slices(sorted(phones), sorted(emails), 5000):
        matches = [Lead.phone_e164.in_(phone_part), Lead.email_norm.in_(email_part)]
        rows += db.session.execute(
            select(Lead.created_at, Lead.id, Lead.phone_e164, Lead.email_norm).where(
                or_(*matches), Lead.stage.in_(OPEN_STAGES)
            )
        ).all()
    for created_at, other_id, phone, email in rows:
        if other_id not in listed:  # an edited lead is not its own duplicate
            remember(("phone", phone), (created_at, other_id))
            remember(("email", email), (created_at, other_id))
    found: list[uuid.UUID | None] = []
    for lead in leads:
        keys = [("phone", lead.phone_e164), ("email", lead.email_norm)]
        same = [oldest[k] for k in keys if k in oldest]
        found.append(min(same)[1] if same else None)
        if lead.stage in OPEN_STAGES:
            for key in keys:
                remember(key, (lead.created_at, lead.id))
    return found


# --- reading -----------------------------------------------------------------------------


def get_visible_lead(actor: User, lead_id: uuid.UUID, *, for_update: bool = False) -> Lead:
    """The lead, if ``actor`` may see it; 404 otherwise (existence is not revealed)."""
    query = select(Lead).where(Lead.id == lead_id)
    if for_update:
        changes.lock_counter(actor.org_id)  # counter first, then rows: see lock_counter
        query = query.with_for_update()
    lead = db.session.scalar(query)
    if lead is None or not permissions.may_see_lead(actor, lead.owner_id, lead.team_id):
        raise NotFound("lead")
    return lead


def follow_ups_of(actor: User, lead_id: uuid.UUID) -> list[FollowUp]:
    get_visible_lead(actor, lead_id)
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.lead_id == lead_id)
            .order_by(FollowUp.happened_at, FollowUp.id)
        )
    )


# --- checks on values that depend on the organisation -----------------------------------


def _check_source(org: Organization, source: str) -> None:
    if source not in lead_sources(org):
        raise ValidationFailed({"source": [f"must be one of {', '.join(lead_sources(org))}"]})


def _check_product(product_id: uuid.UUID | None) -> None:
    if product_id is None:
        return
    product = db.session.scalar(select(Product).where(Product.id == product_id))
    if product is None or not product.active:
        raise ValidationFailed({"product_id": ["No such active product."]})


def _active_member(org_id: uuid.UUID, user_id: uuid.UUID, field: str) -> User:
    # By primary key: a person already loaded (a batch naming the same owner again and
    # again) is not queried again.
    user = db.session.get(User, (org_id, user_id))
    if user is None or not permissions.may_own_leads(user):
        raise ValidationFailed({field: ["No such active sales person."]})
    return user


def _default_team(owner: User, preferred: uuid.UUID | None) -> uuid.UUID | None:
    team_ids = owner.team_ids
    if preferred is not None and preferred in team_ids:
        return preferred
    return team_ids[0] if team_ids else None


# --- writing -----------------------------------------------------------------------------


def _contact_columns(org: Organization, field: str, value: Any) -> dict[str, Any]:
    """The normalised form a phone or email is kept in beside it (duplicates are found by
    it); nothing for other fields. Raises for a phone that is not one."""
    if field == "phone":
        return {"phone_e164": normalize_phone(value, org.default_country)}
    if field == "email":
        return {"email_norm": normalize_email(value)}
    return {}


def create_lead(actor: User, data: dict[str, Any]) -> Lead:
    """Capture an inquiry. The creator owns it unless an allowed ``owner_id`` says otherwise."""
    (outcome,) = create_leads(actor, [data])
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def create_leads(actor: User, batch: list[dict[str, Any]]) -> list[Lead | ApiError]:
    """Capture several inquiries in order (what a device captured offline, pushed together).

    Each is checked and refused on its own — the answer for each is its lead, or the
    ``ApiError`` that refused it (``AlreadyExists`` for an id taken already) — and the
    accepted ones are written together: one query finds taken ids, one finds possible
    duplicates, one INSERT per table writes them. The result is the same as creating them
    one by one. A returned lead is what was written, not attached to the session: to change
    it, load it.
    """
    org = _org(actor)
    now = utcnow()
    checked_products: set[uuid.UUID] = set()  # each product looked up once per batch
    outcomes: list[Lead | ApiError] = []
    for data in batch:
        try:
            outcomes.append(new_lead(actor, org, data, now, checked_products))
        except ApiError as error:
            outcomes.append(error)
    fresh = [lead for lead in outcomes if isinstance(lead, Lead)]
    taken = set(
        db.session.scalars(select(Lead.id).where(Lead.id.in_([lead.id for lead in fresh])))
        if fresh
        else ()
    )
    for index, lead in enumerate(outcomes):
        if isinstance(lead, Lead):
            if lead.id in taken:
                outcomes[index] = AlreadyExists("lead")
            taken.add(lead.id)  # the same id twice in one batch: the second is a duplicate
    fresh = [lead for lead in outcomes if isinstance(lead, Lead)]
    for lead, duplicate_of in zip(fresh, possible_duplicates(fresh), strict=True):
        lead.possible_duplicate_of = duplicate_of
    sla.leads_created(fresh)
    insert_new_leads(fresh)
    return outcomes


# A new lead's columns without a default start empty. Those with one are set by new_lead;
# fill_wire gives any it left unset its default, as the INSERT would.
_EMPTY_LEAD = {column.key: None for column in Lead.__table__.columns if column.default is None}
_LEAD_COLUMNS = tuple(column.key for column in Lead.__table__.columns)


def new_lead(
    actor: User,
    org: Organization,
    data: dict[str, Any],
    now: datetime,
    checked_products: set[uuid.UUID],
) -> Lead:
    """A checked, versioned lead that is not yet stored (``create_leads`` stores it).

    ``data["routed"]`` (a ``RoutedOwner``, set by ``app.assignment``, never read from a
    request) names an owner chosen by the rules; without it and without an ``owner_id``
    the registered owner router may choose one."""
    routed: RoutedOwner | None = data.get("routed")
    if routed is None and not data.get("owner_id") and _owner_router is not None:
        routed = _owner_router(actor, org, data)
    if routed is not None:
        owner = _active_member(actor.org_id, routed.owner_id, "owner_id")
        team_id = routed.team_id
    else:
        if permissions.must_name_owner(actor) and not data.get("owner_id"):
            raise ValidationFailed(
                {"owner_id": ["Customer service hands a lead to a sales person."]}
            )
        owner = actor if not data.get("owner_id") else _active_member(
            actor.org_id, data["owner_id"], "owner_id"
        )
        permissions.require(
            permissions.may_give_lead_to(actor, owner), "You may not give leads to that person."
        )
        team_id = data.get("team_id")
        if (
            team_id is not None
            and not permissions.may_file_under_any_team(actor)
            and team_id not in owner.team_ids
        ):
            raise ValidationFailed({"team_id": ["The owner is not in that team."]})
    if team_id is not None and db.session.get(Team, (actor.org_id, team_id)) is None:
        raise ValidationFailed({"team_id": ["No such team."]})
    stage = data.get("stage", "new")
    if stage not in OPEN_STAGES:
        raise ValidationFailed(
            {"stage": ["A new lead starts open; use lead.set_stage to close it."]}
        )
    source = data.get("source") or source_when_none_given(org)
    if source is None:
        raise ValidationFailed({"source": ["Choose where this inquiry came from."]})
    _check_source(org, source)
    product_id = data.get("product_id")
    if product_id is not None and product_id not in checked_products:
        _check_product(product_id)
        checked_products.add(product_id)

    # Captured offline, it counts from the capture: its reply clock too, as the device
    # showed it.
    created = capture_time(data.get("captured_at"), now)
    values = {
        **_EMPTY_LEAD,
        "id": data.get("id") or uuid.uuid4(),
        "org_id": actor.org_id,
        "owner_id": owner.id,
        "team_id": team_id if team_id is not None else _default_team(owner, None),
        "created_by": actor.id,
        "stage": stage,
        "source": source,
        "priority": data.get("priority") or "normal",
        "created_at": created,
        "updated_at": now,
        "quoted_at": created if stage in QUOTED_STAGES else None,
        "field_versions": {},
        "assigned_by_rule": routed.rule_id if routed is not None else None,
    }
    for field in EDITABLE_FIELDS:
        if field in data and field not in ("source", "priority"):
            values[field] = data[field]
            values.update(_contact_columns(org, field, data[field]))
    # Straight into the new object's __dict__, as a query loads a row: fifty instrumented
    # attribute sets would cost ten times as much, and a new object has no history to keep.
    lead = Lead()
    vars(lead).update(values)
    changes.stamp(lead)
    return lead


# --- writing new leads without the unit of work -------------------------------------------
#
# The ORM's flush of a few hundred new leads costs several times the INSERT itself, so
# create_leads writes them with one executemany. The Lead objects it returns stay outside
# the session, as values of what was written: code that changes such a lead later in the
# same transaction (a follow-up pushed after its lead) loads it like any stored lead, and a
# rolled-back savepoint leaves nothing behind to clean up.


def insert_new_leads(leads: list[Lead]) -> None:
    """INSERT new leads whose every value is final."""
    if not leads:
        return
    for lead in leads:
        fill_wire(lead)  # the stored sync change, which a flush would have stored
    # Every column, so the row holds exactly what the object holds.
    db.session.execute(insert(Lead.__table__), [_row(vars(lead)) for lead in leads])
    # Its first step: created, in its open stage (an imported closed lead was created new;
    # its closing is the importer's next step).
    db.session.execute(
        insert(LeadStageChange.__table__),
        [
            {
                **stage_row(lead, None, _opening(lead.stage), lead.created_at, lead.created_by),
                "assigned_by_rule": lead.assigned_by_rule,
            }
            for lead in leads
        ],
    )


def _opening(stage: str) -> str:
    return stage if stage in OPEN_STAGES else "new"


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {key: values[key] for key in _LEAD_COLUMNS}


# The stages a lead reaches only once it has been quoted.
QUOTED_STAGES = ("quoted", "negotiating", "won")


def stage_row(
    lead: Lead, from_stage: str | None, to_stage: str, at: datetime, actor_id: uuid.UUID | None
) -> dict[str, Any]:
    return {
        "org_id": lead.org_id, "id": uuid.uuid4(), "lead_id": lead.id, "from_stage": from_stage,
        "to_stage": to_stage, "at": at, "actor_id": actor_id, "owner_id": lead.owner_id,
        "team_id": lead.team_id, "assigned_by_rule": None,
    }  # fmt: skip


def move_stage(lead: Lead, stage: str, at: datetime, actor: User) -> str:
    """Move the lead to ``stage`` (a different one): the one place a stored lead's stage
    changes, so its history and ``closed_at`` are always written with it. Returns the old
    stage."""
    old_stage, lead.stage = lead.stage, stage
    db.session.add(LeadStageChange(**stage_row(lead, old_stage, stage, at, actor.id)))
    mark_closing(lead, at)
    if stage in QUOTED_STAGES:
        note_quoted(lead, at)
    return old_stage


def mark_closing(lead: Lead, at: datetime) -> None:
    """A lead in its closed stage (won or lost) keeps when, and whose, it was then; an open
    one has none."""
    closed = lead.stage in ("won", "lost")
    lead.closed_at = at if closed else None
    lead.closed_owner_id = lead.owner_id if closed else None
    lead.closed_team_id = lead.team_id if closed else None


def note_quoted(lead: Lead, at: datetime) -> None:
    if lead.quoted_at is None or at < lead.quoted_at:
        lead.quoted_at = at


def stage_history(actor: User, lead_id: uuid.UUID) -> list[LeadStageChange]:
    """A visible lead's stage changes, oldest first."""
    lead = get_visible_lead(actor, lead_id)
    return list(
        db.session.scalars(
            select(LeadStageChange)
            .where(LeadStageChange.lead_id == lead.id)
            .order_by(LeadStageChange.at, LeadStageChange.from_stage.is_not(None))
        )
    )


def _touch(lead: Lead, fields: list[str]) -> None:
    """Give the lead a new version and remember, for each changed field, that version and
    which device wrote it (None for the web and integrations)."""
    version = changes.stamp(lead)
    writer = changes.current_device()
    mark = [version, writer] if writer else version
    lead.field_versions = {**(lead.field_versions or {}), **{f: mark for f in fields}}
    lead.updated_at = utcnow()


def _changed_by_someone_else(lead: Lead, field: str, base_version: int) -> bool:
    """Did ``field`` change after the caller's copy — by anyone but the calling device?

    A device's own earlier mutations (say, a follow-up that set the next follow-up date)
    are not a conflict for its later ones, even before it has pulled them back.
    """
    mark = (lead.field_versions or {}).get(field, 0)
    version, writer = (mark[0], mark[1]) if isinstance(mark, list) else (mark, None)
    if version <= base_version:
        return False
    return writer is None or writer != changes.current_device()


def update_lead(
    actor: User, lead_id: uuid.UUID, base_version: int | None, values: dict[str, Any]
) -> tuple[Lead, list[FieldConflict]]:
    """Change fields, field by field.

    With ``base_version`` (the version of the caller's copy), a field changed on the server
    after that version keeps the server's value and is reported as a conflict; the other
    fields are applied. Without it (a plain REST edit), every field is applied.
    """
    unknown = [f for f in values if f not in EDITABLE_FIELDS]
    if unknown:
        raise ValidationFailed(
            {f: ["Not editable here (stage and owner have their own actions)."] for f in unknown}
        )
    lead = get_visible_lead(actor, lead_id, for_update=True)
    org = _org(actor)
    # A device sends back values it holds: an unchanged source or product is no new choice,
    # even if the organisation has since dropped it.
    if "source" in values and values["source"] != lead.source:
        _check_source(org, values["source"])
    if "product_id" in values and values["product_id"] != lead.product_id:
        _check_product(values["product_id"])
    if "contact_name" in values and not values["contact_name"]:
        raise ValidationFailed({"contact_name": ["Required."]})

    conflicts: list[FieldConflict] = []
    changed: list[str] = []
    for field, value in values.items():
        current = getattr(lead, field)
        if _same(current, value):
            continue
        if base_version is not None and _changed_by_someone_else(lead, field, base_version):
            conflicts.append(FieldConflict(field, current))
            continue
        for column, normal in _contact_columns(org, field, value).items():
            setattr(lead, column, normal)
        setattr(lead, field, value)
        changed.append(field)
    if changed:
        _touch(lead, changed)
        if {"phone", "email"} & set(changed):
            lead.possible_duplicate_of = find_possible_duplicate(lead)
        if {"next_follow_up_at", "priority", "source"} & set(changed):
            sla.lead_rescheduled(lead)
    db.session.flush()
    return lead, conflicts


def _same(current: Any, new: Any) -> bool:
    if isinstance(current, Decimal) and isinstance(new, (int, float, Decimal)):
        return current == Decimal(str(new))
    return current == new


# The pipeline: forward through the open stages, out to won or lost, and back from lost.
def stage_move_allowed(current: str, target: str) -> bool:
    if current == target:
        return True
    if current == "won":
        return False
    if current == "lost":
        return target in OPEN_STAGES  # reopen
    if target in ("won", "lost"):
        return True
    return OPEN_STAGES.index(target) > OPEN_STAGES.index(current)


def set_stage(
    actor: User,
    lead_id: uuid.UUID,
    stage: str,
    *,
    lost_reason: str | None = None,
    won_value: Decimal | float | None = None,
    note: str | None = None,
) -> Lead:
    lead = get_visible_lead(actor, lead_id, for_update=True)
    if not stage_move_allowed(lead.stage, stage):
        raise ApiError(
            422,
            "stage_not_allowed",
            f"A lead cannot move from {lead.stage} to {stage}.",
            {"stage": ["not allowed"]},
        )
    changed = []
    if stage == "lost":
        if not lost_reason:
            raise ValidationFailed({"lost_reason": ["A lost lead needs a reason."]})
        if lost_reason not in lost_reasons(_org(actor)):
            raise ValidationFailed(
                {"lost_reason": [f"must be one of {', '.join(lost_reasons(_org(actor)))}"]}
            )
        if lead.lost_reason != lost_reason:
            lead.lost_reason = lost_reason
            changed.append("lost_reason")
    elif stage == "won":
        if won_value is None or Decimal(str(won_value)) <= 0:
            raise ValidationFailed({"won_value": ["A won lead needs its value."]})
        if not _same(lead.won_value, won_value):
            lead.won_value = won_value
            changed.append("won_value")
    if stage in OPEN_STAGES and lead.lost_reason is not None:
        lead.lost_reason = None  # reopened
        changed.append("lost_reason")
    if lead.stage != stage:
        now = utcnow()
        old_stage = move_stage(lead, stage, now, actor)
        changed.append("stage")
        sla.lead_stage_changed(lead, old_stage, now)
    if note:
        add_follow_up(
            actor, lead, {"id": uuid.uuid4(), "kind": "note", "note": note, "happened_at": utcnow()}
        )
    if changed:
        _touch(lead, changed)
    db.session.flush()
    return lead


def assign_lead(actor: User, lead_id: uuid.UUID, owner_id: uuid.UUID) -> Lead:
    """Give a lead to another person (team lead or admin). The old owner's devices get a
    ``del`` for it and its follow-ups; the new owner's get all of them."""
    permissions.require(
        permissions.may_assign_leads(actor), "Only team leads and admins reassign leads."
    )
    lead = get_visible_lead(actor, lead_id, for_update=True)
    owner = _active_member(actor.org_id, owner_id, "owner_id")
    permissions.require(
        permissions.may_give_lead_to(actor, owner), "You may only assign to people of your teams."
    )
    if owner.id == lead.owner_id:
        return lead
    old_owner, old_team = lead.owner_id, lead.team_id
    lead.owner_id = owner.id
    lead.team_id = _default_team(owner, lead.team_id)
    move_lead_records(lead, old_owner, old_team, ["owner_id", "team_id"])
    db.session.flush()
    return lead


def move_lead_records(
    lead: Lead, old_owner: uuid.UUID, old_team: uuid.UUID | None, fields: list[str]
) -> None:
    """After a lead changed owner or team: re-version it and its follow-ups (so their new
    audience receives them whole, however old they are) and bury them for the audiences
    that lost them."""
    left = audiences_left(old_owner, old_team, lead.owner_id, lead.team_id)
    _touch(lead, fields)
    changes.bury(lead.org_id, "lead", lead.id, left, version=lead.version)
    follow_ups = list(db.session.scalars(select(FollowUp).where(FollowUp.lead_id == lead.id)))
    if not follow_ups:
        return

    def move() -> None:
        last = changes.next_versions(lead.org_id, len(follow_ups))
        for offset, follow_up in enumerate(follow_ups):
            follow_up.owner_id = lead.owner_id
            follow_up.team_id = lead.team_id
            follow_up.version = last - len(follow_ups) + 1 + offset
            changes.bury(lead.org_id, "followup", follow_up.id, left, version=follow_up.version)

    tally.recount(follow_ups, move)


@teams_left.connect
def follow_owner_to_new_teams(owner: User) -> None:
    """When a person leaves a team, their open leads go with them to their (first) new team,
    so the new team's lead sees them and the old team's devices get a del."""
    teams = owner.team_ids
    stranded = db.session.scalars(
        select(Lead).where(
            Lead.owner_id == owner.id, Lead.stage.in_(OPEN_STAGES), Lead.team_id.is_not(None)
        )
    )
    for lead in list(stranded):
        if lead.team_id in teams:
            continue
        old_team = lead.team_id
        lead.team_id = teams[0] if teams else None
        move_lead_records(lead, owner.id, old_team, ["team_id"])


def add_follow_up(
    actor: User, lead: Lead, data: dict[str, Any], counted: bool = True
) -> FollowUp:
    """A new follow-up of ``lead`` by ``actor``, in the session and counted in the tally
    (``counted`` False: the caller counts a batch of them at once, ``tally.count``)."""
    follow_up = FollowUp(
        id=data["id"],
        org_id=lead.org_id,
        lead_id=lead.id,
        owner_id=lead.owner_id,
        team_id=lead.team_id,
        author_id=actor.id,
        kind=data["kind"],
        note=data.get("note"),
        outcome=data.get("outcome"),
        happened_at=data["happened_at"],
        next_follow_up_at=data.get("next_follow_up_at"),
        quoted_amount=data.get("quoted_amount"),
        received_at=utcnow(),
    )
    changes.stamp(follow_up)
    db.session.add(follow_up)
    if counted:
        tally.count([follow_up])
    return follow_up


def moved_on_by(follow_up: FollowUp, lead: Lead, actor: User) -> list[str]:
    """What a follow-up does to its lead, at its own time, whenever it is recorded (live or
    imported): a quote marks it quoted and moves a new or contacted lead to quoted; a
    contact moves a new lead to contacted and is its latest contact if no later one is
    known. Returns the lead's changed fields."""
    at, kind = follow_up.happened_at, follow_up.kind
    changed = []
    quoted = kind == "quote" or follow_up.quoted_amount is not None
    if quoted:
        note_quoted(lead, at)
    if quoted and lead.stage in ("new", "contacted"):
        move_stage(lead, "quoted", at, actor)
        changed.append("stage")
    elif kind in CONTACT_KINDS and lead.stage == "new":
        move_stage(lead, "contacted", at, actor)
        changed.append("stage")
    if kind in CONTACT_KINDS and (lead.last_follow_up_at is None or at > lead.last_follow_up_at):
        lead.last_follow_up_at = at
        changed.append("last_follow_up_at")
    return changed


def create_follow_up(actor: User, data: dict[str, Any]) -> FollowUp:
    """Log a call, visit, message, email, quote or note on a lead. Append-only: it never
    conflicts. It may move the lead on: a contact moves a new lead to contacted, a quote
    moves a new or contacted lead to quoted, and ``next_follow_up_at`` becomes the lead's.

    A ``next_follow_up_at`` before ``happened_at`` is refused. A contact without one, on a
    lead whose next follow-up is at or before the contact, clears that stale date: the
    follow-up cadence (the SLA clock's ``follow_up`` metric) decides the next deadline."""
    follow_up_id = data.get("id") or uuid.uuid4()
    if db.session.get(FollowUp, (actor.org_id, follow_up_id)) is not None:
        raise AlreadyExists("follow-up")
    lead = get_visible_lead(actor, data["lead_id"], for_update=True)
    if data["happened_at"] > utcnow() + MAX_CLOCK_AHEAD:
        raise ValidationFailed({"happened_at": ["Lies in the future."]})
    next_at = data.get("next_follow_up_at")
    if next_at is not None and next_at < data["happened_at"]:
        raise ValidationFailed(
            {"next_follow_up_at": ["Lies before the follow-up itself: pick a later time."]}
        )
    # Written offline, it counts at its own time, but never before the lead existed.
    happened_at = max(data["happened_at"], lead.created_at)
    follow_up = add_follow_up(
        actor, lead, {**data, "id": follow_up_id, "happened_at": happened_at}
    )

    changed = moved_on_by(follow_up, lead, actor)
    if next_at is not None and lead.next_follow_up_at != next_at:
        lead.next_follow_up_at = next_at
        changed.append("next_follow_up_at")
    elif (
        next_at is None
        and data["kind"] in CONTACT_KINDS
        and lead.next_follow_up_at is not None
        and lead.next_follow_up_at <= happened_at
    ):
        # A contact never leaves a past next follow-up behind: the stale date goes, and the
        # follow-up cadence of the SLA clock (started below) sets the next deadline.
        lead.next_follow_up_at = None
        changed.append("next_follow_up_at")
    sla.lead_followed_up(lead, data["kind"], happened_at)
    _touch(lead, changed)  # the SLA clock changed in any case
    db.session.flush()
    return follow_up


# --- lists -------------------------------------------------------------------------------


@dataclass
class LeadFilters:
    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    stage: list[str] | None = None
    source: str | None = None
    overdue: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None


SORTS = {
    # name: (column, descending)
    "-created_at": (Lead.created_at, True),
    "created_at": (Lead.created_at, False),
    "-updated_at": (Lead.updated_at, True),
    "next_follow_up_at": (Lead.next_follow_up_at, False),
}


def list_leads(
    actor: User, filters: LeadFilters, sort: str, limit: int, after: tuple[Any, uuid.UUID] | None
) -> tuple[list[Lead], tuple[Any, uuid.UUID] | None]:
    """One page of the leads ``actor`` may see, by keyset (never OFFSET): returns the page
    and the key to continue after, or None at the end."""
    column, descending = SORTS[sort]
    # Only next_follow_up_at may be empty; leads without one come after every dated lead.
    nullable = sort == "next_follow_up_at"
    query = select(Lead).where(permissions.lead_scope(actor).clause(Lead.owner_id, Lead.team_id))
    if filters.owner_id:
        query = query.where(Lead.owner_id == filters.owner_id)
    if filters.team_id:
        query = query.where(Lead.team_id == filters.team_id)
    if filters.stage:
        query = query.where(Lead.stage.in_(filters.stage))
    if filters.source:
        query = query.where(Lead.source == filters.source)
    if filters.overdue is not None:
        overdue = and_(Lead.stage.in_(OPEN_STAGES), Lead.next_follow_up_at < utcnow())
        query = query.where(
            overdue if filters.overdue else ~overdue | Lead.next_follow_up_at.is_(None)
        )
    if filters.created_from:
        query = query.where(Lead.created_at >= filters.created_from)
    if filters.created_to:
        query = query.where(Lead.created_at < filters.created_to)
    if filters.q:
        query = query.where(_text_search(filters.q, _org(actor)))
    if after is not None:
        value, last_id = after
        if value is None:
            # Past every dated lead: the undated ones continue on id alone.
            query = query.where(column.is_(None), Lead.id > last_id)
        elif descending:
            query = query.where(or_(column < value, and_(column == value, Lead.id < last_id)))
        else:
            later = or_(column > value, and_(column == value, Lead.id > last_id))
            query = query.where(or_(later, column.is_(None)) if nullable else later)
    order = (column.desc(), Lead.id.desc()) if descending else (column.asc(), Lead.id.asc())
    if nullable:
        order = (case((column.is_(None), 1), else_=0), *order)
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)))
    page, more = rows[:limit], len(rows) > limit
    next_key = (getattr(page[-1], column.key), page[-1].id) if more else None
    return page, next_key


def _text_search(text: str, org: Organization):
    """Name, company or email containing the text (``%`` and ``_`` are plain characters),
    or a phone containing its digits or equal to it read with the organisation's country."""
    text = text.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    conditions = [
        Lead.contact_name.icontains(text, autoescape=True),
        Lead.company.icontains(text, autoescape=True),
        Lead.email_norm.contains(text.lower(), autoescape=True),
    ]
    if len(digits) >= 4:
        conditions.append(Lead.phone_e164.contains(digits, autoescape=True))
        with suppress(ValidationFailed):  # not a whole number: the digits above still match
            conditions.append(Lead.phone_e164 == normalize_phone(text, org.default_country))
    return or_(*conditions)


# --- products ----------------------------------------------------------------------------


# What an admin sets on a product (the rest is the server's).
PRODUCT_FIELDS = ("name", "sku", "list_price", "currency", "spec", "faq", "active")


def list_products(actor: User, include_inactive: bool = False) -> list[Product]:
    query = select(Product).order_by(Product.name, Product.id)
    if not include_inactive:
        query = query.where(Product.active.is_(True))
    return list(db.session.scalars(query))


def get_product(actor: User, product_id: uuid.UUID) -> Product:
    product = db.session.get(Product, (actor.org_id, product_id))
    if product is None:
        raise NotFound("product")
    return product


def _check_sku_free(sku: str | None, except_id: uuid.UUID | None = None) -> None:
    if not sku:
        return
    query = select(Product.id).where(Product.sku == sku)
    if except_id:
        query = query.where(Product.id != except_id)
    if db.session.scalar(query) is not None:
        raise ApiError(409, "sku_taken", "Another product has that SKU.", {"sku": ["taken"]})


def _clean_sku(data: dict[str, Any]) -> dict[str, Any]:
    """A blank SKU is no SKU (so any number of products may lack one)."""
    if "sku" in data:
        sku = (data["sku"] or "").strip()
        data = {**data, "sku": sku or None}
    return data


def create_product(actor: User, data: dict[str, Any]) -> Product:
    permissions.require(
        permissions.may_manage_catalogue(actor), "Only admins manage the catalogue."
    )
    data = _clean_sku(data)
    product_id = data.get("id") or uuid.uuid4()
    if db.session.get(Product, (actor.org_id, product_id)) is not None:
        raise AlreadyExists("product")
    _check_sku_free(data.get("sku"))
    product = Product(
        org_id=actor.org_id,
        id=product_id,
        **{k: data[k] for k in PRODUCT_FIELDS if k in data},
    )
    changes.stamp(product)
    db.session.add(product)
    db.session.flush()
    return product


def update_product(actor: User, product_id: uuid.UUID, data: dict[str, Any]) -> Product:
    permissions.require(
        permissions.may_manage_catalogue(actor), "Only admins manage the catalogue."
    )
    product = get_product(actor, product_id)
    data = _clean_sku(data)
    _check_sku_free(data.get("sku"), except_id=product.id)
    for key in PRODUCT_FIELDS:
        if key in data:
            setattr(product, key, data[key])
    changes.stamp(product)
    db.session.flush()
    return product
