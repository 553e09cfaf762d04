"""The national payment platform of the national public-service portal (Nền tảng thanh toán trực tuyến
của Cổng Dịch vụ công quốc gia, "PayGov"), message version 1.0.6, as public client code shows it
(facts in shared/INTEGRATION.md §4; no official specification is published).

The local system starts the payment: INIT returns the payment URL (`UrlThanhToan`, inside a JSON string
in `message`); QUERY tells an attempt's state (`TrangThaiGD` 1 paid, 3 pending, 4 failed); GET_BILL
returns the platform's receipt (a PDF); the platform posts a confirmation (`LoaiBanTin` "CONFIRM"),
which we answer `MaLoi` "00" (accepted) or "99" (anything else, with `MoTaLoi`).

Every message carries `MaXacThuc`, a check code over some of its fields in a fixed order. Which
algorithm, and which fields in which order, is unconfirmed (**U**): one public client takes the SHA-256
hex of the values joined by `|` with the secret as the last element, another an HMAC-SHA256 of the
joined values keyed by the secret. Both are here, chosen by setting; the field order of each message is
the table below, the one place to change when the operator publishes its own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

VERSION = "1.0.6"
GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
SHA256, HMAC_SHA256 = "sha256", "hmac-sha256"
ALGORITHMS = (SHA256, HMAC_SHA256)

# The fields each message's check code covers, in order (U: configuration would replace this table).
CHECKED_FIELDS: dict[str, tuple[str, ...]] = {
    "INIT": (
        "LoaiBanTin",
        "PhienBan",
        "MaDoiTac",
        "MaThamChieu",
        "SoTien",
        "LoaiHinhThanhToan",
        "MaKenhThanhToan",
        "MaThietBi",
        "NgonNgu",
        "MaTienTe",
        "MaNganHang",
        "ThongTinGiaoDich",
        "ThoiGianGD",
        "Ip",
    ),
    "QUERY": ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"),
    "GET_BILL": ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"),
    "CONFIRM": (
        "LoaiBanTin",
        "MaLoi",
        "MaDoiTac",
        "MaThamChieu",
        "SoTien",
        "MaTienTe",
        "MaGiaoDich",
        "MaNganHang",
        "ThoiGianGD",
        "ThongTinGiaoDich",
    ),
    # Our answer to a confirmation, and the platform's answer to a QUERY.
    "CONFIRM_ANSWER": ("MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD"),
    "QUERY_ANSWER": ("MaLoi", "MaDoiTac", "MaThamChieu", "TrangThaiGD", "MaGiaoDich", "SoTien"),
}

PAID, PENDING, FAILED = "1", "3", "4"  # TrangThaiGD
OK, OTHER = "00", "99"  # MaLoi


def raw_string(values: Mapping[str, object], fields: tuple[str, ...], secret: str, algorithm: str) -> str:
    """What is hashed: the values in the table's order joined by `|` (a missing one is empty), with the
    secret as the last element for plain SHA-256 (for HMAC the secret is the key, not in the text)."""
    parts = ["" if values.get(name) is None else str(values.get(name)) for name in fields]
    if algorithm == SHA256:
        parts.append(secret)
    return "|".join(parts)


def check_code(values: Mapping[str, object], fields: tuple[str, ...], secret: str, algorithm: str) -> str:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown check-code algorithm {algorithm!r}")
    text = raw_string(values, fields, secret, algorithm).encode("utf-8")
    if algorithm == SHA256:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(secret.encode("utf-8"), text, hashlib.sha256).hexdigest()


def sign(message: dict[str, object], kind: str, secret: str, algorithm: str) -> dict[str, object]:
    """The message with its `MaXacThuc` set."""
    return {**message, "MaXacThuc": check_code(message, CHECKED_FIELDS[kind], secret, algorithm)}


def verify(message: Mapping[str, object], kind: str, secret: str, algorithm: str) -> bool:
    """In constant time; hex compared without regard to case."""
    received = str(message.get("MaXacThuc") or "").lower()
    expected = check_code(message, CHECKED_FIELDS[kind], secret, algorithm)
    return bool(received) and hmac.compare_digest(received.encode(), expected.encode())


def stamp(moment: datetime) -> str:
    """ThoiGianGD: yyyyMMddHHmmss in GMT+7, from an aware or naive-UTC datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def pay_url(answer: Mapping[str, object]) -> str | None:
    """INIT's answer: `{"error_code": "0", "message": "{... \\"UrlThanhToan\\": ...}"}` (message a JSON
    string, or already an object); None when the platform refused or the answer is not of that shape."""
    if str(answer.get("error_code")) != "0":
        return None
    inner = answer.get("message")
    if isinstance(inner, str):
        try:
            inner = json.loads(inner)
        except ValueError:
            return None
    url = inner.get("UrlThanhToan") if isinstance(inner, dict) else None
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def is_pdf(content: bytes) -> bool:
    return content.startswith(b"%PDF-")
