"""Single-use account tokens (email confirmation, password reset): only their hashes are stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import update

from service.accounts.models import AccountToken, User
from service.extensions import db
from service.timeutil import utcnow

CONFIRM_EMAIL = "confirm_email"
RESET_PASSWORD = "reset_password"


def issue_token(user: User, purpose: str, hours: int) -> str:
    """Add the token to the caller's write transaction; the raw value is returned, never stored.
    Only the newest link of a purpose works: the ones sent before it expire now."""
    raw = secrets.token_urlsafe(32)
    expire_tokens(user, purpose)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(raw),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    return raw


def expire_tokens(user: User, purpose: str) -> None:
    """End the user's unused links of this purpose (in the caller's write transaction): a newer link
    was sent, or the password they would reset has changed."""
    now = utcnow()
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(expires_at=now)
    )


def recently_issued(user: User, purpose: str, seconds: int) -> bool:
    since = utcnow() - timedelta(seconds=seconds)
    statement = db.select(AccountToken.id).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.created_at >= since
    )
    return db.session.scalar(statement.limit(1)) is not None


def peek_token(raw: str, purpose: str) -> AccountToken | None:
    token = db.session.scalar(db.select(AccountToken).where(AccountToken.token_hash == _hash(raw)))
    if token is None or token.purpose != purpose or token.used_at or token.expires_at < utcnow():
        return None
    return token


def consume_token(raw: str, purpose: str) -> User | None:
    """Mark the token used, atomically (in the caller's write transaction): of two concurrent uses
    only one succeeds."""
    now = utcnow()
    result = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.token_hash == _hash(raw),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at >= now,
        )
        .values(used_at=now)
        .returning(AccountToken.user_id)
    )
    user_id = result.scalar()
    return db.session.get(User, user_id) if user_id else None


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
