"""VNPAY signatures against the test vectors of shared/PAYMENTS.md."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from service.payments.gateways import vnpay

SECRET = "TESTSECRETKEY0123456789ABCDEFGHI"
PAY = {
    "vnp_Amount": "150000000",
    "vnp_Command": "pay",
    "vnp_CreateDate": "20240901083000",
    "vnp_CurrCode": "VND",
    "vnp_ExpireDate": "20240901084500",
    "vnp_IpAddr": "127.0.0.1",
    "vnp_Locale": "vn",
    "vnp_OrderInfo": "Thanh toan hoc phi HK1 HS00123",
    "vnp_OrderType": "other",
    "vnp_ReturnUrl": "https://truong.example.vn/pay/vnpay/return",
    "vnp_TmnCode": "DEMO0001",
    "vnp_TxnRef": "HP2024000123",
    "vnp_Version": "2.1.0",
}
PAY_HASH = (
    "2956bd7c22a1f78fba54c370353ef481d6d8c7b8865a0bed25b09d717a03e144"
    "805abf3ccbca181ab1bf437379a46ad824d9f498a19565c3b691a60ee32d3b6a"
)


def test_the_payment_url_vector():
    assert vnpay.canonical(PAY) == (
        "vnp_Amount=150000000&vnp_Command=pay&vnp_CreateDate=20240901083000&vnp_CurrCode=VND&vnp_ExpireDate="
        "20240901084500&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+hoc+phi+HK1+HS00123&"
        "vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Ftruong.example.vn%2Fpay%2Fvnpay%2Freturn&"
        "vnp_TmnCode=DEMO0001&vnp_TxnRef=HP2024000123&vnp_Version=2.1.0"
    )
    assert vnpay.sign(PAY, SECRET) == PAY_HASH


def java_url_encoder(value: str) -> str:
    """java.net.URLEncoder.encode(value, UTF-8), which VNPAY's reference code signs, written out from
    its documentation: a-z A-Z 0-9 . - * _ unchanged, space to +, every other byte %XX."""
    kept = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")
    return "".join(
        "+" if byte == 0x20 else chr(byte) if chr(byte) in kept else f"%{byte:02X}" for byte in value.encode()
    )


def test_every_character_is_encoded_as_vnpays_reference_code_does():
    """A real IPN whose order information holds ~ * ' ( ) ! or Vietnamese text is signed over Java's
    encoding: ours must give the same bytes, or such a payment would be refused as forged."""
    tricky = "Hoàn tiền ~ *HP* 'A' (B) !50% a+b=c/d?e&f#g"
    assert vnpay.form_encode(tricky) == java_url_encoder(tricky)
    assert vnpay.form_encode("~*") == "%7E*"
    assert vnpay.form_encode("Học phí") == "H%E1%BB%8Dc+ph%C3%AD"
    params = {**PAY, "vnp_OrderInfo": tricky}
    expected = "&".join(f"{k}={java_url_encoder(v)}" for k, v in sorted(params.items()))
    assert vnpay.canonical(params) == expected
    notification = {**params, "vnp_SecureHash": vnpay.hmac512(SECRET, expected)}
    assert vnpay.verify(notification, SECRET)
    assert not vnpay.verify({**notification, "vnp_OrderInfo": tricky.replace("~", "-")}, SECRET)


def test_the_querydr_vector():
    values = dict(
        zip(
            vnpay.QUERYDR_FIELDS,
            "REQ20240901090000|2.1.0|querydr|DEMO0001|HP2024000123|20240901083000|20240901090000|127.0.0.1|Truy van GD HP2024000123".split(
                "|"
            ),
            strict=True,
        )
    )
    assert vnpay.api_checksum(values, vnpay.QUERYDR_FIELDS, SECRET) == (
        "f37a11d12fa1aceafadf49b76cfe3f237b3eb9b1977a15bfdaae7b091e90a150"
        "87b5b1ffe35add1e719669b0baa03497634e808cde05b7d12e131b408c1bdbc1"
    )


def test_built_urls_carry_gmt7_times_amount_times_100_and_verify():
    created = datetime(2024, 9, 1, 1, 30, tzinfo=ZoneInfo("UTC"))
    url = vnpay.payment_url(
        "http://sim/vpcpay.html",
        SECRET,
        "DEMO0001",
        "HP2024000123",
        1_500_000,
        "Thanh toan hoc phi HK1 HS00123",
        "https://truong.example.vn/pay/vnpay/return",
        "127.0.0.1",
        created,
        created.replace(minute=45),
    )
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    assert params["vnp_CreateDate"] == "20240901083000" and params["vnp_Amount"] == "150000000"
    assert params["vnp_SecureHash"] == PAY_HASH and vnpay.verify(params, SECRET)
    params["vnp_Amount"] = "150000001"
    assert not vnpay.verify(params, SECRET)


def test_success_needs_both_codes():
    assert vnpay.is_success({"vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"})
    assert not vnpay.is_success({"vnp_ResponseCode": "00", "vnp_TransactionStatus": "02"})


def test_order_info_is_plain_ascii(app):
    from service.payments.adapters import order_info

    assert order_info("Phí, lệ phí hồ sơ H01.48-261128-0001") == "Phi le phi ho so H01.48-261128-0001"
