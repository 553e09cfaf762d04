"""Every signed message we send or accept, pinned by a vector written out by hand.

Each test spells the exact string the gateway signs (field names, order, separators, encoding) and
computes its signature here, with `hmac`/`hashlib`/`binascii` on that literal: never through our own
field lists or canonical functions. Renaming, reordering or re-encoding one field in
`service/payments/gateways/` or in an adapter makes one of these fail, as the real gateway would.
Dynamic parts (our random references, the clock) are interpolated into the literal; their positions
and names are not.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from service.database import begin_write
from service.extensions import db
from service.payments import simulators, transport
from service.payments.adapters import ADAPTERS
from service.payments.gateways import momo, vietqr, vnpay
from service.payments.models import PaymentAttempt, PaymentNotification, PaymentOrder
from service.payments.reconcile import reconcile
from service.payments.refunds import request_refund
from service.timeutil import utcnow
from tests.factories import create_official, create_payment_order

AMOUNT = 500_000
BASE = "http://127.0.0.1:5000"
# The test configuration's gateway credentials (config.DEMO_SETTINGS), written out.
VNPAY_SECRET, TMN = "DEVONLYVNPAYSECRET0123456789ABCD", "GDNNDEMO"
MOMO_SECRET, ACCESS_KEY, PARTNER = "DEVONLYMOMOSECRET0123456789abcdef", "DEVACCESSKEY", "MOMOGDNN"


def hmac512(secret: str, raw: str) -> str:
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha512).hexdigest()


def hmac256(secret: str, raw: str) -> str:
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()


def gmt7(moment: datetime) -> str:
    return (moment + timedelta(hours=7)).strftime("%Y%m%d%H%M%S")


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, dict]]:
    """What the app posts to a gateway's JSON API (path, body), still delivered to the simulator."""
    calls: list[tuple[str, dict]] = []
    real = transport.post_json

    def recording(url: str, body: dict, timeout: int = 15, headers: dict | None = None) -> dict:
        calls.append((urlsplit(url).path, dict(body)))
        return real(url, body, timeout, headers)

    monkeypatch.setattr(transport, "post_json", recording)
    return calls


def start(client, gateway: str) -> tuple[PaymentOrder, PaymentAttempt, object]:
    order = create_payment_order(AMOUNT, "Học phí học kỳ 1")
    response = client.submit(f"/payments/o/{order.access_token}/pay/{gateway}")
    attempt = db.session.scalar(db.select(PaymentAttempt).where(PaymentAttempt.order_id == order.id))
    return order, attempt, response


def reload(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


# ---------------------------------------------------------------- VNPAY


PUBLISHED_PAY = (
    "vnp_Amount=150000000&vnp_Command=pay&vnp_CreateDate=20240901083000&vnp_CurrCode=VND&vnp_ExpireDate="
    "20240901084500&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+hoc+phi+HK1+HS00123&"
    "vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Ftruong.example.vn%2Fpay%2Fvnpay%2Freturn&"
    "vnp_TmnCode=DEMO0001&vnp_TxnRef=HP2024000123&vnp_Version=2.1.0"
)
PUBLISHED_PAY_HASH = (
    "2956bd7c22a1f78fba54c370353ef481d6d8c7b8865a0bed25b09d717a03e144"
    "805abf3ccbca181ab1bf437379a46ad824d9f498a19565c3b691a60ee32d3b6a"
)


def test_the_published_vnpay_payment_vector_holds_and_our_url_is_exactly_it():
    assert hmac512("TESTSECRETKEY0123456789ABCDEFGHI", PUBLISHED_PAY) == PUBLISHED_PAY_HASH
    created = datetime(2024, 9, 1, 1, 30, tzinfo=UTC)
    url = vnpay.payment_url(
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
        "TESTSECRETKEY0123456789ABCDEFGHI",
        "DEMO0001",
        "HP2024000123",
        1_500_000,
        "Thanh toan hoc phi HK1 HS00123",
        "https://truong.example.vn/pay/vnpay/return",
        "127.0.0.1",
        created,
        created + timedelta(minutes=15),
    )
    assert url == (
        f"https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?{PUBLISHED_PAY}&vnp_SecureHash={PUBLISHED_PAY_HASH}"
    )


def test_the_payment_url_the_payer_is_sent_to_is_signed_as_vnpay_checks_it(client):
    _, attempt, response = start(client, "vnpay")
    url = urlsplit(response.location)
    raw, _, signature = url.query.partition("&vnp_SecureHash=")
    assert raw == (
        f"vnp_Amount=50000000&vnp_Command=pay&vnp_CreateDate={gmt7(attempt.created_at)}&vnp_CurrCode=VND&"
        f"vnp_ExpireDate={gmt7(attempt.expires_at)}&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&"
        f"vnp_OrderInfo=Hoc+phi+hoc+ky+1&vnp_OrderType=other&vnp_ReturnUrl=http%3A%2F%2F127.0.0.1%3A5000%2F"
        f"payments%2Fvnpay%2Freturn&vnp_TmnCode={TMN}&vnp_TxnRef={attempt.reference}&vnp_Version=2.1.0"
    )
    assert signature == hmac512(VNPAY_SECRET, raw)
    assert attempt.expires_at - attempt.created_at == timedelta(minutes=15)


def vnpay_result(reference: str, response_code: str = "00", status: str = "00") -> tuple[str, dict[str, str]]:
    """A notification as VNPAY sends it (return URL and IPN carry the same fields), signed over
    Java's URLEncoder form of each value: `~` becomes %7E, `*` stays, a space is `+`."""
    raw = (
        "vnp_Amount=50000000&vnp_BankCode=NCB&vnp_BankTranNo=VNP14226112&vnp_CardType=ATM&"
        "vnp_OrderInfo=Hoc+phi+HK1+%7E+*2026*&vnp_PayDate=20261128103000&"
        f"vnp_ResponseCode={response_code}&vnp_TmnCode={TMN}&vnp_TransactionNo=14226112&"
        f"vnp_TransactionStatus={status}&vnp_TxnRef={reference}"
    )
    params = dict(parse_qsl(raw))
    assert params["vnp_OrderInfo"] == "Hoc phi HK1 ~ *2026*"
    return raw, {**params, "vnp_SecureHash": hmac512(VNPAY_SECRET, raw)}


def test_a_vnpay_ipn_signed_as_vnpay_signs_settles_the_order(client):
    order, attempt, _ = start(client, "vnpay")
    _, params = vnpay_result(attempt.reference)
    assert client.get("/payments/vnpay/ipn", query_string=params).json == {
        "RspCode": "00",
        "Message": "Confirm Success",
    }
    attempt = reload(PaymentAttempt, attempt.id)
    assert (attempt.status, attempt.result_code, attempt.gateway_transaction) == (
        "succeeded",
        "00",
        "14226112",
    )
    assert reload(PaymentOrder, order.id).status == "paid"
    assert client.get("/payments/vnpay/ipn", query_string=params).json["RspCode"] == "02"


def test_a_vnpay_ipn_with_one_character_changed_is_refused_and_pays_nothing(client):
    order, attempt, _ = start(client, "vnpay")
    _, params = vnpay_result(attempt.reference)
    forged = {**params, "vnp_OrderInfo": "Hoc phi HK1 - *2026*"}
    assert client.get("/payments/vnpay/ipn", query_string=forged).json == {
        "RspCode": "97",
        "Message": "Invalid signature",
    }
    assert reload(PaymentOrder, order.id).status == "unpaid"
    assert reload(PaymentAttempt, attempt.id).status == "pending"


def test_a_vnpay_failure_needs_both_codes_to_be_a_success(client):
    order, attempt, _ = start(client, "vnpay")
    _, params = vnpay_result(attempt.reference, response_code="00", status="02")
    assert client.get("/payments/vnpay/ipn", query_string=params).json["RspCode"] == "00"
    assert reload(PaymentAttempt, attempt.id).status == "failed"
    assert reload(PaymentOrder, order.id).status == "unpaid"


def test_the_vnpay_return_page_trusts_only_a_valid_signature(client):
    _, attempt, _ = start(client, "vnpay")
    _, params = vnpay_result(attempt.reference)
    page = client.get("/payments/vnpay/return", query_string=params)
    assert page.status_code == 200 and "Giao dịch thành công" in page.get_data(as_text=True)
    forged = client.get("/payments/vnpay/return", query_string={**params, "vnp_Amount": "100"})
    assert forged.status_code == 400
    assert "Dữ liệu trả về từ cổng thanh toán không hợp lệ." in forged.get_data(as_text=True)
    assert reload(PaymentAttempt, attempt.id).status == "pending"  # the return page settles nothing


# Each answer code of a VNPAY payment (their meanings are listed in shared/PAYMENTS.md), in the Vietnamese
# the payer reads on the page the browser comes back to.
VNPAY_ANSWERS = {
    "00": "Giao dịch thành công",
    "07": "Trừ tiền thành công, giao dịch bị nghi ngờ",
    "09": "Thẻ/tài khoản chưa đăng ký dịch vụ Internet Banking",
    "10": "Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần",
    "11": "Đã hết hạn chờ thanh toán",
    "12": "Thẻ/tài khoản bị khóa",
    "13": "Nhập sai mật khẩu xác thực giao dịch (OTP)",
    "24": "Khách hàng hủy giao dịch",
    "51": "Tài khoản không đủ số dư",
    "65": "Tài khoản vượt quá hạn mức giao dịch trong ngày",
    "75": "Ngân hàng thanh toán đang bảo trì",
    "79": "Nhập sai mật khẩu thanh toán quá số lần quy định",
    "99": "Lỗi khác",
}


def test_the_vnpay_return_page_tells_the_payer_what_each_answer_code_means(client):
    """A failed payment comes back with empty fields (no bank transaction number): VNPAY leaves empty
    values out of the string it signs, so the page must too, and then shows the code's meaning."""
    _, attempt, _ = start(client, "vnpay")
    for code, meaning in VNPAY_ANSWERS.items():
        status = "00" if code == "00" else "02"
        raw = (
            f"vnp_Amount=50000000&vnp_BankCode=NCB&vnp_CardType=ATM&vnp_OrderInfo=Hoc+phi+hoc+ky+1&"
            f"vnp_PayDate=20261128103000&vnp_ResponseCode={code}&vnp_TmnCode={TMN}&vnp_TransactionNo=0&"
            f"vnp_TransactionStatus={status}&vnp_TxnRef={attempt.reference}"
        )
        params = {**dict(parse_qsl(raw)), "vnp_BankTranNo": "", "vnp_SecureHash": hmac512(VNPAY_SECRET, raw)}
        page = client.get("/payments/vnpay/return", query_string=params)
        assert page.status_code == 200, code
        assert f"Cổng thanh toán báo về trình duyệt: {meaning}.</p>" in page.get_data(as_text=True), code
    assert reload(PaymentAttempt, attempt.id).status == "pending"  # the return page settles nothing


def test_the_published_querydr_vector_holds():
    raw = (
        "REQ20240901090000|2.1.0|querydr|DEMO0001|HP2024000123|20240901083000|20240901090000|127.0.0.1|"
        "Truy van GD HP2024000123"
    )
    expected = (
        "f37a11d12fa1aceafadf49b76cfe3f237b3eb9b1977a15bfdaae7b091e90a150"
        "87b5b1ffe35add1e719669b0baa03497634e808cde05b7d12e131b408c1bdbc1"
    )
    assert hmac512("TESTSECRETKEY0123456789ABCDEFGHI", raw) == expected


def test_the_querydr_request_is_signed_over_vnpays_field_order(client, sent):
    _, attempt, _ = start(client, "vnpay")
    reconcile()
    (path, body), *_ = [call for call in sent if call[1].get("vnp_Command") == "querydr"]
    assert path == "/simulators/vnpay/merchant_webapi/api/transaction"
    assert set(body) == {
        "vnp_RequestId",
        "vnp_Version",
        "vnp_Command",
        "vnp_TmnCode",
        "vnp_TxnRef",
        "vnp_TransactionDate",
        "vnp_CreateDate",
        "vnp_IpAddr",
        "vnp_OrderInfo",
        "vnp_SecureHash",
    }
    raw = (
        f"{body['vnp_RequestId']}|2.1.0|querydr|{TMN}|{attempt.reference}|{gmt7(attempt.created_at)}|"
        f"{body['vnp_CreateDate']}|127.0.0.1|Truy van GD {attempt.reference}"
    )
    assert body["vnp_SecureHash"] == hmac512(VNPAY_SECRET, raw)
    assert re.fullmatch(r"[0-9a-f]{16}", body["vnp_RequestId"]) and re.fullmatch(
        r"\d{14}", body["vnp_CreateDate"]
    )


def settled_by_ipn(client, gateway: str) -> PaymentAttempt:
    order, attempt, _ = start(client, gateway)
    if gateway == "vnpay":
        _, params = vnpay_result(attempt.reference)
        assert client.get("/payments/vnpay/ipn", query_string=params).json["RspCode"] == "00"
    else:
        _, body = momo_ipn(attempt.reference)
        assert client.post("/payments/momo/ipn", json=body).status_code == 204
    return reload(PaymentAttempt, attempt.id)


def test_a_partial_vnpay_refund_is_signed_over_vnpays_field_order(client, sent):
    attempt = settled_by_ipn(client, "vnpay")
    refund = request_refund(attempt.id, 200_000, "Nộp thừa", create_official("accountant"), "key-vnpay-1")
    (path, body), *_ = [call for call in sent if call[1].get("vnp_Command") == "refund"]
    assert path == "/simulators/vnpay/merchant_webapi/api/transaction"
    assert set(body) == {
        "vnp_RequestId",
        "vnp_Version",
        "vnp_Command",
        "vnp_TmnCode",
        "vnp_TransactionType",
        "vnp_TxnRef",
        "vnp_Amount",
        "vnp_TransactionNo",
        "vnp_TransactionDate",
        "vnp_CreateBy",
        "vnp_CreateDate",
        "vnp_IpAddr",
        "vnp_OrderInfo",
        "vnp_SecureHash",
    }
    raw = (
        f"{body['vnp_RequestId']}|2.1.0|refund|{TMN}|03|{attempt.reference}|20000000|14226112|"
        f"{gmt7(attempt.created_at)}|{body['vnp_CreateBy']}|{body['vnp_CreateDate']}|127.0.0.1|"
        f"Hoan tien {refund.reference}"
    )
    assert body["vnp_SecureHash"] == hmac512(VNPAY_SECRET, raw)
    assert body["vnp_CreateBy"].isascii() and body["vnp_CreateBy"]


def test_a_full_vnpay_refund_is_transaction_type_02(client, sent):
    attempt = settled_by_ipn(client, "vnpay")
    request_refund(attempt.id, AMOUNT, "Rút hồ sơ", create_official("accountant"), "key-vnpay-2")
    body = next(b for _, b in sent if b.get("vnp_Command") == "refund")
    assert (body["vnp_TransactionType"], body["vnp_Amount"]) == ("02", "50000000")


# ---------------------------------------------------------------- MoMo


def test_the_published_momo_create_vector_holds_and_our_signer_gives_it():
    raw = (
        "accessKey=ACCESSKEYDEMO&amount=1500000&extraData=&ipnUrl=https://truong.example.vn/pay/momo/ipn&"
        "orderId=HP2024000123&orderInfo=Thanh toan hoc phi&partnerCode=MOMODEMO&"
        "redirectUrl=https://truong.example.vn/pay/momo/return&requestId=REQ-0001&requestType=captureWallet"
    )
    expected = "c8acc6bba821311673b8efe3625c0d4842c5b213b1db53b8259c48904383295f"
    assert hmac256("MOMOSECRETDEMO0123456789abcdefgh", raw) == expected
    values = dict(pair.split("=", 1) for pair in raw.split("&"))
    assert momo.sign(values, momo.CREATE_FIELDS, "MOMOSECRETDEMO0123456789abcdefgh") == expected


def test_the_momo_create_request_is_signed_over_momos_fields(client, sent):
    _, attempt, response = start(client, "momo")
    assert response.status_code == 302
    (path, body), *_ = sent
    assert path == "/simulators/momo/v2/gateway/api/create"
    assert set(body) == {
        "partnerCode",
        "requestId",
        "amount",
        "orderId",
        "orderInfo",
        "redirectUrl",
        "ipnUrl",
        "requestType",
        "extraData",
        "lang",
        "signature",
    }
    raw = (
        f"accessKey={ACCESS_KEY}&amount=500000&extraData=&ipnUrl={BASE}/payments/momo/ipn&"
        f"orderId={attempt.reference}&orderInfo=Hoc phi hoc ky 1&partnerCode={PARTNER}&"
        f"redirectUrl={BASE}/payments/momo/return&requestId={attempt.reference}&requestType=captureWallet"
    )
    assert body["signature"] == hmac256(MOMO_SECRET, raw)
    assert (body["amount"], body["lang"], body["requestType"]) == (500000, "vi", "captureWallet")


def momo_ipn(reference: str, result_code: int = 0) -> tuple[str, dict]:
    """An IPN as MoMo posts it, and the raw string MoMo signed (its 13 fields, a to z)."""
    raw = (
        f"accessKey={ACCESS_KEY}&amount=500000&extraData=&message=Thành công.&orderId={reference}&"
        f"orderInfo=Hoc phi hoc ky 1&orderType=momo_wallet&partnerCode={PARTNER}&payType=qr&"
        f"requestId={reference}&responseTime=1764300000000&resultCode={result_code}&transId=4088878653"
    )
    body = {
        "partnerCode": PARTNER,
        "orderId": reference,
        "requestId": reference,
        "amount": 500000,
        "orderInfo": "Hoc phi hoc ky 1",
        "orderType": "momo_wallet",
        "transId": 4088878653,
        "resultCode": result_code,
        "message": "Thành công.",
        "payType": "qr",
        "responseTime": 1764300000000,
        "extraData": "",
        "signature": hmac256(MOMO_SECRET, raw),
    }
    return raw, body


def test_a_momo_ipn_signed_as_momo_signs_settles_once_and_answers_204(client):
    order, attempt, _ = start(client, "momo")
    _, body = momo_ipn(attempt.reference)
    first = client.post("/payments/momo/ipn", json=body)
    assert first.status_code == 204 and first.get_data() == b""
    attempt = reload(PaymentAttempt, attempt.id)
    assert (attempt.status, attempt.gateway_transaction) == ("succeeded", "4088878653")
    assert reload(PaymentOrder, order.id).status == "paid"
    forged = client.post("/payments/momo/ipn", json={**body, "transId": 4088878654})
    assert forged.status_code == 400
    outcomes = db.session.scalars(
        db.select(PaymentNotification.outcome)
        .where(PaymentNotification.gateway == "momo")
        .order_by(PaymentNotification.id)
    ).all()
    assert outcomes == ["settled ok", "invalid signature"]


def test_a_momo_ipn_whose_extra_data_is_null_is_checked_over_an_empty_value(client):
    """MoMo signs an absent value as `extraData=`; a JSON null must read the same, not as a forgery."""
    order, attempt, _ = start(client, "momo")
    _, body = momo_ipn(attempt.reference)
    assert client.post("/payments/momo/ipn", json={**body, "extraData": None}).status_code == 204
    assert reload(PaymentOrder, order.id).status == "paid"


def test_the_momo_return_page_trusts_only_a_valid_signature(client):
    _, attempt, _ = start(client, "momo")
    _, body = momo_ipn(attempt.reference)
    query = {k: str(v) for k, v in body.items()}
    page = client.get("/payments/momo/return", query_string=query)
    assert page.status_code == 200 and "Giao dịch thành công" in page.get_data(as_text=True)
    forged = client.get("/payments/momo/return", query_string={**query, "amount": "1000"})
    assert forged.status_code == 400
    assert "Dữ liệu trả về từ cổng thanh toán không hợp lệ." in forged.get_data(as_text=True)


def test_the_momo_query_is_signed_over_momos_fields(client, sent):
    _, attempt, _ = start(client, "momo")
    sent.clear()
    reconcile()
    (path, body), *_ = sent
    assert path == "/simulators/momo/v2/gateway/api/query"
    assert set(body) == {"partnerCode", "requestId", "orderId", "lang", "signature"}
    raw = f"accessKey={ACCESS_KEY}&orderId={attempt.reference}&partnerCode={PARTNER}&requestId={body['requestId']}"
    assert body["signature"] == hmac256(MOMO_SECRET, raw)


@pytest.mark.parametrize(
    ("result_code", "status", "heard"),
    [
        (0, "succeeded", "settled"),
        (1000, "pending", "unknown"),  # initiated, the payer has not confirmed in the wallet yet
        (7000, "pending", "unknown"),  # being processed
        (7002, "pending", "unknown"),  # being processed by the payer's bank
        (1006, "cancelled", "failed"),  # the payer refused
        (42, "expired", "expired"),  # MoMo never heard of the order
    ],
)
def test_a_momo_query_answer_decides_an_attempt_past_its_expiry(
    client, monkeypatch, result_code, status, heard
):
    """An attempt whose IPN never came is asked about after its expiry: MoMo's answer codes for a
    payment still under way keep it waiting (the money may still arrive); only a final answer ends it."""
    order, attempt, _ = start(client, "momo")
    if result_code != 42:
        monkeypatch.setitem(
            simulators.MOMO_LEDGER,
            attempt.reference,
            {"amount": AMOUNT, "transId": 4088878653, "resultCode": result_code, "refundTrans": []},
        )
    begin_write()
    db.session.get(PaymentAttempt, attempt.id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    report = reconcile()
    assert getattr(report, heard) == [attempt.reference]
    assert reload(PaymentAttempt, attempt.id).status == status
    assert reload(PaymentOrder, order.id).status == ("paid" if status == "succeeded" else "unpaid")


def test_a_momo_refund_is_signed_over_momos_fields(client, sent):
    attempt = settled_by_ipn(client, "momo")
    sent.clear()
    refund = request_refund(attempt.id, 200_000, "Nộp thừa", create_official("accountant"), "key-momo-1")
    (path, body), *_ = sent
    assert path == "/simulators/momo/v2/gateway/api/refund"
    assert set(body) == {
        "partnerCode",
        "orderId",
        "requestId",
        "amount",
        "transId",
        "lang",
        "description",
        "signature",
    }
    raw = (
        f"accessKey={ACCESS_KEY}&amount=200000&description=Hoan tien {attempt.reference}&"
        f"orderId={refund.reference}&partnerCode={PARTNER}&requestId={refund.reference}&transId=4088878653"
    )
    assert body["signature"] == hmac256(MOMO_SECRET, raw)


# ---------------------------------------------------------------- VietQR


def crc(payload: str) -> str:
    """CRC-16/CCITT-FALSE by the standard library (binascii's CRC-CCITT, initial value 0xFFFF)."""
    return f"{binascii.crc_hqx(payload.encode('ascii'), 0xFFFF):04X}"


def test_the_crc_and_the_published_vietqr_examples_hold_independently():
    assert crc("123456789") == "29B1"
    public = (
        "00020101021238540010A00000072701240006970436011010175956000208QRIBFTTA530370454061800005802VN"
        "62230819thanh toan don hang6304"
    )
    assert crc(public) == "70FA"
    assert vietqr.payload("970436", "1017595600", 180000, "thanh toan don hang") == public + "70FA"
    assert vietqr.parse(public + "70FA")["54"] == "180000"
    with pytest.raises(ValueError, match="CRC"):
        vietqr.parse(public + "70FB")


def refusal(call, *args) -> str:
    with pytest.raises(ValueError) as refused:
        call(*args)
    return str(refused.value)


def test_a_payload_that_cannot_be_a_napas_qr_is_refused():
    assert refusal(vietqr.payload, "970436", "0011001234567", 1000, "Học phí") == (
        "the purpose of transfer must be ASCII"
    )
    assert refusal(vietqr.payload, "970436", "0011001234567", 1000, "X" * 96) == (
        "EMVCo field 62 is longer than 99 characters"
    )
    assert vietqr.payload("970436", "0011001234567", 1000, "X" * 95)  # 08 + 95 = 99: the longest
    for broken in ("", "6304", "000201010212" + "63"):
        assert refusal(vietqr.parse, broken) == "no CRC field"
    body = "00020101021253037046304"
    assert vietqr.parse(body + crc(body)) == {"00": "01", "01": "12", "53": "704"}
    assert refusal(vietqr.parse, body + "0000") == "CRC mismatch"
    bad = "00020101021253996304"
    assert refusal(vietqr.parse, bad + crc(bad)) == "malformed field at 12"


def test_a_momo_result_code_that_is_not_a_number_is_not_a_success():
    assert momo.is_success({"resultCode": 0}) and momo.is_success({"resultCode": "9000"})
    assert momo.is_success({"resultCode": "abc"}) is False and momo.is_success({}) is False
    assert not momo.is_success({"resultCode": 1006})


def test_the_qr_a_payer_scans_is_the_napas_payload_of_the_attempt(client):
    order, attempt, response = start(client, "vietqr")
    assert response.status_code == 303  # the QR has its own address, reloadable
    assert attempt.reference in client.get(response.location).get_data(as_text=True)
    with client.application.test_request_context():
        payload = ADAPTERS["vietqr"].start(order, attempt, "127.0.0.1").qr_payload
    body = (
        "000201"
        "010212"
        "38570010A000000727"
        "0127"
        "0006970436"
        "01130011001234567"
        "0208QRIBFTTA"
        "5303704"
        "5406500000"
        "5802VN"
        f"6216"
        f"0812{attempt.reference}"
        "6304"
    )
    assert payload == body + crc(body)
    static = vietqr.payload("970436", "0011001234567", None, "HPK24A0123")
    assert static.startswith("000201010211") and "54" not in vietqr.fields(static[:-8])


# ---------------------------------------------------------------- the bank feed (SePay)


def sepay(account: str, amount: int, code: str | None, content: str, transfer_id: int = 92704) -> str:
    """SePay's webhook body, byte for byte as its documentation shows it."""
    return (
        f'{{"id": {transfer_id}, "gateway": "Vietcombank", "transactionDate": "2026-11-28 10:15:00", '
        f'"accountNumber": "{account}", "subAccount": null, "code": {json.dumps(code)}, '
        f'"content": "{content}", "transferType": "in", "transferAmount": {amount}, '
        f'"accumulated": 19077000, "referenceCode": "FT26332A{transfer_id}", "description": "{content}"}}'
    )


def feed(client, raw: str, key: str = "dev-bankfeed-key"):
    return client.post(
        "/payments/bankfeed/sepay",
        data=raw.encode(),
        content_type="application/json",
        headers={"Authorization": f"Apikey {key}"},
    )


def test_a_sepay_credit_naming_the_reference_in_its_content_settles_the_transfer(client):
    order, attempt, _ = start(client, "vietqr")
    raw = sepay("0011001234567", AMOUNT, None, f"MBVCB.1234 {attempt.reference} chuyen tien")
    answer = feed(client, raw)
    assert answer.status_code == 200 and answer.json == {"success": True}
    attempt = reload(PaymentAttempt, attempt.id)
    assert (attempt.status, attempt.gateway_transaction) == ("succeeded", "FT26332A92704")
    assert reload(PaymentOrder, order.id).status == "paid"
    note = db.session.scalar(db.select(PaymentNotification).where(PaymentNotification.gateway == "bankfeed"))
    assert (note.external_id, note.outcome, note.raw) == ("92704", "settled", raw)
    assert feed(client, raw).json == {"success": True}  # the same id again: a duplicate, nothing more
    assert reload(PaymentNotification, note.id).outcome == "settled"


def test_a_sepay_credit_whose_code_alone_names_the_reference_settles_it(client):
    order, attempt, _ = start(client, "vietqr")
    assert (
        feed(client, sepay("0011001234567", AMOUNT, attempt.reference, "chuyen tien hoc phi")).status_code
        == 200
    )
    assert reload(PaymentOrder, order.id).status == "paid"


@pytest.mark.parametrize(
    ("account", "amount", "transfer", "outcome"),
    [
        ("0011001234567", AMOUNT - 1, "in", "underpaid"),
        ("0011001234567", AMOUNT + 1, "in", "overpaid"),
        ("9999999999", AMOUNT, "in", "unknown_account"),
        ("0011001234567", AMOUNT, "out", "ignored"),
    ],
)
def test_a_sepay_credit_that_does_not_match_pays_nothing(client, account, amount, transfer, outcome):
    order, attempt, _ = start(client, "vietqr")
    raw = sepay(account, amount, None, f"{attempt.reference} chuyen tien").replace(
        '"transferType": "in"', f'"transferType": "{transfer}"'
    )
    assert feed(client, raw).json == {"success": True}
    assert reload(PaymentOrder, order.id).status == "unpaid"
    assert db.session.scalar(db.select(PaymentNotification.outcome)) == outcome


def test_a_sepay_call_without_the_api_key_is_refused_and_kept_nowhere(client):
    _, attempt, _ = start(client, "vietqr")
    answer = feed(client, sepay("0011001234567", AMOUNT, None, attempt.reference), key="wrong")
    assert answer.status_code == 401 and answer.json == {"success": False, "message": "Unauthorized"}
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentNotification)) == 0


# ---------------------------------------------------------------- the national payment platform

PAYGOV_SECRET, PAYGOV_PARTNER = "DEVONLYPAYGOVSECRET0123456789abcd", "GDNNAGDEMO"


def sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def test_the_paygov_check_code_vectors_hold_for_both_algorithms():
    """Computed by hand: SHA-256 of the `|`-joined values with the secret last; HMAC-SHA256 keyed by it."""
    from service.payments.gateways import paygov

    secret = "PAYGOVSECRETDEMO0123456789abcdef"
    raw = "QUERY|1.0.6|GDNNAG|TT2026ABCDEFGH|20261130083000"
    assert sha256(f"{raw}|{secret}") == "a0e781b3d91d4cd21f136e0d339c440de4f2bdc03857dbc758135276727a484e"
    assert hmac256(secret, raw) == "9ba2ceb7d6c7a10e50e53bbc01188bb349adec29648d9ffb77c29cecea175cc6"
    query = {
        "LoaiBanTin": "QUERY",
        "PhienBan": "1.0.6",
        "MaDoiTac": "GDNNAG",
        "MaThamChieu": "TT2026ABCDEFGH",
        "ThoiGianGD": "20261130083000",
    }
    assert paygov.raw_string(query, paygov.CHECKED_FIELDS["QUERY"], secret, "sha256") == f"{raw}|{secret}"
    assert paygov.check_code(query, paygov.CHECKED_FIELDS["QUERY"], secret, "sha256") == (
        "a0e781b3d91d4cd21f136e0d339c440de4f2bdc03857dbc758135276727a484e"
    )
    assert paygov.check_code(query, paygov.CHECKED_FIELDS["QUERY"], secret, "hmac-sha256") == (
        "9ba2ceb7d6c7a10e50e53bbc01188bb349adec29648d9ffb77c29cecea175cc6"
    )
    confirm = "CONFIRM|00|GDNNAG|TT2026ABCDEFGH|500000|VND|PG1764466200000|NCB|20261130083512|Le phi ho so"
    assert sha256(f"{confirm}|{secret}") == "58e06a45dc8740eee842ede73195226465e2fc7d93b255f173589af5bbf8da2f"
    assert hmac256(secret, confirm) == "0431ccfdc0de9400aec4a6c2b886485c019c84fe86cfd758a27250270dfb810c"
    values = dict(zip(paygov.CHECKED_FIELDS["CONFIRM"], confirm.split("|"), strict=True))
    assert paygov.check_code(values, paygov.CHECKED_FIELDS["CONFIRM"], secret, "hmac-sha256") == (
        "0431ccfdc0de9400aec4a6c2b886485c019c84fe86cfd758a27250270dfb810c"
    )


def test_the_paygov_init_message_carries_the_platforms_fields_signed_in_order(client, sent):
    order, attempt, response = start(client, "paygov")
    assert response.status_code == 302
    assert response.location.startswith(f"{BASE}/simulators/paygov/pay?ref={attempt.reference}")
    path, body = sent[0]
    assert path == "/simulators/paygov/init"
    stamp = gmt7(attempt.created_at)
    raw = (
        f"INIT|1.0.6|{PAYGOV_PARTNER}|{attempt.reference}|500000|PAY|||vi-VN|VND|PAYMENT|Hoc phi hoc ky 1|"
        f"{stamp}|127.0.0.1|{PAYGOV_SECRET}"
    )
    receipt = body.pop("ThongTinBienLai")
    assert body == {
        "LoaiBanTin": "INIT",
        "PhienBan": "1.0.6",
        "MaDoiTac": PAYGOV_PARTNER,
        "MaThamChieu": attempt.reference,
        "SoTien": 500000,
        "LoaiHinhThanhToan": "PAY",
        "MaKenhThanhToan": "",
        "MaThietBi": "",
        "NgonNgu": "vi-VN",
        "MaTienTe": "VND",
        "MaNganHang": "PAYMENT",
        "ThongTinGiaoDich": "Hoc phi hoc ky 1",
        "ThoiGianGD": stamp,
        "Ip": "127.0.0.1",
        "MaXacThuc": sha256(raw),
    }
    assert receipt["MaDichVu"] == "2" and receipt["NoiDungThanhToan"] == "Học phí học kỳ 1"
    assert receipt["TKThuHuong"] == "0011001234567" and receipt["MaNHThuHuong"] == "970436"
    assert receipt["PhiLePhi"][0]["SoTien"] == receipt["DSKhoanNop"][0]["SoTien"] == 500000


def paygov_confirmation(
    reference: str, amount: int = AMOUNT, result: str = "00", secret: str = PAYGOV_SECRET
):
    """The platform's confirmation as JSON, with its check code over the literal `|` string."""
    raw = (
        f"CONFIRM|{result}|{PAYGOV_PARTNER}|{reference}|{amount}|VND|PG1764466200000|NCB|20261130083512|"
        "Le phi ho so"
    )
    return (
        f'{{"LoaiBanTin": "CONFIRM", "MaLoi": "{result}", "MaDoiTac": "{PAYGOV_PARTNER}", '
        f'"MaThamChieu": "{reference}", "SoTien": {amount}, "MaTienTe": "VND", '
        f'"MaGiaoDich": "PG1764466200000", "MaNganHang": "NCB", "ThoiGianGD": "20261130083512", '
        f'"ThongTinGiaoDich": "Le phi ho so", "MaXacThuc": "{sha256(f"{raw}|{secret}")}"}}'
    )


def confirm(client, raw: str):
    return client.post("/payments/paygov/confirm", data=raw.encode(), content_type="application/json")


def test_a_paygov_confirmation_signed_as_the_platform_signs_settles_once_and_is_answered_signed(client):
    order, attempt, _ = start(client, "paygov")
    answer = confirm(client, paygov_confirmation(attempt.reference)).json
    assert (answer["MaLoi"], answer["MoTaLoi"]) == ("00", "Đã ghi nhận kết quả thanh toán.")
    assert answer["MaXacThuc"] == sha256(
        f"00|{PAYGOV_PARTNER}|{attempt.reference}|{answer['ThoiGianGD']}|{PAYGOV_SECRET}"
    )
    attempt = reload(PaymentAttempt, attempt.id)
    assert (reload(PaymentOrder, order.id).status, attempt.gateway_transaction) == ("paid", "PG1764466200000")
    again = confirm(client, paygov_confirmation(attempt.reference)).json
    assert again["MaLoi"] == "00"
    assert db.session.scalar(db.select(db.func.count()).select_from(PaymentNotification)) == 1


def test_with_the_hmac_algorithm_chosen_only_an_hmac_check_code_is_accepted(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PAYGOV_CHECK_ALGORITHM", "hmac-sha256")
    order, attempt, _ = start(client, "paygov")
    assert confirm(client, paygov_confirmation(attempt.reference)).json["MaLoi"] == "99"  # a SHA-256 code
    raw = (
        f"CONFIRM|00|{PAYGOV_PARTNER}|{attempt.reference}|{AMOUNT}|VND|PG1764466200000|NCB|20261130083512|"
        "Le phi ho so"
    )
    body = json.loads(paygov_confirmation(attempt.reference))
    body["MaXacThuc"] = hmac256(PAYGOV_SECRET, raw)
    assert client.post("/payments/paygov/confirm", json=body).json["MaLoi"] == "00"
    assert reload(PaymentOrder, order.id).status == "paid"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"amount": AMOUNT - 1}, "Số tiền không khớp khoản phải nộp."),
        ({"reference": "TTKHONGCO2345"}, "Không tìm thấy giao dịch có mã tham chiếu này."),
        ({"secret": "not-the-secret"}, "Sai mã xác thực (MaXacThuc)."),
    ],
)
def test_a_paygov_confirmation_that_is_wrong_is_answered_99_and_pays_nothing(client, change, reason):
    order, attempt, _ = start(client, "paygov")
    reference = change.pop("reference", attempt.reference)
    answer = confirm(client, paygov_confirmation(reference, **change))
    assert (answer.status_code, answer.json["MaLoi"], answer.json["MoTaLoi"]) == (200, "99", reason)
    assert reload(PaymentOrder, order.id).status == "unpaid"
    assert reload(PaymentAttempt, attempt.id).status == "pending"


def test_a_paygov_confirmation_that_is_not_json_is_answered_99(client):
    answer = client.post("/payments/paygov/confirm", data=b"[1]", content_type="application/json")
    assert (answer.status_code, answer.json["MaLoi"]) == (400, "99")


def test_the_paygov_query_names_the_attempt_and_is_signed_over_its_five_fields(client, sent):
    _, attempt, _ = start(client, "paygov")
    sent.clear()
    reconcile()
    path, body = sent[0]
    assert path == "/simulators/paygov/query"
    stamp = body["ThoiGianGD"]
    assert re.fullmatch(r"\d{14}", stamp)
    raw = f"QUERY|1.0.6|{PAYGOV_PARTNER}|{attempt.reference}|{stamp}|{PAYGOV_SECRET}"
    assert body == {
        "LoaiBanTin": "QUERY",
        "PhienBan": "1.0.6",
        "MaDoiTac": PAYGOV_PARTNER,
        "MaThamChieu": attempt.reference,
        "ThoiGianGD": stamp,
        "MaXacThuc": sha256(raw),
    }


def test_a_paygov_init_the_platform_refuses_shows_the_payer_why(client, monkeypatch):
    monkeypatch.setattr(transport, "post_json", lambda *args, **kwargs: {"error_code": "1", "message": "x"})
    order, attempt, response = start(client, "paygov")
    assert response.status_code == 502
    assert "tạm thời không nhận thanh toán" in response.get_data(as_text=True)
    assert reload(PaymentOrder, order.id).status == "unpaid"


def test_the_paygov_payment_url_is_read_from_the_json_string_in_message_and_only_if_it_is_a_web_address():
    from service.payments.gateways import paygov

    url = "https://thanhtoan.example.vn/pay?token=abc"
    assert paygov.pay_url({"error_code": "0", "message": json.dumps({"UrlThanhToan": url})}) == url
    assert paygov.pay_url({"error_code": "0", "message": {"UrlThanhToan": url}}) == url
    assert paygov.pay_url({"error_code": "1", "message": json.dumps({"UrlThanhToan": url})}) is None
    assert paygov.pay_url({"error_code": "0", "message": '{"UrlThanhToan": "javascript:alert(1)"}'}) is None
    assert paygov.pay_url({"error_code": "0", "message": "not json"}) is None
