"""Who is asking: session cookies (with CSRF) or device bearer tokens, via Flask-Login."""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_login import current_user

from app.accounts import security, service
from app.accounts.models import User
from app.errors import ApiError
from app.extensions import login_manager
from app.tenancy import reset_current_org, set_current_org

# Where the cookie keeps its server-side session's id (accounts.models.UserSession).
SESSION_ID_KEY = "sid"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# These authenticate by the password or the invitation secret in the body, so they need no
# CSRF token.
CSRF_EXEMPT_ENDPOINTS = frozenset(
    {
        "auth.signup",
        "auth.login",
        "auth.create_token",
        "auth.open_invitation",
        "auth.accept_invitation",
        # The consumer's side of questions acts as no user: a signed-in staff member who
        # tries the company's form in the same browser is a consumer there too.
        "public_questions.ask",
        "public_questions.consumer_message",
        "question_pages.question_form",
        "question_pages.conversation_page",
    }
)


def _bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return secret.strip()
    return None


def _enter_org(user: User | None) -> User | None:
    if user is not None:
        g.tenant_token = set_current_org(user.org_id)
    return user


@login_manager.user_loader
def _load_from_session(session_key: str) -> User | None:
    # A request that presents a bearer token is judged by the token alone.
    if request.headers.get("Authorization"):
        return None
    user = _enter_org(service.load_session_user(session_key, session.get(SESSION_ID_KEY)))
    if user is not None and not session.permanent:
        # A session begun before cookies had a lifetime: give it one now, so this browser
        # too stays signed in across a restart (from here on renewed by every request).
        session.permanent = True
    return user


@login_manager.request_loader
def _load_from_bearer(req) -> User | None:
    secret = _bearer_secret()
    return _enter_org(service.load_token_user(secret)) if secret else None


@login_manager.unauthorized_handler
def _unauthorized():
    raise ApiError(401, "unauthorized", "Sign in first.")


def acting_user() -> User:
    """The signed-in user, or 401."""
    if not current_user.is_authenticated:
        raise ApiError(401, "unauthorized", "Sign in first.")
    return current_user._get_current_object()


def init_auth(app: Flask) -> None:
    @app.before_request
    def require_csrf_on_cookie_writes():
        if request.method not in UNSAFE_METHODS or request.endpoint in CSRF_EXEMPT_ENDPOINTS:
            return
        if request.routing_exception is not None:
            return  # let the 404/405 speak
        if request.headers.get("Authorization"):
            return
        # Resolve the user now: only a request that the cookie authenticates needs the token.
        if current_user.is_authenticated and not security.csrf_token_matches(
            request.headers.get("X-CSRF-Token")
        ):
            raise ApiError(403, "csrf_failed", "Missing or wrong X-CSRF-Token header.")

    @app.teardown_request
    def leave_org(_exc):
        token = g.pop("tenant_token", None)
        if token is not None:
            reset_current_org(token)
