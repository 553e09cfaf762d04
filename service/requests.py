"""Request-level guards shared by every route."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_DATABASE_ID = 2**31 - 1  # PostgreSQL integer; SQLite is wider, but no id of ours gets near it


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in every route: an id too large for the database is a 404, not a database error."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  Werkzeug's signature
        kwargs.setdefault("max", MAX_DATABASE_ID)
        super().__init__(map, *args, **kwargs)


def is_our_origin(url: str) -> bool:
    """The URL (an Origin or Referer header) is on this host, the one the browser asked for."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.netloc == request.host


def install(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter

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
