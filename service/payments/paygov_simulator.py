"""A local stand-in for the national payment platform (PayGov), speaking its messages (INTEGRATION.md §4),
mounted with the other payment simulators only when PAYMENT_SIMULATORS is on (development and tests;
production refuses to start with it, service/safety.py).

INIT checks the bearer token and the check code and answers with the URL of a pay page; there the
payer picks the outcome, and the platform posts its confirmation to our callback, or misbehaves as a
real one may: the confirmation sent twice, sent with a wrong check code, or never sent (the payer
paid, reconciliation's QUERY must find it). QUERY and GET_BILL (a small PDF receipt) answer from what
the simulated platform remembers.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from urllib.parse import urlencode

import requests
from flask import Blueprint, Response, current_app, redirect, render_template, request

from service.access import ANYONE, allow
from service.extensions import csrf
from service.payments.gateways import paygov
from service.timeutil import utcnow

bp = Blueprint("paygov_simulator", __name__, url_prefix="/simulators/paygov")
CALLBACK_PATH = "/payments/paygov/confirm"
OUTCOMES = {
    "success": "Thanh toán thành công",
    "failure": "Thanh toán không thành công",
    "duplicate": "Thành công, gửi xác nhận hai lần",
    "bad_hash": "Thành công, gửi xác nhận sai mã xác thực",
    "lost": "Thành công, không gửi xác nhận",
    "pending": "Rời trang, chưa thanh toán",
}
# What the simulated platform knows of its transactions by MaThamChieu (one process: development, tests).
LEDGER: dict[str, dict] = {}
_lock = threading.Lock()


def _config(name: str) -> str:
    return current_app.config[name]


def _authorised() -> bool:
    expected = f"Bearer {_config('PAYGOV_ACCESS_TOKEN')}"
    return hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode())


def _checked(kind: str) -> tuple[dict | None, dict | None]:
    """The message if its token, check code and partner are right; else the platform's refusal."""
    body = request.get_json(silent=True)
    if not _authorised():
        return None, {"error_code": "401", "message": "Unauthorized", "MaLoi": "99", "MoTaLoi": "Sai token"}
    if not isinstance(body, dict):
        return None, {
            "error_code": "1",
            "message": "Sai định dạng",
            "MaLoi": "99",
            "MoTaLoi": "Sai định dạng",
        }
    secret, algorithm = _config("PAYGOV_SECRET"), _config("PAYGOV_CHECK_ALGORITHM")
    if not paygov.verify(body, kind, secret, algorithm) or body.get("MaDoiTac") != _config(
        "PAYGOV_PARTNER_CODE"
    ):
        return None, {
            "error_code": "2",
            "message": "Sai mã xác thực",
            "MaLoi": "99",
            "MoTaLoi": "Sai mã xác thực",
        }
    return body, None


@bp.route("/init", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def init():
    body, refusal = _checked("INIT")
    if body is None:
        return refusal
    reference = str(body["MaThamChieu"])
    with _lock:
        LEDGER[reference] = {
            "MaThamChieu": reference,
            "SoTien": body.get("SoTien"),
            "ThongTinGiaoDich": body.get("ThongTinGiaoDich", ""),
            "ThongTinBienLai": body.get("ThongTinBienLai") or {},
            "TrangThaiGD": paygov.PENDING,
            "MaGiaoDich": "",
            "answers": [],
        }
    url = _config("APP_BASE_URL") + "/simulators/paygov/pay?" + urlencode({"ref": reference})
    return {"error_code": "0", "message": json.dumps({"MaLoi": "00", "UrlThanhToan": url})}


@bp.route("/pay", methods=["GET", "POST"])
@allow(ANYONE)
@csrf.exempt
def pay():
    reference = (request.values.get("ref") or "")[:34]
    with _lock:
        known = dict(LEDGER.get(reference) or {})
    if not known:
        return render_template("payments/paygov_simulator.html", known=None, outcomes=OUTCOMES), 404
    if request.method == "GET":
        return render_template("payments/paygov_simulator.html", known=known, outcomes=OUTCOMES)
    outcome = request.form.get("outcome", "pending")
    back = _config("APP_BASE_URL") + "/payments/paygov/return?" + urlencode({"MaThamChieu": reference})
    if outcome not in OUTCOMES or outcome == "pending":
        return redirect(back)
    paid = outcome != "failure"
    transaction = f"PG{int(time.time() * 1000)}"
    with _lock:
        LEDGER[reference].update(TrangThaiGD=paygov.PAID if paid else paygov.FAILED, MaGiaoDich=transaction)
    if outcome != "lost":
        confirmation = confirmation_for(reference, paid, transaction)
        if outcome == "bad_hash":
            confirmation["MaXacThuc"] = "0" * 64
        for _ in range(2 if outcome == "duplicate" else 1):
            deliver(reference, confirmation)
    return redirect(back)


def confirmation_for(reference: str, paid: bool, transaction: str) -> dict:
    with _lock:
        known = dict(LEDGER[reference])
    message = {
        "LoaiBanTin": "CONFIRM",
        "MaLoi": paygov.OK if paid else "01",
        "MaDoiTac": _config("PAYGOV_PARTNER_CODE"),
        "MaThamChieu": reference,
        "SoTien": known["SoTien"],
        "MaTienTe": "VND",
        "MaGiaoDich": transaction,
        "MaNganHang": "NCB",
        "ThoiGianGD": paygov.stamp(utcnow()),
        "ThongTinGiaoDich": known["ThongTinGiaoDich"],
    }
    return paygov.sign(message, "CONFIRM", _config("PAYGOV_SECRET"), _config("PAYGOV_CHECK_ALGORITHM"))


def deliver(reference: str, confirmation: dict) -> None:
    """Our callback, as the platform posts it; in tests ("inline") through the app's own client."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("SIMULATOR_DELIVERY") == "inline":
        answer = app.test_client().post(CALLBACK_PATH, json=confirmation).get_json()
        with _lock:
            LEDGER[reference]["answers"].append(answer)
        return
    url = app.config["APP_BASE_URL"] + CALLBACK_PATH
    threading.Thread(target=_post, args=(url, reference, confirmation), daemon=True).start()


def _post(url: str, reference: str, confirmation: dict) -> None:
    try:
        answer = requests.post(url, json=confirmation, timeout=15).json()
    except (requests.RequestException, ValueError):
        answer = None
    with _lock:
        LEDGER[reference]["answers"].append(answer)


@bp.route("/query", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def query():
    body, refusal = _checked("QUERY")
    if body is None:
        return refusal
    with _lock:
        known = dict(LEDGER.get(str(body["MaThamChieu"])) or {})
    if not known:
        return {"MaLoi": "99", "MoTaLoi": "Không tìm thấy giao dịch", "MaThamChieu": body["MaThamChieu"]}
    message = {
        "MaLoi": paygov.OK,
        "MaDoiTac": body["MaDoiTac"],
        "MaThamChieu": known["MaThamChieu"],
        "TrangThaiGD": known["TrangThaiGD"],
        "MaGiaoDich": known["MaGiaoDich"],
        "MaNganHang": "NCB" if known["MaGiaoDich"] else "",
        "SoTien": known["SoTien"],
    }
    return paygov.sign(message, "QUERY_ANSWER", _config("PAYGOV_SECRET"), _config("PAYGOV_CHECK_ALGORITHM"))


@bp.route("/bill", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def bill():
    body, refusal = _checked("GET_BILL")
    if body is None:
        return refusal
    with _lock:
        known = dict(LEDGER.get(str(body["MaThamChieu"])) or {})
    if known.get("TrangThaiGD") != paygov.PAID:
        return {"MaLoi": "99", "MoTaLoi": "Giao dịch chưa thanh toán", "MaThamChieu": body["MaThamChieu"]}
    lines = [
        "BIEN LAI THU (mo phong) - Nen tang thanh toan Cong DVCQG",
        f"Ma tham chieu: {known['MaThamChieu']}",
        f"Ma giao dich: {known['MaGiaoDich']}",
        f"So tien: {known['SoTien']} VND",
    ]
    return Response(tiny_pdf(lines), mimetype="application/pdf")


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of ASCII lines (the simulated platform's receipt), written out by hand."""
    text = "BT /F1 12 Tf 50 780 Td 16 TL " + " ".join(f"({_escape(line)}) '" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _escape(line: str) -> str:
    plain = line.encode("ascii", "replace").decode()
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
