"""Text helpers for Vietnamese."""

import unicodedata


def without_diacritics(text: str) -> str:
    """ "Phí, lệ phí" -> "Phi, le phi" (đ -> d); case kept."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower-case without diacritics, so that "dang ky" finds "đăng ký"."""
    return " ".join(without_diacritics(text).lower().split())


def format_megabytes(size: int) -> str:
    """A byte count as Vietnamese megabytes: 10485760 -> "10 MB", 209715 -> "0,2 MB"."""
    from babel.numbers import format_decimal

    return f"{format_decimal(round(size / (1024 * 1024), 1), locale='vi_VN')} MB"
