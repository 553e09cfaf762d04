"""Administrators' writes that belong to no feature of their own: registering the schools (tenants),
locking an official whose unfinished dossiers pass to a colleague.

The school's own data (classes, students, fees) is written by service.schools; an administrator only
declares that the institution exists, with the account it is paid into.
"""

from __future__ import annotations

from service import audit
from service.accounts.models import User
from service.accounts.operations import revoke_sessions
from service.database import for_update, insert_once, write
from service.dossiers import processing
from service.extensions import db
from service.schools.models import School


class AdminError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def register_school(code: str, name: str, kind: str, **details) -> School:
    """A school with this code, or AdminError if the code is taken (checked by the unique constraint,
    so two administrators registering one code at once get one school)."""
    school = School(code=code, name=name, kind=kind, **details)
    with write():
        if not insert_once(school):
            raise AdminError(f"Đã có cơ sở mang mã {code}.")
        audit.record("config.school_registered", school, details={"code": code, "name": name})
    return school


class HandOverNeeded(AdminError):
    """The official still holds unfinished dossiers and no valid colleague was chosen to take them."""


def deactivate_official(user_id: int, successor_id: int | None, actor: User) -> User | None:
    """Lock the account, ending its sessions. Unfinished dossiers assigned to it pass, in the same
    transaction, to `successor_id`: an active official of the same role (each dossier's history says
    so, the successor is emailed); without one, nothing changes (HandOverNeeded). None: no such user."""
    with write():
        # Both accounts first, in id order, then the dossiers: the order processing.act takes them in.
        ids = {user_id, *((successor_id,) if successor_id else ())}
        accounts = {
            u.id: u
            for u in db.session.scalars(for_update(db.select(User).where(User.id.in_(ids)).order_by(User.id)))
        }
        user = accounts.get(user_id)
        if user is None:
            return None
        successor = _successor(user, accounts.get(successor_id) if successor_id else None, successor_id)
        held = processing.hand_over(user, successor, actor) if successor is not None else []
        if successor is None and processing.holds_dossiers(user):
            raise HandOverNeeded(
                "Cán bộ này còn hồ sơ chưa giải quyết xong. Vui lòng chọn cán bộ cùng vai trò đang hoạt động "
                "để nhận bàn giao trước khi khóa tài khoản."
            )
        user.is_active_account = False
        revoke_sessions(user)
        audit.record(
            "account.deactivated",
            user,
            details={"handed_over_to": successor.id if held else None, "dossiers": [d.code for d in held]},
        )
    return user


def _successor(user: User, successor: User | None, successor_id: int | None) -> User | None:
    if not successor_id:
        return None
    if (
        successor is None
        or successor.id == user.id
        or successor.role != user.role
        or not successor.is_active_account
        or successor.school_id is not None
    ):
        raise HandOverNeeded("Chỉ bàn giao cho một cán bộ khác cùng vai trò, đang hoạt động.")
    return successor
