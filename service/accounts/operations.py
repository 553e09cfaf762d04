"""Account operations: the only place that writes users, consents and tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, update

from service.accounts.models import AccountToken, ConsentRecord, Department, User
from service.accounts.roles import Role
from service.database import begin_write
from service.extensions import db
from service.timeutil import utcnow

CONFIRM_EMAIL = "confirm_email"
RESET_PASSWORD = "reset_password"
PRIVACY_PURPOSE = "public_services"


class AccountError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def find_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email.strip().lower()))


def register_applicant(data: dict, ip_address: str | None) -> User:
    """Create a citizen or organisation account with the consent it gave (Law 91/2025)."""
    begin_write()
    is_person = data["account_type"] == Role.CITIZEN
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
    db.session.commit()
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


def issue_token(user: User, purpose: str, hours: int) -> str:
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_hash(raw),
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    return raw


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


def _consume_token(raw: str, purpose: str) -> User | None:
    """Mark the token used, atomically: of two concurrent uses only one succeeds."""
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


def confirm_email(raw: str) -> User | None:
    begin_write()
    user = _consume_token(raw, CONFIRM_EMAIL)
    if user is not None and user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    db.session.commit()
    return user


def reset_password(raw: str, new_password: str) -> User | None:
    begin_write()
    user = _consume_token(raw, RESET_PASSWORD)
    if user is not None:
        user.set_password(new_password)
        user.failed_logins, user.locked_until = 0, None
        # Receiving the link by email proves the address too (officials set their first password so).
        user.email_confirmed_at = user.email_confirmed_at or utcnow()
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> tuple[User | None, str | None]:
    """Check a password, counting failures and locking the account for a while after too many."""
    config = current_app.config
    begin_write()
    user = find_by_email(email)
    now = utcnow()
    if user is not None and user.locked_until and user.locked_until > now:
        db.session.rollback()
        minutes = config["LOGIN_LOCK_MINUTES"]
        return None, f"Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau {minutes} phút."
    if user is None or not user.check_password(password):
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
                user.locked_until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
                user.failed_logins = 0
        db.session.commit()
        return None, "Email hoặc mật khẩu không đúng."
    if not user.is_active_account:
        db.session.rollback()
        return None, "Tài khoản đã bị khóa. Vui lòng liên hệ quản trị hệ thống."
    if user.email_confirmed_at is None:
        db.session.rollback()
        return None, "Bạn chưa xác nhận email. Vui lòng mở thư xác nhận hoặc yêu cầu gửi lại."
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    db.session.commit()
    return user, None


def update_profile(user: User, data: dict) -> None:
    begin_write()
    user = db.session.get(User, user.id)
    user.full_name = data["full_name"]
    user.phone = data["phone"]
    if user.role == Role.ORGANISATION:
        user.organisation_name = data["organisation_name"] or user.organisation_name
        user.tax_code = data["tax_code"] or user.tax_code
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    begin_write()
    user = db.session.get(User, user.id)
    if not user.check_password(current_password):
        db.session.rollback()
        raise AccountError("Mật khẩu hiện tại không đúng.", "current_password")
    user.set_password(new_password)
    db.session.commit()


def create_official(
    email: str, role: str, full_name: str, password: str | None = None, **details: str | None
) -> User:
    """Officials are created by an administrator, never by self-registration."""
    if role not in set(Role) or role in (Role.CITIZEN, Role.ORGANISATION):
        raise AccountError("Vai trò không hợp lệ cho tài khoản cán bộ.", "role")
    if role == Role.SCHOOL_ADMIN and not details.get("school_id"):
        raise AccountError("Tài khoản quản trị nhà trường phải thuộc một trường.", "role")
    if details.get("school_id") and role not in (Role.ACCOUNTANT, Role.SCHOOL_ADMIN):
        raise AccountError("Chỉ kế toán và quản trị nhà trường thuộc một cơ sở GDNN.", "role")
    email = email.strip().lower()
    begin_write()
    _ensure_unique(email, None)
    user = User(email=email, role=role, full_name=full_name, **{k: v for k, v in details.items() if v})
    user.set_password(password or secrets.token_urlsafe(24))
    if password:
        user.email_confirmed_at = utcnow()
    db.session.add(user)
    db.session.commit()
    return user


def find_department(code: str) -> Department | None:
    return db.session.scalar(db.select(Department).where(Department.code == code.strip().upper()))


def create_department(code: str, name: str) -> Department:
    begin_write()
    if find_department(code) is not None:
        db.session.rollback()
        raise AccountError("Mã phòng, đơn vị này đã tồn tại.", "code")
    department = Department(code=code.strip().upper(), name=name.strip())
    db.session.add(department)
    db.session.commit()
    return department


def update_official(
    user_id: int, role: str, department_id: int | None, position: str | None, school_id: int | None = None
) -> User:
    if role not in set(Role) or role in (Role.CITIZEN, Role.ORGANISATION):
        raise AccountError("Vai trò không hợp lệ cho tài khoản cán bộ.", "role")
    if role == Role.SCHOOL_ADMIN and not school_id:
        raise AccountError("Tài khoản quản trị nhà trường phải thuộc một trường.", "role")
    if school_id and role not in (Role.ACCOUNTANT, Role.SCHOOL_ADMIN):
        raise AccountError("Chỉ kế toán và quản trị nhà trường thuộc một cơ sở GDNN.", "role")
    begin_write()
    user = db.session.get(User, user_id)
    if user is None or user.is_applicant:
        db.session.rollback()
        raise AccountError("Không tìm thấy tài khoản cán bộ.", "role")
    user.role, user.department_id, user.position, user.school_id = (
        role,
        department_id,
        position or None,
        school_id,
    )
    db.session.commit()
    return user


def set_active(user_id: int, active: bool) -> User | None:
    begin_write()
    user = db.session.get(User, user_id)
    if user is not None:
        user.is_active_account = active
    db.session.commit()
    return user


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()
