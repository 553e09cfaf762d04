"""The password policy (ASVS 4.0.3 §2.1, NIST SP 800-63B §5.1.1.2): length, not composition.

A password is at least 12 and at most 128 characters, counted as Unicode code points after NFC
normalisation, so that a Vietnamese passphrase typed with diacritics and spaces counts what the person
sees (an input method that composes "ệ" from three code points counts it once). Spaces are kept: only
a password of nothing but spaces is refused. No rule asks for digits, capitals or symbols (ASVS 2.1.9);
instead a password is refused when it is guessable:
- it is in the list of common and breached passwords shipped with zxcvbn (its "passwords" frequency
  list, 30 000 passwords from leaks), compared case-insensitively (ASVS 2.1.7);
- it is built from the person's own details (email, name, identity number, phone, tax code), or from
  the words of this service and the commonest Vietnamese passwords ("matkhau", "gdnn", "angiang",
  "Demo@2026"…), with digits or punctuation around them;
- zxcvbn scores it below 3 of 4 (sequences, keyboard walks, repeats, dates, l33t variants of words).

The policy applies when a password is set (registration, change, reset, an official created with a
password); a password set before it keeps working.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from service.text import without_diacritics

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable: moderate protection from offline slow-hash scenario"
ZXCVBN_MAX_LENGTH = 72  # zxcvbn refuses longer input; a longer password is judged by its beginning
# What is left of a password once the words it was built from and its digits are taken away: fewer
# letters than this and it was built from those words ("MatKhau2026!", "nguyenvanan1990").
MIN_OWN_LETTERS = 4

HINT = (
    "Ít nhất 12 ký tự, tối đa 128. Nên dùng một cụm từ dễ nhớ (có thể có dấu và dấu cách, "
    "ví dụ: một câu ngắn chỉ bạn biết); không cần chữ hoa, số hay ký tự đặc biệt. Không dùng mật "
    "khẩu phổ biến hay thông tin cá nhân của bạn."
)
BLANK = "Mật khẩu không được chỉ gồm dấu cách."
TOO_SHORT = "Mật khẩu phải có ít nhất 12 ký tự (nên dùng một cụm từ dễ nhớ, có thể có dấu và dấu cách)."
TOO_LONG = "Mật khẩu tối đa 128 ký tự."
COMMON = (
    "Mật khẩu quá phổ biến hoặc đã bị lộ trong các vụ rò rỉ dữ liệu; vui lòng chọn mật khẩu khác "
    "(nên dùng một cụm từ dễ nhớ, ít nhất 12 ký tự)."
)
PERSONAL = (
    "Mật khẩu không được tạo từ email, họ tên, số định danh, số điện thoại hay mã số thuế của bạn; "
    "vui lòng chọn mật khẩu khác."
)
GUESSABLE = (
    "Mật khẩu quá dễ đoán (tên hệ thống, tên địa phương, chữ “mật khẩu”, dãy ký tự liền nhau, lặp lại "
    "hoặc theo bàn phím); vui lòng chọn mật khẩu khác (nên dùng một cụm từ dễ nhớ, ít nhất 12 ký tự)."
)

# Words of this service and the commonest Vietnamese passwords, folded (no diacritics, lower case):
# zxcvbn's lists are English and know none of them. A password made only of these, digits and
# punctuation is refused; "Demo@2026" (the former demo password) folds to "demo" and "2026".
PRODUCT_WORDS = (
    "gdnn",
    "giaoducnghenghiep",
    "nghenghiep",
    "giaoduc",
    "dichvucong",
    "dvc",
    "congdichvucong",
    "angiang",
    "longxuyen",
    "chaudoc",
    "sogiaoduc",
    "sogddt",
    "gddt",
    "sgddt",
    "demo",
    "test",
    "admin",
    "quantri",
    "congdan",
    "tochuc",
    "canbo",
    "dangky",
    "dangnhap",
    "matkhau",
    "matkhaucuatoi",
    "password",
    "passwd",
    "pass",
    "anhyeuem",
    "emyeuanh",
    "yeuem",
    "yeuanh",
    "iloveyou",
    "vietnam",
    "hanoi",
    "saigon",
    "hochiminh",
    "qwerty",
    "abc",
    "abcd",
    "xinchao",
    "khongbiet",
    "zxcvbn",
)


def normalise(password: str) -> str:
    """The form a password is counted, judged and hashed in (NIST SP 800-63B: normalise Unicode)."""
    return unicodedata.normalize("NFC", password)


def password_problem(password: str, personal: Iterable[str | None] = ()) -> str | None:
    """Why `password` may not be set, in Vietnamese, or None. `personal` holds the account's own
    details (email, name, identity number, phone, tax code, organisation's name)."""
    password = normalise(password or "")
    if not password.strip():
        return BLANK
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if _is_breached(password):
        return COMMON
    own_words = personal_words(personal)
    if _contains_identifier(password, personal) or _built_from(password, own_words):
        return PERSONAL
    if _built_from(password, PRODUCT_WORDS):
        return GUESSABLE
    if _score(password, own_words) < MIN_SCORE:
        return GUESSABLE
    return None


@cache
def _breached() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _is_breached(password: str) -> bool:
    lowered = password.casefold()
    return lowered in _breached() or "".join(lowered.split()) in _breached()


def _folded(text: str) -> str:
    """Letters and digits only, lower case, without diacritics: "Nguyễn Văn-An" -> "nguyenvanan"."""
    return re.sub(r"[^a-z0-9]", "", without_diacritics(text).casefold())


def personal_words(personal: Iterable[str | None]) -> list[str]:
    """Each detail folded whole, and its words: an email gives "mainguyenexamplevn", "mainguyen",
    "mai", "nguyen" and "example"."""
    words = set()
    for value in filter(None, personal):
        words.add(_folded(value))
        words.add(_folded(value.partition("@")[0]))
        words.update(_folded(part) for part in re.split(r"[\s._+\-@]+", value))
    return sorted(word for word in words if len(word) >= 2)


def _contains_identifier(password: str, personal: Iterable[str | None]) -> bool:
    """An email, an identity number, a phone number or a tax code anywhere in the password."""
    text = _folded(password)
    return any(
        len(folded) >= 9 and folded in text
        for value in filter(None, personal)
        if ("@" in value or value.replace("-", "").isdigit())
        for folded in [_folded(value)]
    )


def _built_from(password: str, words: Iterable[str]) -> bool:
    """True when taking the words (longest first), then every digit, away leaves hardly anything."""
    text = original = _folded(password)
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "")
    if text == original:
        return False
    return len(re.sub(r"\d", "", text)) < MIN_OWN_LETTERS


_zxcvbn_lock = threading.Lock()  # zxcvbn keeps the user's inputs in a module-level dict while it runs


def _score(password: str, own_words: list[str]) -> int:
    with _zxcvbn_lock:
        return zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=own_words)["score"]
