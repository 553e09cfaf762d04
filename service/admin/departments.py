"""Retiring a department: it must be empty of officials, dossiers and procedures, which only the
administration, above every feature, can see at once."""

from __future__ import annotations

from service import audit
from service.accounts.models import Department, User
from service.accounts.operations import AccountError
from service.database import write
from service.dossiers.models import Dossier
from service.extensions import db
from service.procedures.models import ProcedureSetting


def retire_department(department_id: int) -> Department:
    """Only a department nobody belongs to and no dossier was routed to is removed; otherwise its
    officials and dossiers would lose their unit."""
    with write():
        department = db.session.get(Department, department_id)
        if department is None:
            raise AccountError("Không tìm thấy phòng, đơn vị.", "name")
        users = db.session.scalar(db.select(db.func.count()).where(User.department_id == department_id))
        dossiers = db.session.scalar(db.select(db.func.count()).where(Dossier.department_id == department_id))
        settings = db.session.scalar(
            db.select(db.func.count()).where(ProcedureSetting.department_id == department_id)
        )
        if users or dossiers or settings:
            raise AccountError(
                f"Không thể xóa “{department.name}”: còn {users} cán bộ, {dossiers} hồ sơ và {settings} thủ tục "
                "thuộc phòng này. Hãy chuyển cán bộ và thủ tục sang phòng khác trước; phòng đã có hồ sơ được giữ "
                "lại để thống kê.",
                "name",
            )
        audit.record(
            "config.department_removed",
            department,
            details={"code": department.code, "name": department.name},
        )
        db.session.delete(department)
    return department
