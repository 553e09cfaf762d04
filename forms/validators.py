"""Validators for Vietnamese identifiers, with Vietnamese messages."""

from __future__ import annotations

import re

from wtforms import ValidationError
from wtforms.validators import DataRequired, Email, Length

from service.accounts.passwords import password_problem

PERSONAL_ID = re.compile(r"^\d{12}$")
PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$|^02\d{9}$")
TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")

REQUIRED_MESSAGE = "Vui lòng nhập thông tin này."


def required(message: str = REQUIRED_MESSAGE) -> DataRequired:
    return DataRequired(message=message)


def email_address():
    return Email(message="Địa chỉ email không hợp lệ.", check_deliverability=False)


def max_length(n: int) -> Length:
    return Length(max=n, message=f"Tối đa {n} ký tự.")


def normalise_phone(value: str | None) -> str | None:
    if not value:
        return value
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def is_valid_personal_id(value: str) -> bool:
    # 12 digits; the first three are the code of the province of birth registration (001-096).
    return bool(PERSONAL_ID.match(value)) and 1 <= int(value[:3]) <= 96


def personal_id(form, field) -> None:
    if field.data and not is_valid_personal_id(field.data):
        raise ValidationError("Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số và có mã tỉnh hợp lệ.")


def phone_number(form, field) -> None:
    if field.data and not PHONE.match(field.data):
        raise ValidationError("Số điện thoại không hợp lệ (ví dụ: 0912345678).")


def tax_code(form, field) -> None:
    if field.data and not TAX_CODE.match(field.data):
        raise ValidationError("Mã số thuế phải gồm 10 chữ số (hoặc 10 chữ số, dấu gạch và 3 chữ số).")


def plausible_date(form, field) -> None:
    """Dates of this system's life: refuses year 1 or 9999 before they reach date arithmetic."""
    if field.data and not 2000 <= field.data.year <= 2100:
        raise ValidationError("Ngày phải trong khoảng năm 2000 đến năm 2100.")


# Fields whose values a new password must not be made of, when the form has them.
PERSONAL_FIELDS = ("email", "full_name", "personal_id", "phone", "organisation_name", "tax_code")


def new_password(form, field) -> None:
    """The password policy (service/accounts/passwords.py: length, common and breached passwords, the
    person's own details typed on the same form); the operation checks again with the account's."""
    personal = [getattr(form, name).data for name in PERSONAL_FIELDS if hasattr(form, name)]
    problem = password_problem(field.data or "", personal)
    if problem:
        raise ValidationError(problem)
