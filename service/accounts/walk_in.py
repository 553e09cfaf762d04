"""Applicants who come to the one-stop desk (or write by post) without an account of ours: found by their
identification number, or given an account record the desk creates for them.

A citizen is found by the personal identification number the account holds (`User.personal_id`), an
organisation by its tax code. A new record has no usable password: the person claims it later as
accounts already allow, by signing in through VNeID (which finds the account by the same number,
service/accounts/vneid_accounts.py) or, when the desk noted an email, with "Quên mật khẩu" (the link to
that address proves it). No email is sent from here: the person did not ask for an account online.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from service import audit
from service.accounts.models import User
from service.accounts.operations import AccountError, find_by_email
from service.accounts.roles import Role
from service.database import write
from service.extensions import db
from service.identifiers import (
    EMAIL_MESSAGE,
    PHONE_MESSAGE,
    is_email,
    is_personal_id,
    is_tax_code,
    phone_or_none,
)
from service.timeutil import utcnow

NUMBER_MESSAGE = (
    "Số định danh cá nhân phải gồm đúng 12 chữ số (có mã tỉnh hợp lệ); mã số thuế của tổ chức gồm 10 chữ "
    "số, hoặc 10 chữ số, dấu gạch và 3 chữ số."
)


def kind_of(number: str) -> str | None:
    """ "citizen" for a personal identification number, "organisation" for a tax code, else None."""
    if is_personal_id(number):
        return Role.CITIZEN
    if is_tax_code(number):
        return Role.ORGANISATION
    return None


def find(number: str) -> User | None:
    """The applicant's account holding `number` (the oldest organisation account for a tax code)."""
    kind = kind_of(number)
    if kind == Role.CITIZEN:
        return db.session.scalar(db.select(User).where(User.personal_id == number, User.role == Role.CITIZEN))
    if kind == Role.ORGANISATION:
        query = db.select(User).where(User.tax_code == number, User.role == Role.ORGANISATION)
        return db.session.scalar(query.order_by(User.id).limit(1))
    return None


def get_applicant(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_applicant and user.is_active_account else None


# The desk's pages name an applicant by a signed reference that expires, never by the account's row id:
# an official reaches a person's record only by having their number (a lookup, audited) or having just
# recorded them; counting ids through the address bar lists nobody (Decree 13/2023, ASVS 4.2.1).
REFERENCE_MAX_AGE = 12 * 3600  # a working day at the desk


def _references() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="desk-applicant")


def reference(user: User) -> str:
    """The address-bar reference of an applicant the desk is serving."""
    return _references().dumps(user.id)


def from_reference(ref: str | None) -> User | None:
    """The applicant a reference names; None if it is forged, altered, expired or names no applicant."""
    try:
        user_id = _references().loads(ref or "", max_age=REFERENCE_MAX_AGE)
    except BadSignature:  # SignatureExpired included
        return None
    return get_applicant(user_id) if isinstance(user_id, int) else None


@dataclass(frozen=True)
class WalkIn:
    number: str
    full_name: str
    phone: str | None = None
    email: str | None = None
    organisation_name: str | None = None  # for a tax code


def create(person: WalkIn, official: User) -> User:
    """The account record of a person or organisation the desk serves; one that exists already is
    returned as it is (two officials creating it at once get the same record)."""
    kind = kind_of(person.number)
    if kind is None:
        raise AccountError(NUMBER_MESSAGE, "number")
    if kind == Role.ORGANISATION and not (person.organisation_name or "").strip():
        raise AccountError("Vui lòng nhập tên tổ chức.", "organisation_name")
    if not person.full_name.strip():
        raise AccountError("Vui lòng nhập họ và tên.", "full_name")
    if person.phone and phone_or_none(person.phone) is None:
        raise AccountError(PHONE_MESSAGE, "phone")
    email = (person.email or "").strip().lower() or None
    if email and not is_email(email):
        raise AccountError(EMAIL_MESSAGE, "email")
    with write():
        found = find(person.number)
        if found is not None:
            return found
        if email and find_by_email(email) is not None:
            raise AccountError("Email này đã được dùng cho một tài khoản khác.", "email")
        user = _new_record(person, kind, email)
        db.session.add(user)
        db.session.flush()
        audit.record(
            "account.registered", user, actor=official, details={"role": user.role, "method": "desk"}
        )
    return user


def _new_record(person: WalkIn, kind: str, email: str | None) -> User:
    user = User(
        email=email,
        role=kind,
        full_name=person.full_name.strip()[:200],
        phone=phone_or_none(person.phone),
        personal_id=person.number if kind == Role.CITIZEN else None,
        tax_code=person.number if kind == Role.ORGANISATION else None,
        organisation_name=(person.organisation_name or "").strip()[:255] or None,
    )
    user.set_password(secrets.token_urlsafe(32))  # unusable: claimed through VNeID or a reset link
    user.created_at = utcnow()
    return user
