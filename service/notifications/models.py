"""Every outgoing email is a row: sent by SMTP when configured, otherwise kept in the development outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.extensions import db
from service.jobs.outbox import OutboxItem
from service.timeutil import utcnow


class OutboundEmail(OutboxItem, db.Model):
    __tablename__ = "outbound_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    # outbox (development, not sent); pending, running, sent, failed (will be retried), dead
    status: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class OutboundSms(OutboxItem, db.Model):
    """Every outgoing SMS: sent through the HTTP provider when configured, else kept in the outbox."""

    __tablename__ = "outbound_sms"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(15), index=True)
    body: Mapped[str] = mapped_column(String(480))
    status: Mapped[str] = mapped_column(String(10), index=True)  # as OutboundEmail's
    provider_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
