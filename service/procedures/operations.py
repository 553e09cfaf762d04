"""Writes to the catalogue's settings (the catalogue itself is imported from data files)."""

from __future__ import annotations

from service.database import begin_write
from service.extensions import db
from service.procedures.models import ProcedureSetting


def save_procedure_setting(
    procedure_id: int, department_id: int | None, specialist_id: int | None
) -> ProcedureSetting:
    begin_write()
    setting = db.session.get(ProcedureSetting, procedure_id) or ProcedureSetting(procedure_id=procedure_id)
    setting.department_id, setting.default_specialist_id = department_id, specialist_id
    db.session.add(setting)
    db.session.commit()
    return setting
