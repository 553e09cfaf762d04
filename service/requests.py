"""Request-level guards shared by every route."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_DATABASE_ID = 2**31 - 1  # PostgreSQL integer; SQLite is wider, but no id of ours gets near it
# What a JSON body may hold: no gateway or client of ours nests deeper than a few levels or sends an
# integer wider than a BIGINT (19 digits). Deeper or wider is refused (400) before any view sees it,
# instead of a RecursionError or an out-of-range database error (500).
MAX_JSON_DEPTH = 32
MAX_JSON_INTEGER_DIGITS = 18
ASCII_INTEGER = re.compile(r"-?[0-9]{1,10}")


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: an id too large for the database is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  Werkzeug's signature
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def database_int(value: str) -> int:
    """`request.args.get(name, type=database_int)`: a number an INTEGER column holds, written in ASCII
    digits; anything else reads as absent. (`type=int` takes "١٢", "1_000" and 10**30, and the
    database then fails on the query.)"""
    if not ASCII_INTEGER.fullmatch(value.strip()) or abs(int(value)) > MAX_DATABASE_ID:
        raise ValueError(value)  # MultiDict.get answers the default
    return int(value)


class GuardedJSONProvider(DefaultJSONProvider):
    """The app's JSON reader (`request.get_json()` uses it): a document nested deeper than
    MAX_JSON_DEPTH, with a longer integer than MAX_JSON_INTEGER_DIGITS, or with NaN or Infinity is not
    JSON we read: ValueError, which Werkzeug turns into a 400 (or None with `silent=True`)."""

    def loads(self, s, **kwargs):
        try:
            value = json.loads(s, parse_int=_bounded_integer, parse_constant=_no_constant, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error
        if _deeper_than(value, MAX_JSON_DEPTH):
            raise ValueError("JSON nested too deeply")
        return value


def _bounded_integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INTEGER_DIGITS:
        raise ValueError("JSON integer too large")
    return int(text)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _deeper_than(value, limit: int) -> bool:
    """Walked with a stack, not recursion, so that no depth can exhaust Python's own."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def is_our_origin(url: str) -> bool:
    """The URL (an Origin or Referer header) is on this host: the one the browser asked for, or our
    public address (APP_BASE_URL), which a proxy that rewrites Host still leaves in Origin."""
    parts = urlsplit(url)
    ours = {request.host, urlsplit(current_app.config["APP_BASE_URL"]).netloc}
    return parts.scheme in ("http", "https") and parts.netloc in ours


# Endpoints whose one file may exceed MAX_FILE_BYTES, and the setting that bounds it instead.
LARGER_UPLOADS = {"schools.reconciliation": "STATEMENT_MAX_BYTES"}


def install(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    app.json = GuardedJSONProvider(app)

    @app.before_request
    def limit_bodies_without_files() -> None:
        # Only a multipart body can carry a file; a form or a JSON document (a gateway's notification
        # included) has no reason to come near MAX_CONTENT_LENGTH, and a larger one is refused (413) before
        # anything parses it. Registered first: the guards below read the form.
        if request.mimetype != "multipart/form-data":
            request.max_content_length = min(
                current_app.config["MAX_FORM_BODY_BYTES"], current_app.config["MAX_CONTENT_LENGTH"]
            )
        elif request.endpoint in LARGER_UPLOADS:
            # A signed-in accountant's statement: larger than any citizen's file may be.
            request.max_content_length = current_app.config[LARGER_UPLOADS[request.endpoint]] + 512 * 1024

    @app.before_request
    def refuse_nul_characters() -> None:
        # PostgreSQL text cannot hold NUL and no legitimate form sends it: refuse it once, here.
        posted = request.form if request.method in ("POST", "PUT", "PATCH") else None
        if "\x00" in request.path or _has_nul(request.args) or (posted is not None and _has_nul(posted)):
            abort(400)
        if posted is not None and request.is_json and _json_has_nul(request.get_json(silent=True)):
            abort(400)


def _json_has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_json_has_nul(k) or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(v) for v in value)
    return False


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items) for key, items in values.lists())
