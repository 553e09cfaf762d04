"""One rule per identifier (service/identifiers.py), the same in forms, imports, SMS and searches."""

from __future__ import annotations

import pytest

from service import identifiers


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912345678", "0912345678"),
        ("091 234 5678", "0912345678"),
        ("091.234.5678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(0296) 385 2222", "02963852222"),  # An Giang's fixed lines: area code 296
        ("0123456789", None),  # 012x mobile prefixes ended in 2018
        ("091234567", None),
        ("09123456789", None),
        ("0612345678", None),
        ("", None),
    ],
)
def test_a_phone_number_is_kept_in_its_national_form_or_refused(typed, stored):
    assert identifiers.phone_or_none(typed) == stored


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("089096000123", True),
        ("001200012345", True),
        ("096000000001", True),
        ("097000000001", False),
        ("000123456789", False),
        ("08909600012", False),
        ("0890960001234", False),
        ("08909600012a", False),
    ],
)
def test_a_personal_identification_number_has_12_digits_and_a_province_of_birth(value, valid):
    assert identifiers.is_personal_id(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("1600255421", True),
        ("1600255421-001", True),
        ("160025542", False),
        ("1600255421-01", False),
        ("1600255421001", False),
    ],
)
def test_a_tax_code_has_10_digits_or_a_dependent_units_suffix(value, valid):
    assert identifiers.is_tax_code(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("an@example.vn", True),
        ("nguyen.van.an@sogdnn.angiang.gov.vn", True),
        ("khong-phai-email", False),
        ("an@", False),
        ("an @example.vn", False),
        ("a" * 250 + "@x.vn", False),
    ],
)
def test_an_email_address_is_checked_the_same_way_everywhere(value, valid):
    assert identifiers.is_email(value) is valid


def test_the_sms_outbox_and_the_forms_agree_on_phone_numbers(app):
    from forms.validators import normalise_phone as form_filter
    from service.notifications import sms

    assert form_filter("+84 912 345 678") == "0912345678"
    with app.app_context():
        assert sms.queue_sms("0123456789", "Thử") is None  # an old prefix: nothing queued
