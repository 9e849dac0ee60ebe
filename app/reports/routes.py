"""HTTP routes of the reports: parse, check, run, answer as JSON or CSV."""

from __future__ import annotations

from flask import Response, request
from flask_login import login_required
from flask_smorest import Blueprint

from app.accounts.auth import acting_user
from app.errors import NotFound
from app.http import wire_response
from app.reports import engine, schemas
from app.reports.csv import report_csv
from app.reports.kinds import REPORTS
from app.reports.sla import SLA, breaches

reports_bp = Blueprint(
    "reports", __name__, url_prefix="/api/v1/reports", description="Management's tables"
)


def _wants_csv(query: dict) -> bool:
    if query.get("format"):
        return query["format"] == "csv"
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


@reports_bp.route("/<name>", methods=["GET"])
@login_required
@reports_bp.arguments(schemas.ReportQuerySchema, location="query")
@reports_bp.response(200, schemas.ReportSchema)
def get_report(query: dict, name: str):
    """A report over local days ``from``–``to`` (inclusive) with the period before and the
    same dates a year earlier; ``?format=csv`` (or ``Accept: text/csv``) for CSV."""
    kind = REPORTS.get(name)
    if kind is None:
        raise NotFound("report")
    params = {**query, "from": query.pop("from_")}
    report = engine.run(kind, engine.make_request(kind, acting_user(), params))
    if _wants_csv(query):
        filename = f"{name}-{report['from']}-{report['to']}.csv"
        return Response(
            report_csv(kind, report),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return wire_response(report)


@reports_bp.route("/sla/breaches", methods=["GET"])
@login_required
@reports_bp.arguments(schemas.ReportQuerySchema, location="query")
@reports_bp.response(200, schemas.BreachListSchema)
def sla_breaches(query: dict):
    """The SLA breaches of the period (newest first, at most 500), each with its lead."""
    params = {**query, "from": query.pop("from_")}
    request_ = engine.make_request(SLA, acting_user(), params)
    return wire_response({"items": breaches(request_)})


BLUEPRINTS = (reports_bp,)
