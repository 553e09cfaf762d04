"""Readiness: may a load balancer send this host traffic? Unlike `/healthz` (the process answers and
reaches its database), every part a request may need is asked: the database and its schema at the
migrations' head, the file store (a probe written, read back and removed), and the shared Redis of the
cache, the rate limits and the job queue when they are configured."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy import text

from service import storage
from service.extensions import db


def _database() -> str | None:
    db.session.execute(text("SELECT 1"))
    return None


def _schema() -> str | None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    migrate: Migrate = current_app.extensions["migrate"]
    heads = set(ScriptDirectory.from_config(migrate.migrate.get_config()).get_heads())
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    return None if current == heads else f"schema at {sorted(current)}, code expects {sorted(heads)}"


def _redis(url: str) -> Callable[[], str | None]:
    def check() -> str | None:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        return None

    return check


def checks() -> dict[str, Callable[[], str | None]]:
    config = current_app.config
    found: dict[str, Callable[[], str | None]] = {
        "database": _database,
        "schema": _schema,
        "storage": storage.check,
    }
    shared = {
        "cache": config.get("CACHE_REDIS_URL", ""),
        "rate_limits": config.get("RATELIMIT_STORAGE_URI", ""),
        "jobs": config.get("JOBS_URL", ""),
    }
    for name, url in shared.items():
        if url.startswith(("redis://", "rediss://")):
            found[name] = _redis(url)
    return found


def report() -> tuple[bool, dict[str, str]]:
    """Each part "ok" or why not; ready when all are."""
    results: dict[str, str] = {}
    for name, check in checks().items():
        try:
            problem = check()
        except Exception as error:  # noqa: BLE001  readiness reports any failure of any part
            problem = f"{type(error).__name__}: {error}"
            if name in {"database", "schema"}:
                db.session.rollback()
        results[name] = "ok" if problem is None else problem
        if problem is not None:
            current_app.logger.error("Readiness: %s: %s", name, problem)
    return all(v == "ok" for v in results.values()), results
