"""What the administration pages read (views only render it)."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from service.accounts.models import User
from service.extensions import db
from service.notifications.models import OutboundEmail


def accounts() -> list[User]:
    """Every account with its department, officials grouped by role."""
    return list(
        db.session.scalars(
            db.select(User).options(selectinload(User.department)).order_by(User.role, User.email)
        )
    )


def recent_emails(limit: int = 200) -> list[OutboundEmail]:
    return list(db.session.scalars(db.select(OutboundEmail).order_by(OutboundEmail.id.desc()).limit(limit)))


def email(message_id: int) -> OutboundEmail | None:
    return db.session.get(OutboundEmail, message_id)
