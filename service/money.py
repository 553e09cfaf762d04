"""One money type: integer VND, formatted with babel, and read from what people type."""

import re

from babel.numbers import format_currency

MAX_AMOUNT_DIGITS = 15  # a thousand trillion đồng: above any fee or credit, well inside a BIGINT


def format_vnd(amount: int | None) -> str:
    if amount is None:
        return ""
    if amount == 0:
        return "Miễn phí"
    return format_currency(int(amount), "VND", locale="vi_VN")


def format_money(amount: int | None) -> str:
    """An amount of money, zero included ("0 ₫"); `format_vnd` is for fees, where 0 reads "Miễn phí"."""
    if amount is None:
        return ""
    return format_currency(int(amount), "VND", locale="vi_VN")


def format_percent(ratio: float) -> str:
    """0.4166 -> "41,7%" (Vietnamese decimal comma)."""
    from babel.numbers import format_decimal

    return format_decimal(round(ratio * 100, 1), format="#,##0.#", locale="vi_VN") + "%"


def format_number(value: float) -> str:
    """12.5 -> "12,5", 12.0 -> "12", 3.456 -> "3,46" (Vietnamese decimal comma, at most two decimals)."""
    from babel.numbers import format_decimal

    return format_decimal(round(value, 2), format="#,##0.##", locale="vi_VN")


def parse_amount(text: str | None) -> int | None:
    """A positive amount in đồng as officials and payers type it: 500000, 500.000 or 500 000; None
    otherwise. ASCII digits only: str.isdigit() and int() also take "٥٠٠٠٠٠" (Arabic-Indic), "５００"
    (fullwidth) and "²", which nobody types as an amount (and "²" made int() fail)."""
    cleaned = re.sub(r"[.\s]", "", (text or "").strip())
    if not re.fullmatch(rf"[0-9]{{1,{MAX_AMOUNT_DIGITS}}}", cleaned):
        return None
    value = int(cleaned)
    return value if value > 0 else None


def bounded_amount(value) -> int | None:
    """An amount a machine sent (a bank feed's JSON): a positive integer of at most MAX_AMOUNT_DIGITS
    digits, else None (a wider one would fail as it is stored)."""
    try:
        amount = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return amount if 0 < amount < 10**MAX_AMOUNT_DIGITS else None
