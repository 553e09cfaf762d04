"""Officials sign in with a second factor (TOTP, RFC 6238): enrolment at the first login, a code from
the app (or a single-use recovery code) at every login after the password, recovery codes made again,
and an administrator's reset. The only writer of second_factors and recovery_codes.

Every staff role has it; citizens and organisations do not (`required`). Codes are counted per account
(throttle.py) and every refusal is audited; a code is accepted once (its time step is kept), and a
factor made from the demo's published secret is refused in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from flask import current_app
from sqlalchemy import delete, func, or_, update

from service import audit
from service.accounts import emails, operations, throttle, totp
from service.accounts.models import RecoveryCode, SecondFactor, User
from service.database import for_update, write
from service.extensions import db
from service.timeutil import utcnow

APP, RECOVERY = "totp", "recovery_code"  # how the second factor was given (audit details)
WRONG = "Mã xác thực không đúng. Vui lòng nhập mã 6 số đang hiện trên ứng dụng xác thực."
WRONG_OR_RECOVERY = (
    "Mã xác thực không đúng. Vui lòng nhập mã 6 số đang hiện trên ứng dụng xác thực, hoặc một mã khôi phục "
    "chưa dùng."
)
REPLAYED = "Mã này vừa được dùng. Vui lòng đợi mã tiếp theo hiện trên ứng dụng xác thực rồi nhập lại."
UNREADABLE = (
    "Không đọc được khóa xác thực của tài khoản (khóa bí mật của máy chủ đã thay đổi). Vui lòng dùng "
    "mã khôi phục, hoặc liên hệ quản trị hệ thống để đặt lại xác thực hai bước."
)
PUBLISHED = (
    "Tài khoản dùng khóa xác thực mẫu của bản demo, không được chấp nhận trên hệ thống thật. "
    "Vui lòng liên hệ quản trị hệ thống để đặt lại xác thực hai bước."
)
THROTTLED = "Nhập sai mã xác thực quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
OWN_RESET = (
    "Nhập mã 6 số hiện tại trên ứng dụng xác thực của bạn để đặt lại xác thực hai bước của chính mình."
)


class TwoFactorError(ValueError):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Passed:
    """A completed login: the user, and how many recovery codes remain when one was used."""

    user: User
    recovery_codes_left: int | None = None


@dataclass(frozen=True)
class Status:
    confirmed_at: datetime
    recovery_codes_left: int


def required(user: User) -> bool:
    """Every role that is not a citizen's or an organisation's (roles.py)."""
    return user.is_official


def status(user_id: int) -> Status | None:
    """The official's confirmed factor, or None (not enrolled yet)."""
    factor = db.session.get(SecondFactor, user_id)
    if factor is None or factor.confirmed_at is None:
        return None
    return Status(factor.confirmed_at, recovery_codes_left(user_id))


def has_factor(user_id: int) -> bool:
    return status(user_id) is not None


def recovery_codes_left(user_id: int) -> int:
    unused = db.select(func.count()).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    return db.session.scalar(unused)


def enrolled_user_ids() -> set[int]:
    return set(
        db.session.scalars(db.select(SecondFactor.user_id).where(SecondFactor.confirmed_at.is_not(None)))
    )


def demo_code(user_id: int) -> str | None:
    """In development, for an account with the demo's published secret: a code its next login accepts
    (shown on the demo's second step). None anywhere else."""
    factor = db.session.get(SecondFactor, user_id)
    if factor is None or current_app.config["ENV_NAME"] != "development":
        return None
    secret = totp.decrypt(factor.secret_encrypted)
    if secret is None or not totp.is_published(secret):
        return None
    return totp.code_at(secret, max(totp.current_step(), (factor.last_used_step or 0) + 1))


# ---------------------------------------------------------------- enrolment


def enrolment_secret(user_id: int) -> str:
    """The secret the official is enrolling: made at the first ask and the same until confirmed (the
    app may have scanned it already); a new one if no configured key reads it any more."""
    with write():
        _locked_user(user_id)
        factor = db.session.get(SecondFactor, user_id)
        if factor is not None and factor.confirmed_at is not None:
            raise TwoFactorError("Tài khoản đã đăng ký xác thực hai bước.")
        secret = totp.decrypt(factor.secret_encrypted) if factor is not None else None
        if secret is None:
            secret = totp.new_secret()
            factor = factor or SecondFactor(user_id=user_id)
            factor.secret_encrypted = totp.encrypt(secret)
            db.session.add(factor)
    return secret


def confirm_enrolment(user_id: int, code: str) -> tuple[User, list[str]]:
    """The official typed back a code of the secret shown: the factor is confirmed, ten recovery codes
    are made (returned this once; only their hashes are kept) and the login is complete."""
    _take_attempt(user_id)
    with write():
        user = _locked_user(user_id)
        factor = db.session.get(SecondFactor, user_id)
        pending = factor is not None and factor.confirmed_at is None
        secret = totp.decrypt(factor.secret_encrypted) if pending else None
        step = totp.matching_step(secret, code) if secret else None
        if step is not None:
            factor.confirmed_at, factor.last_used_step = utcnow(), step
            codes = _new_recovery_codes(user_id)
            audit.record("account.second_factor_enrolled", user, actor=user)
            operations.signed_in(user, {"second_factor": "enrolled"})
    if step is None:
        _refuse(user_id, WRONG)
    throttle.forget_code_attempts(user_id)
    return user, codes


def enrol(user_id: int, secret: str) -> list[str]:
    """Give the account a confirmed factor with this secret at once, for the demo's accounts (its
    published secret, development only) and the tests' (a secret they know). Returns recovery codes."""
    if totp.is_published(secret) and current_app.config["ENV_NAME"] == "production":
        raise TwoFactorError(PUBLISHED)
    with write():
        user = _locked_user(user_id)
        factor = db.session.get(SecondFactor, user_id) or SecondFactor(user_id=user_id)
        factor.secret_encrypted = totp.encrypt(secret)
        factor.confirmed_at, factor.last_used_step = utcnow(), None
        db.session.add(factor)
        codes = _new_recovery_codes(user_id)
        audit.record("account.second_factor_enrolled", user)
    return codes


# ---------------------------------------------------------------- every login


def pass_second_step(user_id: int, code: str) -> Passed:
    """After the password: a code from the app, or a recovery code (used up). The login is complete."""
    _take_attempt(user_id)
    with write():
        user = _locked_user(user_id)
        problem, method = _check(user, code, recovery=True)
        left = recovery_codes_left(user_id) if method == RECOVERY and problem is None else None
        if problem is None:
            if left is not None:
                audit.record("login.recovery_code_used", user, actor=user, details={"remaining": left})
                emails.tell_owner(
                    user, "Đã đăng nhập bằng mã khôi phục", f"Còn {left} mã khôi phục chưa dùng."
                )
            operations.signed_in(user, {"second_factor": method})
    if problem is not None:
        _refuse(user_id, problem)
    throttle.forget_code_attempts(user_id)
    return Passed(user, left)


def regenerate_recovery_codes(user_id: int, code: str) -> list[str]:
    """New recovery codes for a signed-in official who gives a current code: the old ones stop working."""
    _take_attempt(user_id)
    with write():
        user = _locked_user(user_id)
        problem, _method = _check(user, code, recovery=False)
        if problem is None:
            codes = _new_recovery_codes(user_id)
            audit.record("account.recovery_codes_regenerated", user, actor=user)
    if problem is not None:
        _refuse(user_id, problem)
    throttle.forget_code_attempts(user_id)
    return codes


def reset(user_id: int, admin: User | None, code: str | None = None) -> User:
    """An administrator clears an official's second factor (a lost phone): the official enrols again at
    the next login, and every session of the account ends now. His own only with a current code.
    `admin` None: the server's command (`flask users reset-second-factor`), for the last administrator."""
    own = admin is not None and user_id == admin.id
    if own:
        _take_attempt(user_id)
    with write():
        user = _locked_user(user_id)
        if user is None or not required(user):
            raise TwoFactorError("Không tìm thấy tài khoản cán bộ.", 404)
        problem = (_check(user, code, recovery=False)[0] if code else OWN_RESET) if own else None
        if problem is None:
            db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
            db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))
            operations.revoke_sessions(user)
            audit.record(
                "account.second_factor_reset",
                user,
                actor=admin,
                details={"email": user.email},
                actor_label=None if admin else "flask users reset-second-factor",
            )
            emails.tell_owner(
                user,
                "Bước xác thực thứ hai đã được đặt lại",
                "Ở lần đăng nhập sau, bạn sẽ đăng ký lại ứng dụng xác thực; mọi phiên đăng nhập đã kết thúc.",
            )
    if problem is not None:
        _refuse(user_id, problem)
    return user


# ---------------------------------------------------------------- checking a code


def _check(user: User, code: str, recovery: bool) -> tuple[str | None, str]:
    """Inside the caller's write: accept `code`, marking it used, or say why not; and which kind it was."""
    if not totp.looks_like_code(code):
        if recovery and _use_recovery_code(user.id, code):
            return None, RECOVERY
        return (WRONG_OR_RECOVERY if recovery else WRONG), RECOVERY
    factor = db.session.get(SecondFactor, user.id)
    secret = totp.decrypt(factor.secret_encrypted) if factor is not None and factor.confirmed_at else None
    if secret is None:
        return (UNREADABLE if factor is not None else WRONG), APP
    if totp.is_published(secret) and current_app.config["ENV_NAME"] == "production":
        return PUBLISHED, APP
    step = totp.matching_step(secret, code)
    if step is None:
        return (WRONG_OR_RECOVERY if recovery else WRONG), APP
    if not _claim_step(user.id, step):
        return REPLAYED, APP
    rotated = totp.reencrypted(factor.secret_encrypted)  # kept under a fallback key: now the current one
    if rotated is not None:
        factor.secret_encrypted = rotated
    return None, APP


def _claim_step(user_id: int, step: int) -> bool:
    """Keep the step as the last one used, if it is later than it: of two logins with one code (a code
    seen over a shoulder, a form posted twice) only the first passes."""
    result = db.session.execute(
        update(SecondFactor)
        .where(
            SecondFactor.user_id == user_id,
            or_(SecondFactor.last_used_step.is_(None), SecondFactor.last_used_step < step),
        )
        .values(last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _use_recovery_code(user_id: int, code: str) -> bool:
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == totp.recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _new_recovery_codes(user_id: int) -> list[str]:
    """Replace the account's recovery codes (in the caller's write transaction)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = totp.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=totp.recovery_hash(code)) for code in codes)
    return codes


def _take_attempt(user_id: int) -> None:
    if not throttle.take_code_attempt(user_id):
        _refuse(user_id, THROTTLED.format(minutes=throttle.minutes_to_wait_for_code(user_id)), 429)


def _refuse(user_id: int, problem: str, status: int = 400) -> NoReturn:
    """A refused code is audited (with the account's email: the person is not known) and raised."""
    with write():
        user = db.session.get(User, user_id)
        audit.record(
            "login.second_factor_failure",
            user,
            actor=None,
            actor_label=user.email,
            details={"reason": problem},
        )
        if problem == REPLAYED:  # someone else may have seen the code and the password
            emails.tell_owner(
                user,
                "Một mã xác thực đã dùng vừa được nhập lại",
                "Mã đã bị từ chối. Ai đó có thể đã biết mật khẩu và nhìn thấy mã của bạn.",
            )
    raise TwoFactorError(problem, status)


def _locked_user(user_id: int) -> User | None:
    """The account, its row locked (PostgreSQL) so that its factor changes one request at a time."""
    statement = for_update(db.select(User).where(User.id == user_id)).execution_options(
        populate_existing=True
    )
    return db.session.scalar(statement)
