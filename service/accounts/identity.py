"""Who holds an identity number (số định danh cá nhân): one account, the first confirmed.

A citizen types the number at registration; anyone can type anyone's number, so typing it proves
nothing. It is kept as a claim (`User.personal_id_claim`) and attached to the account (`personal_id`,
unique in the database) only when the account's email is confirmed and no confirmed account holds it
already. An unconfirmed registration holds nothing, so a stranger who registers a victim's number
first does not keep the victim out. A later claim on a held number is not attached: its author is told
on the profile, neutrally, that the number needs a check at the desk or through VNeID (a later issue),
and the holder is told by email that someone claimed it. The registration page says the same in every
case, so it never tells whether a number has an account.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from service import audit
from service.accounts.models import User
from service.extensions import db
from service.notifications.email import queue_email


def settle_claim(user: User) -> None:
    """At the confirmation of `user`'s email, inside its write transaction: attach the claimed number
    if nobody holds it, otherwise leave it as an unverified claim and tell the holder."""
    claim = user.personal_id_claim
    if claim is None or user.personal_id is not None:
        return
    if _holder(claim) is None and _attach(user, claim):
        audit.record("account.identity_attached", user, actor=user)
        return
    holder = _holder(claim)  # read again: a confirmation at the same time may have won
    audit.record("account.identity_claim_refused", user, actor=user, details={"holder_id": holder.id})
    queue_email(holder.email, "identity_claimed", user=holder)


def _holder(number: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.personal_id == number))


def _attach(user: User, claim: str) -> bool:
    """The unique index decides between two confirmations at once (PostgreSQL does not serialise
    them): only the savepoint of the loser is undone."""
    try:
        with db.session.begin_nested():
            user.personal_id, user.personal_id_claim = claim, None
            db.session.flush()
    except IntegrityError:
        return False
    return True
