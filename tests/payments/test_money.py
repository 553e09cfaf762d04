"""The one money type: what a payer reads, and which typed or received amounts are taken, at the edges."""

from __future__ import annotations

import pytest

from service.money import (
    bounded_amount,
    format_money,
    format_number,
    format_percent,
    format_vnd,
    parse_amount,
)

NBSP = "\xa0"


def test_a_fee_of_zero_reads_free_while_an_amount_of_zero_reads_zero():
    assert format_vnd(0) == "Miễn phí"
    assert format_vnd(None) == "" and format_money(None) == ""
    assert format_vnd(500_000) == f"500.000{NBSP}₫"
    assert format_money(0) == f"0{NBSP}₫"
    assert format_money(1_234_567) == f"1.234.567{NBSP}₫"


def test_ratios_and_figures_use_the_vietnamese_decimal_comma():
    assert format_percent(0.41666) == "41,7%"
    assert format_percent(1) == "100%" and format_percent(0) == "0%"
    assert format_number(12.5) == "12,5" and format_number(12.0) == "12"
    assert format_number(3.456) == "3,46" and format_number(1_234_567) == "1.234.567"
    # Rounded once, to what is shown: rounding twice would turn 0,149 % into 0,2 % and 3,1251 into 3,12.
    assert format_percent(0.00149) == "0,1%"
    assert format_number(3.1251) == "3,13"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("500000", 500_000),
        ("500.000", 500_000),
        (" 500 000 ", 500_000),
        ("1", 1),
        ("999999999999999", 999_999_999_999_999),  # fifteen digits: the widest accepted
        ("1000000000000000", None),  # sixteen
        ("0", None),
        ("000", None),
        ("-5", None),
        ("5,5", None),
        ("", None),
        (None, None),
        ("abc", None),
        ("٥٠٠", None),
        ("５００", None),
        ("²", None),
    ],
)
def test_a_typed_amount_is_positive_ascii_digits_of_at_most_fifteen(typed, amount):
    assert parse_amount(typed) == amount


@pytest.mark.parametrize(
    ("sent", "amount"),
    [
        (500_000, 500_000),
        ("500000", 500_000),
        (1, 1),
        (999_999_999_999_999, 999_999_999_999_999),  # the limit itself
        (1_000_000_000_000_000, None),  # one over
        (0, None),
        (-1, None),
        (None, None),
        ("x", None),
        (float("inf"), None),
        ([], None),
    ],
)
def test_a_machine_sent_amount_is_bounded(sent, amount):
    assert bounded_amount(sent) == amount
