"""Reading an uploaded CSV file: from a ``multipart/form-data`` field ``file`` or a
``text/csv`` body, UTF-8 with or without a byte-order mark, comma- or semicolon-separated
(as spreadsheets in many countries save it)."""

from __future__ import annotations

import csv
import io

from flask import Request

from app.errors import ApiError, ValidationFailed


def uploaded_text(request: Request) -> str:
    """The file's text, or a 400/422 that says what is wrong with the upload."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed({"file": ["Send the CSV file in the field 'file'."]})
        data = upload.read()
    elif request.mimetype in ("text/csv", "application/csv", "text/plain"):
        data = request.get_data()
    else:
        raise ApiError(
            400, "bad_upload", "Send a CSV file: multipart/form-data field 'file' or text/csv."
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed(
            {"file": [f"Not UTF-8 text (byte {error.start + 1}); save the sheet as CSV UTF-8."]}
        ) from error


def read_rows(
    text: str, known: set[str], required: set[str]
) -> tuple[list[tuple[int, dict[str, str]]], dict[int, dict[str, list[str]]]]:
    """The data rows as (line number, {column: cell}) with empty cells left out, and the
    problems of rows that cannot even be read. The header must name only ``known`` columns
    and every ``required`` one. Line 1 is the header, so numbers match a spreadsheet's."""
    if not text.strip():
        raise ValidationFailed({"file": ["The file is empty."]})
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in next(reader)]
    unknown = [name for name in header if name not in known]
    missing = sorted(required - set(header))
    duplicated = sorted({name for name in header if header.count(name) > 1})
    problems = []
    if unknown:
        problems.append(f"Unknown columns: {', '.join(unknown)}.")
    if missing:
        problems.append(f"Missing columns: {', '.join(missing)}.")
    if duplicated:
        problems.append(f"Columns named twice: {', '.join(duplicated)}.")
    if problems:
        raise ValidationFailed({"header": problems}, "The header row is not right.")
    rows, unreadable = [], {}
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) > len(header):
            unreadable[line] = {"row": [f"{len(cells)} cells; the header has {len(header)}."]}
            continue
        # A short row (trailing empty cells left out by some programs) is read as empty.
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        rows.append((line, {name: value for name, value in values.items() if value}))
    if not rows and not unreadable:
        raise ValidationFailed({"file": ["The file has a header but no rows."]})
    return rows, unreadable
