"""Accounts: users of every role, consents given under Law 91/2025, single-use tokens, and officials'
second factors (TOTP secrets and recovery codes)."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from service.accounts.passwords import normalise
from service.accounts.roles import APPLICANT_ROLES, OFFICIAL_ROLES, Role
from service.agencies.models import Agency
from service.extensions import db
from service.text import clean_name
from service.timeutil import utcnow


def hash_password(password: str) -> str:
    # Werkzeug's scrypt (PASSWORD_HASH_METHOD): slow and salted. Normalised first, so that "ệ" typed as
    # one code point or as three (some Vietnamese input methods compose it) is the same password.
    method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
    return generate_password_hash(normalise(password), method=method)


def password_matches(password_hash: str, password: str) -> bool:
    if check_password_hash(password_hash, normalise(password)):
        return True
    # A password hashed before normalisation, exactly as it was typed then.
    return password != normalise(password) and check_password_hash(password_hash, password)


class Department(db.Model):
    """A unit of the agency (phòng, bộ phận) that handles dossiers."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Empty only for a citizen whose account a VNeID login created (VNeID need not give an email): such an
    # account signs in through VNeID alone and is sent no email until it gives one.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # The 12-digit personal identification number is the citizen's key (a later VNeID login attaches here).
    # It is held by one account only: the first whose email is confirmed (service/accounts/identity.py).
    personal_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    # The number as typed at registration while it is not held: until the email is confirmed, or for good
    # when another confirmed account holds it (then it waits for a check at the desk or through VNeID).
    personal_id_claim: Mapped[str | None] = mapped_column(String(12), index=True)
    organisation_name: Mapped[str | None] = mapped_column(String(255))
    tax_code: Mapped[str | None] = mapped_column(String(14))
    phone: Mapped[str | None] = mapped_column(String(15), index=True)
    position: Mapped[str | None] = mapped_column(String(120))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # The receiving agency an official works for: they see and act on its dossiers only. None is the
    # provincial centre (and the Sở behind it), as for every official before agencies were data.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    # A school's accountant or administrator works for that school only (service/schools/access.py).
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    email_confirmed_at: Mapped[datetime | None]
    # Part of the id kept in every session cookie (get_id): raising it ends every session of the account.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # VNeID (Decree 69/2024; service/accounts/vneid_accounts.py): the provider's stable key of the person
    # (TechID), the level of the electronic identification account (1 or 2) at the last VNeID login, its
    # time, and the date of birth VNeID gave (NgayThangNamSinh).
    vneid_tech_id: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    identity_level: Mapped[int | None] = mapped_column(SmallInteger)
    vneid_login_at: Mapped[datetime | None]
    birth_date: Mapped[date | None]

    department: Mapped[Department | None] = relationship()
    agency: Mapped[Agency | None] = relationship()
    consents: Mapped[list[ConsentRecord]] = relationship(back_populates="user", order_by="ConsentRecord.id")

    @validates("full_name", "organisation_name")
    def _printable_name(self, _key: str, value: str | None) -> str | None:
        return clean_name(value)  # no control or bidirectional-override character (service/text.py)

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    def get_id(self) -> str:  # Flask-Login stores this in the session (service/accounts/sessions.py)
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.is_active_account

    @property
    def is_applicant(self) -> bool:
        return self.role in APPLICANT_ROLES

    @property
    def is_official(self) -> bool:
        return self.role in OFFICIAL_ROLES

    @property
    def identity_unverified(self) -> bool:
        """A number typed at registration that the account does not hold (service/accounts/identity.py)."""
        return self.personal_id is None and self.personal_id_claim is not None

    def personal_details(self) -> list[str | None]:
        """What a password must not be made of (service/accounts/passwords.py)."""
        return [
            self.email,
            self.full_name,
            self.personal_id,
            self.personal_id_claim,
            self.phone,
            self.organisation_name,
            self.tax_code,
        ]

    @property
    def display_name(self) -> str:
        if self.role == Role.ORGANISATION and self.organisation_name:
            return self.organisation_name
        return self.full_name


class ConsentRecord(db.Model):
    """Explicit consent to the purpose-specific privacy notice, with its version and time."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(50))
    notice_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None]
    ip_address: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship(back_populates="consents")


class AccountToken(db.Model):
    """An emailed, expiring, single-use token. Only its SHA-256 is stored."""

    __tablename__ = "account_tokens"
    __table_args__ = (Index("ix_account_tokens_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class SecondFactor(db.Model):
    """An official's TOTP secret (RFC 6238), encrypted (service/accounts/totp.py). Unconfirmed while the
    official enrols: confirmed once a code from the app has been typed back."""

    __tablename__ = "second_factors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    confirmed_at: Mapped[datetime | None]
    # The time step of the last code accepted: a code is never accepted twice, nor one older than it.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(db.Model):
    """A single-use code that stands in for the app (a lost phone). Only its SHA-256 is stored."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
