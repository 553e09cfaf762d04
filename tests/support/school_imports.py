"""Shared test helpers: school_imports."""

from __future__ import annotations

import io

from service.extensions import db
from service.schools.models import Student

HEADER = "Mã sinh viên,Họ và tên,Ngày sinh,Số định danh,Mã lớp,Ngành/nghề,Trình độ,Điện thoại,Email"


def csv_file(*rows: str) -> bytes:
    return ("\ufeff" + "\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def upload(client, data: bytes, name: str = "ds.csv"):
    return client.submit(
        "/school/students/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def students_of(school) -> dict[str, Student]:
    db.session.expire_all()
    return {s.code: s for s in db.session.scalars(db.select(Student).where(Student.school_id == school.id))}
