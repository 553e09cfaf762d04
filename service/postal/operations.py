"""The only place that writes shipments: the desk's request (with its outbox job), the carrier's
acceptance, and every status the carrier reports (tracked or called back), ending in the dossier's
handover when the result is delivered, or back at the desk when it is not.

A status moves a shipment forward only (requested < created < delivering < delivered | failed), with
the shipment row locked; the same status again changes nothing (a duplicate "delivered" is not a second
handover), an older one is ignored."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from service import audit
from service.accounts.models import User
from service.accounts.roles import Role
from service.database import for_update, insert_once, write
from service.dossiers import processing
from service.dossiers.display import format_address
from service.dossiers.models import Dossier
from service.dossiers.operations import DossierError
from service.extensions import db
from service.jobs import outbox
from service.postal import orders, protocol, settings
from service.postal.models import RANK, PostalCallback, Shipment, ShipmentEvent, ShipmentJob, ShipmentStatus
from service.timeutil import format_date, utcnow

log = logging.getLogger(__name__)


class PostalError(Exception):
    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status or self.status


class UnknownShipment(PostalError):
    status = 404


class Replay(PostalError):
    status = 409


@dataclass(frozen=True)
class Outcome:
    shipment: Shipment
    result: str  # recorded, duplicate, stale


def request_shipment(dossier_id: int, actor: User, seen_version: int | None) -> Shipment:
    """The desk sends the result by post: the shipment and its job (the carrier is asked after the
    commit; a carrier that is down delays the order, never the desk's step)."""
    if not settings.enabled(current_app.config):
        raise PostalError(settings.OFF_REASON, 409)
    with write():
        dossier = processing.lock_for_official(dossier_id, actor)  # 404: not this official's agency
        if seen_version is not None and seen_version != dossier.version:
            raise PostalError(
                "Hồ sơ vừa được người khác xử lý; vui lòng xem lại hồ sơ rồi thao tác lại.", 409
            )
        problem = _request_problem(dossier, actor)
        if problem:
            raise PostalError(problem)
        shipment = Shipment(
            dossier_id=dossier.id,
            order_number=_order_number(dossier),
            receiver=_receiver(dossier),
            requested_by_id=actor.id,
        )
        db.session.add(shipment)
        db.session.flush()
        db.session.add(ShipmentJob(shipment_id=shipment.id))
        audit.record("postal.requested", dossier, actor=actor, details={"order": shipment.order_number})
    return shipment


def _request_problem(dossier: Dossier, actor: User) -> str | None:
    if actor.role != Role.RECEPTION:
        return "Chỉ cán bộ Bộ phận Một cửa gửi kết quả qua bưu chính."
    if dossier.delivery_method != "post" or not dossier.delivery_address:
        return "Người nộp không chọn nhận kết quả qua dịch vụ bưu chính (hoặc chưa có địa chỉ nhận)."
    if "return_result" not in processing.enabled_actions(dossier, actor):
        return "Hồ sơ chưa có kết quả để trả (hoặc người nộp chưa hoàn thành nghĩa vụ tài chính)."
    if not orders.sender_of(dossier).tel:
        return (
            "Chưa có số điện thoại của cơ quan gửi (POSTAL_SENDER_TEL); bưu điện cần số điện thoại người gửi."
        )
    if not _receiver(dossier)["tel"]:
        return "Người nộp chưa có số điện thoại; bưu điện cần số điện thoại người nhận."
    sent = db.session.scalars(db.select(Shipment).where(Shipment.dossier_id == dossier.id)).all()
    held = next((s for s in sent if s.status != ShipmentStatus.FAILED), None)
    if held is not None:
        return f"Kết quả của hồ sơ đã được gửi qua bưu chính ({held.status_label.lower()})."
    return None


def _order_number(dossier: Dossier) -> str:
    """OrderNumber = MaHoSo; a result sent again after a failed delivery: MaHoSo-2, -3..."""
    count = db.session.scalar(db.select(db.func.count()).where(Shipment.dossier_id == dossier.id)) or 0
    return dossier.code if count == 0 else f"{dossier.code}-{count + 1}"


def _receiver(dossier: Dossier) -> dict[str, str]:
    address = dossier.delivery_address or {}
    owner = dossier.owner
    return {
        "name": dossier.applicant_name or owner.display_name,
        "address": format_address(address),
        "tel": dossier.lookup_phone or owner.phone or "",
        "province": str(address.get("province") or ""),
        "ward": str(address.get("ward") or ""),
        "email": owner.email or "",
    }


def accepted(job_id: int, attempt: int, created: protocol.Created) -> None:
    """The carrier took the order: its tracking number is the applicant's to follow."""
    with write():
        job = outbox.lock_claimed(ShipmentJob, job_id, attempt)
        shipment = _lock(Shipment.id == job.shipment_id)
        now = utcnow()
        shipment.item_code, shipment.carrier_order_id = created.item_code, created.order_id
        shipment.accepted_at = shipment.last_checked_at = now
        if shipment.status == ShipmentStatus.REQUESTED:
            shipment.status, shipment.last_status_code = ShipmentStatus.CREATED, protocol.CREATED
            _event(shipment, "created", protocol.CREATED, now, "order", "")
        outbox.finish(job, "done")
        job.answer = created.raw


def record_callback(report: protocol.StatusReport, signature: str, body: str) -> Outcome:
    """A signed callback: refused if the same message came before (a replay); otherwise a status."""
    with write():
        callback = PostalCallback(
            signature=signature,
            item_code=report.item_code,
            status_code=report.code,
            outcome="",
            body=body[:4000],
        )
        if not insert_once(callback):
            raise Replay("Thông báo trạng thái này đã được nhận (gửi lại).")
        outcome = record_status(report, "callback")
        callback.outcome = outcome.result
    return outcome


def record_status(report: protocol.StatusReport, source: str) -> Outcome:
    """A status the carrier reports (`source`: poll or callback), applied once, in order."""
    with write():
        shipment = _lock(Shipment.item_code == report.item_code)
        if shipment is None:
            raise UnknownShipment(f"Không có bưu gửi số hiệu {report.item_code}.")
        shipment.last_checked_at = utcnow()
        status = report.status
        if status == shipment.status:
            return Outcome(shipment, "duplicate")
        if RANK[status] <= RANK[shipment.status]:
            log.info("Stale postal status %s for %s (%s)", status, shipment.item_code, shipment.status)
            return Outcome(shipment, "stale")
        shipment.status, shipment.last_status_code = status, report.code
        _event(shipment, status, report.code, report.at, source, report.note)
        if status == ShipmentStatus.DELIVERED:
            _delivered(shipment, report)
        elif status == ShipmentStatus.FAILED:
            _failed(shipment, report)
    return Outcome(shipment, "recorded")


def _delivered(shipment: Shipment, report: protocol.StatusReport) -> None:
    """The handover: the dossier's return step, channel post, dated by the delivery."""
    shipment.delivered_at = report.at
    dossier = db.session.scalar(for_update(db.select(Dossier).where(Dossier.id == shipment.dossier_id)))
    if dossier.returned_at is not None:
        return  # returned already (the desk recorded it by hand): the delivery is on the shipment only
    note = f"Bưu điện đã phát thành công ngày {format_date(report.at)}, số hiệu bưu gửi {shipment.item_code}."
    try:
        processing.return_delivered(dossier, shipment.requested_by, report.at, note)
    except DossierError as refusal:  # the sender is no longer a desk official: the desk records it by hand
        log.warning("Dossier %s delivered by post but not marked returned: %s", dossier.code, refusal)


def _failed(shipment: Shipment, report: protocol.StatusReport) -> None:
    """Not delivered (or cancelled by the carrier): the result is back at the desk, with the reason."""
    shipment.failed_at = report.at
    reason = report.note or "Bưu điện không nêu lý do."
    if report.code == protocol.CANCELLED:
        reason = f"Bưu điện đã hủy đơn. {reason}"
    shipment.failure_note = reason
    dossier = db.session.scalar(for_update(db.select(Dossier).where(Dossier.id == shipment.dossier_id)))
    processing.tell_desk_not_delivered(dossier)


def _event(shipment: Shipment, status: str, code: int | None, at, source: str, note: str) -> None:
    db.session.add(
        ShipmentEvent(
            shipment_id=shipment.id,
            status=status,
            status_code=code,
            happened_at=at,
            source=source,
            note=note or None,
        )
    )


def _lock(condition) -> Shipment | None:
    return db.session.scalar(for_update(db.select(Shipment).where(condition)))
