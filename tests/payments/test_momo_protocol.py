"""MoMo v2 signatures against the vector of shared/PAYMENTS.md."""

from service.payments.gateways import momo


def test_the_create_vector():
    values = {
        "accessKey": "ACCESSKEYDEMO",
        "amount": 1500000,
        "extraData": "",
        "ipnUrl": "https://truong.example.vn/pay/momo/ipn",
        "orderId": "HP2024000123",
        "orderInfo": "Thanh toan hoc phi",
        "partnerCode": "MOMODEMO",
        "redirectUrl": "https://truong.example.vn/pay/momo/return",
        "requestId": "REQ-0001",
        "requestType": "captureWallet",
    }
    assert momo.raw_string(values, momo.CREATE_FIELDS) == (
        "accessKey=ACCESSKEYDEMO&amount=1500000&extraData=&ipnUrl=https://truong.example.vn/pay/momo/ipn&orderId="
        "HP2024000123&orderInfo=Thanh toan hoc phi&partnerCode=MOMODEMO&redirectUrl=https://truong.example.vn/pay/"
        "momo/return&requestId=REQ-0001&requestType=captureWallet"
    )
    signature = momo.sign(values, momo.CREATE_FIELDS, "MOMOSECRETDEMO0123456789abcdefgh")
    assert signature == "c8acc6bba821311673b8efe3625c0d4842c5b213b1db53b8259c48904383295f"
    assert momo.verify(
        {**values, "signature": signature}, momo.CREATE_FIELDS, "MOMOSECRETDEMO0123456789abcdefgh"
    )
    assert not momo.verify(
        {**values, "amount": 1, "signature": signature},
        momo.CREATE_FIELDS,
        "MOMOSECRETDEMO0123456789abcdefgh",
    )
