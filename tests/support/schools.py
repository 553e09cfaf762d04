"""Shared test helpers: schools."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl, urlsplit

import pytest

from service.extensions import db
from service.schools import invoicing
from service.schools.models import Invoice
from tests.factories import (
    create_class,
    create_fee_item,
    create_schedule,
    create_school,
    create_student,
    create_term,
)


def pay_online(client, invoice):
    """The student pays the whole invoice by VNPAY through its link."""

    client.submit(f"/pay/{invoice.access_token}", {"date_of_birth": "15/03/2007"})
    response = client.submit(f"/pay/{invoice.access_token}/pay/vnpay")
    params = dict(parse_qsl(urlsplit(response.location).query, keep_blank_values=True))
    client.post("/simulators/vnpay/pay", data={**params, "outcome": "00"})
    return params["vnp_TxnRef"]


def statement(*lines: str) -> bytes:
    return ("Mã giao dịch,Mã tham chiếu,Số tiền,Ngày\n" + "\n".join(lines) + "\n").encode("utf-8")


def upload(client, data: bytes, source: str = "vnpay"):
    return client.submit(
        "/school/reconciliation",
        {"source": source, "statement": (io.BytesIO(data), "saoke.csv")},
        content_type="multipart/form-data",
    )


TOTAL = 4_500_000


SCHOOL_TAX_CODE = "1601234567"


@pytest.fixture
def invoice():
    school = create_school(
        bank_bin="970415",
        bank_account_no="1140012345",
        bank_account_name="TRUONG CD SO 1",
        bank_name="VietinBank",
        tax_code=SCHOOL_TAX_CODE,  # tuition receipts are the school's: its tax code and own series
        receipt_series_letters="AB",
    )
    school_class = create_class(school)
    term, item = create_term(school), create_fee_item(school)
    create_schedule(school, term, item, TOTAL)
    create_student(school, school_class, email="sv@example.vn", phone="0912345678")
    invoicing.invoice_term(school.id, term.id, None)
    return db.session.scalars(db.select(Invoice)).one()


def confirm(client, invoice, dob="15/03/2007"):
    return client.submit(f"/pay/{invoice.access_token}", {"date_of_birth": dob})
