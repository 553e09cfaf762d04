"""The public pages served from a cache (Flask-Caching: Redis in production, in the process otherwise).

Only what an anonymous visitor sees is cached, and only when the visit carries nothing of its own: no
signed-in user, no message waiting to be shown (a flash), a GET or HEAD. Everyone else is answered by the
view, and the answer stays `Cache-Control: no-store` (service/__init__.py). A cached page is stored with
its ETag and the time it was made (to the second, UTC), sent as `Last-Modified`: the entry carries it, so
every worker and app host sharing the cache (Redis) answers the same. The response to an anonymous
visitor carries `Cache-Control: public, max-age=PUBLIC_MAX_AGE` and `Vary: Cookie`; an `If-None-Match`
that matches, or without one an `If-Modified-Since` at or after `Last-Modified`, is answered 304 without
a body (If-None-Match wins when both are sent, RFC 9110 §13.2.2: Werkzeug's `make_conditional`).

What changes a cached page clears the cache: a catalogue import (service/procedures/catalogue.py). The
keys carry the day (Asia/Ho_Chi_Minh), so the statistics of a period that has just closed, and the
12-month trend, are computed afresh on the first visit of a new day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path

from flask import current_app, g, request, session
from flask_caching import Cache
from flask_login import current_user

from service.timeutil import local_today

cache = Cache()


def anonymous_visit() -> bool:
    """The request shows nothing that belongs to its visitor: what a cached page may answer."""
    return (
        request.method in ("GET", "HEAD") and "_flashes" not in session and not current_user.is_authenticated
    )


def _page_key() -> str:
    query = request.query_string
    digest = hashlib.sha256(request.path.encode() + b"?" + query).hexdigest()
    # "page2": an entry is (body, mimetype, etag, made_at); one stored before made_at is never read.
    return f"page2:{local_today().isoformat()}:{digest}"


def public_page(view: Callable) -> Callable:
    """Serve the view's 200 answer to anonymous visitors from the cache (see the module's docstring).
    Put it under `@allow(...)`."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not anonymous_visit():
            return view(*args, **kwargs)
        key = _page_key()
        hit = _read(key)
        if hit is not None:
            body, mimetype, etag, made_at = hit
            response = current_app.response_class(body, mimetype=mimetype)
        else:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code != 200 or session.modified:
                return response  # an error page, or one that wrote the visitor's session: not shared
            response.add_etag()
            etag = response.get_etag()[0]
            # The page shows the data as of now; HTTP dates have no fraction of a second.
            made_at = datetime.now(UTC).replace(microsecond=0)
            _store(key, (response.get_data(), response.mimetype, etag, made_at))
        response.set_etag(etag)
        response.last_modified = made_at
        g.public_page = True
        return response

    return wrapper


def _read(key: str):
    try:
        return cache.get(key)
    except Exception as error:  # noqa: BLE001  an unreachable Redis slows the page down, never fails it
        current_app.logger.warning("Page cache unavailable: %s", error)
        return None


def _store(key: str, value) -> None:
    try:
        cache.set(key, value)
    except Exception as error:  # noqa: BLE001  as in _read
        current_app.logger.warning("Page cache unavailable: %s", error)


def remembered(key: str, make: Callable[[], bytes]) -> bytes:
    """What `make()` returns, kept under `key` until the next catalogue import: for a file drawn from
    data that never changes once published (a form's blank template of one catalogue version)."""
    value = _read(key)
    if value is None:
        value = make()
        _store(key, value)
    return value


def public_headers(response):
    """For a public page's answer: cacheable by browsers and proxies, 304 when the client has it."""
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['PUBLIC_MAX_AGE']}"
    response.vary.add("Cookie")
    return response.make_conditional(request)


def clear() -> None:
    """Forget every cached page and figure (after a catalogue import)."""
    cache.clear()


_STATIC_HASHES: dict[tuple[str, float], str] = {}


def static_url(filename: str) -> str:
    """`/static/<filename>?v=<hash of its content>`: the name changes when the file does, so browsers
    keep it for a year (`immutable`)."""
    from flask import url_for

    path = Path(current_app.static_folder or "") / filename
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return url_for("static", filename=filename)
    version = _STATIC_HASHES.get((filename, stamp))
    if version is None:
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        _STATIC_HASHES[(filename, stamp)] = version
    return url_for("static", filename=filename, v=version)
