"""One money type: integer VND, formatted with babel."""

from babel.numbers import format_currency


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
