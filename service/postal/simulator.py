"""A local stand-in for VNPost (../shared/INTEGRATION.md §5), mounted only when POSTAL_SIMULATOR is on
(development and tests; production refuses it, service/safety.py).

POST /orders takes an order in the integration platform's flat names, checks the fields the carrier
needs, and answers `{Status: "100", Message, ItemCode, OrderId}` (the same OrderNumber again: the same
tracking number). GET /orders/<item> answers its tracking (`Data{ItemCode, StatusCode, StatusTime,
Note}`). POST /orders/<item>/advance {"status": "delivering" | "delivered" | "failed", "note", "at"}
steps a shipment on the simulator's clock (at: yyyyMMddHHmmss, Viet Nam's time; default now) and, when
a callback secret is configured, calls our status callback, signed; `flask postal advance` is the same
control from a terminal. POST /faults {"down": n} makes the next n calls answer 503. State lives in
this process (development server, tests)."""

from __future__ import annotations

import json
import time
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from service.access import ANYONE, allow
from service.extensions import csrf
from service.postal import protocol, settings
from service.timeutil import utcnow

bp = Blueprint("postal_simulator", __name__, url_prefix=settings.SIMULATOR_PATH)

ORDERS: dict[str, dict[str, Any]] = {}  # by ItemCode: the order, its status code, time and note
NUMBERS: dict[str, str] = {}  # OrderNumber -> ItemCode
FAULTS = {"down": 0}
CALLBACKS: list[tuple[int, str]] = []  # each callback's HTTP status and body (tests, by hand)
# Which status may follow which: created, then delivering, then delivered or failed (also straight).
NEXT = {
    protocol.CREATED: {protocol.DELIVERING, protocol.FAILED, protocol.CANCELLED},
    protocol.DELIVERING: {protocol.DELIVERED, protocol.FAILED},
}


def reset() -> None:
    ORDERS.clear()
    NUMBERS.clear()
    CALLBACKS.clear()
    FAULTS["down"] = 0


@bp.before_request
def _down():
    if FAULTS["down"]:
        FAULTS["down"] -= 1
        return "", 503
    return None


@bp.route("/orders", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def create_order():
    order = request.get_json(silent=True)
    problem = protocol.order_problem(order)
    if problem:
        return jsonify(Status="101", Message=problem)
    number = str(order["OrderNumber"])
    if number not in NUMBERS:
        item = f"EA{len(ORDERS) + 100000001:09d}VN"  # S10, as VNPost's item codes
        NUMBERS[number] = item
        ORDERS[item] = {"order": order, "code": protocol.CREATED, "at": utcnow(), "note": ""}
    item = NUMBERS[number]
    return jsonify(Status="100", Message="Tạo đơn hàng thành công", ItemCode=item, OrderId=f"VNP-{number}")


@bp.route("/orders/<item>", methods=["GET"])
@allow(ANYONE)
def track(item: str):
    held = ORDERS.get(item)
    if held is None:
        return jsonify(Status="104", Message=f"Không tìm thấy bưu gửi {item}."), 404
    return jsonify(Status="100", Message="", Data=_status(item, held))


@bp.route("/orders/<item>/advance", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def advance(item: str):
    body = request.get_json(silent=True) or request.form.to_dict()
    held = ORDERS.get(item)
    code = protocol.CODE_OF_STATUS.get(str(body.get("status") or ""))
    if held is None:
        return jsonify(Status="104", Message=f"Không tìm thấy bưu gửi {item}."), 404
    if code not in NEXT.get(held["code"], set()):
        return jsonify(
            Status="105", Message=f"Không thể chuyển từ {held['code']} sang {body.get('status')}."
        ), 409
    try:
        at = protocol.parse_time(str(body["at"])) if body.get("at") else utcnow()
    except protocol.ProtocolError as error:
        return jsonify(Status="105", Message=str(error)), 400
    held |= {"code": code, "at": at, "note": str(body.get("note") or "")}
    return jsonify(Status="100", Message="", Data=_status(item, held), Callback=_call_back(item, held))


@bp.route("/faults", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def faults():
    FAULTS["down"] = max(0, int((request.get_json(silent=True) or {}).get("down") or 0))
    return jsonify(Status="100", Message="", Data=FAULTS)


def _status(item: str, held: dict[str, Any]) -> dict[str, Any]:
    return {
        "ItemCode": item,
        "OrderNumber": held["order"]["OrderNumber"],
        "StatusCode": held["code"],
        "StatusTime": protocol.wire_time(held["at"]),
        "Note": held["note"],
    }


def _call_back(item: str, held: dict[str, Any]) -> int | None:
    """Our status callback, signed with the configured secret (none configured: no callback)."""
    config = current_app.config
    secret = settings.callback_secret(config)
    if not secret:
        return None
    body = json.dumps({**_status(item, held), "Timestamp": int(time.time())}, ensure_ascii=False).encode()
    headers = {config["POSTAL_CALLBACK_SIGNATURE_HEADER"]: protocol.sign(secret, body)}
    response = current_app.test_client().post(
        "/api/postal/status", data=body, headers=headers, content_type="application/json"
    )
    CALLBACKS.append((response.status_code, body.decode()))
    return response.status_code


def sign_callback(data: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """A callback's body and headers as the simulator signs them (tests forge bad ones from it)."""
    config = current_app.config
    body = json.dumps(data, ensure_ascii=False).encode()
    return body, {
        config["POSTAL_CALLBACK_SIGNATURE_HEADER"]: protocol.sign(settings.callback_secret(config), body)
    }
