"""A report as CSV: the same table as the JSON, one row per group and a total row."""

from __future__ import annotations

import csv
import io
from typing import Any

from app.reports.engine import COMPARISONS, ReportKind


def report_csv(kind: ReportKind, report: dict[str, Any]) -> str:
    figures = kind.figures
    header = ["key", "label", *figures]
    for name in COMPARISONS:
        header += [f"{name}_{f}" for f in figures]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    total = {"key": "total", "label": "Total", **report["totals"]}
    for row in [*report["rows"], total]:
        cells = [_cell(row["key"]), row["label"], *(_cell(row[f]) for f in figures)]
        for name in COMPARISONS:
            cells += [_cell(row[name][f]) for f in figures]
        writer.writerow([_safe(c) for c in cells])
    return out.getvalue()


def _cell(value: Any) -> str:
    """As the JSON writes it: numbers alike, null as an empty cell."""
    return "" if value is None else str(value)


def _safe(text: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: a label typed by a
    person (a region, a product) must not."""
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _number(text)):
        return "'" + text
    return text


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
