"""MoMo API v2 (captureWallet): create, IPN, query. HMAC-SHA256 over the raw `key=value` string of the
documented fields in a-z order, accessKey included (facts in shared/PAYMENTS.md)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

CREATE_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "ipnUrl",
    "orderId",
    "orderInfo",
    "partnerCode",
    "redirectUrl",
    "requestId",
    "requestType",
)
IPN_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "message",
    "orderId",
    "orderInfo",
    "orderType",
    "partnerCode",
    "payType",
    "requestId",
    "responseTime",
    "resultCode",
    "transId",
)
QUERY_FIELDS = ("accessKey", "orderId", "partnerCode", "requestId")
REFUND_FIELDS = ("accessKey", "amount", "description", "orderId", "partnerCode", "requestId", "transId")
SUCCESS_CODES = {0, 9000}
# Not final yet: initiated and waiting for the payer (1000), being processed (7000, 7002).
PENDING_CODES = {1000, 7000, 7002}


def raw_string(values: Mapping[str, object], fields: tuple[str, ...]) -> str:
    return "&".join(
        f"{name}={'' if values.get(name) is None else values.get(name)}" for name in sorted(fields)
    )


def sign(values: Mapping[str, object], fields: tuple[str, ...], secret: str) -> str:
    return hmac.new(secret.encode(), raw_string(values, fields).encode(), hashlib.sha256).hexdigest()


def verify(values: Mapping[str, object], fields: tuple[str, ...], secret: str) -> bool:
    received = str(values.get("signature") or "")
    return bool(received) and hmac.compare_digest(received.encode(), sign(values, fields, secret).encode())


def is_success(values: Mapping[str, object]) -> bool:
    try:
        return int(str(values.get("resultCode"))) in SUCCESS_CODES
    except ValueError:
        return False
