"""Vietnamese identifiers, one definition each: phone numbers, personal identification numbers, tax
codes and email addresses (syntax by email-validator, which WTForms uses too). Forms (`forms/validators.py`), imports, the SMS outbox and the searches all
use these, so a number accepted in one place is accepted everywhere.

- Phone: mobile numbers are 10 digits starting 03, 05, 07, 08 or 09 (the 2018 renumbering); fixed
  lines 11 digits starting 02 (area codes since 2017). Typed with spaces, dots, dashes, brackets or
  the country code (+84 / 84), they are stored as the national form (0…).
- Personal identification number (số định danh cá nhân, printed on the CCCD): 12 digits whose first
  three are the province of birth registration (001–096; Circular 59/2021/TT-BCA).
- Tax code (mã số thuế): 10 digits, or 10 digits, a dash and 3 digits for a dependent unit
  (Circular 105/2020/TT-BTC; from 07/2025 persons use their personal identification number).
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

PHONE = re.compile(r"0(3|5|7|8|9)\d{8}|02\d{9}")
PERSONAL_ID = re.compile(r"\d{12}")
TAX_CODE = re.compile(r"\d{10}(-\d{3})?")
EMAIL_MAX_LENGTH = 254  # RFC 5321's path limit

PHONE_MESSAGE = "Số điện thoại không hợp lệ (ví dụ: 0912345678)."
PERSONAL_ID_MESSAGE = "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số và có mã tỉnh hợp lệ."
TAX_CODE_MESSAGE = "Mã số thuế phải gồm 10 chữ số (hoặc 10 chữ số, dấu gạch và 3 chữ số)."
EMAIL_MESSAGE = "Địa chỉ email không hợp lệ."


def normalise_phone(value: str | None) -> str | None:
    """The national form of what was typed (not yet checked: see `is_phone`); None stays None."""
    if not value:
        return value
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits


def is_phone(value: str | None) -> bool:
    return bool(value) and PHONE.fullmatch(value) is not None


def phone_or_none(value: str | None) -> str | None:
    """A valid phone number in its national form, or None."""
    phone = normalise_phone(value)
    return phone if is_phone(phone) else None


def is_personal_id(value: str | None) -> bool:
    return bool(value) and PERSONAL_ID.fullmatch(value) is not None and 1 <= int(value[:3]) <= 96


def is_tax_code(value: str | None) -> bool:
    return bool(value) and TAX_CODE.fullmatch(value) is not None


def is_email(value: str | None) -> bool:
    """The address's syntax (email-validator, as WTForms uses it; no DNS lookup: nothing here goes out
    to the network)."""
    if not value or len(value) > EMAIL_MAX_LENGTH:
        return False
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
