"""The sync endpoints: thin wrappers over push and pull."""

from __future__ import annotations

import functools

from flask import request
from flask_login import login_required
from flask_smorest import Blueprint

from app.accounts.auth import acting_user
from app.errors import ApiError
from app.http import wire_response
from app.sync import pull as pull_service
from app.sync import push as push_service
from app.sync import schemas

sync_bp = Blueprint(
    "sync", __name__, url_prefix="/api/v1/sync", description="Offline sync (SYNC-PROTOCOL.md)"
)


def batch_limits(view):
    """413 for a batch over the protocol's limits, before anything is parsed or applied."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if (request.content_length or 0) > push_service.MAX_BATCH_BYTES or len(
            request.get_data(cache=True)
        ) > push_service.MAX_BATCH_BYTES:
            raise ApiError(
                413, "batch_too_large", "A push may carry at most 1 MiB; send fewer mutations."
            )
        body = request.get_json(silent=True)
        mutations = body.get("mutations") if isinstance(body, dict) else None
        if isinstance(mutations, list) and len(mutations) > push_service.MAX_MUTATIONS:
            raise ApiError(
                413,
                "batch_too_large",
                f"A push may carry at most {push_service.MAX_MUTATIONS} mutations.",
            )
        return view(*args, **kwargs)

    return wrapper


@sync_bp.route("/push", methods=["POST"])
@login_required
@batch_limits
@sync_bp.arguments(schemas.PushSchema)
@sync_bp.response(200, schemas.PushResultSchema)
@sync_bp.alt_response(409, description="mutation_gap: the error carries `expected`")
@sync_bp.alt_response(413, description="over 500 mutations or 1 MiB; nothing applied")
def push(body):
    """Send mutations made offline; each is applied exactly once, in order."""
    result = push_service.push(acting_user(), body["client_id"], body["mutations"])
    return wire_response({"last_mutation_id": result.last_mutation_id, "results": result.results})


@sync_bp.route("/pull", methods=["GET"])
@login_required
@sync_bp.arguments(schemas.PullQuerySchema, location="query")
@sync_bp.response(200, schemas.PullResultSchema)
def pull(query):
    """Changes since your cursor (none on first use); pull again at once while ``has_more``."""
    result = pull_service.pull(
        acting_user(), query["client_id"], query.get("cursor"), query["limit"]
    )
    return wire_response(result.as_dict())


BLUEPRINTS = (sync_bp,)
