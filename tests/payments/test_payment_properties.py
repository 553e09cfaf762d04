"""Property-based tests (hypothesis): signing and verifying arbitrary parameter sets and payloads."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from service.payments.gateways import momo, vietqr, vnpay

SECRET = "TESTSECRETKEY0123456789ABCDEFGHI"
keys = st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=20)
values = st.text(min_size=0, max_size=40)  # any unicode: Vietnamese, spaces, &, =, +, %
vnp_params = st.dictionaries(keys.map(lambda k: "vnp_" + k), values, min_size=1, max_size=12)


@settings(max_examples=300)
@given(vnp_params)
def test_vnpay_verifies_what_it_signed(params):
    signed = {**params, "vnp_SecureHash": vnpay.sign(params, SECRET)}
    assert vnpay.verify(signed, SECRET)
    assert not vnpay.verify(signed, SECRET + "x")


@settings(max_examples=300)
@given(vnp_params, st.data())
def test_vnpay_detects_any_changed_signed_value(params, data):
    signed_keys = [k for k, v in params.items() if v != "" and k not in vnpay.SIGNED_OUT]
    if not signed_keys:
        return
    signed = {**params, "vnp_SecureHash": vnpay.sign(params, SECRET)}
    key = data.draw(st.sampled_from(signed_keys))
    changed = data.draw(values.filter(lambda v: v != params[key] and v != ""))
    assert not vnpay.verify({**signed, key: changed}, SECRET)


@given(vnp_params)
def test_vnpay_ignores_order_and_empty_values(params):
    reordered = dict(reversed(list(params.items())))
    with_empty = {**params, "vnp_zzEmpty": ""}
    assert vnpay.sign(reordered, SECRET) == vnpay.sign(params, SECRET) == vnpay.sign(with_empty, SECRET)


@given(st.dictionaries(st.sampled_from(momo.IPN_FIELDS), st.text(max_size=30) | st.integers(), min_size=1))
def test_momo_verifies_what_it_signed_and_nothing_else(values):
    signed = {**values, "signature": momo.sign(values, momo.IPN_FIELDS, SECRET)}
    assert momo.verify(signed, momo.IPN_FIELDS, SECRET)
    field = next(iter(values))
    assert not momo.verify({**signed, field: f"{values[field]}1"}, momo.IPN_FIELDS, SECRET)


references = st.text(alphabet=string.ascii_uppercase + string.digits + " ", min_size=1, max_size=25)


@settings(max_examples=300)
@given(
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.text(alphabet=string.digits, min_size=6, max_size=19),
    st.integers(min_value=1, max_value=499_999_999),
    references,
)
def test_vietqr_payloads_parse_back_with_a_valid_crc(bank_bin, account, amount, reference):
    data = vietqr.payload(bank_bin, account, amount, reference)
    top = vietqr.parse(data)
    assert top["54"] == str(amount) and top["01"] == "12" and top["58"] == "VN"
    assert vietqr.fields(top["62"])["08"] == reference
    assert vietqr.fields(vietqr.fields(top["38"])["01"]) == {"00": bank_bin, "01": account}
    position = data.index(reference)
    corrupted = data[:position] + ("X" if data[position] != "X" else "Y") + data[position + 1 :]
    try:
        vietqr.parse(corrupted)
    except ValueError:
        pass
    else:
        raise AssertionError("a changed payload passed its CRC")
