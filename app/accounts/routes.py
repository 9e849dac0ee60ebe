"""HTTP routes of accounts: parse, call ``accounts.service``, commit, answer.

People and the organisation are answered in their one wire form (``accounts.wire``), the
same that sync sends."""

from __future__ import annotations

import uuid

from flask import after_this_request, current_app, g, request, session
from flask_login import current_user, login_required, login_user, logout_user
from flask_smorest import Blueprint

from app.accounts import schemas, security, service
from app.accounts.auth import SESSION_ID_KEY, acting_user
from app.accounts.wire import org_wire, user_wire
from app.database import utcnow
from app.errors import ApiError
from app.extensions import db, limiter
from app.fields import wire_time
from app.http import wire_response

auth_bp = Blueprint(
    "auth", __name__, url_prefix="/api/v1/auth", description="Sign-up, sign-in, device tokens"
)
users_bp = Blueprint(
    "users", __name__, url_prefix="/api/v1/users", description="People of the organisation"
)
teams_bp = Blueprint("teams", __name__, url_prefix="/api/v1/teams", description="Teams")
org_bp = Blueprint("org", __name__, url_prefix="/api/v1/org", description="The organisation")


def _failed_sign_in(response) -> bool:
    """Only failures count, so an office signing in together never locks itself out; a
    body refused before the password is even checked (bad text, too deep: 400/422) is a
    failure too, or it would be a free try."""
    return response.status_code in (400, 401, 422)


def _email_in_body() -> str | None:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    if isinstance(email, str) and email.strip():
        return service.normalize_email(email)[:254]
    return None


def _account_key() -> str:
    email = _email_in_body()
    return "account:" + email if email else "account:?" + (request.remote_addr or "")


def _known_device() -> str | None:
    """The device id when this browser has signed in to the account it now names before
    (a genuine known-device cookie listing it), else None."""
    if "known_device" not in g:
        email = _email_in_body()
        known = security.read_known_device(request.cookies.get(security.KNOWN_DEVICE_COOKIE))
        g.known_device = (
            known[0] if known and email and security.account_tag(email) in known[1] else None
        )
    return g.known_device


def _from_known_device() -> bool:
    return _known_device() is not None


def _from_unknown_device() -> bool:
    return _known_device() is None


def _device_key() -> str:
    return f"device:{_known_device()}:{_account_key()}"


def _ip_limit() -> str:
    return current_app.config["LOGIN_FAILURES_PER_IP"]


def _account_limit() -> str:
    return current_app.config["LOGIN_FAILURES_PER_ACCOUNT"]


# The sign-in throttle (issue 14, finding 16). Only failures count. An attempt from a browser
# that has signed in to the account before (security's known-device cookie) draws on its own
# budget per account and device, and on no other; every other attempt draws on the account's
# budget and the address's. So guessing is bounded everywhere (LOGIN_FAILURES_PER_ACCOUNT per
# account from unknown browsers, the same per known browser, LOGIN_FAILURES_PER_IP per
# address), while a guesser — elsewhere or in the same office — who spends the account's or
# the address's budget locks out only browsers that never signed in to that account; the
# person's own browsers keep signing in. Shared scopes: /login and /tokens count together.
limit_failures_per_ip = limiter.shared_limit(
    _ip_limit, scope="sign-in-ip", deduct_when=_failed_sign_in, exempt_when=_from_known_device
)
limit_failures_per_account = limiter.shared_limit(
    _account_limit,
    scope="sign-in-account",
    key_func=_account_key,
    deduct_when=_failed_sign_in,
    exempt_when=_from_known_device,
)
limit_failures_per_known_device = limiter.shared_limit(
    _account_limit,
    scope="sign-in-device",
    key_func=_device_key,
    deduct_when=_failed_sign_in,
    exempt_when=_from_unknown_device,
)


def _remember_device(email: str) -> None:
    """After a successful sign-in: this browser is known to the account from now on."""
    value = security.known_device_cookie(
        request.cookies.get(security.KNOWN_DEVICE_COOKIE), service.normalize_email(email)
    )

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            security.KNOWN_DEVICE_COOKIE,
            value,
            max_age=security.KNOWN_DEVICE_MAX_AGE,
            path="/api/v1/auth",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response


def _dead_invitation(response) -> bool:
    """A link that leads nowhere (unknown, used, expired, withdrawn) counts like a failed
    sign-in: guessing links costs the same budget as guessing passwords."""
    return response.status_code == 404


limit_invitation_failures_per_ip = limiter.shared_limit(
    _ip_limit, scope="sign-in-ip", deduct_when=_dead_invitation
)

BAD_CREDENTIALS = ApiError(401, "invalid_credentials", "Wrong email or password.")


def _session_body(user) -> dict:
    return {"user": user_wire(user), "csrf_token": security.csrf_token()}


def _start_session(user) -> None:
    session.clear()  # a fresh session (and CSRF token) for each sign-in
    # A server-side row per browser, so signing out ends this cookie even where it is kept.
    session[SESSION_ID_KEY] = str(service.start_session(user).id)
    db.session.commit()
    login_user(user)
    # A cookie with an expiry (SESSION_LIFETIME_DAYS, renewed by every request), so closing
    # the browser or restarting the phone does not sign the rep out.
    session.permanent = True


@auth_bp.route("/signup", methods=["POST"])
@auth_bp.arguments(schemas.SignupSchema)
@auth_bp.response(201, schemas.SignupResultSchema)
def signup(data):
    """Create an organisation with yourself as its admin, and sign in."""
    user = service.signup(data["org_name"], data["name"], data["email"], data["password"])
    db.session.commit()
    _start_session(user)
    _remember_device(user.email)
    body = {**_session_body(user), "organization": org_wire(service.get_organization(user))}
    return wire_response(body, 201)


@auth_bp.route("/login", methods=["POST"])
@limit_failures_per_ip
@limit_failures_per_account
@limit_failures_per_known_device
@auth_bp.arguments(schemas.LoginSchema)
@auth_bp.response(200, schemas.SessionSchema)
def login(data):
    """Sign in with a session cookie; the answer carries the CSRF token for later writes."""
    user = service.authenticate(data["email"], data["password"])
    if user is None:
        raise BAD_CREDENTIALS
    _start_session(user)
    _remember_device(user.email)
    return wire_response(_session_body(user))


@auth_bp.route("/invitation", methods=["POST"])
@limit_invitation_failures_per_ip
@auth_bp.arguments(schemas.InvitationTokenSchema)
@auth_bp.response(200, schemas.InvitationSchema)
def open_invitation(data):
    """What an invitation link is for: the organisation, the person's name and email (no
    sign-in needed). A dead link is a 404 whose code says why: `invitation_unknown`,
    `invitation_used`, `invitation_expired` or `invitation_withdrawn` (a newer one was sent,
    or the person was deactivated). Dead links count against the per-address sign-in
    failure budget (429)."""
    invitation, user, org = service.find_invitation(data["token"])
    return {
        "org_name": org.name,
        "name": user.name,
        "email": user.email,
        "expires_at": invitation.expires_at,
    }


@auth_bp.route("/invitation/accept", methods=["POST"])
@limit_invitation_failures_per_ip
@auth_bp.arguments(schemas.InvitationAcceptSchema)
@auth_bp.response(200, schemas.SessionSchema)
def accept_invitation(data):
    """Choose your password with an invitation link and sign in (a session, as /login
    starts). The link is then used up; errors as for `POST /auth/invitation`."""
    user = service.accept_invitation(data["token"], data["password"])
    db.session.commit()
    _start_session(user)
    _remember_device(user.email)
    return wire_response(_session_body(user))


@auth_bp.route("/logout", methods=["POST"])
@auth_bp.response(204)
def logout():
    """End this browser's session, on the server too: the cookie, even if kept, signs in
    nobody again. The person's other browsers and devices stay signed in."""
    if current_user.is_authenticated:
        service.end_session(current_user.org_id, session.get(SESSION_ID_KEY))
        db.session.commit()
    logout_user()
    session.clear()


@auth_bp.route("/me", methods=["GET"])
@login_required
@auth_bp.response(200, schemas.SessionSchema)
def me():
    """The signed-in user and the session's CSRF token (after a reload, say)."""
    return wire_response(_session_body(acting_user()))


@auth_bp.route("/me/preferences", methods=["GET"])
@login_required
@auth_bp.response(200, schemas.PreferencesSchema)
def get_preferences():
    """Your time zone, working hours and escalation preference (quiet hours for reminders)."""
    return acting_user()


@auth_bp.route("/me/preferences", methods=["PATCH"])
@login_required
@auth_bp.arguments(schemas.PreferencesSchema)
@auth_bp.response(200, schemas.PreferencesSchema)
def update_preferences(changes):
    """Set your quiet hours: reminders outside your working hours wait for the next one."""
    user = service.update_preferences(acting_user(), changes)
    db.session.commit()
    return user


@auth_bp.route("/tokens", methods=["POST"])
@limit_failures_per_ip
@limit_failures_per_account
@limit_failures_per_known_device
@auth_bp.arguments(schemas.TokenRequestSchema)
@auth_bp.response(201, schemas.NewDeviceTokenSchema)
def create_token(data):
    """A bearer token for a device; shown once, stored only as a hash."""
    user = service.authenticate(data["email"], data["password"])
    if user is None:
        raise BAD_CREDENTIALS
    token, secret = service.issue_device_token(user, data["device_name"])
    db.session.commit()
    _remember_device(user.email)
    return {
        "id": token.id,
        "name": token.name,
        "created_at": token.created_at,
        "last_used_at": None,
        "token": secret,
    }


@auth_bp.route("/tokens", methods=["GET"])
@login_required
@auth_bp.response(200, schemas.DeviceTokenSchema(many=True))
def list_tokens():
    """Your live device tokens."""
    return service.list_device_tokens(acting_user())


@auth_bp.route("/tokens/<uuid:token_id>", methods=["DELETE"])
@login_required
@auth_bp.response(204)
def revoke_token(token_id: uuid.UUID):
    """Revoke a device token: requests with it stop working at once."""
    service.revoke_device_token(acting_user(), token_id)
    db.session.commit()


@org_bp.route("", methods=["GET"])
@login_required
@org_bp.response(200, schemas.OrganizationSchema)
def get_org():
    return wire_response(org_wire(service.get_organization(acting_user())))


@org_bp.route("", methods=["PATCH"])
@login_required
@org_bp.arguments(schemas.OrganizationSchema)
@org_bp.response(200, schemas.OrganizationSchema)
def update_org(changes):
    """Rename the organisation, change its default country or time zone, or set its own
    lists of lead sources and lost reasons (admin). Devices receive the change on their
    next pull (the `org` entity)."""
    org = service.update_organization(acting_user(), changes)
    db.session.commit()
    return wire_response(org_wire(org))


@users_bp.route("", methods=["GET"])
@login_required
@users_bp.response(200, schemas.UserSchema(many=True))
def list_users():
    """Everyone (admin) or the people of your teams."""
    return wire_response([user_wire(u) for u in service.list_users(acting_user())])


def _public_base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] or request.host_url


def _invitation_answer(body: dict, status: int = 201):
    # It carries a secret link: no cache anywhere may keep it.
    response = wire_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _send_invitation(actor, user, invitation, secret: str) -> dict:
    """After the commit (the link must work when the email arrives): email it, and give it
    to the admin once, saying whether the email went."""
    link = service.invitation_link(_public_base_url(), secret)
    return {
        "url": link,
        "expires_at": wire_time(invitation.expires_at),
        "email": service.send_invitation_email(actor, user, invitation, link),
    }


@users_bp.route("", methods=["POST"])
@login_required
@users_bp.arguments(schemas.UserCreateSchema)
@users_bp.response(201, schemas.NewUserSchema)
def create_user(data):
    """Add a person to the organisation (admin). With a `password` they can sign in at
    once. Without one they are invited: they get no usable password, and an invitation link
    (valid INVITE_LIFETIME_DAYS) is emailed to them when SMTP is set up and always returned
    once in `invitation` — hand it over yourself when `invitation.email` is not `sent`."""
    actor = acting_user()
    if data.get("password"):
        user = service.create_user(actor, data)
        db.session.commit()
        return wire_response({**user_wire(user), "invitation": None}, 201)
    user, invitation, secret = service.invite_user(actor, data)
    db.session.commit()
    sent = _send_invitation(actor, user, invitation, secret)
    return _invitation_answer({**user_wire(user), "invitation": sent})


@users_bp.route("/invitations", methods=["GET"])
@login_required
@users_bp.response(200, schemas.OpenInvitationSchema(many=True))
def list_open_invitations():
    """Everyone who has not chosen a password yet, with their latest invitation (admin)."""
    now = utcnow()
    return [
        {
            "user_id": user_id,
            "sent_at": invitation.created_at if invitation else None,
            "expires_at": invitation.expires_at if invitation else None,
            "live": bool(invitation) and service.invitation_is_live(invitation, now),
        }
        for user_id, invitation in service.open_invitations(acting_user())
    ]


@users_bp.route("/<uuid:user_id>/invitation", methods=["POST"])
@login_required
@users_bp.response(201, schemas.InvitationSentSchema)
def resend_invitation(user_id: uuid.UUID):
    """Send a person who has not accepted yet a new invitation link (admin); every older
    link stops working. 409 `already_signed_up` once they have a password, 409 `inactive`
    while they are deactivated."""
    actor = acting_user()
    user, invitation, secret = service.resend_invitation(actor, user_id)
    db.session.commit()
    return _invitation_answer(_send_invitation(actor, user, invitation, secret))


@users_bp.route("/<uuid:user_id>", methods=["GET"])
@login_required
@users_bp.response(200, schemas.UserSchema)
def get_user(user_id: uuid.UUID):
    return wire_response(user_wire(service.get_user(acting_user(), user_id)))


@users_bp.route("/<uuid:user_id>", methods=["PATCH"])
@login_required
@users_bp.arguments(schemas.UserUpdateSchema)
@users_bp.response(200, schemas.UserSchema)
def update_user(changes, user_id: uuid.UUID):
    """Change role, teams or password, or deactivate (admin).

    Deactivation ends the person's sessions and device tokens at once.
    """
    user = service.update_user(acting_user(), user_id, changes)
    db.session.commit()
    return wire_response(user_wire(user))


@teams_bp.route("", methods=["GET"])
@login_required
@teams_bp.response(200, schemas.TeamSchema(many=True))
def list_teams():
    return service.list_teams(acting_user())


@teams_bp.route("", methods=["POST"])
@login_required
@teams_bp.arguments(schemas.TeamSchema)
@teams_bp.response(201, schemas.TeamSchema)
def create_team(data):
    """Create a team (admin)."""
    team = service.create_team(acting_user(), data["name"])
    db.session.commit()
    return team


@teams_bp.route("/<uuid:team_id>", methods=["GET"])
@login_required
@teams_bp.response(200, schemas.TeamSchema)
def get_team(team_id: uuid.UUID):
    return service.get_team(acting_user(), team_id)


@teams_bp.route("/<uuid:team_id>", methods=["PATCH"])
@login_required
@teams_bp.arguments(schemas.TeamSchema)
@teams_bp.response(200, schemas.TeamSchema)
def rename_team(data, team_id: uuid.UUID):
    """Rename a team (admin)."""
    team = service.rename_team(acting_user(), team_id, data["name"])
    db.session.commit()
    return team


BLUEPRINTS = (auth_bp, users_bp, teams_bp, org_bp)
