"""What gateways and platforms call, not people: VNPAY's and MoMo's payment notifications (IPN), the
bank feed's credits, the national payment platform's confirmation. CSRF-exempt, each
authenticated by the caller's own signature or key, and answered in the caller's format."""

from __future__ import annotations

import hmac

from flask import abort, current_app, jsonify, request

from service.access import ANYONE, allow
from service.extensions import csrf
from service.payments import bankfeed, settlement
from service.payments.views.blueprint import bp, require_gateway


@bp.route("/vnpay/ipn")
@allow(ANYONE)
@csrf.exempt
def vnpay_ipn():
    """Settlement rolls its own transaction back if it fails; one that committed has returned its code."""
    require_gateway("vnpay")
    try:
        code, message = settlement.settle_vnpay(request.args.to_dict(), "GET")
    except Exception:  # noqa: BLE001  VNPAY must get JSON; it retries on 99
        current_app.logger.exception("VNPAY IPN failed")
        code, message = "99", "Unknown error"
    return jsonify({"RspCode": code, "Message": message})


@bp.route("/momo/ipn", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def momo_ipn():
    require_gateway("momo")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"message": "Bad request"}), 400
    outcome = settlement.settle_momo(body)
    return ("", 400) if outcome == "invalid" else ("", 204)


@bp.route("/bankfeed/sepay", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def bankfeed_sepay():
    if not current_app.config["BANKFEED_API_KEY"]:
        abort(404)  # no bank feed configured: nobody may report credits
    expected = f"Apikey {current_app.config['BANKFEED_API_KEY']}"
    if not hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode()):
        return jsonify({"success": False, "message": "Unauthorized"}), 401
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or "id" not in payload:
        return jsonify({"success": False, "message": "Bad request"}), 400
    bankfeed.settle_sepay(payload, request.get_data(as_text=True))
    return jsonify({"success": True})


@bp.route("/paygov/confirm", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def paygov_confirm():
    """The national payment platform's confirmation: answered in its format, MaLoi 00 or 99."""
    from service.payments import paygov_callback

    require_gateway("paygov")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(paygov_callback.answer("99", "Dữ liệu không đúng định dạng.", "")), 400
    try:
        return jsonify(paygov_callback.confirm(body))
    except Exception:  # noqa: BLE001  the platform must get its JSON; a settled one has answered already
        current_app.logger.exception("PayGov confirmation failed")
        return jsonify(paygov_callback.answer("99", "Lỗi hệ thống, vui lòng gửi lại.", ""))
