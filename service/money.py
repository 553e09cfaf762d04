"""One money type: integer VND, formatted with babel."""

from babel.numbers import format_currency


def format_vnd(amount: int | None) -> str:
    if amount is None:
        return ""
    if amount == 0:
        return "Miễn phí"
    return format_currency(int(amount), "VND", locale="vi_VN")
