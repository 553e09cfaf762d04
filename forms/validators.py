"""Validators for Vietnamese identifiers, with Vietnamese messages."""

from __future__ import annotations

from wtforms import ValidationError
from wtforms.validators import DataRequired, Length

from service import identifiers
from service.identifiers import normalise_phone  # noqa: F401  the forms' filter (one definition)

REQUIRED_MESSAGE = "Vui lòng nhập thông tin này."


def required(message: str = REQUIRED_MESSAGE) -> DataRequired:
    return DataRequired(message=message)


def email_address():
    def check(form, field) -> None:
        if not identifiers.is_email(field.data):  # empty is refused too, as WTForms' Email did
            raise ValidationError(identifiers.EMAIL_MESSAGE)

    return check


def max_length(n: int) -> Length:
    return Length(max=n, message=f"Tối đa {n} ký tự.")


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def personal_id(form, field) -> None:
    if field.data and not identifiers.is_personal_id(field.data):
        raise ValidationError(identifiers.PERSONAL_ID_MESSAGE)


def phone_number(form, field) -> None:
    if field.data and not identifiers.is_phone(field.data):
        raise ValidationError(identifiers.PHONE_MESSAGE)


def tax_code(form, field) -> None:
    if field.data and not identifiers.is_tax_code(field.data):
        raise ValidationError(identifiers.TAX_CODE_MESSAGE)


def plausible_date(form, field) -> None:
    """Dates of this system's life: refuses year 1 or 9999 before they reach date arithmetic."""
    if field.data and not 2000 <= field.data.year <= 2100:
        raise ValidationError("Ngày phải trong khoảng năm 2000 đến năm 2100.")
