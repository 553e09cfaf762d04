"""What gateways and platforms call, not people: VNPAY's and MoMo's payment notifications (IPN), the
bank feed's credits, the national payment platform's bill look-up and payment notice. CSRF-exempt, each
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


def _paygov_authorised() -> bool:
    key = current_app.config["PAYGOV_API_KEY"]
    if not key:
        abort(404)  # not connected to the platform
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Apikey {key}".encode())


@bp.route("/paygov/bills/<dossier_code>")
@allow(ANYONE)
def paygov_bill(dossier_code: str):
    """The national payment platform looks a bill up by dossier code (bill presentment)."""
    from service.payments.paygov import BILLS, bill_json

    if not _paygov_authorised():
        return jsonify({"code": "97", "message": "Unauthorized"}), 401
    bill = BILLS.lookup(dossier_code)
    if bill is None:
        return jsonify({"code": "01", "message": "Không tìm thấy khoản phải nộp."}), 404
    return jsonify({"code": "00", "bill": bill_json(bill)})


@bp.route("/paygov/payments", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def paygov_payment():
    """The platform tells us a bill was paid: we confirm once and issue the receipt."""
    from service.payments.paygov import BILLS

    if not _paygov_authorised():
        return jsonify({"code": "97", "message": "Unauthorized"}), 401
    body = request.get_json(silent=True)
    amount = body.get("amount") if isinstance(body, dict) else None
    reference, transaction = (body or {}).get("bill_reference"), (body or {}).get("transaction_id")
    if not (
        isinstance(amount, int)
        and isinstance(reference, str)
        and isinstance(transaction, str)
        and transaction
    ):
        return jsonify({"code": "03", "message": "Dữ liệu không đúng định dạng."}), 400
    confirmation = BILLS.confirm(reference, amount, transaction, dict(body or {}))
    return jsonify({"code": confirmation.code, "message": confirmation.message})
