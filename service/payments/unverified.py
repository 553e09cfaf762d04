"""Gateway notifications whose signature failed, kept within bounds.

Anyone can post to an IPN address, so a notification that fails its signature is anyone's: an accountant
still wants to see a few (a wrong secret in the configuration shows up this way), but a stranger must not
be able to fill the database with them. So, for each gateway:
- per client address, at most UNVERIFIED_NOTIFICATION_RATE_LIMIT are stored (counted in the rate
  limiter's storage); past it, nothing is written;
- per day, at most UNVERIFIED_NOTIFICATIONS_PER_DAY are stored, counted in the storing transaction
  (UnverifiedNotificationDay); past it only the count grows and a log line says so;
- what is stored is cut to UNVERIFIED_NOTIFICATION_BYTES of raw body and of payload;
- `prune()` (a daily job) deletes them after UNVERIFIED_NOTIFICATION_DAYS.
Signed notifications are never cut, capped or pruned. The gateway gets the answer its protocol gives
an invalid signature either way.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from flask import current_app, has_request_context, request
from limits import parse
from sqlalchemy.dialects import postgresql, sqlite

from service.database import write
from service.extensions import db, limiter
from service.payments.models import PaymentIncident, PaymentNotification, UnverifiedNotificationDay
from service.timeutil import utcnow

log = logging.getLogger(__name__)
NAMESPACE = "unverified-notification"
VALUE_CHARS = 256  # each value of a kept payload


def keep(gateway: str, method: str, payload: dict, raw: str, reference: str | None, outcome: str) -> bool:
    """Store the notification (cut) if its address and its gateway's day still allow it: True if stored."""
    address = (request.remote_addr if has_request_context() else None) or "unknown"
    if not _address_allows(gateway, address):
        log.info("Unsigned %s notification from %s not stored: address over its rate limit", gateway, address)
        return False
    config = current_app.config
    with write():
        received = _count(gateway)
        if received > config["UNVERIFIED_NOTIFICATIONS_PER_DAY"]:
            log.warning(
                "Unsigned %s notification from %s not stored: %s today, over the daily cap",
                gateway,
                address,
                received,
            )
            return False
        size = config["UNVERIFIED_NOTIFICATION_BYTES"]
        db.session.add(
            PaymentNotification(
                gateway=gateway,
                method=method,
                payload=bounded(payload, size),
                raw=_cut(raw, size),
                reference=reference,
                verified=False,
                outcome=outcome[:60],
            )
        )
    return True


def _address_allows(gateway: str, address: str) -> bool:
    if not limiter.enabled:
        return True
    return limiter.limiter.hit(
        parse(current_app.config["UNVERIFIED_NOTIFICATION_RATE_LIMIT"]), NAMESPACE, gateway, address
    )


def _count(gateway: str) -> int:
    """Today's count for the gateway, raised by one; the upsert holds the day's row until commit."""
    table = UnverifiedNotificationDay.__table__
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(gateway=gateway, day=utcnow().date(), received=1)
        .on_conflict_do_update(index_elements=["gateway", "day"], set_={"received": table.c.received + 1})
        .returning(table.c.received)
    )
    return db.session.execute(statement).scalar_one()


def _cut(text: str, size: int) -> str:
    """At most `size` bytes of UTF-8 (a character cut in two is dropped)."""
    return text.encode()[:size].decode(errors="ignore")


def bounded(payload: dict, size: int) -> dict[str, Any]:
    """The payload's first entries, each value cut to VALUE_CHARS characters, within `size` bytes of
    JSON; "_truncated" says how many entries were left out."""
    kept: dict[str, Any] = {}
    used = 2
    for key, value in payload.items():
        if not (value is None or isinstance(value, bool | int | float)):
            value = _cut(
                value if isinstance(value, str) else json.dumps(value, ensure_ascii=False), VALUE_CHARS
            )
        entry = len(json.dumps({str(key)[:64]: value}, ensure_ascii=False).encode())
        if used + entry > size - 40:  # room left for "_truncated"
            kept["_truncated"] = len(payload) - len(kept)
            break
        kept[str(key)[:64]], used = value, used + entry
    return kept


def prune() -> int:
    """Delete the unsigned notifications older than UNVERIFIED_NOTIFICATION_DAYS, and the day counts of
    that age; those an incident points at stay. Returns how many notifications went."""
    cutoff = utcnow() - timedelta(days=current_app.config["UNVERIFIED_NOTIFICATION_DAYS"])
    referenced = db.select(PaymentIncident.notification_id).where(
        PaymentIncident.notification_id.is_not(None)
    )
    with write():
        gone = db.session.execute(
            db.delete(PaymentNotification).where(
                PaymentNotification.verified.is_(False),
                PaymentNotification.outcome.is_not(None),  # a signed one whose settlement died has none
                PaymentNotification.received_at < cutoff,
                PaymentNotification.id.not_in(referenced),
            ),
            execution_options={"synchronize_session": False},
        ).rowcount  # type: ignore[attr-defined]  # a DELETE returns a CursorResult
        db.session.execute(
            db.delete(UnverifiedNotificationDay).where(UnverifiedNotificationDay.day < cutoff.date())
        )
    return gone
