"""VNPost's order and tracking protocol as public client code shows it (../shared/INTEGRATION.md §5):
pure code, no Flask, no database, no feature, so that the client, the simulator and the tests share it.

- Order creation (the provincial integration platform's VNPostRequest, TD
  `Application/Common/VnPost/VNPostRequest.cs`): flat field names (`SenderTel`, `ReceiverName`...),
  `OrderNumber` = the dossier's code (MaHoSo); the answer `{Status, Message}`. Which `Status` means
  success, and the field holding the tracking number (ItemCode), are unconfirmed: settings.
- Status codes (MyVNPost, `data/shipping_vnpost_state_data.xml`): 1 created, 12 delivering,
  14 delivered, 15 failed, 22 cancelled.
- Times on the wire: yyyyMMddHHmmss, Asia/Ho_Chi_Minh (as the national portal's).
- A status callback is not shown by any public source: ours (`Timestamp`, HMAC-SHA256 of the raw body
  in a header) is a proposal, off until a secret is configured; tracking (polling) is the fallback.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

WIRE_TIME = "%Y%m%d%H%M%S"
LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

CREATED, DELIVERING, DELIVERED, FAILED, CANCELLED = 1, 12, 14, 15, 22
# The carrier's code -> our shipment status (service/postal/models.py ShipmentStatus).
STATUS_OF_CODE = {
    CREATED: "created",
    DELIVERING: "delivering",
    DELIVERED: "delivered",
    FAILED: "failed",
    CANCELLED: "failed",  # cancelled by the carrier: the result is back at the desk, as a failure
}
CODE_OF_STATUS = {"created": CREATED, "delivering": DELIVERING, "delivered": DELIVERED, "failed": FAILED}

ORDER_FIELDS = (
    "CustomerCode",
    "OrderNumber",
    "CODAmount",
    "SenderProvince",
    "SenderDistrict",
    "SenderAddress",
    "SenderName",
    "SenderEmail",
    "SenderTel",
    "SenderDesc",
    "Description",
    "ReceiverName",
    "ReceiverAddress",
    "ReceiverTel",
    "ReceiverProvince",
    "ReceiverDistrict",
    "ReceiverEmail",
    "FlagConfig",
)
REQUIRED_ORDER_FIELDS = (
    "CustomerCode",
    "OrderNumber",
    "SenderName",
    "SenderAddress",
    "SenderTel",
    "ReceiverName",
    "ReceiverAddress",
    "ReceiverTel",
    "ReceiverProvince",
)


class ProtocolError(ValueError):
    """An answer or callback that is not what the protocol allows."""


class Refused(RuntimeError):
    """The carrier answered, and refused the order (its message)."""


@dataclass(frozen=True)
class Party:
    name: str
    address: str
    tel: str
    province: str  # the province's code
    district: str = ""  # VNPost still asks for it; after the 2025 reform: the ward's code
    email: str = ""


@dataclass(frozen=True)
class Order:
    customer_code: str
    order_number: str
    sender: Party
    receiver: Party
    description: str
    cod_amount: int = 0  # the result is sent free of charge to the applicant (no cash on delivery)
    flag_config: str = ""


@dataclass(frozen=True)
class Created:
    item_code: str  # the tracking number (số hiệu bưu gửi)
    order_id: str
    raw: str


@dataclass(frozen=True)
class StatusReport:
    item_code: str
    code: int
    at: datetime  # naive UTC
    note: str

    @property
    def status(self) -> str | None:
        return STATUS_OF_CODE.get(self.code)


def order_payload(order: Order) -> dict[str, Any]:
    """The order in VNPostRequest's flat names."""
    payload: dict[str, Any] = {
        "CustomerCode": order.customer_code,
        "OrderNumber": order.order_number,
        "CODAmount": order.cod_amount,
        "Description": order.description,
        "FlagConfig": order.flag_config,
        "SenderDesc": "",
    }
    for prefix, party in (("Sender", order.sender), ("Receiver", order.receiver)):
        payload |= {
            f"{prefix}Name": party.name,
            f"{prefix}Address": party.address,
            f"{prefix}Tel": party.tel,
            f"{prefix}Province": party.province,
            f"{prefix}District": party.district,
            f"{prefix}Email": party.email,
        }
    return payload


def order_problem(payload: Any) -> str | None:
    """What the carrier is known to refuse (the simulator's check, and ours before sending)."""
    if not isinstance(payload, dict):
        return "Dữ liệu gửi lên phải là một đối tượng JSON."
    missing = [name for name in REQUIRED_ORDER_FIELDS if payload.get(name) in (None, "")]
    if missing:
        return f"Thiếu trường {', '.join(missing)}."
    if not isinstance(payload.get("CODAmount", 0), int) or payload.get("CODAmount", 0) < 0:
        return "CODAmount phải là số nguyên không âm."
    return None


def parse_created(body: str, ok_statuses: frozenset[str], item_fields: tuple[str, ...]) -> Created:
    """The answer to an order: `Status` among the configured successes, the tracking number from the
    first configured field present (ItemCode in the integration platform's code, originalID in
    MyVNPost's)."""
    data = _object(body)
    status = str(data.get("Status", data.get("status", ""))).strip().lower()
    if status not in ok_statuses:
        raise Refused(str(data.get("Message") or data.get("message") or f"Status {status!r}"))
    item = next((str(data[f]) for f in item_fields if data.get(f)), "")
    if not item:
        raise ProtocolError("Câu trả lời không có số hiệu bưu gửi.")
    order_id = str(data.get("OrderId") or data.get("originalID") or item)
    return Created(item[:40], order_id[:60], body[:4000])


def parse_status(data: Any) -> StatusReport:
    """A tracking answer's or a callback's status: `ItemCode`, `StatusCode`, `StatusTime`, `Note`."""
    if not isinstance(data, dict):
        raise ProtocolError("Trạng thái phải là một đối tượng JSON.")
    item = str(data.get("ItemCode") or "").strip()
    try:
        code = int(str(data.get("StatusCode")))
    except (TypeError, ValueError) as error:
        raise ProtocolError("StatusCode không hợp lệ.") from error
    if not item or code not in STATUS_OF_CODE:
        raise ProtocolError(f"ItemCode hoặc StatusCode không hợp lệ: {item!r} {code!r}.")
    return StatusReport(
        item[:40], code, parse_time(str(data.get("StatusTime") or "")), str(data.get("Note") or "")[:500]
    )


def parse_tracking(body: str) -> StatusReport:
    data = _object(body)
    return parse_status(data.get("Data") if isinstance(data.get("Data"), dict) else data)


def wire_time(value: datetime) -> str:
    """Naive UTC -> yyyyMMddHHmmss in Viet Nam's time."""
    return value.replace(tzinfo=UTC).astimezone(LOCAL_TZ).strftime(WIRE_TIME)


def parse_time(value: str) -> datetime:
    """yyyyMMddHHmmss (Viet Nam's time) -> naive UTC."""
    try:
        local = datetime.strptime(value, WIRE_TIME).replace(tzinfo=LOCAL_TZ)
    except ValueError as error:
        raise ProtocolError(f"Thời gian không đúng định dạng yyyyMMddHHmmss: {value!r}.") from error
    return local.astimezone(UTC).replace(tzinfo=None)


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, given: str) -> bool:
    return bool(secret) and hmac.compare_digest(sign(secret, body), given.strip().lower())


def _object(body: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise ProtocolError("Câu trả lời không phải JSON.") from error
    if not isinstance(data, dict):
        raise ProtocolError("Câu trả lời không phải một đối tượng JSON.")
    return data
