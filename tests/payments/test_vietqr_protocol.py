"""VietQR payloads against the vectors of shared/PAYMENTS.md."""

from service.payments.gateways import vietqr


def test_crc_check_value():
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1


def test_the_public_example():
    expected = (
        "00020101021238540010A00000072701240006970436011010175956000208QRIBFTTA530370454061800005802VN"
        "62230819thanh toan don hang630470FA"
    )
    assert vietqr.payload("970436", "1017595600", 180000, "thanh toan don hang") == expected


def test_the_computed_example():
    expected = (
        "00020101021238570010A00000072701270006970436011300110012345670208QRIBFTTA5303704540715000005802VN"
        "62140810HPK24A012363042DC0"
    )
    assert vietqr.payload("970436", "0011001234567", 1_500_000, "HPK24A0123") == expected
