"""Writes to the catalogue's settings (the catalogue itself is imported from data files)."""

from __future__ import annotations

from service import audit
from service.database import write
from service.extensions import db
from service.procedures.models import ProcedureSetting


def save_procedure_setting(
    procedure_id: int, department_id: int | None, specialist_id: int | None
) -> ProcedureSetting:
    with write():
        setting = db.session.get(ProcedureSetting, procedure_id)
        if setting is None:
            setting = ProcedureSetting(procedure_id=procedure_id)
            db.session.add(setting)
        setting.department_id, setting.default_specialist_id = department_id, specialist_id
        audit.record(
            "config.procedure_setting",
            object_type="procedures",
            object_id=procedure_id,
            details={"department_id": department_id, "specialist_id": specialist_id},
        )
    return setting
