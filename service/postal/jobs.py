"""The carrier is asked after the desk's request commits, and its statuses are fetched.

The order is an outbox channel (service/jobs/outbox.py): the job reads the shipment, asks the carrier
without holding a lock, and records the tracking number; a carrier that is down or refuses is asked
again with backoff, then the job waits for an administrator. The order's number is the shipment's own
(MaHoSo), so an order whose answer was lost is asked again under the same number.

Tracking is polled (the only status channel public code shows): every shipment the carrier holds and
has not finished is asked about, its status recorded as a callback's would be."""

from __future__ import annotations

import logging

from flask import current_app

from service.database import write
from service.dossiers.models import Dossier
from service.extensions import db
from service.jobs import outbox
from service.postal import operations, orders, protocol, settings
from service.postal.client import CarrierUnavailable, PostalCarrier
from service.postal.models import Shipment, ShipmentJob, ShipmentStatus

log = logging.getLogger(__name__)


def perform(job_id: int, attempt: int) -> None:
    config = current_app.config
    if not settings.enabled(config):
        raise outbox.Cancelled(settings.OFF_REASON)
    order = _prepare(job_id, attempt)
    created = PostalCarrier(config).create(order)
    operations.accepted(job_id, attempt, created)


def _prepare(job_id: int, attempt: int) -> protocol.Order:
    with write():
        job = outbox.lock_claimed(ShipmentJob, job_id, attempt)
        shipment = db.session.get(Shipment, job.shipment_id)
        order = orders.build_order(shipment, db.session.get(Dossier, shipment.dossier_id))
    db.session.rollback()  # nothing is held while the carrier answers
    return order


def poll(limit: int = 200) -> int:
    """Ask the carrier about every shipment on its way; the number of statuses that changed something."""
    if not settings.enabled(current_app.config):
        return 0
    carrier, changed = PostalCarrier(current_app.config), 0
    for item_code in _on_the_way(limit):
        try:
            report = carrier.track(item_code)
        except CarrierUnavailable as error:
            log.warning("Tracking %s failed: %s", item_code, error)
            continue
        try:
            changed += operations.record_status(report, "poll").result == "recorded"
        except operations.PostalError as error:
            log.warning("Tracking %s answered %s: %s", item_code, report, error.message)
    return changed


def _on_the_way(limit: int) -> list[str]:
    on_the_way = Shipment.status.in_((ShipmentStatus.CREATED, ShipmentStatus.DELIVERING))
    query = db.select(Shipment.item_code).where(on_the_way, Shipment.item_code.is_not(None))
    found = list(db.session.scalars(query.order_by(Shipment.last_checked_at, Shipment.id).limit(limit)))
    db.session.rollback()
    return found


outbox.register(outbox.Channel("postal", ShipmentJob, perform, "done"))
