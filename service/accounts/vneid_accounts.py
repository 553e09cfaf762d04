"""Accounts and VNeID: the only place that writes what a VNeID login decides.

An account is found by the identity number VNeID vouches for (SoDinhDanh, `User.personal_id`). A
citizen's account that holds it signs in, and its identity level (1 or 2, Decree 69/2024) and the time
of this VNeID login are recorded; a person no account holds gets a new citizen account once they have
accepted the privacy notice (Law 91/2025), named as VNeID names them, with no email and no usable
password (they sign in through VNeID). Officials never sign in so: they keep their password and second
factor. A signed-in citizen may link VNeID to their account, which proves the number they typed at
registration (service/accounts/identity.py) or attaches the one VNeID gives.

VNeID's stable key of the person (TechID) is kept on the account: an account linked to one TechID is
never signed in with another person's number, nor the other way round.
"""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy.exc import IntegrityError

from service import audit
from service.accounts.models import ConsentRecord, User
from service.accounts.operations import PRIVACY_PURPOSE, signed_in
from service.accounts.roles import Role
from service.accounts.vneid import CITIZEN_ACCOUNT, Citizen, VneidRefused
from service.database import write
from service.extensions import db
from service.timeutil import utcnow

STAFF = (
    "Tài khoản cán bộ, công chức không đăng nhập bằng VNeID. Vui lòng đăng nhập bằng email, mật khẩu và "
    "mã xác thực hai bước."
)
LOCKED = "Tài khoản gắn với số định danh này đã bị khóa. Vui lòng liên hệ quản trị hệ thống."
ORGANISATION = (
    "Tài khoản định danh điện tử của tổ chức chưa dùng được để đăng nhập tại đây. Người đại diện tổ chức "
    "vui lòng đăng nhập bằng email và mật khẩu của tài khoản tổ chức."
)
OTHER_NUMBER = (
    "Tài khoản VNeID này đã được liên kết với một tài khoản khác mang số định danh khác. Vui lòng liên hệ "
    "bộ phận một cửa để được kiểm tra."
)
YOUR_NUMBER_DIFFERS = (
    "Tài khoản của bạn đang gắn với một số định danh khác với số trên tài khoản VNeID vừa đăng nhập, nên "
    "không liên kết được. Vui lòng kiểm tra lại tài khoản VNeID hoặc liên hệ bộ phận một cửa."
)
NUMBER_HELD = (
    "Số định danh trên tài khoản VNeID này đã gắn với một tài khoản khác của hệ thống. Hãy đăng xuất rồi "
    "đăng nhập bằng VNeID để vào tài khoản đó, hoặc liên hệ bộ phận một cửa."
)
NO_NAME = "VNeID không cung cấp họ và tên nên chưa tạo được tài khoản. Vui lòng liên hệ bộ phận một cửa."
RACE = "Tài khoản vừa được tạo từ một phiên đăng nhập khác. Vui lòng đăng nhập lại bằng VNeID."


def sign_in(citizen: Citizen) -> User | None:
    """The account of `citizen`, signed in (level and time recorded, login audited); None when no
    account holds the number (a new one waits for the citizen's consent). Raises VneidRefused."""
    _check_citizen_account(citizen)
    with write():
        user = _account_for(citizen)
        if user is not None:
            _check_may_sign_in(user)
            _record(user, citizen)
            signed_in(user, details={"method": "vneid", "identity_level": citizen.level})
    return user


def create_account(citizen: Citizen, ip_address: str | None) -> User:
    """A new citizen's account from VNeID, with the consent just given; signed in. A number that got an
    account meanwhile (the same person in another tab) signs that account in instead."""
    _check_citizen_account(citizen)
    if not citizen.full_name:
        raise VneidRefused(NO_NAME, "no HoVaTen in the claims")
    try:
        with write():
            user = _account_for(citizen)
            if user is None:
                user = _new_citizen(citizen, ip_address)
            else:
                _check_may_sign_in(user)
            _record(user, citizen)
            signed_in(user, details={"method": "vneid", "identity_level": citizen.level})
    except IntegrityError as error:  # the number or TechID taken by a creation at the same moment
        raise VneidRefused(RACE, "account created concurrently", 409) from error
    return user


def link(user_id: int, citizen: Citizen) -> User:
    """Link VNeID to the signed-in citizen's account: the number VNeID vouches for becomes the account's
    (a claim typed at registration is thereby proven). Raises VneidRefused."""
    _check_citizen_account(citizen)
    with write():
        user = db.session.get_one(User, user_id)
        if user.role != Role.CITIZEN:
            raise VneidRefused(
                STAFF if user.is_official else ORGANISATION, f"{user.role} cannot link VNeID", 403
            )
        if user.personal_id is not None and user.personal_id != citizen.personal_id:
            raise VneidRefused(YOUR_NUMBER_DIFFERS, "the account holds another identity number", 409)
        holder = _holder(citizen.personal_id)
        if holder is not None and holder.id != user.id:
            raise VneidRefused(NUMBER_HELD, f"the number is held by account {holder.id}", 409)
        _check_tech_id(user, citizen)
        user.personal_id, user.personal_id_claim = citizen.personal_id, None
        _record(user, citizen)
        audit.record("account.vneid_linked", user, actor=user, details={"identity_level": citizen.level})
    return user


def refused(refusal: VneidRefused, citizen: Citizen | None = None) -> None:
    """A VNeID login that did not happen, in the audit log: who (the number, when VNeID told it) and why."""
    label = f"VNeID {citizen.personal_id}" if citizen else "VNeID"
    with write():
        holder = _holder(citizen.personal_id) if citizen else None
        audit.record(
            "login.failure",
            holder,
            actor=None,
            actor_label=label,
            details={"method": "vneid", "reason": refusal.message, "cause": refusal.reason},
        )


def _check_citizen_account(citizen: Citizen) -> None:
    if citizen.account_type != CITIZEN_ACCOUNT:
        raise VneidRefused(ORGANISATION, f"LoaiTaiKhoan {citizen.account_type}", 403)


def _account_for(citizen: Citizen) -> User | None:
    user = _holder(citizen.personal_id)
    linked = _linked(citizen.tech_id)
    if linked is not None and (user is None or linked.id != user.id):
        raise VneidRefused(OTHER_NUMBER, f"TechID linked to account {linked.id} of another number", 409)
    if user is not None:
        _check_tech_id(user, citizen)
    return user


def _check_tech_id(user: User, citizen: Citizen) -> None:
    if user.vneid_tech_id and citizen.tech_id and user.vneid_tech_id != citizen.tech_id:
        raise VneidRefused(OTHER_NUMBER, "the account is linked to another TechID", 409)


def _check_may_sign_in(user: User) -> None:
    if user.is_official:
        raise VneidRefused(STAFF, "staff account", 403)
    if user.role != Role.CITIZEN:
        raise VneidRefused(ORGANISATION, f"{user.role} account", 403)
    if not user.is_active_account:
        raise VneidRefused(LOCKED, "account deactivated", 403)


def _record(user: User, citizen: Citizen) -> None:
    user.identity_level = citizen.level
    user.vneid_login_at = utcnow()
    user.vneid_tech_id = user.vneid_tech_id or citizen.tech_id
    user.birth_date = user.birth_date or citizen.birth_date


def _new_citizen(citizen: Citizen, ip_address: str | None) -> User:
    user = User(
        email=None,
        role=Role.CITIZEN,
        full_name=citizen.full_name,
        personal_id=citizen.personal_id,
    )
    user.set_password(secrets.token_urlsafe(32))  # unusable: there is no email to sign in with
    db.session.add(user)
    db.session.flush()
    db.session.add(
        ConsentRecord(
            user_id=user.id,
            purpose=PRIVACY_PURPOSE,
            notice_version=current_app.config["PRIVACY_NOTICE_VERSION"],
            ip_address=ip_address,
        )
    )
    audit.record("account.registered", user, actor=user, details={"role": user.role, "method": "vneid"})
    return user


def _holder(number: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.personal_id == number))


def _linked(tech_id: str | None) -> User | None:
    if not tech_id:
        return None
    return db.session.scalar(db.select(User).where(User.vneid_tech_id == tech_id))
