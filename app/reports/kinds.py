"""The reports there are, by name (``GET /api/v1/reports/<name>``)."""

from __future__ import annotations

from app.reports.channels import CHANNELS
from app.reports.engine import ReportKind
from app.reports.inquiries import INQUIRIES
from app.reports.lost import LOST
from app.reports.reps import REPS
from app.reports.sla import SLA

REPORTS: dict[str, ReportKind] = {
    kind.name: kind for kind in (INQUIRIES, LOST, CHANNELS, REPS, SLA)
}
