"""A result sent to the applicant by post: the shipment (one per sending; a failed delivery may be sent
again), the outbox job that asks the carrier for it, and every status the carrier reported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.accounts.models import User
from service.extensions import db
from service.jobs.outbox import OutboxItem
from service.timeutil import utcnow
from workflows.labelled import Labelled


class ShipmentStatus(Labelled):
    REQUESTED = "requested", "Đang gửi yêu cầu cho bưu điện"
    CREATED = "created", "Bưu điện đã nhận đơn"
    DELIVERING = "delivering", "Đang phát"
    DELIVERED = "delivered", "Đã phát thành công"
    FAILED = "failed", "Phát không thành công (kết quả trả về Bộ phận Một cửa)"


SHIPMENT_LABELS = ShipmentStatus.labels()
ACTIVE = (ShipmentStatus.REQUESTED, ShipmentStatus.CREATED, ShipmentStatus.DELIVERING)
# The carrier moves a shipment forward only: a late "delivering" after "delivered" is ignored.
RANK = {"requested": 0, "created": 1, "delivering": 2, "delivered": 3, "failed": 3}


class Shipment(db.Model):
    __tablename__ = "postal_shipments"
    __table_args__ = (CheckConstraint(ShipmentStatus.sql_in("status"), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    # OrderNumber: the dossier's code (MaHoSo), with "-2", "-3"... for a result sent again.
    order_number: Mapped[str] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=ShipmentStatus.REQUESTED)
    item_code: Mapped[str | None] = mapped_column(String(40), unique=True)  # số hiệu bưu gửi (tracking)
    carrier_order_id: Mapped[str | None] = mapped_column(String(60))
    receiver: Mapped[dict[str, str]] = mapped_column(JSON)  # name, address, tel as sent
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None]  # the carrier's answer with the tracking number
    delivered_at: Mapped[datetime | None]  # as the carrier reports it (the handover's date)
    failed_at: Mapped[datetime | None]
    failure_note: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None] = mapped_column(SmallInteger)
    last_checked_at: Mapped[datetime | None]  # last tracked (polled) or heard of (callback)

    requested_by: Mapped[User] = relationship()
    events: Mapped[list[ShipmentEvent]] = relationship(order_by="ShipmentEvent.id", back_populates="shipment")

    @property
    def status_label(self) -> str:
        return SHIPMENT_LABELS.get(self.status, self.status)

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


class ShipmentEvent(db.Model):
    """One status as the carrier reported it (its order answer, a tracking poll, a callback)."""

    __tablename__ = "postal_shipment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("postal_shipments.id"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    happened_at: Mapped[datetime]  # the carrier's time
    source: Mapped[str] = mapped_column(String(10))  # order, poll, callback
    note: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    shipment: Mapped[Shipment] = relationship(back_populates="events")


class PostalCallback(db.Model):
    """Every signed status callback accepted, by its signature: the same signed message again is a
    replay, refused (a new message repeating a status is not: it changes nothing)."""

    __tablename__ = "postal_callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), unique=True)
    item_code: Mapped[str] = mapped_column(String(40))
    status_code: Mapped[int] = mapped_column(SmallInteger)
    outcome: Mapped[str] = mapped_column(String(12))  # recorded, duplicate, stale
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShipmentJob(OutboxItem, db.Model):
    """Ask the carrier for the shipment's order, after the desk's request commits."""

    __tablename__ = "postal_shipment_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("postal_shipments.id"), index=True)
    # pending, running, done, failed (will be retried), dead (waits for an administrator), cancelled
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    answer: Mapped[str | None] = mapped_column(Text)  # the carrier's answer, as received
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
