"""Account operations: the only place that writes users, consents and tokens."""

from __future__ import annotations

import secrets
from functools import cache

from flask import current_app
from sqlalchemy import or_

from service import audit
from service.accounts import throttle
from service.accounts.emails import send_account_link
from service.accounts.models import ConsentRecord, Department, User, hash_password, password_matches
from service.accounts.roles import Role
from service.accounts.tokens import CONFIRM_EMAIL, RESET_PASSWORD, consume_token, expire_tokens
from service.database import write
from service.extensions import db
from service.timeutil import utcnow

PRIVACY_PURPOSE = "public_services"


class AccountError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def find_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email.strip().lower()))


def register(data: dict, ip_address: str | None) -> User:
    """Self-registration: the account and its confirmation email commit together, or neither does.
    Needs a request context (the email carries a link)."""
    with write():
        user = register_applicant(data, ip_address)
        send_account_link(user, "confirm_email")
    return user


def register_applicant(data: dict, ip_address: str | None) -> User:
    """Create a citizen or organisation account with the consent it gave (Law 91/2025)."""
    is_person = data["account_type"] == Role.CITIZEN
    with write():
        _ensure_unique(data["email"], data.get("personal_id") if is_person else None)
        user = User(
            email=data["email"],
            role=Role.CITIZEN if is_person else Role.ORGANISATION,
            full_name=data["full_name"],
            personal_id=(data.get("personal_id") or None) if is_person else None,
            organisation_name=None if is_person else data["organisation_name"],
            tax_code=None if is_person else data["tax_code"],
            phone=data["phone"],
        )
        user.set_password(data["password"])
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
        audit.record("account.registered", user, actor=user, details={"role": user.role})
    return user


def _ensure_unique(email: str, personal_id: str | None) -> None:
    conditions = [User.email == email]
    if personal_id:
        conditions.append(User.personal_id == personal_id)
    existing = db.session.scalar(db.select(User).where(or_(*conditions)))
    if existing is None:
        return
    if existing.email == email:
        raise AccountError("Email này đã được dùng cho một tài khoản khác.", "email")
    raise AccountError("Số định danh cá nhân này đã có tài khoản. Vui lòng đăng nhập.", "personal_id")


def confirm_email(raw: str) -> User | None:
    with write():
        user = consume_token(raw, CONFIRM_EMAIL)
        if user is not None and user.email_confirmed_at is None:
            user.email_confirmed_at = utcnow()
    return user


def reset_password(raw: str, new_password: str) -> User | None:
    with write():
        user = consume_token(raw, RESET_PASSWORD)
        if user is not None:
            _replace_password(user, new_password)
            # Receiving the link by email proves the address too (officials set their first password so).
            user.email_confirmed_at = user.email_confirmed_at or utcnow()
            audit.record("account.password_reset", user, actor=user)
    return user


def authenticate(email: str, password: str, address: str) -> tuple[User | None, str | None]:
    """Check a password. An unknown email and a wrong password get the same answer in about the same
    time (a password hash is checked either way); attempts are throttled per email and address
    (service/accounts/throttle.py), never by locking the account."""
    email = email.strip().lower()
    if not throttle.take_attempt(email, address):
        minutes = throttle.minutes_to_wait(email, address)
        return _refused(email, None, f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.")
    user = find_by_email(email)
    if not _password_matches(user, password):
        throttle.count_failure(address)
        return _refused(email, user, "Email hoặc mật khẩu không đúng.")
    problem = _account_problem(user)
    if problem:
        return _refused(email, user, problem)
    throttle.forget_attempts(email, address)
    if user.is_official:
        return user, None  # signed in only once the second factor is given too (twofactor.py)
    with write():
        user = signed_in(db.session.get(User, user.id))
    return user, None


def signed_in(user: User, details: dict | None = None) -> User:
    """Note a complete login (in the caller's write transaction): its time, and the audit entry."""
    user.last_login_at = utcnow()
    audit.record_login(user.email, user, None, details)
    return user


def _refused(email: str, user: User | None, problem: str) -> tuple[None, str]:
    """A refused login is recorded in the audit log with the email tried and the reason."""
    with write():
        audit.record_login(email, db.session.get(User, user.id) if user else None, problem)
    return None, problem


@cache
def _dummy_password_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _password_matches(user: User | None, password: str) -> bool:
    if user is None:
        password_matches(_dummy_password_hash(), password)  # as slow as checking a real one
        return False
    return user.check_password(password)


def _account_problem(user: User) -> str | None:
    """Told only to someone who knows the password."""
    if not user.is_active_account:
        return "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị hệ thống."
    if user.email_confirmed_at is None:
        return "Bạn chưa xác nhận email. Vui lòng mở thư xác nhận hoặc yêu cầu gửi lại."
    return None


def end_sessions(user_id: int) -> None:
    """Sign the account out of every browser: on logout, a cookie copied elsewhere dies with it."""
    with write():
        user = db.session.get(User, user_id)
        revoke_sessions(user)
        audit.record("login.logout", user, actor=user)


def revoke_sessions(user: User) -> None:
    """End every session of the account (in the caller's write transaction): also its half-logins.
    In SQL, so that two revocations at once both count (service/accounts/sessions.py reads it)."""
    user.session_version = User.session_version + 1


def _replace_password(user: User, new_password: str) -> None:
    """A new password ends every session and every reset link sent for the old one."""
    user.set_password(new_password)
    revoke_sessions(user)
    expire_tokens(user, RESET_PASSWORD)


def update_profile(user: User, data: dict) -> None:
    with write():
        user = db.session.get(User, user.id)
        user.full_name = data["full_name"]
        user.phone = data["phone"]
        if user.role == Role.ORGANISATION:
            user.organisation_name = data["organisation_name"] or user.organisation_name
            user.tax_code = data["tax_code"] or user.tax_code


def change_password(user: User, current_password: str, new_password: str) -> User:
    with write():
        user = db.session.get(User, user.id)
        if not user.check_password(current_password):
            raise AccountError("Mật khẩu hiện tại không đúng.", "current_password")
        _replace_password(user, new_password)
        audit.record("account.password_changed", user)
    return user


def create_official(
    email: str, role: str, full_name: str, password: str | None = None, **details: str | None
) -> User:
    """Officials are created by an administrator, never by self-registration."""
    _check_official_role(role, details.get("school_id"))
    email = email.strip().lower()
    with write():
        _ensure_unique(email, None)
        user = User(email=email, role=role, full_name=full_name, **{k: v for k, v in details.items() if v})
        user.set_password(password or secrets.token_urlsafe(24))
        if password:
            user.email_confirmed_at = utcnow()
        db.session.add(user)
        audit.record("account.created", user, details={"email": email, "role": role, "school_id": details.get("school_id")})  # fmt: skip
    return user


def invite_official(email: str, role: str, full_name: str, **details: str | None) -> User:
    """An official created without a password gets a link to set one: the account and that email
    commit together. Needs a request context (the email carries a link)."""
    with write():
        user = create_official(email, role, full_name, None, **details)
        db.session.flush()
        send_account_link(user, "official_welcome")
    return user


def _check_official_role(role: str, school_id) -> None:
    if role not in set(Role) or role in (Role.CITIZEN, Role.ORGANISATION):
        raise AccountError("Vai trò không hợp lệ cho tài khoản cán bộ.", "role")
    if role == Role.SCHOOL_ADMIN and not school_id:
        raise AccountError("Tài khoản quản trị nhà trường phải thuộc một trường.", "role")
    if school_id and role not in (Role.ACCOUNTANT, Role.SCHOOL_ADMIN):
        raise AccountError("Chỉ kế toán và quản trị nhà trường thuộc một cơ sở GDNN.", "role")


def find_department(code: str) -> Department | None:
    return db.session.scalar(db.select(Department).where(Department.code == code.strip().upper()))


def create_department(code: str, name: str) -> Department:
    with write():
        if find_department(code) is not None:
            raise AccountError("Mã phòng, đơn vị này đã tồn tại.", "code")
        department = Department(code=code.strip().upper(), name=name.strip())
        db.session.add(department)
        audit.record("config.department_created", department, details={"code": department.code})
    return department


def update_official(
    user_id: int, role: str, department_id: int | None, position: str | None, school_id: int | None = None
) -> User:
    _check_official_role(role, school_id)
    with write():
        user = db.session.get(User, user_id)
        if user is None or user.is_applicant:
            raise AccountError("Không tìm thấy tài khoản cán bộ.", "role")
        audit.record("account.role_changed" if role != user.role else "account.updated", user, details={
            "from_role": user.role, "role": role, "department_id": department_id, "position": position,
            "school_id": school_id})  # fmt: skip
        user.role, user.department_id, user.position = role, department_id, position or None
        user.school_id = school_id
    return user


def set_active(user_id: int, active: bool) -> User | None:
    with write():
        user = db.session.get(User, user_id)
        if user is not None:
            user.is_active_account = active
            if not active:
                revoke_sessions(user)
            audit.record("account.reactivated" if active else "account.deactivated", user)
    return user
