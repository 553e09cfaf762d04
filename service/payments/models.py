"""Orders (what is owed, for what), append-only payment attempts, every notification stored raw, and
incidents for an accountant to review."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from service.extensions import db
from service.jobs.outbox import OutboxItem
from service.text import clean_name
from service.timeutil import utcnow
from workflows.labelled import Labelled
from workflows.payment_attempt import AttemptStatus
from workflows.refund import RefundStatus


class OrderStatus(Labelled):
    UNPAID = "unpaid", "Chưa thanh toán"
    PAID = "paid", "Đã thanh toán"
    CANCELLED = "cancelled", "Đã hủy"


class IncidentKind(Labelled):
    SECOND_SUCCESS = "second_success", "Thanh toán hai lần"
    UNMATCHED_CREDIT = "unmatched_credit", "Tiền đến không khớp"
    UNDERPAID = "underpaid", "Chuyển thiếu"
    OVERPAID = "overpaid", "Chuyển thừa"
    PAID_CANCELLED = "paid_cancelled", "Thanh toán khoản đã hủy"


# What payers and gateways read as a reference: no 0/O, 1/I/L to misread on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference(prefix: str) -> str:
    return prefix + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(10))


class PaymentOrder(db.Model):
    __tablename__ = "payment_orders"
    __table_args__ = (CheckConstraint(OrderStatus.sql_in("status"), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The opaque link a payer without an account follows (to pay, then to fetch the receipt).
    access_token: Mapped[str] = mapped_column(
        String(43), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    purpose: Mapped[str] = mapped_column(String(20))  # dossier_fee, invoice, other
    # A school's invoice is paid into the school's account and seen only by that school.
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    description: Mapped[str] = mapped_column(String(255))
    amount: Mapped[int] = mapped_column(BigInteger)  # VND
    status: Mapped[str] = mapped_column(String(10), default="unpaid")  # unpaid, paid, cancelled
    # Who pays when the payer has no account (an order made by an operator, a school invoice).
    payer_name: Mapped[str | None] = mapped_column(String(200))
    payer_email: Mapped[str | None] = mapped_column(String(254))
    # After this moment the order can no longer be paid (None: no limit).
    expires_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    paid_at: Mapped[datetime | None]
    paid_attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_attempts.id", use_alter=True, name="fk_payment_orders_paid_attempt")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempts: Mapped[list[PaymentAttempt]] = relationship(
        back_populates="order", foreign_keys="PaymentAttempt.order_id", order_by="PaymentAttempt.id"
    )

    @validates("payer_name")
    def _printable_name(self, _key: str, value: str | None) -> str | None:
        return clean_name(value)  # no control or bidirectional-override character (service/text.py)


class PaymentAttempt(db.Model):
    __tablename__ = "payment_attempts"
    __table_args__ = (CheckConstraint(AttemptStatus.sql_in("status"), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    gateway: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(34), unique=True)  # our TxnRef / orderId at the gateway
    amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="created")
    gateway_transaction: Mapped[str | None] = mapped_column(String(64))
    result_code: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

    order: Mapped[PaymentOrder] = relationship(back_populates="attempts", foreign_keys=[order_id])


class PaymentRefund(db.Model):
    """Money given back on one succeeded attempt, full or partial, never more than it brought in."""

    __tablename__ = "payment_refunds"
    __table_args__ = (CheckConstraint(RefundStatus.sql_in("status"), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("payment_attempts.id"), index=True)
    reference: Mapped[str] = mapped_column(String(34), unique=True)  # our refund id at the gateway
    amount: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="requested")
    # The same form submitted twice (a double click, a retried request) makes one refund.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    gateway_transaction: Mapped[str | None] = mapped_column(String(64))
    result_code: Mapped[str | None] = mapped_column(String(10))
    message: Mapped[str | None] = mapped_column(String(255))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    attempt: Mapped[PaymentAttempt] = relationship(foreign_keys=[attempt_id])
    order: Mapped[PaymentOrder] = relationship(foreign_keys=[order_id])


class PaymentNotification(db.Model):
    """Every gateway notification as received, with what we made of it."""

    __tablename__ = "payment_notifications"
    __table_args__ = (
        UniqueConstraint("gateway", "external_id", name="uq_payment_notifications_gateway_external"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway: Mapped[str] = mapped_column(String(10))
    # The gateway's own id of the notification (a bank-feed transaction id): a repeat is recognised.
    external_id: Mapped[str | None] = mapped_column(String(64))
    reference: Mapped[str | None] = mapped_column(String(34), index=True)
    method: Mapped[str] = mapped_column(String(6))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    raw: Mapped[str] = mapped_column(Text)
    verified: Mapped[bool] = mapped_column(default=False)
    outcome: Mapped[str | None] = mapped_column(String(60))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class UnverifiedNotificationDay(db.Model):
    """How many notifications failing their signature a gateway's endpoint received in a day (UTC): the
    first UNVERIFIED_NOTIFICATIONS_PER_DAY are kept, the rest only counted (service/payments/unverified.py).
    The count is raised by an upsert that holds the row until commit, so concurrent ones count in turn."""

    __tablename__ = "unverified_notification_days"

    gateway: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    received: Mapped[int] = mapped_column(default=0)


class PaymentIncident(db.Model):
    """Something an accountant must look at: a second success for a paid order, an amount mismatch."""

    __tablename__ = "payment_incidents"
    __table_args__ = (CheckConstraint(IncidentKind.sql_in("kind"), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("payment_orders.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("payment_attempts.id"))
    kind: Mapped[str] = mapped_column(String(30))  # second_success, unmatched_credit, underpaid, overpaid
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("payment_notifications.id"))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    detail: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TaxTransmission(OutboxItem, db.Model):
    """One issued receipt's data, sent to the tax authority, and its acknowledgement as received."""

    __tablename__ = "tax_transmissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("issued_documents.id"), unique=True)
    # pending, running, done, failed (will be retried), dead (waits for an administrator)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    message_id: Mapped[str | None] = mapped_column(String(46))  # MTDiep: sender code + 32 hex
    message: Mapped[str | None] = mapped_column(Text)  # the XML last sent
    answer: Mapped[str | None] = mapped_column(Text)  # the acknowledgement, as received
    acknowledged_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
