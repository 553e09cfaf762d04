"""Tenant isolation: every school page and export is confined to the signed-in user's school. Another
school's ids in a URL are a 404; people who work for no school get a 403."""

from __future__ import annotations

import io

import pytest

from service.extensions import db
from service.schools import counter, fees, invoicing
from service.schools.models import Exemption, Invoice, InvoiceRun, StudentImport
from tests.factories import (
    create_citizen,
    create_class,
    create_exemption,
    create_fee_item,
    create_official,
    create_schedule,
    create_school,
    create_school_user,
    create_student,
    create_term,
    login,
    refused,
)


def a_school_with_everything(code: str):
    school = create_school(code)
    school_class = create_class(school)
    term, item = create_term(school), create_fee_item(school)
    create_schedule(school, term, item, 3_000_000)
    student = create_student(school, school_class, full_name=f"Người học {code}")
    exemption = create_exemption(school, student, 50, "giam_50_tai_nan_benh_nghe_nghiep")
    invoicing.invoice_term(school.id, term.id, None)
    invoice = db.session.scalar(db.select(Invoice).where(Invoice.school_id == school.id))
    user = create_school_user(school)
    counter.record(invoice.id, user, 100_000, "PT-1", "Thu tại quầy")
    from service.schools import imports

    batch = imports.stage(
        b"Ma sinh vien,Ho va ten,Ngay sinh,Ma lop\nX1,A,01/01/2007,CD-CNTT-K26\n", "a.csv", school.id, user.id
    )
    return {
        "school": school,
        "class": school_class,
        "term": term,
        "student": student,
        "invoice": invoice,
        "exemption": db.session.get(Exemption, exemption.id),
        "batch": db.session.get(StudentImport, batch.id),
        "order": fees.order_for_payment(invoice.id, None),
        "run": db.session.scalar(db.select(InvoiceRun).where(InvoiceRun.school_id == school.id)),
    }


def routes(other: dict) -> list[tuple[str, str, dict]]:
    """Every school route that names a record, pointed at the other school's records."""
    invoice, student = other["invoice"], other["student"]
    return [
        ("GET", f"/school/students/{student.id}", {}),
        ("POST", f"/school/students/{student.id}/exemptions", {"category": "khac", "percent": "10"}),
        ("GET", f"/school/exemptions/{other['exemption'].id}/evidence", {}),
        ("GET", f"/school/imports/{other['batch'].id}", {}),
        ("GET", f"/school/imports/{other['batch'].id}?format=json", {}),
        ("POST", f"/school/imports/{other['batch'].id}/confirm", {}),
        ("GET", f"/school/terms/{other['term'].id}", {}),
        ("POST", f"/school/terms/{other['term'].id}", {"fee_item_id": "1", "scope": "school", "unit_amount": "1"}),
        ("POST", f"/school/terms/{other['term'].id}/invoices", {}),
        ("GET", f"/school/invoices/{invoice.id}", {}),
        ("GET", f"/school/invoices/{invoice.id}/qr.png", {}),
        ("POST", f"/school/invoices/{invoice.id}/cancel", {"cancel-reason": "x"}),
        ("POST", f"/school/invoices/{invoice.id}/adjust", {"lines": "A | 1", "adjust-reason": "x"}),
        ("POST", f"/school/invoices/{invoice.id}/manual-payment", {"manual-amount": "1", "manual-reference": "x", "manual-reason": "x"}),
        ("GET", f"/payments/officials/orders/{other['order'].id}", {}),
        ("GET", f"/school/invoice-runs/{other['run'].id}", {}),
        ("GET", f"/school/invoice-runs/{other['run'].id}?format=json", {}),
        ("POST", f"/school/imports/{other['batch'].id}/retry", {}),
    ]  # fmt: skip


LIST_PAGES = [
    "/school/",
    "/school/classes",
    "/school/students",
    "/school/students/import",
    "/school/fees",
    "/school/invoices",
    "/school/invoices?format=xlsx",
    "/school/collection",
    "/school/collection?format=payments",
    "/school/reconciliation",
    "/payments/officials/orders",
    "/payments/review",
]


def test_another_schools_records_are_not_found_and_lists_show_only_ones_own(client):
    mine, theirs = a_school_with_everything("TRA"), a_school_with_everything("TRB")
    login(client, create_school_user(mine["school"]))
    for method, path, data in routes(theirs):
        response = client.get(path) if method == "GET" else client.submit(path, data)
        assert response.status_code == 404, (method, path, response.status_code)
    for _method, path, _data in routes(mine)[:1] + routes(mine)[9:11] + routes(mine)[-3:-1]:
        assert client.get(path).status_code == 200, path
    for path in LIST_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        body = (
            response.get_data(as_text=True)
            if response.mimetype.startswith("text/")
            else _xlsx_text(response.data)
        )
        assert "Người học TRB" not in body and theirs["student"].code not in body, path
    # nothing of theirs changed
    db.session.expire_all()
    assert db.session.get(Invoice, theirs["invoice"].id).status == "issued"
    assert db.session.get(StudentImport, theirs["batch"].id).status == "validated"


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(str(cell) for row in book.active.iter_rows(values_only=True) for cell in row)


@pytest.mark.parametrize("who", ["citizen", "agency_accountant", "specialist", "admin"])
def test_people_who_work_for_no_school_cannot_use_school_pages(client, who):
    theirs = a_school_with_everything("TRC")
    user = (
        create_citizen()
        if who == "citizen"
        else create_official({"agency_accountant": "accountant"}.get(who, who))
    )
    login(client, user)
    for path in LIST_PAGES[:10]:
        refused(client.get(path), 403)
    assert theirs["invoice"].number not in refused(
        client.get(f"/school/invoices/{theirs['invoice'].id}"), 403
    )


def test_the_agency_accountant_does_not_see_school_payments(client):
    theirs = a_school_with_everything("TRD")
    login(client, create_official("accountant"))
    assert theirs["order"].reference not in client.get("/payments/officials/orders").get_data(as_text=True)
    assert client.get(f"/payments/officials/orders/{theirs['order'].id}").status_code == 404


def test_an_administrator_registers_a_school_and_its_staff(client):
    from service.accounts.models import User
    from service.schools.models import School

    login(client, create_official("admin"))
    bad = client.submit(
        "/admin/schools",
        {
            "code": "TC-LX",
            "name": "Trường Trung cấp Long Xuyên",
            "kind": "intermediate",
            "bank_bin": "970436",
            "bank_account_no": "",
        },
    )
    assert bad.status_code == 400 and "Ghi cả BIN ngân hàng và số tài khoản" in bad.get_data(as_text=True)
    client.submit(
        "/admin/schools",
        {
            "code": "tc-lx",
            "name": "Trường Trung cấp Long Xuyên",
            "kind": "intermediate",
            "bank_bin": "970436",
            "bank_account_no": "0761000111222",
            "allow_partial_payment": "y",
            "tax_code": "1601234567",
            "tuition_document": "receipt",
            "receipt_form_symbol": "EBL01",
            "receipt_series_letters": "ab",
        },
    )
    school = db.session.scalars(db.select(School)).one()
    assert school.code == "TC-LX" and school.allow_partial_payment
    assert (school.tax_code, school.receipt_series_letters, school.tuition_document) == (
        "1601234567",
        "AB",
        "receipt",
    )
    orphan = client.submit(
        "/admin/users/new",
        {
            "full_name": "Lý Thị Quản",
            "email": "ql@tclx.edu.vn",
            "role": "school_admin",
            "department_id": "0",
            "school_id": "0",
        },
    )
    assert "phải thuộc một trường" in orphan.get_data(as_text=True)
    client.submit(
        "/admin/users/new",
        {
            "full_name": "Lý Thị Quản",
            "email": "ql@tclx.edu.vn",
            "role": "school_admin",
            "department_id": "0",
            "school_id": str(school.id),
        },
    )
    staff = db.session.scalar(db.select(User).where(User.email == "ql@tclx.edu.vn"))
    assert staff.school_id == school.id
    wrong = client.submit(
        f"/admin/users/{staff.id}/edit", {"role": "leader", "department_id": "0", "school_id": str(school.id)}
    )
    assert "Chỉ kế toán và quản trị nhà trường" in wrong.get_data(as_text=True)
