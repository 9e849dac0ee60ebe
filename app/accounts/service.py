"""Accounts: the rules for organisations, people, teams and device tokens.

Functions take the acting user and plain data, do every check and every write, and are
what both the HTTP routes and the tests call. They flush; the request commits once. The one
exception is sign-in bookkeeping (a rehashed password, a token's last use), which is kept
even when the request it starts fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app import tallies
from app.accounts import permissions, security
from app.accounts.models import (
    DEFAULT_SOURCES,
    ROLES,
    DeviceToken,
    Invitation,
    Organization,
    Team,
    TeamMember,
    User,
    UserSession,
    slug_from_name,
)
from app.accounts.signals import teams_left
from app.business_time import BusinessCalendar
from app.changelog.audiences import team_audience
from app.changelog.versions import bury, init_counter, lock_counter, next_versions, stamp
from app.database import utcnow
from app.errors import ApiError, NotFound, ValidationFailed
from app.extensions import db
from app.fields import isoformat_z
from app.mail import new_message
from app.mail import send as send_mail
from app.tenancy import all_orgs, tenant


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_taken(email: str) -> bool:
    with all_orgs():
        return (
            db.session.scalar(select(func.count()).select_from(User).where(User.email == email)) > 0
        )


def _check_email_free(email: str) -> None:
    if email_taken(email):
        raise ApiError(
            409, "email_taken", "That email already has an account.", {"email": ["taken"]}
        )


def _slugs_taken(stem: str) -> set[str]:
    return set(
        db.session.scalars(
            select(Organization.slug).where(
                (Organization.slug == stem)
                | Organization.slug.startswith(stem + "-", autoescape=True)
            )
        )
    )


def free_slug(name: str) -> str:
    """The name's slug, with "-2", "-3"… appended while another organisation has it."""
    stem = slug_from_name(name)
    taken = _slugs_taken(stem)
    if stem not in taken:
        return stem
    n = 2
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"


def create_organization(name: str, **settings: Any) -> Organization:
    """A new organisation with its change counter and a free slug (not committed here)."""
    org = Organization(name=name.strip(), **settings)
    for _attempt in range(5):
        org.slug = settings.get("slug") or free_slug(org.name)
        try:
            # Two sign-ups of one name at once: the later one's insert fails on the unique
            # slug, and it takes the next free one instead of failing the sign-up.
            with db.session.begin_nested():
                db.session.add(org)
                db.session.flush()
            break
        except IntegrityError:
            if "slug" in settings:
                raise
    else:
        raise ApiError(503, "unavailable", "Too many sign-ups at once; try again shortly.")
    init_counter(org.id)
    with tenant(org.id):
        org.version = next_versions(org.id)  # devices receive its settings on a first sync
    return org


def signup(org_name: str, name: str, email: str, password: str) -> User:
    """A new organisation with this person as its admin."""
    email = normalize_email(email)
    _check_email_free(email)
    org = create_organization(org_name)
    with tenant(org.id):
        user = User(
            org_id=org.id,
            email=email,
            name=name.strip(),
            role="admin",
            password_hash=security.hash_password(password),
        )
        stamp(user)
        db.session.add(user)
        db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; equally slow either way."""
    with all_orgs():
        user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
        if user is None or not security.has_password(user.password_hash):
            # Someone invited who has not chosen a password answers like an unknown email.
            security.burn_password_check(password)
            return None
        if not security.verify_password(user.password_hash, password) or not user.active:
            return None
        if security.needs_rehash(user.password_hash):
            user.password_hash = security.hash_password(password)
            db.session.commit()
        return user


def start_session(user: User) -> UserSession:
    """A new server-side session for one browser (its id goes into the cookie)."""
    row = UserSession(org_id=user.org_id, user_id=user.id)
    db.session.add(row)
    db.session.flush()
    return row


def load_session_user(session_key: str, session_id: str | None) -> User | None:
    """The user a session cookie names, if still active and neither this browser's session
    (signed out) nor all of the user's (password change, deactivation) ended. A cookie from
    before sessions were kept server-side has no session id and loads nobody: it could not
    be signed out."""
    try:
        org_part, user_part, epoch_part = session_key.split(":")
        key = (uuid.UUID(org_part), uuid.UUID(user_part))
        epoch = int(epoch_part)
        sid = uuid.UUID(session_id) if isinstance(session_id, str) else None
    except ValueError:
        return None
    if sid is None:
        return None
    with tenant(key[0]):
        row = db.session.get(UserSession, (key[0], sid))
        if row is None or row.revoked_at is not None or row.user_id != key[1]:
            return None
        user = db.session.get(User, key)
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return user


def end_session(org_id: uuid.UUID, session_id: str | None) -> None:
    """Sign one browser out on the server: its cookie, even if kept, loads nobody again."""
    try:
        sid = uuid.UUID(session_id) if isinstance(session_id, str) else None
    except ValueError:
        return
    if sid is None:
        return
    with tenant(org_id):
        row = db.session.get(UserSession, (org_id, sid))
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            db.session.flush()


def load_token_user(secret: str) -> User | None:
    """The user behind a bearer token, if the token is live and the user active."""
    if not secret.startswith(security.TOKEN_PREFIX):
        return None
    with all_orgs():
        # One query for token, user and teams: every API request of a device starts here.
        found = (
            db.session.execute(
                select(DeviceToken, User)
                .join(User, (User.org_id == DeviceToken.org_id) & (User.id == DeviceToken.user_id))
                .where(DeviceToken.token_hash == security.hash_secret(secret))
                .options(joinedload(User.memberships))
            )
            .unique()
            .first()
        )
        if found is None:
            return None
        token, user = found
        if token.revoked_at is not None or not user.active:
            return None
        now = utcnow()
        # Record use at most once a minute, so reads do not each become a write.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            token.last_used_at = now
            db.session.commit()
        return user


def issue_device_token(user: User, device_name: str) -> tuple[DeviceToken, str]:
    """A new bearer token for one of the user's devices; the secret is returned only here."""
    secret = security.new_device_secret()
    token = DeviceToken(
        org_id=user.org_id,
        user_id=user.id,
        name=device_name.strip(),
        token_hash=security.hash_secret(secret),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def list_device_tokens(actor: User) -> list[DeviceToken]:
    return list(
        db.session.scalars(
            select(DeviceToken)
            .where(DeviceToken.user_id == actor.id, DeviceToken.revoked_at.is_(None))
            .order_by(DeviceToken.created_at)
        )
    )


def revoke_device_token(actor: User, token_id: uuid.UUID) -> None:
    """A user revokes their own tokens; an admin any token of the organisation."""
    token = db.session.get(DeviceToken, (actor.org_id, token_id))
    if token is None or not permissions.may_revoke_token_of(actor, token.user_id):
        raise NotFound("token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def get_organization(actor: User) -> Organization:
    return db.session.get(Organization, actor.org_id)


def update_organization(actor: User, changes: dict[str, Any]) -> Organization:
    permissions.require(permissions.may_manage_org(actor), "Only admins change the organisation.")
    lock_counter(actor.org_id)  # counter first, then the row, as every writer does
    org = get_organization(actor)
    # The default source must be one of the sources in force after this change: a list that
    # drops it is refused until the default is changed or cleared in the same request.
    default = changes.get("default_source", org.default_source)
    own = changes.get("lead_sources", org.lead_sources)
    sources = list(own or DEFAULT_SOURCES)
    if default is not None and default not in sources:
        raise ValidationFailed({"default_source": [f"must be one of {', '.join(sources)}"]})
    changed = False
    if "slug" in changes and changes["slug"] != org.slug:
        _set_slug(org, changes["slug"])
        changed = True
    new_zone = "timezone" in changes and changes["timezone"] != org.timezone
    fields = (
        "name", "default_country", "timezone", "lead_sources", "lost_reasons", "currency",
        "appraisal_weights", "public_origins",
    )  # fmt: skip
    for field in (*fields, "default_source"):
        if field in changes and getattr(org, field) != changes[field]:
            setattr(org, field, changes[field])
            changed = True
    if changed:
        # Devices hold these (the org entity of sync): a new version sends them again.
        org.version = next_versions(org.id)
    if new_zone:
        # Report periods are the new zone's days: so are the tallies' (in this transaction).
        tallies.rebuild(org.id, org.zone)
    db.session.flush()
    return org


SLUG_TAKEN = "Another organisation has this address; choose another."


def _set_slug(org: Organization, slug: str) -> None:
    """Give the organisation a new public address, or 409 naming ``slug`` when another has
    it (also when another takes it at the same moment: the unique key decides)."""
    taken = db.session.scalar(
        select(Organization.id).where(Organization.slug == slug, Organization.id != org.id)
    )
    if taken is not None:
        raise ApiError(409, "slug_taken", SLUG_TAKEN, {"slug": [SLUG_TAKEN]})
    try:
        with db.session.begin_nested():
            org.slug = slug
            db.session.flush()
    except IntegrityError as error:
        raise ApiError(409, "slug_taken", SLUG_TAKEN, {"slug": [SLUG_TAKEN]}) from error


# --- teams -------------------------------------------------------------------------------


def list_teams(actor: User) -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def get_team(actor: User, team_id: uuid.UUID) -> Team:
    team = db.session.get(Team, (actor.org_id, team_id))
    if team is None:
        raise NotFound("team")
    return team


def _check_team_name_free(name: str, except_id: uuid.UUID | None = None) -> None:
    query = select(Team.id).where(func.lower(Team.name) == name.lower())
    if except_id is not None:
        query = query.where(Team.id != except_id)
    if db.session.scalar(query) is not None:
        raise ApiError(409, "team_name_taken", "A team with that name exists.", {"name": ["taken"]})


def create_team(actor: User, name: str) -> Team:
    permissions.require(permissions.may_manage_people(actor), "Only admins manage teams.")
    name = name.strip()
    _check_team_name_free(name)
    team = Team(org_id=actor.org_id, name=name)
    db.session.add(team)
    db.session.flush()
    return team


def rename_team(actor: User, team_id: uuid.UUID, name: str) -> Team:
    permissions.require(permissions.may_manage_people(actor), "Only admins manage teams.")
    team = get_team(actor, team_id)
    name = name.strip()
    _check_team_name_free(name, except_id=team.id)
    team.name = name
    db.session.flush()
    return team


# --- users -------------------------------------------------------------------------------


def list_users(actor: User) -> list[User]:
    """An admin sees everyone; anyone else the people of their own teams."""
    query = select(User).order_by(User.name, User.email)
    people = permissions.visible_people(actor)
    if people is not None:
        query = query.where(User.id.in_(people))
    return list(db.session.scalars(query))


def get_user(actor: User, user_id: uuid.UUID) -> User:
    user = db.session.get(User, (actor.org_id, user_id))
    if user is None or not permissions.may_see_person(actor, user.id):
        raise NotFound("user")
    return user


def _resolve_teams(actor: User, team_ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    wanted = list(dict.fromkeys(team_ids))
    if not wanted:
        return []
    found = set(db.session.scalars(select(Team.id).where(Team.id.in_(wanted))))
    missing = [str(t) for t in wanted if t not in found]
    if missing:
        raise ValidationFailed({"team_ids": [f"unknown team {t}" for t in missing]})
    return wanted


def _set_memberships(user: User, team_ids: list[uuid.UUID]) -> None:
    user.memberships = [
        TeamMember(org_id=user.org_id, team_id=t, user_id=user.id) for t in team_ids
    ]


def create_user(actor: User, data: dict[str, Any]) -> User:
    """Add a person. Without a ``password`` they have none (no sign-in works) until they
    accept an invitation (``invite_user``) or an admin sets one."""
    permissions.require(permissions.may_manage_people(actor), "Only admins add people.")
    email = normalize_email(data["email"])
    if data["role"] not in ROLES:
        raise ValidationFailed({"role": [f"must be one of {', '.join(ROLES)}"]})
    _check_email_free(email)
    team_ids = list(data.get("team_ids") or [])
    if data.get("team_id"):
        team_ids.insert(0, data["team_id"])
    teams = _resolve_teams(actor, team_ids)
    password = data.get("password")
    password_hash = security.hash_password(password) if password else security.NO_PASSWORD
    user = User(
        id=uuid.uuid4(),
        org_id=actor.org_id,
        email=email,
        name=data["name"].strip(),
        role=data["role"],
        password_hash=password_hash,
    )
    stamp(user)
    db.session.add(user)
    _set_memberships(user, teams)
    db.session.flush()
    return user


def update_user(actor: User, user_id: uuid.UUID, changes: dict[str, Any]) -> User:
    """Change a person's name, role, teams, password or active flag (admin only)."""
    permissions.require(permissions.may_manage_people(actor), "Only admins change people.")
    lock_counter(actor.org_id)  # before any row of this change is locked
    user = get_user(actor, user_id)
    if permissions.would_lock_out(actor, user, changes):
        # An organisation must never lose its last way in through its own admin's mistake.
        raise ApiError(409, "self_lockout", "You cannot deactivate or demote yourself.")
    if "name" in changes:
        user.name = changes["name"].strip()
    if "role" in changes:
        user.role = changes["role"]
    old_teams = set(user.team_ids)
    if "team_ids" in changes:
        _set_memberships(user, _resolve_teams(actor, changes["team_ids"]))
    if "password" in changes:
        user.password_hash = security.hash_password(changes["password"])
        # A reset is what an admin does when a password may be known to someone else: every
        # browser session and device token of the person ends, and the link must not set
        # another password.
        end_all_access(user)
    if "active" in changes and changes["active"] != user.active:
        user.active = changes["active"]
        if not user.active:
            end_all_access(user)
    # Teammates' devices get the changed record; those of teams left get a del for it.
    stamp(user)
    left = old_teams - set(user.team_ids)
    if left:
        bury(user.org_id, "user", user.id, [team_audience(t) for t in left])
        teams_left.send(user)  # their leads follow them (the leads domain listens)
    db.session.flush()
    return user


def end_all_access(user: User) -> None:
    """End every session and revoke every device token and open invitation of ``user`` (not
    committed here)."""
    user.session_epoch += 1
    now = utcnow()
    db.session.execute(
        update(UserSession)
        .where(
            UserSession.org_id == user.org_id,
            UserSession.user_id == user.id,
            UserSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    for token in db.session.scalars(
        select(DeviceToken).where(DeviceToken.user_id == user.id, DeviceToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    _withdraw_invitations(user)


def update_preferences(actor: User, changes: dict[str, Any]) -> User:
    """Set one's own time zone, working hours and whether escalations may come at any hour."""
    if "timezone" in changes:
        actor.timezone = changes["timezone"]
    if "working_hours" in changes:
        hours = changes["working_hours"]
        if hours is not None:
            hours = {"timezone": actor.timezone or get_organization(actor).timezone, **hours}
            try:
                hours = BusinessCalendar.from_dict(hours).to_dict()
            except ValueError as error:
                raise ValidationFailed({"working_hours": [str(error)]}) from error
        actor.working_hours = hours
    if "escalations_any_hour" in changes:
        actor.escalations_any_hour = changes["escalations_any_hour"]
    db.session.flush()
    return actor


# --- invitations ---------------------------------------------------------------------------
#
# An admin adds a person without a password; the person gets a link (by email when mail is
# set up, and always shown once to the admin) that lets them choose one, once, before it
# expires. Only the link's hash is stored. The public side (opening and accepting a link)
# answers every dead link with 404 and a code saying why, so the page can say what to do.

INVITATION_UNKNOWN = ApiError(
    404,
    "invitation_unknown",
    "This invitation link is not valid. Check that you opened the whole link, or ask your"
    " administrator for a new invitation.",
)
INVITATION_USED = ApiError(
    404,
    "invitation_used",
    "This invitation has been used already. Sign in with your email and password.",
)
INVITATION_EXPIRED = ApiError(
    404,
    "invitation_expired",
    "This invitation has expired. Ask your administrator to send you a new one.",
)
INVITATION_WITHDRAWN = ApiError(
    404,
    "invitation_withdrawn",
    "This invitation was replaced by a newer one or withdrawn. Open the link in the latest"
    " invitation email, or ask your administrator.",
)


def _withdraw_invitations(user: User) -> None:
    """Make every open invitation of ``user`` dead (a new one was sent, they were
    deactivated, or they have a password now)."""
    db.session.execute(
        update(Invitation)
        .where(
            Invitation.org_id == user.org_id,
            Invitation.user_id == user.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _issue_invitation(actor: User, user: User) -> tuple[Invitation, str]:
    _withdraw_invitations(user)
    secret = security.new_invitation_secret()
    now = utcnow()
    invitation = Invitation(
        org_id=user.org_id,
        user_id=user.id,
        token_hash=security.hash_secret(secret),
        invited_by=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITE_LIFETIME_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, secret


def invite_user(actor: User, data: dict[str, Any]) -> tuple[User, Invitation, str]:
    """Add a person with no password and an invitation; the link's secret is returned only
    here (and by ``resend_invitation``)."""
    user = create_user(actor, {**data, "password": None})
    invitation, secret = _issue_invitation(actor, user)
    return user, invitation, secret


def resend_invitation(actor: User, user_id: uuid.UUID) -> tuple[User, Invitation, str]:
    """A new link for someone who has not accepted yet; every older link dies."""
    permissions.require(permissions.may_manage_people(actor), "Only admins invite people.")
    user = get_user(actor, user_id)
    if security.has_password(user.password_hash):
        raise ApiError(
            409,
            "already_signed_up",
            f"{user.name} has a password already: they sign in with it.",
        )
    if not user.active:
        raise ApiError(409, "inactive", f"{user.name} is deactivated: reactivate them first.")
    invitation, secret = _issue_invitation(actor, user)
    return user, invitation, secret


def open_invitations(actor: User) -> list[tuple[uuid.UUID, Invitation | None]]:
    """Everyone who has not chosen a password yet, with their latest invitation (None if
    they never had one, e.g. added before invitations existed)."""
    permissions.require(permissions.may_manage_people(actor), "Only admins see invitations.")
    waiting = list(
        db.session.scalars(
            select(User.id).where(User.password_hash == security.NO_PASSWORD).order_by(User.id)
        )
    )
    if not waiting:
        return []
    latest: dict[uuid.UUID, Invitation] = {}
    for invitation in db.session.scalars(
        select(Invitation)
        .where(Invitation.user_id.in_(waiting))
        .order_by(Invitation.created_at, Invitation.id)
    ):
        latest[invitation.user_id] = invitation
    return [(user_id, latest.get(user_id)) for user_id in waiting]


def invitation_is_live(invitation: Invitation, now: datetime | None = None) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > (now or utcnow())
    )


def find_invitation(secret: str) -> tuple[Invitation, User, Organization]:
    """The live invitation behind a link, its person and organisation; else 404 saying why."""
    with all_orgs():
        invitation = db.session.scalar(
            select(Invitation).where(Invitation.token_hash == security.hash_secret(secret))
        )
    if invitation is None:
        raise INVITATION_UNKNOWN
    with tenant(invitation.org_id):
        user = db.session.get(User, (invitation.org_id, invitation.user_id))
    if invitation.accepted_at is not None:
        raise INVITATION_USED
    if invitation.revoked_at is not None or user is None or not user.active:
        raise INVITATION_WITHDRAWN
    if invitation.expires_at <= utcnow():
        raise INVITATION_EXPIRED
    return invitation, user, db.session.get(Organization, invitation.org_id)


def accept_invitation(secret: str, password: str) -> User:
    """Set the invited person's password and use the link up (once, even when two requests
    race: the first to mark it accepted wins)."""
    invitation, user, _org = find_invitation(secret)
    now = utcnow()
    with tenant(invitation.org_id):
        taken = db.session.execute(
            update(Invitation)
            .where(
                Invitation.org_id == invitation.org_id,
                Invitation.id == invitation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(accepted_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            raise INVITATION_USED
        user.password_hash = security.hash_password(password)
        db.session.flush()
    return user


def invitation_link(base_url: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/invite/{secret}"


def send_invitation_email(actor: User, user: User, invitation: Invitation, link: str) -> str:
    """Email the link to the person (after the invitation is committed, so the link works
    when it arrives): ``mail.send``'s outcome, ``"not_configured"`` without SMTP."""
    org = get_organization(actor)
    expires = isoformat_z(invitation.expires_at)[:16].replace("T", " ")
    text = (
        f"Hello {user.name},\n\n"
        f"{actor.name} has invited you to {org.name} on LeadSync.\n\n"
        "Open this link to choose your password and sign in:\n\n"
        f"{link}\n\n"
        f"The link works once, until {expires} UTC. Your email address to sign in with is"
        f" {user.email}.\n\n"
        "If you did not expect this invitation, you can ignore this email.\n"
    )
    return send_mail(new_message(user.email, f"You are invited to {org.name} on LeadSync", text))
