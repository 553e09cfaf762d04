"""Administrators' writes that belong to no feature of their own: registering the schools (tenants).

The school's own data (classes, students, fees) is written by service.schools; an administrator only
declares that the institution exists, with the account it is paid into.
"""

from __future__ import annotations

from service import audit
from service.database import insert_once, write
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
