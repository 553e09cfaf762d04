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


# Characters that change how text around them is shown without being seen themselves: C0 and C1 controls
# and the bidirectional marks, embeddings, overrides and isolates. An applicant's name holding U+202E
# ("right-to-left override") would print reversed on an official document, or make one name look like
# another; none belongs in a name or an official document.
_INVISIBLE = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F)]
_INVISIBLE += range(0x2066, 0x206A)
_REMOVE_ALL = dict.fromkeys(_INVISIBLE)
_REMOVE_KEEPING_LINES = {code: None for code in _INVISIBLE if code not in (0x09, 0x0A)}


def without_controls(text: str, keep_lines: bool = False) -> str:
    """The text without control and bidirectional-formatting characters (tabs and line feeds kept on
    request, for multi-line text)."""
    return text.translate(_REMOVE_KEEPING_LINES if keep_lines else _REMOVE_ALL)


def clean_name(value: str | None) -> str | None:
    """A name as stored and printed: one line, no control or bidirectional-formatting characters."""
    if value is None:
        return None
    return " ".join(without_controls(value.replace("\n", " ").replace("\t", " ")).split())


def printable(value):
    """Every string in a document's data (dicts, lists, tuples) without control or bidirectional
    characters, line breaks kept."""
    if isinstance(value, str):
        return without_controls(value, keep_lines=True)
    if isinstance(value, dict):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(printable(item) for item in value)
    return value
