"""The small writes behind the school's pages and the payment link: classes, terms and fee items (each
code unique within the school, the database's constraint the judge), and the payment link's check of
the student's date of birth. Imports, fees and invoicing have their own modules."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from service.database import for_update, insert_once, write
from service.extensions import db
from service.schools.imports import parse_date
from service.schools.models import FeeItem, Invoice, SchoolClass, Term
from service.timeutil import utcnow


def add_class(school_id: int, code: str, name: str, programme: str, level: str) -> bool:
    """False if the school has a class of this code already."""
    with write():
        return insert_once(
            SchoolClass(school_id=school_id, code=code, name=name, programme=programme, level=level)
        )


def add_term(school_id: int, code: str, name: str, starts_on: date, ends_on: date) -> bool:
    """False if the school has a term of this code already."""
    with write():
        return insert_once(
            Term(school_id=school_id, code=code, name=name, starts_on=starts_on, ends_on=ends_on)
        )


def add_fee_item(school_id: int, code: str, name: str, kind: str) -> bool:
    """False if the school has a fee item of this code already."""
    with write():
        return insert_once(FeeItem(school_id=school_id, code=code, name=name, kind=kind))


def check_birth_date(invoice_id: int, typed: str) -> str | None:
    """The payment link's question: None when the date matches; otherwise the payer's message, and
    one more failure counted (a few in a row rest the link for a while, against guessing)."""
    config = current_app.config
    with write():
        record = db.session.scalar(for_update(db.select(Invoice).where(Invoice.id == invoice_id)))
        now = utcnow()
        if record.dob_locked_until and record.dob_locked_until > now:
            return "Liên kết tạm khóa do nhập sai ngày sinh nhiều lần; vui lòng thử lại sau hoặc liên hệ phòng kế toán nhà trường."
        day = parse_date(typed.strip()[:10]) if typed else None
        if day is not None and day == record.student.date_of_birth:
            record.dob_failures, record.dob_locked_until = 0, None
            return None
        record.dob_failures += 1
        left = config["PAYMENT_LINK_MAX_DOB_FAILURES"] - record.dob_failures
        if left <= 0:
            record.dob_failures = 0
            record.dob_locked_until = now + timedelta(minutes=config["PAYMENT_LINK_LOCK_MINUTES"])
            return "Nhập sai ngày sinh quá số lần cho phép; liên kết tạm khóa, vui lòng thử lại sau."
    if day is None:
        return f"Vui lòng nhập ngày sinh theo dạng ngày/tháng/năm. Còn {left} lần thử."
    return f"Ngày sinh không khớp với hồ sơ người học. Còn {left} lần thử."
