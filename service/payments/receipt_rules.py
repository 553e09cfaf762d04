"""The rules a receipt's symbols follow, as data with their legal basis and the day they took effect.

A receipt is drawn under the scheme in force on the day it is issued; a receipt issued earlier keeps what
it printed (its PDF and data are immutable), so the scheme of Decree 123/2020 stays here as history.
Decree 254/2026/NĐ-CP and Circular 91/2026/TT-BTC (from 01/07/2026; LAW-2026 §1): form symbol `EBL` and
two digits (`EBL01` a fee or charge receipt without face value, `EBL02` the other kind); series symbol of
five characters, the year's two digits, `T`, and two letters the collector chose (e.g. `26TAA`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# The letters a collector may choose for its series (Circular 91/2026, Appendix II §2).
SERIES_ALPHABET = "ABCDEGHKLMNPQRSTUVXY"
FORM_SYMBOL = re.compile(r"^EBL\d{2}$")
SERIES_LETTERS = re.compile(rf"^[{SERIES_ALPHABET}]{{2}}$")


@dataclass(frozen=True)
class ReceiptScheme:
    effective_from: date
    legal_basis: str
    # The symbols of a collector's receipt issued on a day, from its configured form symbol and letters.
    series_format: str  # str.format with yy (two digits of the year) and letters
    legacy_form_symbol: str | None = None  # a scheme whose form symbol was fixed, not the collector's

    def form_symbol(self, configured: str) -> str:
        return self.legacy_form_symbol or configured

    def series(self, day: date, letters: str) -> str:
        return self.series_format.format(yy=f"{day:%y}", letters=letters)


SCHEMES = (
    ReceiptScheme(
        date(2020, 10, 19),
        "Nghị định 123/2020/NĐ-CP; Thông tư 78/2021/TT-BTC (thay bằng Thông tư 32/2025/TT-BTC)",
        "AG-{yy}E",
        legacy_form_symbol="01BLP0-001",
    ),
    ReceiptScheme(
        date(2026, 7, 1),
        "Nghị định 254/2026/NĐ-CP, Điều 23; Thông tư 91/2026/TT-BTC, Phụ lục II mục 2",
        "{yy}T{letters}",
    ),
)


def scheme_on(day: date) -> ReceiptScheme:
    """The scheme in force on `day` (the latest that had taken effect)."""
    return max((s for s in SCHEMES if s.effective_from <= day), key=lambda s: s.effective_from)


def symbol_problem(form_symbol: str, letters: str) -> str | None:
    """Why a collector's symbols cannot be printed under the current scheme (Vietnamese), or None."""
    if not FORM_SYMBOL.match(form_symbol or ""):
        return f"Ký hiệu mẫu số biên lai {form_symbol!r} không đúng dạng EBL và hai chữ số (ví dụ EBL01)."
    if not SERIES_LETTERS.match(letters or ""):
        return (
            f"Hai chữ cái của ký hiệu biên lai {letters!r} phải chọn trong {' '.join(SERIES_ALPHABET)} "
            "(ví dụ AA, ký hiệu 26TAA)."
        )
    return None
