"""Recording audit events: `record()` inside the step's own `with write():` block, so that an entry
exists if and only if the step committed.

The actor defaults to the signed-in user and the address to the request's client address
(`request.remote_addr`, which ProxyFix sets from X-Forwarded-For when PROXY_COUNT is configured);
a command or a job has neither.
"""

from __future__ import annotations

import json
from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from service.audit import chain
from service.database import write
from service.extensions import db
from service.timeutil import utcnow

_SIGNED_IN = object()  # "the signed-in user, if any": the default actor
# Details must never carry secrets: a key naming one is a programming error, refused at once.
FORBIDDEN_KEYS = ("password", "secret", "token", "otp")


def record(
    event: str,
    target: Any = None,
    *,
    actor: Any = _SIGNED_IN,
    actor_label: str | None = None,
    details: dict | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> None:
    """Note `event` (about `target`, an ORM object, or object_type/object_id) for the audit log; it is
    appended when the caller's write transaction commits, and dropped if it rolls back."""
    session = db.session()
    if not (session.in_transaction() and session.connection().get_execution_options().get("write_lock")):
        raise RuntimeError("audit.record() belongs inside the step's `with write():` block")
    person = _actor(actor)
    label = actor_label or (_label(person) if person is not None else "")
    chain.hold(
        session,
        chain.Pending(
            occurred_at=utcnow(),
            actor_id=person.id if person is not None else None,
            actor_label=label[:254],
            role=person.role if person is not None else None,
            address=_address(),
            event=event,
            target=target,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id)[:64],
            details=_clean(details),
        ),
    )


def _label(person: Any) -> str:
    """An account by its email, or by its number when it has none (a VNeID-only citizen)."""
    return person.email or f"{person.role} #{person.id}"


def record_login(email: str, user: Any, problem: str | None, details: dict | None = None) -> None:
    """A login: the account on success; on failure the email tried (the person is not known) and why."""
    if problem is None:
        record("login.success", user, actor=user, details=details)
    else:
        record(
            "login.failure", user, actor=None, actor_label=email.strip().lower(), details={"reason": problem}
        )


def record_view(
    target: Any,
    event: str = "dossier.viewed",
    details: dict | None = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
) -> None:
    """An official looked at personal data, or exported it (a view writes nothing itself: this is its
    operation). A list or an export names what it covered with object_type/object_id."""
    with write():
        record(event, target, details=details, object_type=object_type, object_id=object_id)


def _actor(actor: Any) -> Any:
    if actor is not _SIGNED_IN:
        return actor
    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _address() -> str | None:
    return (request.remote_addr or None) if has_request_context() else None


def _clean(details: dict | None) -> dict:
    """Plain JSON (dates become text), exactly as it will be read back to check the hash."""
    for key in details or {}:
        if any(word in key.lower() for word in FORBIDDEN_KEYS):
            raise ValueError(f"audit details must not carry secrets ({key!r})")
    return json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
