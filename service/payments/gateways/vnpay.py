"""VNPAY API 2.1.0, byte for byte as its documentation says (facts in shared/PAYMENTS.md).

Payment URL, return URL and IPN are signed with HMAC-SHA512 over the sorted, non-empty `vnp_*`
parameters joined as `key=value`, each value encoded as VNPAY's reference code does (Java's
`URLEncoder.encode`, see `form_encode`); the JSON API (querydr, refund) signs the listed raw
values joined by `|`. Times are GMT+7. Amounts travel as VND × 100.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

VERSION = "2.1.0"
GMT7 = ZoneInfo("Asia/Ho_Chi_Minh")
SIGNED_OUT = ("vnp_SecureHash", "vnp_SecureHashType")
QUERYDR_FIELDS = (
    "RequestId",
    "Version",
    "Command",
    "TmnCode",
    "TxnRef",
    "TransactionDate",
    "CreateDate",
    "IpAddr",
    "OrderInfo",
)
REFUND_FIELDS = (
    "RequestId",
    "Version",
    "Command",
    "TmnCode",
    "TransactionType",
    "TxnRef",
    "Amount",
    "TransactionNo",
    "TransactionDate",
    "CreateBy",
    "CreateDate",
    "IpAddr",
    "OrderInfo",
)

RESPONSE_MESSAGES = {
    "00": "Giao dịch thành công",
    "07": "Trừ tiền thành công, giao dịch bị nghi ngờ",
    "09": "Thẻ/tài khoản chưa đăng ký dịch vụ Internet Banking",
    "10": "Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần",
    "11": "Đã hết hạn chờ thanh toán",
    "12": "Thẻ/tài khoản bị khóa",
    "13": "Nhập sai mật khẩu xác thực giao dịch (OTP)",
    "24": "Khách hàng hủy giao dịch",
    "51": "Tài khoản không đủ số dư",
    "65": "Tài khoản vượt quá hạn mức giao dịch trong ngày",
    "75": "Ngân hàng thanh toán đang bảo trì",
    "79": "Nhập sai mật khẩu thanh toán quá số lần quy định",
    "99": "Lỗi khác",
}

# Answers of the JSON API (querydr, refund).
REFUND_MESSAGES = {
    "02": "Mã website (TmnCode) không hợp lệ",
    "03": "Dữ liệu gửi sang không đúng định dạng",
    "91": "Không tìm thấy giao dịch cần hoàn tiền",
    "93": "Số tiền hoàn không hợp lệ (lớn hơn số tiền có thể hoàn)",
    "94": "Giao dịch đang có một yêu cầu hoàn tiền chưa xử lý xong",
    "95": "Giao dịch gốc không thành công nên không thể hoàn tiền",
    "97": "Chữ ký không hợp lệ",
    "99": "Lỗi khác",
}


def form_encode(value: str) -> str:
    """A value as VNPAY's reference code encodes it before signing (`URLEncoder.encode`, UTF-8): letters,
    digits and `. - * _` stay, a space becomes `+`, every other byte is `%XX` (upper-case hex).

    Python's `quote_plus` differs on two characters: it keeps `~` (Java: `%7E`) and encodes `*` (Java
    keeps it), so a real notification carrying either would fail our check. PHP's `urlencode` (VNPAY's
    PHP sample) also encodes `*`; the payment platform runs the Java code."""
    return quote_plus(value, safe="*").replace("~", "%7E")


def canonical(params: Mapping[str, str]) -> str:
    """The signed string: vnp_* keys but the hash fields, empty values dropped, sorted, form-encoded."""
    items = sorted(
        (k, v) for k, v in params.items() if k.startswith("vnp_") and k not in SIGNED_OUT and v != ""
    )
    return "&".join(f"{key}={form_encode(str(value))}" for key, value in items)


def hmac512(secret: str, message: str) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha512).hexdigest()


def sign(params: Mapping[str, str], secret: str) -> str:
    return hmac512(secret, canonical(params))


def verify(params: Mapping[str, str], secret: str) -> bool:
    """Checked on the raw received values, in constant time."""
    received = (params.get("vnp_SecureHash") or "").lower()
    return bool(received) and hmac.compare_digest(received.encode(), sign(params, secret).encode())


def stamp(moment: datetime) -> str:
    """yyyyMMddHHmmss in GMT+7 (VNPAY's clock), from an aware or naive-UTC datetime."""
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def payment_url(
    base_url: str,
    secret: str,
    tmn_code: str,
    reference: str,
    amount_vnd: int,
    order_info: str,
    return_url: str,
    ip_address: str,
    created: datetime,
    expires: datetime,
    bank_code: str | None = None,
) -> str:
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": tmn_code,
        "vnp_Amount": str(amount_vnd * 100),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": reference,
        "vnp_OrderInfo": order_info,
        "vnp_OrderType": "other",
        "vnp_Locale": "vn",
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": ip_address,
        "vnp_CreateDate": stamp(created),
        "vnp_ExpireDate": stamp(expires),
    }
    if bank_code:
        params["vnp_BankCode"] = bank_code
    query = canonical(params)
    return f"{base_url}?{query}&vnp_SecureHash={hmac512(secret, query)}"


def is_success(params: Mapping[str, str]) -> bool:
    return params.get("vnp_ResponseCode") == "00" and params.get("vnp_TransactionStatus") == "00"


def api_checksum(values: Mapping[str, str], fields: tuple[str, ...], secret: str) -> str:
    return hmac512(secret, "|".join(str(values.get(field, "")) for field in fields))
