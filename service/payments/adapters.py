"""One interface over the gateways: start a payment, read the browser's return, query an attempt,
refund. (Each gateway's server notification has its own route and answer format, and is settled by
`settlement`.) The wire formats live in `gateways/`, which knows nothing of Flask or the database.
The national payment platform (PayGov) is one more gateway of this shape: `service/payments/paygov.py`.
"""

from __future__ import annotations

import secrets

from flask import current_app, url_for

from service.payments import transport
from service.payments.adapter_base import (
    AGENCY_ACCOUNT,
    Adapter,
    GatewayRefused,
    Outcome,
    RefundOutcome,
    Start,
    account_for,
    base_url,
    collecting_account,
    order_info,
    our_accounts,
)
from service.payments.gateways import momo, vietqr, vnpay
from service.payments.models import PaymentAttempt
from service.timeutil import utcnow

__all__ = [
    "ADAPTERS",
    "AGENCY_ACCOUNT",
    "Adapter",
    "GatewayRefused",
    "Outcome",
    "RefundOutcome",
    "Start",
    "account_for",
    "collecting_account",
    "offered",
    "order_info",
    "our_accounts",
]


class Vnpay(Adapter):
    name, label = "vnpay", "VNPAY"
    # "Số tiền hợp lệ từ 5.000 đến dưới 1 tỷ đồng" (VNPAY's own message for vnp_Amount).
    min_amount, max_amount = 5_000, 999_999_999
    settings = ("VNPAY_TMN_CODE", "VNPAY_HASH_SECRET", "VNPAY_PAYMENT_URL", "VNPAY_API_URL")
    simulated = ("VNPAY_PAYMENT_URL", "VNPAY_API_URL")

    def payment_base(self) -> str:
        return (
            current_app.config["VNPAY_PAYMENT_URL"] or base_url() + "/simulators/vnpay/paymentv2/vpcpay.html"
        )

    def api_url(self) -> str:
        return (
            current_app.config["VNPAY_API_URL"]
            or base_url() + "/simulators/vnpay/merchant_webapi/api/transaction"
        )

    def start(self, order, attempt, client_ip):
        config = current_app.config
        url = vnpay.payment_url(
            self.payment_base(),
            config["VNPAY_HASH_SECRET"],
            config["VNPAY_TMN_CODE"],
            attempt.reference,
            attempt.amount,
            order_info(order.description),
            base_url() + url_for("payments.vnpay_return"),
            client_ip or "127.0.0.1",
            attempt.created_at,
            attempt.expires_at,
        )
        return Start(redirect_url=url)

    def _call(self, command: str, values: dict[str, str], fields: tuple[str, ...]) -> dict | None:
        if not self.enabled():
            return None  # not configured here (any more): as if VNPAY did not answer
        config = current_app.config
        values = {
            "RequestId": secrets.token_hex(8),
            "Version": vnpay.VERSION,
            "Command": command,
            "TmnCode": config["VNPAY_TMN_CODE"],
            **values,
        }
        body = {f"vnp_{k}": v for k, v in values.items()}
        body["vnp_SecureHash"] = vnpay.api_checksum(values, fields, config["VNPAY_HASH_SECRET"])
        try:
            return transport.post_json(self.api_url(), body)
        except transport.GatewayUnavailable:
            return None

    def _querydr(self, attempt: PaymentAttempt) -> dict | None:
        return self._call(
            "querydr",
            {
                "TxnRef": attempt.reference,
                "TransactionDate": vnpay.stamp(attempt.created_at),
                "CreateDate": vnpay.stamp(utcnow()),
                "IpAddr": "127.0.0.1",
                "OrderInfo": f"Truy van GD {attempt.reference}",
            },
            vnpay.QUERYDR_FIELDS,
        )

    def query(self, attempt):
        answer = self._querydr(attempt)
        if not answer or answer.get("vnp_ResponseCode") != "00":
            return None
        if answer.get("vnp_Amount") != str(attempt.amount * 100):
            return Outcome("unknown", "04")
        status = answer.get("vnp_TransactionStatus")
        if status == "00":
            return Outcome("succeeded", "00", answer.get("vnp_TransactionNo"))
        if status == "01":
            return Outcome("pending")
        return Outcome(
            "failed", answer.get("vnp_ResponseCode_Payment") or "99", answer.get("vnp_TransactionNo")
        )

    def refund(self, refund, actor):
        attempt = refund.attempt
        full = refund.amount == attempt.amount
        answer = self._call(
            "refund",
            {
                "TransactionType": "02" if full else "03",
                "TxnRef": attempt.reference,
                "Amount": str(refund.amount * 100),
                "TransactionNo": attempt.gateway_transaction or "",
                "TransactionDate": vnpay.stamp(attempt.created_at),
                "CreateBy": order_info(actor)[:250],
                "CreateDate": vnpay.stamp(utcnow()),
                "IpAddr": "127.0.0.1",
                "OrderInfo": order_info(f"Hoan tien {refund.reference}"),
            },
            vnpay.REFUND_FIELDS,
        )
        if answer is None:
            return RefundOutcome(
                "pending", "", "Chưa nhận được trả lời của VNPAY; hệ thống sẽ hỏi lại khi đối soát."
            )
        code = str(answer.get("vnp_ResponseCode", "99"))
        if code != "00":
            return RefundOutcome("failed", code, vnpay.REFUND_MESSAGES.get(code, "VNPAY từ chối hoàn tiền."))
        return _vnpay_refund_state(answer.get("vnp_TransactionStatus"), answer.get("vnp_TransactionNo"))

    def refund_status(self, refund):
        # querydr reports the payment's latest state, not one refund's: it tells about this refund only
        # when it is the payment's only one. Otherwise the refund waits for the accountant's review.
        from service.extensions import db
        from service.payments.models import PaymentRefund

        others = db.session.scalar(
            db.select(db.func.count())
            .select_from(PaymentRefund)
            .where(
                PaymentRefund.attempt_id == refund.attempt_id,
                PaymentRefund.id != refund.id,
                PaymentRefund.status != "failed",
            )
        )
        if others:
            return None
        answer = self._querydr(refund.attempt)
        if not answer or answer.get("vnp_ResponseCode") != "00":
            return None
        status = answer.get("vnp_TransactionStatus")
        if status == "00":  # still a plain payment: the refund never arrived
            return RefundOutcome("failed", "91", "VNPAY không ghi nhận yêu cầu hoàn tiền này.")
        if status not in ("05", "06", "09"):
            return None  # not a refund state: left for the accountant to check with VNPAY
        return _vnpay_refund_state(status, answer.get("vnp_TransactionNo"))


def _vnpay_refund_state(status: str | None, transaction: str | None) -> RefundOutcome:
    # vnp_TransactionStatus: 05 refund processing, 06 refund sent to the bank, 09 refund refused.
    if status == "06":
        return RefundOutcome(
            "succeeded", "06", "VNPAY đã chuyển yêu cầu hoàn tiền sang ngân hàng.", transaction
        )
    if status == "09":
        return RefundOutcome("failed", "09", "Ngân hàng từ chối hoàn tiền.", transaction)
    return RefundOutcome("pending", status or "05", "VNPAY đang xử lý hoàn tiền.", transaction)


class Momo(Adapter):
    name, label = "momo", "Ví MoMo"
    min_amount, max_amount = 1_000, 50_000_000  # captureWallet: 1.000 đ to 50.000.000 đ
    settings = ("MOMO_PARTNER_CODE", "MOMO_ACCESS_KEY", "MOMO_SECRET_KEY", "MOMO_ENDPOINT")
    simulated = ("MOMO_ENDPOINT",)

    def endpoint(self) -> str:
        return current_app.config["MOMO_ENDPOINT"] or base_url() + "/simulators/momo"

    def _post(self, path: str, body: dict, fields: tuple[str, ...]) -> dict | None:
        if not self.enabled():
            return None  # not configured here (any more): as if MoMo did not answer
        config = current_app.config
        body = {"partnerCode": config["MOMO_PARTNER_CODE"], **body}
        body["signature"] = momo.sign(
            {**body, "accessKey": config["MOMO_ACCESS_KEY"]}, fields, config["MOMO_SECRET_KEY"]
        )
        try:
            return transport.post_json(self.endpoint() + path, body)
        except transport.GatewayUnavailable:
            return None

    def start(self, order, attempt, client_ip):
        answer = self._post(
            "/v2/gateway/api/create",
            {
                "requestId": attempt.reference,
                "amount": attempt.amount,
                "orderId": attempt.reference,
                "orderInfo": order_info(order.description),
                "redirectUrl": base_url() + url_for("payments.momo_return"),
                "ipnUrl": base_url() + url_for("payments.momo_ipn"),
                "requestType": "captureWallet",
                "extraData": "",
                "lang": "vi",
            },
            momo.CREATE_FIELDS,
        )
        if not answer or answer.get("resultCode") != 0 or not answer.get("payUrl"):
            raise GatewayRefused(
                "Ví MoMo tạm thời không nhận thanh toán. Vui lòng thử lại sau hoặc chọn cách thanh toán khác."
            )
        return Start(redirect_url=answer["payUrl"])

    def _query(self, order_id: str) -> dict | None:
        return self._post(
            "/v2/gateway/api/query",
            {"requestId": "Q" + secrets.token_hex(8), "orderId": order_id, "lang": "vi"},
            momo.QUERY_FIELDS,
        )

    def query(self, attempt):
        answer = self._query(attempt.reference)
        if not answer or "resultCode" not in answer:
            return None
        code = int(answer["resultCode"])
        if str(answer.get("amount")) != str(attempt.amount) and code in momo.SUCCESS_CODES:
            return Outcome("unknown", "04")
        if code in momo.SUCCESS_CODES:
            return Outcome("succeeded", "00", str(answer.get("transId") or ""))
        if code in momo.PENDING_CODES:
            return Outcome("pending", str(code))
        if code == 42:  # the order is not known to MoMo: the payer never got there
            return Outcome("unknown", "42")
        return Outcome("failed", "24" if code == 1006 else str(code), str(answer.get("transId") or ""))

    def refund(self, refund, actor):
        answer = self._post(
            "/v2/gateway/api/refund",
            {
                "orderId": refund.reference,
                "requestId": refund.reference,
                "amount": refund.amount,
                "transId": refund.attempt.gateway_transaction or "",
                "lang": "vi",
                "description": order_info(f"Hoan tien {refund.attempt.reference}"),
            },
            momo.REFUND_FIELDS,
        )
        if answer is None:
            return RefundOutcome(
                "pending", "", "Chưa nhận được trả lời của MoMo; hệ thống sẽ hỏi lại khi đối soát."
            )
        code = answer.get("resultCode")
        if code == 0:
            return RefundOutcome(
                "succeeded", "0", "MoMo đã hoàn tiền vào ví.", str(answer.get("transId") or "")
            )
        return RefundOutcome(
            "failed", str(code), str(answer.get("message") or "MoMo từ chối hoàn tiền.")[:255]
        )

    def refund_status(self, refund):
        answer = self._query(refund.attempt.reference)
        if not answer or answer.get("resultCode") not in momo.SUCCESS_CODES:
            return None  # no trustworthy answer: ask again at the next reconciliation
        for item in answer.get("refundTrans") or []:
            if item.get("orderId") == refund.reference:
                if item.get("resultCode") == 0:
                    return RefundOutcome(
                        "succeeded", "0", "MoMo đã hoàn tiền vào ví.", str(item.get("transId") or "")
                    )
                return RefundOutcome("failed", str(item.get("resultCode")), "MoMo từ chối hoàn tiền.")
        return RefundOutcome("failed", "42", "MoMo không ghi nhận yêu cầu hoàn tiền này.")


class VietQR(Adapter):
    name, label = "vietqr", "Chuyển khoản VietQR"
    # NAPAS 247 fast transfers: under 500 million đồng per transaction.
    min_amount, max_amount = 1, 499_999_999
    has_refund_api = False  # the accountant transfers the money back and records the bank's reference
    reuses_attempt = True
    settings = ("BANKFEED_API_KEY",)  # without the bank feed no transfer would ever be confirmed

    def attempt_minutes(self) -> int:
        return current_app.config["VIETQR_ATTEMPT_MINUTES"]

    def available(self, school_id: int | None) -> bool:
        return self.enabled() and account_for(school_id) is not None

    def start(self, order, attempt, client_ip):
        account = collecting_account(order)
        if account is None:
            raise GatewayRefused("Chưa có tài khoản nhận chuyển khoản cho khoản này.")
        return Start(
            qr_payload=vietqr.payload(account.bank_bin, account.number, attempt.amount, attempt.reference)
        )

    def refund(self, refund, actor):
        return RefundOutcome(
            "pending", "", "Kế toán chuyển khoản hoàn tiền cho người nộp rồi ghi số tham chiếu của ngân hàng."
        )


class Recorded(Adapter):
    """Money that reaches us outside a gateway we call: settled by its own record (an accountant's
    counter voucher), never started here, refunded by hand."""

    min_amount, max_amount = 1, 10**12
    has_refund_api = False
    payer_facing = False
    refused = ""
    refund_message = ""

    def start(self, order, attempt, client_ip):
        raise GatewayRefused(self.refused)

    def refund(self, refund, actor):
        return RefundOutcome("pending", "", self.refund_message)


class Counter(Recorded):
    """Money taken at a school's counter (service/schools/counter.py)."""

    name, label = "manual", "Thu trực tiếp (ngoại lệ)"
    refused = "Khoản thu trực tiếp do kế toán ghi nhận."
    refund_message = "Kế toán hoàn trả trực tiếp rồi ghi số chứng từ."


def _all() -> tuple[Adapter, ...]:
    from service.payments.paygov import PayGov

    return (Vnpay(), VietQR(), Momo(), PayGov(), Counter())


ADAPTERS: dict[str, Adapter] = {adapter.name: adapter for adapter in _all()}


def offered(amount: int, school_id: int | None) -> list[Adapter]:
    """The ways to pay a payer is shown: gateways configured here that take this amount."""
    return [
        adapter
        for adapter in ADAPTERS.values()
        if adapter.payer_facing and adapter.available(school_id) and adapter.check_amount(amount) is None
    ]
