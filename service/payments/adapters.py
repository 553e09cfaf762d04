"""One interface over the gateways: start a payment, read the browser's return, query an attempt,
refund. (Each gateway's server notification has its own route and answer format, and is settled by
`settlement`.) The wire formats live in `gateways/`, which knows nothing of Flask or the database.

A national payment platform (PayGov) integration is a bill-presentment adapter of a different shape
(the platform asks us for a bill, then tells us it was paid): see `service/payments/paygov.py`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app, url_for

from service.payments import registry, transport
from service.payments.gateways import momo, vietqr, vnpay
from service.payments.models import PaymentAttempt, PaymentOrder, PaymentRefund
from service.payments.registry import Account
from service.text import without_diacritics
from service.timeutil import utcnow


@dataclass(frozen=True)
class Start:
    """What the payer is given: a page to go to, or a QR code to scan."""

    redirect_url: str | None = None
    qr_payload: str | None = None


@dataclass(frozen=True)
class Outcome:
    """A gateway's verified word on an attempt (from a status query)."""

    state: str  # succeeded, failed, pending, unknown
    code: str = ""
    transaction: str | None = None


@dataclass(frozen=True)
class RefundOutcome:
    state: str  # succeeded, failed, pending
    code: str
    message: str
    transaction: str | None = None


class GatewayRefused(ValueError):
    """The gateway will not start this payment (its message is for the payer)."""


def order_info(text: str) -> str:
    """ASCII without diacritics or special characters (what VNPAY and MoMo accept)."""
    import re

    plain = re.sub(r"[^A-Za-z0-9 .-]", " ", without_diacritics(text))
    return " ".join(plain.split())[:255] or "Thanh toan"


class Adapter:
    name = ""
    label = ""
    min_amount = 1
    max_amount = 0  # per transaction, VND
    has_refund_api = True
    payer_facing = True  # offered to payers as a way to pay
    # A transfer the payer makes by hand (a QR, an account and a content to copy): pressing the button
    # again shows the same reference while it is valid, never a second one to confuse the bank feed.
    reuses_attempt = False
    # What the gateway needs: without all of them it is off (not offered, its callbacks answer 404), so
    # nothing is ever signed or verified with an empty or a demo secret. The simulators, when mounted,
    # stand in for the `simulated` ones (the gateway's own addresses).
    settings: tuple[str, ...] = ()
    simulated: tuple[str, ...] = ()

    def missing(self, config: Mapping) -> list[str]:
        stand_in = self.simulated if config.get("PAYMENT_SIMULATORS") else ()
        return [name for name in self.settings if not config.get(name) and name not in stand_in]

    def given(self, config: Mapping) -> list[str]:
        return [name for name in self.settings if config.get(name)]

    def enabled(self, config: Mapping | None = None) -> bool:
        return not self.missing(current_app.config if config is None else config)

    def available(self, school_id: int | None) -> bool:
        """Offered for a payment owed to this school (None: to the agency)."""
        return self.enabled()

    def attempt_minutes(self) -> int:
        return current_app.config["PAYMENT_ATTEMPT_MINUTES"]

    def check_amount(self, amount: int) -> str | None:
        """A message for the payer when the gateway cannot take this amount."""
        from service.money import format_money

        if amount < self.min_amount:
            return f"{self.label} chỉ nhận khoản từ {format_money(self.min_amount)} trở lên."
        if amount > self.max_amount:
            return f"Số tiền vượt hạn mức một giao dịch của {self.label} ({format_money(self.max_amount)})."
        return None

    def start(self, order: PaymentOrder, attempt: PaymentAttempt, client_ip: str) -> Start:
        raise NotImplementedError

    def query(self, attempt: PaymentAttempt) -> Outcome | None:
        return None

    def refund(self, refund: PaymentRefund, actor: str) -> RefundOutcome:
        raise NotImplementedError

    def refund_status(self, refund: PaymentRefund) -> RefundOutcome | None:
        return None


def _base() -> str:
    return current_app.config["APP_BASE_URL"]


class Vnpay(Adapter):
    name, label = "vnpay", "VNPAY"
    # "Số tiền hợp lệ từ 5.000 đến dưới 1 tỷ đồng" (VNPAY's own message for vnp_Amount).
    min_amount, max_amount = 5_000, 999_999_999
    settings = ("VNPAY_TMN_CODE", "VNPAY_HASH_SECRET", "VNPAY_PAYMENT_URL", "VNPAY_API_URL")
    simulated = ("VNPAY_PAYMENT_URL", "VNPAY_API_URL")

    def payment_base(self) -> str:
        return current_app.config["VNPAY_PAYMENT_URL"] or _base() + "/simulators/vnpay/paymentv2/vpcpay.html"

    def api_url(self) -> str:
        return (
            current_app.config["VNPAY_API_URL"]
            or _base() + "/simulators/vnpay/merchant_webapi/api/transaction"
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
            _base() + url_for("payments.vnpay_return"),
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
        return current_app.config["MOMO_ENDPOINT"] or _base() + "/simulators/momo"

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
                "redirectUrl": _base() + url_for("payments.momo_return"),
                "ipnUrl": _base() + url_for("payments.momo_ipn"),
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


# The agency's own collecting account: all three given, or none (then only schools' accounts collect).
AGENCY_ACCOUNT = ("VIETQR_BANK_BIN", "VIETQR_ACCOUNT_NO", "VIETQR_ACCOUNT_NAME")


def collecting_account(order: PaymentOrder) -> Account | None:
    return account_for(order.school_id)


def account_for(collector_id: int | None) -> Account | None:
    """Where a transfer goes: the collector's own account (a school's, for its bills), else the agency's;
    None when neither is configured (no QR is ever drawn for a made-up account)."""
    if collector_id:
        found = registry.collector_account(collector_id)
        if found is not None:
            return found
    config = current_app.config
    if not all(config[name] for name in AGENCY_ACCOUNT):
        return None
    bank_bin, number, name = (config[name] for name in AGENCY_ACCOUNT)
    return Account(bank_bin, number, name, config["VIETQR_BANK_NAME"])


def our_accounts() -> set[str]:
    """Every account a bank feed may report credits to."""
    return {n for n in registry.collector_numbers() | {current_app.config["VIETQR_ACCOUNT_NO"]} if n}


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
    """Money that reaches us outside a gateway we call: settled by its own record (a notification of
    the national platform, an accountant's counter voucher), never started here, refunded by hand."""

    min_amount, max_amount = 1, 10**12
    has_refund_api = False
    payer_facing = False
    refused = ""
    refund_message = ""

    def start(self, order, attempt, client_ip):
        raise GatewayRefused(self.refused)

    def refund(self, refund, actor):
        return RefundOutcome("pending", "", self.refund_message)


class PayGov(Recorded):
    """The national payment platform collects through its own portal (see `paygov.py`)."""

    name, label = "paygov", "Nền tảng thanh toán trực tuyến quốc gia"
    settings = ("PAYGOV_API_KEY",)
    refused = "Khoản này được thanh toán trên Cổng Dịch vụ công quốc gia."
    refund_message = "Hoàn tiền qua đơn vị vận hành nền tảng; kế toán ghi số tham chiếu."


class Counter(Recorded):
    """Money taken at a school's counter (service/schools/counter.py)."""

    name, label = "manual", "Thu trực tiếp (ngoại lệ)"
    refused = "Khoản thu trực tiếp do kế toán ghi nhận."
    refund_message = "Kế toán hoàn trả trực tiếp rồi ghi số chứng từ."


ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter for adapter in (Vnpay(), VietQR(), Momo(), PayGov(), Counter())
}


def offered(amount: int, school_id: int | None) -> list[Adapter]:
    """The ways to pay a payer is shown: gateways configured here that take this amount."""
    return [
        adapter
        for adapter in ADAPTERS.values()
        if adapter.payer_facing and adapter.available(school_id) and adapter.check_amount(amount) is None
    ]
