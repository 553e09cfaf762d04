"""Legal bases ("Căn cứ ...") written as Decree 30/2020/NĐ-CP, Appendix I §II.6.a wants them.

The catalogue lists a procedure's legal bases as the national database publishes them ("Luật Giáo dục
nghề nghiệp số 124/2025/QH15 ngày 10/12/2025 của Quốc hội"). In a decision a Law is cited by its name
and date only, without number, symbol or issuing body ("Căn cứ Luật Giáo dục nghề nghiệp ngày 10
tháng 12 năm 2025;"); other texts keep their number and issuer; dates are written out in words with a
leading zero for days below 10 and for months 1 and 2.
"""

from __future__ import annotations

import re
from datetime import date

_SHORT_DATE = re.compile(r"\bngày\s+(\d{1,2})/(\d{1,2})/(\d{4})\b")
_LAW_NUMBER = re.compile(r"\s+số\s+\d+/\d{4}/QH\d+\b")
_LAW_ISSUER = re.compile(r"\s+(?:của|do)\s+Quốc hội(?:\s+(?:khóa|khoá)\s+[IVXLC]+)?\b")
_LAWS = ("Luật ", "Bộ luật ", "Hiến pháp ")


def long_date(day: date) -> str:
    """ "ngày 05 tháng 3 năm 2026": a leading zero for days below 10 and for months 1 and 2 only."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _written_out(match: re.Match) -> str:
    day, month, year = (int(part) for part in match.groups())
    try:
        return long_date(date(year, month, day))
    except ValueError:  # not a date after all: leave the text as it was published
        return match.group(0)


def cite(basis: str) -> str:
    """One legal basis as a decision cites it (without "Căn cứ" and the closing semicolon)."""
    text = " ".join(basis.split()).rstrip(";.")
    if text.startswith(_LAWS):
        text = _LAW_ISSUER.sub("", _LAW_NUMBER.sub("", text))
    return _SHORT_DATE.sub(_written_out, text)


def legal_bases(bases: list[str], competence: str | None) -> list[str]:
    """ "Căn cứ ...;" lines: the texts of the procedure, then the one that gives the issuer its
    competence (configured: the provincial decision on the Sở's functions), each once."""
    cited = [cite(basis) for basis in bases if basis.strip()]
    if competence and competence.strip():
        cited.append(cite(competence))
    unique = list(dict.fromkeys(cited))
    return [f"Căn cứ {text};" for text in unique]
