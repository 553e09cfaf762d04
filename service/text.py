"""Text helpers for Vietnamese."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case without diacritics, so that "dang ky" finds "đăng ký"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
