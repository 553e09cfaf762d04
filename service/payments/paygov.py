"""The national payment platform of the national public-service portal (PayGov) as one more gateway:
we start the payment (INIT, the payer sent to the platform's page), ask an attempt's state (QUERY, at
reconciliation) and fetch the platform's receipt (GET_BILL); its confirmation callback is settled in
`paygov_callback.py`. The wire format is `gateways/paygov.py`; the facts, and what is unconfirmed,
shared/INTEGRATION.md §4.

The platform's receipt is fetched when asked for (a link on the order's page), not stored: the
platform keeps it, and the receipt this system issues on settlement (`receipts.py`, like every other
gateway's) stays the record in our books.
"""

from __future__ import annotations

from flask import current_app

from service.payments import registry, transport
from service.payments.adapter_base import (
    Adapter,
    GatewayRefused,
    Outcome,
    RefundOutcome,
    Start,
    base_url,
    collecting_account,
    order_info,
)
from service.payments.gateways import paygov
from service.payments.models import PaymentAttempt, PaymentOrder
from service.timeutil import utcnow

SIMULATOR = "/simulators/paygov"
REFUSED = (
    "Nền tảng thanh toán của Cổng Dịch vụ công quốc gia tạm thời không nhận thanh toán. "
    "Vui lòng thử lại sau hoặc chọn cách thanh toán khác."
)


class PayGov(Adapter):
    name, label = "paygov", "Nền tảng thanh toán trực tuyến quốc gia"
    # No published limit: the intermediary the payer picks on the platform applies its own.
    min_amount, max_amount = 1, 10**11
    has_refund_api = False  # refunds go through the platform's operator; the accountant records them
    settings = (
        "PAYGOV_INIT_URL",
        "PAYGOV_QUERY_URL",
        "PAYGOV_BILL_URL",
        "PAYGOV_ACCESS_TOKEN",
        "PAYGOV_PARTNER_CODE",
        "PAYGOV_SECRET",
    )
    simulated = ("PAYGOV_INIT_URL", "PAYGOV_QUERY_URL", "PAYGOV_BILL_URL")

    def missing(self, config):
        # An algorithm we do not know signs nothing: the platform is off, and half configured in production.
        wrong = config.get("PAYGOV_CHECK_ALGORITHM", paygov.SHA256) not in paygov.ALGORITHMS
        return super().missing(config) + (["PAYGOV_CHECK_ALGORITHM"] if wrong else [])

    def url(self, setting: str, path: str) -> str:
        return current_app.config[setting] or base_url() + f"{SIMULATOR}/{path}"

    def start(self, order, attempt, client_ip):
        message = init_message(order, attempt, client_ip or "127.0.0.1")
        answer = self._post(self.url("PAYGOV_INIT_URL", "init"), "INIT", message)
        found = paygov.pay_url(answer) if answer else None
        if found is None:
            raise GatewayRefused(REFUSED)
        return Start(redirect_url=found)

    def query(self, attempt):
        answer = self._post(self.url("PAYGOV_QUERY_URL", "query"), "QUERY", short_message("QUERY", attempt))
        if not answer or str(answer.get("MaLoi")) != paygov.OK:
            return None
        state, transaction = str(answer.get("TrangThaiGD")), str(answer.get("MaGiaoDich") or "")[:64]
        if state == paygov.PAID:
            if str(answer.get("SoTien")) != str(attempt.amount):
                return Outcome("unknown", "04")
            return Outcome("succeeded", "00", transaction)
        if state == paygov.PENDING:
            return Outcome("pending", "3")
        if state == paygov.FAILED:
            return Outcome("failed", "99", transaction or None)
        return None

    def receipt(self, attempt: PaymentAttempt) -> bytes | None:
        """GET_BILL: the platform's receipt of a paid attempt as a PDF; None when it has none to give."""
        if not self.enabled():
            return None
        message = _signed("GET_BILL", short_message("GET_BILL", attempt))
        try:
            _, content = transport.post_for_content(
                self.url("PAYGOV_BILL_URL", "bill"), message, headers=_bearer()
            )
        except transport.GatewayUnavailable:
            return None
        return content if paygov.is_pdf(content) else None

    def refund(self, refund, actor):
        return RefundOutcome(
            "pending", "", "Hoàn tiền qua đơn vị vận hành nền tảng; kế toán ghi số tham chiếu khi đã hoàn."
        )

    def _post(self, url: str, kind: str, message: dict) -> dict | None:
        if not self.enabled():
            return None  # not configured here (any more): as if the platform did not answer
        try:
            return transport.post_json(url, _signed(kind, message), headers=_bearer())
        except transport.GatewayUnavailable:
            return None


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {current_app.config['PAYGOV_ACCESS_TOKEN']}"}


def _signed(kind: str, message: dict) -> dict:
    config = current_app.config
    return paygov.sign(message, kind, config["PAYGOV_SECRET"], config["PAYGOV_CHECK_ALGORITHM"])


def short_message(kind: str, attempt: PaymentAttempt) -> dict:
    """QUERY and GET_BILL: the attempt named by our reference."""
    return {
        "LoaiBanTin": kind,
        "PhienBan": paygov.VERSION,
        "MaDoiTac": current_app.config["PAYGOV_PARTNER_CODE"],
        "MaThamChieu": attempt.reference,
        "ThoiGianGD": paygov.stamp(utcnow()),
    }


def init_message(order: PaymentOrder, attempt: PaymentAttempt, client_ip: str) -> dict:
    """INIT, unsigned: the payment and, for the platform's receipt, what it pays for."""
    config = current_app.config
    return {
        "LoaiBanTin": "INIT",
        "PhienBan": paygov.VERSION,
        "MaDoiTac": config["PAYGOV_PARTNER_CODE"],
        "MaThamChieu": attempt.reference,
        "SoTien": attempt.amount,
        "LoaiHinhThanhToan": "PAY",
        "MaKenhThanhToan": config["PAYGOV_CHANNEL"],
        "MaThietBi": config["PAYGOV_DEVICE"],
        "NgonNgu": "vi-VN",
        "MaTienTe": "VND",
        "MaNganHang": "PAYMENT",
        "ThongTinGiaoDich": order_info(order.description),
        "ThoiGianGD": paygov.stamp(attempt.created_at),
        "Ip": client_ip,
        "ThongTinBienLai": receipt_details(order, attempt.amount),
    }


def receipt_details(order: PaymentOrder, amount: int) -> dict:
    """ThongTinBienLai: what the platform's receipt says, from what the order's client feature tells
    (a dossier's fee: its procedure, code and applicant) and where the money goes."""
    config = current_app.config
    subject = registry.receipt_subject(order)
    account = collecting_account(order)
    content = subject.line if subject else order.description
    return {
        "MaDichVu": config["PAYGOV_SERVICE_CODE"],
        "MaDVC": config["PAYGOV_PORTAL_CODE"],
        "TenDVC": config["PAYGOV_PORTAL_NAME"],
        "MaTTHC": subject.procedure_code if subject else "",
        "TenTTHC": subject.procedure if subject else "",
        "MaDonVi": config["PAYGOV_UNIT_CODE"],
        "TenDonVi": config["PAYGOV_UNIT_NAME"],
        "MaHoSo": subject.dossier_code if subject else "",
        "TKThuHuong": account.number if account else "",
        "MaNHThuHuong": account.bank_bin if account else "",
        "TenTKThuHuong": account.name if account else "",
        "HoTenNguoiNop": subject.payer if subject else (order.payer_name or ""),
        "SoCMNDNguoiNop": "",  # not asked of the payer here: the platform's page asks if it must
        "DiaChiNguoiNop": "",
        "NoiDungThanhToan": order.description,
        "PhiLePhi": [
            {
                "LoaiPhiLePhi": "",
                "MaPhiLePhi": subject.procedure_code if subject else "",
                "TenPhiLePhi": content,
                "SoTien": amount,
            }
        ],
        "DSKhoanNop": [{"NoiDung": order.description, "SoTien": amount}],
    }
