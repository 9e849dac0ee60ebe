"""The edges of HTTP: reading requests safely, and writing JSON answers fast (orjson).

Every request is a ``LeadSyncRequest`` (``app.request_class``). Whoever reads its body —
webargs for every route's schema, the sign-in throttle's key, the sync batch limits —
reads it through one gate, so no route can forget a rule:

- a body over ``max_content_length`` is a 413, chunked or not (werkzeug stops reading a
  chunked body at the limit and hands on the first part, which then fails as bad JSON);
- a JSON body nested deeper than ``MAX_JSON_DEPTH`` is a 400 ``json_too_deep``, found by
  counting brackets on the raw bytes before any parser recurses into it (Python's own
  parser dies of ``RecursionError`` near 1,000 levels; no schema needs more than a few);
- no string anywhere in a JSON body, keys included, may hold a NUL (PostgreSQL cannot
  store one) or half of a UTF-16 surrogate pair (no database or encoder can): 422
  ``validation_error`` naming the field by its path, as a schema would. A route that
  applies the items of a body one by one (a sync push) may take the text of each item
  to check itself (``text_checked_per_item``), so that one bad item is refused alone;
- query parameters and path segments may not hold a NUL either (422 names the parameter).

The rule is applied here rather than in a marshmallow field because not every string
passes through a ``String`` field: ``Dict`` and ``Raw`` fields (preferences, mutation
args, calendar definitions), unknown keys, the throttle's email key.
"""

from __future__ import annotations

import base64
import json
import re
from typing import IO, Any

import orjson
from flask import Request, Response, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

from app.errors import ApiError, ValidationFailed

MAX_JSON_DEPTH = 32

NUL_MESSAGE = "Contains a NUL character."
SURROGATE_MESSAGE = "Contains half of a UTF-16 surrogate pair, which is not text."

# Endpoint -> where in its body items check their own text (None: any list index).
_TEXT_CHECKED_PER_ITEM: dict[str, tuple[str | None, ...]] = {}


def wire_response(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status=status, mimetype="application/json")


def encode_key(value: Any) -> str:
    """An opaque, URL-safe token for a small JSON value (keyset positions)."""
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def decode_key(token: str) -> Any:
    try:
        return orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, orjson.JSONDecodeError) as error:
        raise ApiError(
            400, "bad_page_key", "The page key is not valid.", {"after": ["invalid"]}
        ) from error


# --- text -------------------------------------------------------------------------------

# After json.loads a valid pair is one character beyond U+FFFF, so any code point left in
# the surrogate range stood alone.
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as text, or None."""
    found = _NOT_TEXT.search(text)
    if found is None:
        return None
    return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE


def _shown_key(key: str) -> str:
    # A bad key is named with its bad characters replaced, so the answer itself encodes.
    return _NOT_TEXT.sub("\ufffd", key)


def _problems(value: Any, skip: tuple[str | None, ...] | None, path: tuple[str, ...]) -> Any:
    if (
        skip is not None
        and len(path) >= len(skip)
        and all(want is None or want == got for want, got in zip(skip, path, strict=False))
    ):
        return None  # the route checks this part itself
    if isinstance(value, str):
        problem = text_problem(value)
        return [problem] if problem else None
    errors: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if problem := text_problem(key):
                errors[_shown_key(key)] = [problem]
            elif found := _problems(item, skip, (*path, key)):
                errors[key] = found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if found := _problems(item, skip, (*path, str(index))):
                errors[str(index)] = found
    return errors or None


def bad_text(value: Any, skip: tuple[str | None, ...] | None = None) -> dict[str, Any]:
    """Every string in ``value`` (keys too) that is not text, as marshmallow nests errors:
    ``{"lines": {"2": {"note": ["Contains a NUL character."]}}}``; empty when all is well.
    ``skip`` is a path (None: any index) below which the caller checks for itself.
    List indexes are strings, so the errors encode with orjson too."""
    found = _problems(value, skip, ())
    if isinstance(found, list):  # the body is one bad string
        return {"_schema": found}
    return found or {}


def text_checked_per_item(endpoint: str, *path: str | None) -> None:
    """Declare that the route ``endpoint`` checks the text under ``path`` of its body item
    by item (with ``bad_text``), so the gate leaves it: a sync push refuses the one
    mutation that carries bad text, not the batch (which would block the device's outbox)."""
    _TEXT_CHECKED_PER_ITEM[endpoint] = path


# --- JSON bodies --------------------------------------------------------------------------

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_ALL_BUT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_OPENING = frozenset(b"[{")
# Only an escape can put a NUL or a lone surrogate into parsed JSON (raw control characters
# and encoded surrogates are not valid JSON or UTF-8): bodies without one skip the walk.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def nesting_exceeds(data: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON in ``data`` nests arrays and objects deeper than ``limit``,
    counted on the brackets outside strings, before anything is parsed."""
    brackets = _JSON_STRING.sub(b"", data).translate(None, _ALL_BUT_BRACKETS)
    if len(brackets) <= 2 * limit:
        return False
    depth = 0
    for byte in brackets:
        if byte in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def checked_json(data: bytes, skip: tuple[str | None, ...] | None = None) -> Any:
    """A request's JSON body, parsed, or the ApiError that refuses it."""
    if nesting_exceeds(data):
        raise ApiError(400, "json_too_deep", f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
    try:
        # As webargs parses it: UTF-8 only, Python's parser.
        value = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from error
    if _SUSPECT_ESCAPE.search(data) and (errors := bad_text(value, skip)):
        raise ValidationFailed(errors)
    return value


class _WholeBodyLimit(LimitedStream):
    """``max_content_length`` for a body of unknown length (chunked), enforced.

    werkzeug's ``readall`` stops quietly at the limit; this one looks one byte further and
    answers 413 when the client sent more."""

    def __init__(self, source: IO[bytes], limit: int) -> None:
        super().__init__(source, limit, is_max=True)
        self._source = source

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted and self._source.read(1):
            raise RequestEntityTooLarge()
        return data


class LeadSyncRequest(Request):
    """Flask's request, whose body is read through the gate described above."""

    _json_outcome: tuple[Any, ApiError | None] | None = None

    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        if (
            not self.shallow
            and self.content_length is None
            and limit is not None
            and "wsgi.input_terminated" in self.environ
        ):
            return _WholeBodyLimit(self.environ["wsgi.input"], limit)
        return Request.stream.fget(self)  # type: ignore[attr-defined]

    def _checked_json(self, data: bytes) -> Any:
        if self._json_outcome is None:
            try:
                skip = _TEXT_CHECKED_PER_ITEM.get(self.endpoint or "")
                self._json_outcome = (checked_json(data, skip), None)
            except ApiError as error:
                self._json_outcome = (None, error)
        value, error = self._json_outcome
        if error is not None:
            raise error
        return value

    def get_data(  # type: ignore[override]
        self, cache: bool = True, as_text: bool = False, parse_form_data: bool = False
    ) -> bytes | str:
        data = super().get_data(cache=cache, as_text=False, parse_form_data=parse_form_data)
        if data and self.is_json:
            self._checked_json(data)
        return data.decode(errors="replace") if as_text else data

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not (force or self.is_json):
            return None if silent else self.on_json_loading_failed(None)
        try:
            data = super().get_data(cache=cache)
            if not data:
                raise ApiError(400, "invalid_json", "The body is not valid JSON.")
            return self._checked_json(data)
        except ApiError:
            if silent:
                return None
            raise


def refuse_nul_in_url() -> None:
    """A NUL in a query parameter or path segment: 422 naming it, as a schema would, before
    any route reads it (percent-decoding never yields a lone surrogate: it replaces bad
    bytes)."""
    fields: dict[str, list[str]] = {}
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            fields[_shown_key(key)] = [NUL_MESSAGE]
    for key, value in (request.view_args or {}).items():
        if isinstance(value, str) and "\x00" in value:
            fields[key] = [NUL_MESSAGE]
    if fields:
        raise ValidationFailed(fields)
