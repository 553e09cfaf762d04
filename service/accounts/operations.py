"""Account operations: the only place that writes users, consents and tokens."""

from __future__ import annotations

import secrets
from functools import cache

from flask import current_app, url_for
from sqlalchemy.exc import IntegrityError

from service import audit
from service.accounts import emails, identity, passwords, register_throttle, throttle
from service.accounts.emails import send_account_link
from service.accounts.models import ConsentRecord, Department, User, hash_password, password_matches
from service.accounts.roles import Role
from service.accounts.tokens import CONFIRM_EMAIL, RESET_PASSWORD, consume_token, expire_tokens
from service.agencies import operations as agency_operations
from service.database import write
from service.extensions import db
from service.notifications.email import queue_email
from service.timeutil import utcnow

PRIVACY_PURPOSE = "public_services"


class AccountError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


class TooManyRegistrations(Exception):
    """The client address, or the email typed, has used up its registrations for now (answered 429)."""

    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes
        self.message = (
            "Có quá nhiều lượt đăng ký tài khoản từ địa chỉ mạng này hoặc cho địa chỉ email này. "
            f"Vui lòng thử lại sau {minutes} phút."
        )


def find_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email.strip().lower()))


def register(data: dict, ip_address: str | None) -> None:
    """Self-registration, answered alike whether or not the email has an account (no enumeration): a
    new account and its confirmation email commit together, or neither does; an email that has an
    account gets a warning instead, after a password hash as slow as the new account's. Throttled per
    client address and per email (TooManyRegistrations). Needs a request context (emails carry links)."""
    minutes = register_throttle.take(data["email"], ip_address or "")
    if minutes:
        raise TooManyRegistrations(minutes)
    try:
        with write():
            existing = find_by_email(data["email"])
            if existing is not None:
                _warn_existing_account(existing, data["email"], data["password"])
                return
            user = register_applicant(data, ip_address)
            send_account_link(user, "confirm_email")
    except IntegrityError:
        # Two registrations of one new email at the same moment (PostgreSQL, where both read "no
        # account" before either wrote): the other one won, so this one is a registration of an
        # existing email, answered the same way.
        with write():
            existing = find_by_email(data["email"])
            if existing is None:
                raise
            _warn_existing_account(existing, data["email"], data["password"])


def _warn_existing_account(user: User, email: str, password: str) -> None:
    hash_password(password)  # the time a new account's hash takes: the answer must not come sooner
    base = current_app.config["APP_BASE_URL"]
    queue_email(
        user.email,
        "register_existing",
        user=user,
        login_link=base + url_for("accounts.login"),
        reset_link=base + url_for("accounts.forgot_password"),
    )
    audit.record("account.register_existing", user, actor=None, actor_label=email)


def register_applicant(data: dict, ip_address: str | None) -> User:
    """Create a citizen or organisation account with the consent it gave (Law 91/2025). A citizen's
    identity number is only claimed here: it is attached when the email is confirmed (identity.py)."""
    is_person = data["account_type"] == Role.CITIZEN
    with write():
        _ensure_new_email(data["email"])
        user = User(
            email=data["email"],
            role=Role.CITIZEN if is_person else Role.ORGANISATION,
            full_name=data["full_name"],
            personal_id_claim=(data.get("personal_id") or None) if is_person else None,
            organisation_name=None if is_person else data["organisation_name"],
            tax_code=None if is_person else data["tax_code"],
            phone=data["phone"],
        )
        _set_new_password(user, data["password"])
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


def _ensure_new_email(email: str) -> None:
    if find_by_email(email) is not None:
        raise AccountError("Email này đã được dùng cho một tài khoản khác.", "email")


def _set_new_password(user: User, password: str) -> None:
    """Every password chosen by a person passes the policy (service/accounts/passwords.py)."""
    problem = passwords.password_problem(password, user.personal_details())
    if problem:
        raise AccountError(problem, "password")
    user.set_password(password)


def _confirm_address(user: User) -> None:
    """The email is proven (a confirmation or a reset link): the account may now hold its identity number."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        identity.settle_claim(user)


def mark_email_confirmed(user_id: int) -> User:
    """An address confirmed otherwise than by a link: the demo's accounts (and the tests')."""
    with write():
        user = db.session.get(User, user_id)
        _confirm_address(user)
    return user


def confirm_email(raw: str) -> User | None:
    with write():
        user = consume_token(raw, CONFIRM_EMAIL)
        if user is not None:
            _confirm_address(user)
    return user


def reset_password(raw: str, new_password: str) -> User | None:
    with write():
        user = consume_token(raw, RESET_PASSWORD)
        if user is not None:
            _replace_password(user, new_password)
            # Receiving the link by email proves the address too (officials set their first password so).
            _confirm_address(user)
            audit.record("account.password_reset", user, actor=user)
            emails.tell_owner(
                user,
                "Mật khẩu đã được đặt lại",
                "Mật khẩu được đặt lại qua liên kết gửi tới email này; mọi phiên đăng nhập trước đó đã kết thúc.",
            )
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
    _set_new_password(user, new_password)
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
        emails.tell_owner(user, "Mật khẩu đã được đổi", "Mọi phiên đăng nhập khác của tài khoản đã kết thúc.")
    return user


def create_official(
    email: str, role: str, full_name: str, password: str | None = None, **details: str | None
) -> User:
    """Officials are created by an administrator, never by self-registration."""
    _check_official_role(role, details.get("school_id"))
    email = email.strip().lower()
    agency_choice = details.pop("agency", None)
    with write():
        _ensure_new_email(email)
        user = User(email=email, role=role, full_name=full_name, **{k: v for k, v in details.items() if v})
        user.agency_id = _agency_id(agency_choice)
        if password:
            _set_new_password(user, password)
            user.email_confirmed_at = utcnow()
        else:
            user.set_password(secrets.token_urlsafe(24))  # unusable: the official sets one from the link
        db.session.add(user)
        audit.record(
            "account.created",
            user,
            details={"email": email, "role": role, "school_id": details.get("school_id")},
        )
    return user


def invite_official(email: str, role: str, full_name: str, **details: str | None) -> User:
    """An official created without a password gets a link to set one: the account and that email
    commit together. Needs a request context (the email carries a link)."""
    with write():
        user = create_official(email, role, full_name, None, **details)
        db.session.flush()
        send_account_link(user, "official_welcome")
    return user


def create_official_with_link(
    email: str, role: str, full_name: str, **details: str | None
) -> tuple[User, str]:
    """For the operator at the server (the first administrator, before mail works): the account and a
    single-use link to set its password, returned to be shown on the terminal, never emailed."""
    from flask import url_for

    from service.accounts.emails import OFFICIAL_WELCOME_HOURS
    from service.accounts.tokens import issue_token

    with write():
        user = create_official(email, role, full_name, None, **details)
        db.session.flush()
        raw = issue_token(user, RESET_PASSWORD, OFFICIAL_WELCOME_HOURS)
        link = current_app.config["APP_BASE_URL"] + url_for("accounts.reset_password", token=raw)
    return user, link


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
        name = _unique_department_name(name)
        department = Department(code=code.strip().upper(), name=name)
        db.session.add(department)
        audit.record("config.department_created", department, details={"code": department.code})
    return department


def rename_department(department_id: int, name: str) -> Department:
    with write():
        department = db.session.get(Department, department_id)
        if department is None:
            raise AccountError("Không tìm thấy phòng, đơn vị.", "name")
        new_name = _unique_department_name(name, department_id)
        audit.record(
            "config.department_renamed",
            department,
            details={"previous_name": department.name, "name": new_name},
        )
        department.name = new_name
    return department


def _unique_department_name(name: str, department_id: int | None = None) -> str:
    """Two departments of one name would be told apart by nobody in a list or a document."""
    cleaned = " ".join(name.split())
    taken = db.session.execute(db.select(Department.id, Department.name)).all()  # a handful of rows
    if any(other_id != department_id and other.casefold() == cleaned.casefold() for other_id, other in taken):
        raise AccountError(f"Đã có phòng, đơn vị tên “{cleaned}”.", "name")
    return cleaned


def _agency_id(choice: str | None) -> int | None:
    """The agency a form's select names (None when not chosen: the provincial centre), in the caller's
    write: a commune's centre is created the first time an official is placed in it."""
    if choice is None:
        return None
    try:
        return agency_operations.ensure_choice(choice).id
    except agency_operations.AgencyError as error:
        raise AccountError(error.message, "agency") from error


def update_official(
    user_id: int,
    role: str,
    department_id: int | None,
    position: str | None,
    school_id: int | None = None,
    agency: str | None = None,
) -> User:
    _check_official_role(role, school_id)
    with write():
        user = db.session.get(User, user_id)
        if user is None or user.is_applicant:
            raise AccountError("Không tìm thấy tài khoản cán bộ.", "role")
        audit.record(
            "account.role_changed" if role != user.role else "account.updated",
            user,
            details={
                "from_role": user.role,
                "role": role,
                "department_id": department_id,
                "position": position,
                "school_id": school_id,
                "agency": agency,
            },
        )
        user.role, user.department_id, user.position = role, department_id, position or None
        user.school_id = school_id
        if agency is not None:
            user.agency_id = _agency_id(agency)
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
