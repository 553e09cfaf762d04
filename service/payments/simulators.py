"""Local stand-ins for the gateways, speaking their protocols, mounted only when PAYMENT_SIMULATORS is
on (development and `make run`): with them a payment goes end to end on a machine without internet.

The VNPAY simulator shows a payment page, lets the payer choose an outcome, signs the result as
VNPAY does, calls our IPN (again, as VNPAY retries, until it answers 00 or 02) and sends the browser
back to the return URL.
"""

from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlencode

import requests
from flask import Blueprint, current_app, redirect, render_template, request

from service.access import ANYONE, allow
from service.extensions import csrf
from service.payments.gateways import vnpay
from service.timeutil import local_today

bp = Blueprint("simulators", __name__, url_prefix="/simulators")
OUTCOMES = {
    "00": "Thanh toán thành công",
    "24": "Hủy giao dịch",
    "51": "Tài khoản không đủ số dư",
    "11": "Hết thời gian chờ",
}
IPN_RETRIES, IPN_RETRY_SECONDS = 10, 2  # VNPAY: 10 tries, 5 minutes apart; shortened for a local demo
# What the simulated VNPAY knows of its transactions, for querydr (one process: development and tests).
VNPAY_LEDGER: dict[str, dict[str, str]] = {}
# VNPAY's refunds by TxnRef: the amounts refunded so far (VND). A refund answers "05" (processing)
# when VNPAY_REFUND_PROCESSING is set, and the next querydr finds it sent to the bank ("06").
VNPAY_REFUNDS: dict[str, int] = {}
VNPAY_REFUND_PROCESSING = False
# MoMo's transactions by orderId: amount, transId, resultCode and its refunds.
MOMO_LEDGER: dict[str, dict] = {}
# The simulated bank's credits to collecting accounts (what its internet banking statement lists).
BANK_LEDGER: list[dict] = []
_ledger_lock = threading.Lock()


@bp.route("/vnpay/paymentv2/vpcpay.html")
@allow(ANYONE)
def vnpay_page():
    params = request.args.to_dict()
    if not vnpay.verify(params, current_app.config["VNPAY_HASH_SECRET"]):
        return render_template("payments/simulator.html", params=None, outcomes=OUTCOMES), 400
    return render_template("payments/simulator.html", params=params, outcomes=OUTCOMES)


@bp.route("/vnpay/pay", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def vnpay_pay():
    original = {k: v for k, v in request.form.items() if k.startswith("vnp_")}
    if not vnpay.verify(original, current_app.config["VNPAY_HASH_SECRET"]):
        return render_template("payments/simulator.html", params=None, outcomes=OUTCOMES), 400
    code = request.form.get("outcome", "24")
    result = result_params(original, code if code in OUTCOMES else "99")
    with _ledger_lock:
        VNPAY_LEDGER[result["vnp_TxnRef"]] = result
    if request.form.get("ipn") != "lost":  # "lost": the IPN never arrives; reconciliation must find it
        deliver_ipn(result)
    return redirect(original["vnp_ReturnUrl"] + "?" + urlencode(result))


def result_params(original: dict[str, str], code: str) -> dict[str, str]:
    config = current_app.config
    result = {
        "vnp_TmnCode": original["vnp_TmnCode"],
        "vnp_Amount": original["vnp_Amount"],
        "vnp_BankCode": "NCB",
        "vnp_BankTranNo": f"VNP{int(time.time())}",
        "vnp_CardType": "ATM",
        "vnp_PayDate": original["vnp_CreateDate"],
        "vnp_OrderInfo": original["vnp_OrderInfo"],
        "vnp_TransactionNo": str(int(time.time() * 1000) % 10**8),
        "vnp_ResponseCode": code,
        "vnp_TransactionStatus": "00" if code == "00" else "02",
        "vnp_TxnRef": original["vnp_TxnRef"],
    }
    result["vnp_SecureHash"] = vnpay.sign(result, config["VNPAY_HASH_SECRET"])
    return result


def deliver_ipn(params: dict[str, str]) -> None:
    """The IPN is a server-to-server GET; in tests ("inline") it goes through the app's own client."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("SIMULATOR_DELIVERY") == "inline":
        app.test_client().get("/payments/vnpay/ipn", query_string=params)
        return
    url = app.config["APP_BASE_URL"] + "/payments/vnpay/ipn"
    threading.Thread(target=_call_with_retries, args=(url, params), daemon=True).start()


def _call_with_retries(url: str, params: dict[str, str]) -> None:
    for _ in range(IPN_RETRIES):
        try:
            answer = requests.get(url, params=params, timeout=10).json()
            if answer.get("RspCode") in ("00", "02"):
                return
        except (requests.RequestException, ValueError):
            pass
        time.sleep(IPN_RETRY_SECONDS)


@bp.route("/bank/transfer", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def bank_transfer():
    """The bank: a credit to the agency's account, announced by the bank-feed webhook (SePay format)."""
    from service.payments.bankfeed import sepay_body

    reference = (request.form.get("reference") or "")[:34]
    amount = request.form.get("amount", type=int) or 0
    body = sepay_body(
        reference,
        amount,
        int(time.time() * 1000),
        (request.form.get("account") or current_app.config["VIETQR_ACCOUNT_NO"])[:19],
    )
    with _ledger_lock:
        BANK_LEDGER.append(
            {
                "id": body["referenceCode"],
                "content": body["content"],
                "amount": amount,
                "day": f"{local_today():%d/%m/%Y}",
            }
        )
    deliver_bankfeed(body)
    back = request.form.get("return_to") or ""
    # Only back to an order's own page: never an open redirect.
    return redirect(back) if re.fullmatch(r"/payments/o/[A-Za-z0-9_-]{1,43}", back) else ("", 204)


def deliver_bankfeed(body: dict) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    headers = {"Authorization": f"Apikey {app.config['BANKFEED_API_KEY']}"}
    if app.config.get("SIMULATOR_DELIVERY") == "inline":
        app.test_client().post("/payments/bankfeed/sepay", json=body, headers=headers)
        return
    url = app.config["APP_BASE_URL"] + "/payments/bankfeed/sepay"
    requests.post(url, json=body, headers=headers, timeout=10)


@bp.route("/momo/v2/gateway/api/create", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def momo_create():
    """MoMo's create API: checks the signature and answers with a payUrl to the simulated wallet."""
    from service.payments.gateways import momo

    config = current_app.config
    body = request.get_json(silent=True) or {}
    if not momo.verify(
        {**body, "accessKey": config["MOMO_ACCESS_KEY"]}, momo.CREATE_FIELDS, config["MOMO_SECRET_KEY"]
    ):
        return {"resultCode": 11007, "message": "Chữ ký không hợp lệ."}
    fields = {
        k: body.get(k)
        for k in ("orderId", "requestId", "amount", "orderInfo", "redirectUrl", "ipnUrl", "extraData")
    }
    token = momo.sign(fields, tuple(fields), config["MOMO_SECRET_KEY"])
    pay_url = config["APP_BASE_URL"] + "/simulators/momo/pay?" + urlencode({**fields, "token": token})
    return {
        "partnerCode": body.get("partnerCode"),
        "orderId": body.get("orderId"),
        "requestId": body.get("requestId"),
        "amount": body.get("amount"),
        "resultCode": 0,
        "message": "Thành công.",
        "payUrl": pay_url,
    }


@bp.route("/momo/pay", methods=["GET", "POST"])
@allow(ANYONE)
@csrf.exempt
def momo_pay():
    from service.payments.gateways import momo

    config = current_app.config
    source = request.values
    fields = {
        k: source.get(k, "")
        for k in ("orderId", "requestId", "amount", "orderInfo", "redirectUrl", "ipnUrl", "extraData")
    }
    if source.get("token") != momo.sign(fields, tuple(fields), config["MOMO_SECRET_KEY"]):
        return render_template("payments/momo_simulator.html", fields=None), 400
    if request.method == "GET":
        return render_template("payments/momo_simulator.html", fields=fields, token=source.get("token"))
    code = 0 if source.get("outcome") == "success" else 1006
    ipn = {
        "partnerCode": config["MOMO_PARTNER_CODE"],
        "orderId": fields["orderId"],
        "requestId": fields["requestId"],
        "amount": fields["amount"],
        "orderInfo": fields["orderInfo"],
        "orderType": "momo_wallet",
        "transId": str(int(time.time() * 1000)),
        "resultCode": code,
        "message": "Thành công." if code == 0 else "Giao dịch bị từ chối bởi người dùng.",
        "payType": "qr",
        "responseTime": int(time.time() * 1000),
        "extraData": fields["extraData"],
    }
    ipn["signature"] = momo.sign(
        {**ipn, "accessKey": config["MOMO_ACCESS_KEY"]}, momo.IPN_FIELDS, config["MOMO_SECRET_KEY"]
    )
    with _ledger_lock:
        MOMO_LEDGER[fields["orderId"]] = {
            "amount": int(fields["amount"] or 0),
            "transId": int(ipn["transId"]),
            "resultCode": code,
            "refundTrans": [],
            "orderId": fields["orderId"],
            "day": f"{local_today():%d/%m/%Y}",
        }
    _deliver_momo_ipn(fields["ipnUrl"], ipn)
    return redirect(fields["redirectUrl"] + "?" + urlencode(ipn))


def _deliver_momo_ipn(url: str, ipn: dict) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("SIMULATOR_DELIVERY") == "inline":
        app.test_client().post("/payments/momo/ipn", json=ipn)
        return
    threading.Thread(target=lambda: requests.post(url, json=ipn, timeout=15), daemon=True).start()


@bp.route("/vnpay/merchant_webapi/api/transaction", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def vnpay_api():
    """VNPAY's JSON API: querydr and refund, each checked with its own `|` checksum."""
    config = current_app.config
    body = request.get_json(silent=True) or {}
    command = body.get("vnp_Command")
    if command not in ("querydr", "refund"):
        return {"vnp_ResponseCode": "03", "vnp_Message": "Unsupported command"}
    fields = vnpay.QUERYDR_FIELDS if command == "querydr" else vnpay.REFUND_FIELDS
    values = {k.removeprefix("vnp_"): v for k, v in body.items()}
    if body.get("vnp_SecureHash") != vnpay.api_checksum(values, fields, config["VNPAY_HASH_SECRET"]):
        return {"vnp_ResponseCode": "97", "vnp_Message": "Invalid checksum"}
    if body.get("vnp_TmnCode") != config["VNPAY_TMN_CODE"]:
        return {"vnp_ResponseCode": "02", "vnp_Message": "Invalid TmnCode"}
    reference = body.get("vnp_TxnRef", "")
    with _ledger_lock:
        known = VNPAY_LEDGER.get(reference)
        if known is None:
            return {"vnp_ResponseCode": "91", "vnp_Message": "Transaction not found", "vnp_TxnRef": reference}
        if command == "refund":
            return _vnpay_refund(body, known)
        if known["vnp_TransactionStatus"] == "05":  # the refund VNPAY was processing has gone to the bank
            known["vnp_TransactionStatus"] = "06"
        status = known["vnp_TransactionStatus"]
    return {
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TxnRef": known["vnp_TxnRef"],
        "vnp_Amount": known["vnp_Amount"],
        "vnp_TransactionNo": known["vnp_TransactionNo"],
        "vnp_TransactionStatus": status,
        "vnp_ResponseCode_Payment": known["vnp_ResponseCode"],
    }


def _vnpay_refund(body: dict, known: dict) -> dict:
    """Called under the ledger lock: 95 not a success, 94 one still processing, 93 too much, else 00."""
    reference = known["vnp_TxnRef"]
    if known["vnp_ResponseCode"] != "00":
        return {"vnp_ResponseCode": "95", "vnp_Message": "Original transaction not successful"}
    if known["vnp_TransactionStatus"] == "05":
        return {"vnp_ResponseCode": "94", "vnp_Message": "Refund already pending"}
    amount = str(body.get("vnp_Amount", ""))
    paid = int(known["vnp_Amount"]) // 100
    already = VNPAY_REFUNDS.get(reference, 0)
    if not amount.isdigit() or int(amount) % 100 or not 0 < int(amount) // 100 <= paid - already:
        return {"vnp_ResponseCode": "93", "vnp_Message": "Invalid amount"}
    if body.get("vnp_TransactionType") == "02" and int(amount) // 100 != paid:
        return {"vnp_ResponseCode": "93", "vnp_Message": "Invalid amount"}
    VNPAY_REFUNDS[reference] = already + int(amount) // 100
    known["vnp_TransactionStatus"] = "05" if VNPAY_REFUND_PROCESSING else "06"
    return {
        "vnp_ResponseCode": "00",
        "vnp_Message": "Refund success",
        "vnp_TxnRef": reference,
        "vnp_Amount": amount,
        "vnp_TransactionNo": str(int(time.time() * 1000) % 10**8),
        "vnp_TransactionType": body.get("vnp_TransactionType"),
        "vnp_TransactionStatus": known["vnp_TransactionStatus"],
    }


@bp.route("/momo/v2/gateway/api/query", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def momo_query():
    from service.payments.gateways import momo

    config = current_app.config
    body = request.get_json(silent=True) or {}
    if not momo.verify(
        {**body, "accessKey": config["MOMO_ACCESS_KEY"]}, momo.QUERY_FIELDS, config["MOMO_SECRET_KEY"]
    ):
        return {"resultCode": 11007, "message": "Chữ ký không hợp lệ."}
    with _ledger_lock:
        known = MOMO_LEDGER.get(str(body.get("orderId")))
        if known is None:
            return {"orderId": body.get("orderId"), "resultCode": 42, "message": "Không tìm thấy giao dịch."}
        return {
            "partnerCode": body.get("partnerCode"),
            "orderId": body.get("orderId"),
            "requestId": body.get("requestId"),
            "amount": known["amount"],
            "transId": known["transId"],
            "resultCode": known["resultCode"],
            "message": "Thành công." if known["resultCode"] == 0 else "Giao dịch không thành công.",
            "refundTrans": list(known["refundTrans"]),
            "responseTime": int(time.time() * 1000),
        }


@bp.route("/momo/v2/gateway/api/refund", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def momo_refund():
    from service.payments.gateways import momo

    config = current_app.config
    body = request.get_json(silent=True) or {}
    if not momo.verify(
        {**body, "accessKey": config["MOMO_ACCESS_KEY"]}, momo.REFUND_FIELDS, config["MOMO_SECRET_KEY"]
    ):
        return {"resultCode": 11007, "message": "Chữ ký không hợp lệ."}
    with _ledger_lock:
        known = next(
            (
                t
                for t in MOMO_LEDGER.values()
                if str(t["transId"]) == str(body.get("transId")) and t["resultCode"] == 0
            ),
            None,
        )
        if known is None:
            return {
                "orderId": body.get("orderId"),
                "resultCode": 1080,
                "message": "Không tìm thấy giao dịch gốc.",
            }
        done = sum(r["amount"] for r in known["refundTrans"] if r["resultCode"] == 0)
        try:
            amount = int(str(body.get("amount")))
        except (TypeError, ValueError):
            amount = 0
        if not 0 < amount <= known["amount"] - done:
            return {
                "orderId": body.get("orderId"),
                "resultCode": 1081,
                "message": "Số tiền hoàn không hợp lệ.",
            }
        trans = int(time.time() * 1000)
        known["refundTrans"].append(
            {
                "orderId": body.get("orderId"),
                "amount": amount,
                "resultCode": 0,
                "transId": trans,
                "createdTime": trans,
            }
        )
    return {
        "partnerCode": body.get("partnerCode"),
        "orderId": body.get("orderId"),
        "requestId": body.get("requestId"),
        "amount": amount,
        "transId": trans,
        "resultCode": 0,
        "message": "Thành công.",
        "responseTime": trans,
    }


@bp.route("/vnpay/merchant/statement.csv")
@allow(ANYONE)
def vnpay_statement():
    """The merchant portal's transaction statement (CSV) of the simulated VNPAY: what reconciliation
    imports. Successful payments only, as the portal's "giao dịch thành công" export."""
    import csv
    import io

    from flask import Response

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Mã giao dịch", "vnp_TxnRef", "Số tiền", "Ngày giao dịch"])
    with _ledger_lock:
        rows = [t for t in VNPAY_LEDGER.values() if t["vnp_ResponseCode"] == "00"]
    for t in rows:
        paid = t["vnp_PayDate"]
        writer.writerow(
            [
                t["vnp_TransactionNo"],
                t["vnp_TxnRef"],
                int(t["vnp_Amount"]) // 100,
                f"{paid[6:8]}/{paid[4:6]}/{paid[0:4]}",
            ]
        )
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv")


def _csv(header: list[str], rows: list[list]):
    import csv
    import io

    from flask import Response

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv")


@bp.route("/momo/merchant/statement.csv")
@allow(ANYONE)
def momo_statement():
    """The MoMo business portal's statement of successful payments (CSV), as reconciliation imports it."""
    with _ledger_lock:
        rows = [
            [t["transId"], t["orderId"], t["amount"], t["day"]]
            for t in MOMO_LEDGER.values()
            if t["resultCode"] == 0
        ]
    return _csv(["Mã giao dịch", "orderId", "Số tiền", "Ngày giao dịch"], rows)


@bp.route("/bank/statement.csv")
@allow(ANYONE)
def bank_statement():
    """The bank's statement of credits (CSV): the transfer's content holds the reference, as typed."""
    with _ledger_lock:
        rows = [[t["id"], t["content"], t["amount"], t["day"]] for t in BANK_LEDGER]
    return _csv(["Số giao dịch", "Nội dung", "Số tiền ghi có", "Ngày giao dịch"], rows)
