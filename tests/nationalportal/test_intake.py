"""Dossiers filed on the national portal: pushed to us with the configured key, taken in with the code
the portal issued, once; then synchronised back like any other dossier."""

from __future__ import annotations

import base64

import pytest

from service.accounts.models import User
from service.database import write
from service.documents import issuing
from service.documents.jobs import run_pending
from service.dossiers import processing
from service.dossiers.models import Dossier, DossierFile
from service.extensions import db
from service.nationalportal import settings, simulator
from service.nationalportal.models import NationalPortalJob, NationalSync
from service.payments.models import PaymentOrder
from service.procedures.models import Procedure
from tests.factories import PERSON_PROCEDURE, create_citizen, create_official, load_catalogue, pdf_upload
from tests.support.documents import documents_of, text_of

KEY = "khoa-thu-nghiem-cong-dvcqg-0123456789abcdef"
CODE = "G22.999-261129-0042"


@pytest.fixture
def inbound(app):
    app.config["NATIONAL_PORTAL_INBOUND_KEY"] = KEY
    load_catalogue()
    yield
    app.config["NATIONAL_PORTAL_INBOUND_KEY"] = ""


def filed(**changes):
    return {
        "MaHoSo": CODE,
        "MaTTHC": PERSON_PROCEDURE,
        "ChuHoSo": "Trần Thị Bình",
        "SoGiayToChuHoSo": "089123456789",
        "SoDienThoai": "0912000111",
        "NgayNopHoSo": "20261129083000",
        "TaiLieuNop": [
            {"TenTepDinhKem": "don.pdf", "Base64": base64.b64encode(pdf_upload()[0].getvalue()).decode()}
        ],
        **changes,
    }


def push(client, body, key=KEY):
    return client.post("/api/national-portal/dossiers", json=body, headers={"X-Api-Key": key})


def test_a_dossier_filed_on_the_portal_is_taken_in_with_its_code_once(client, inbound):
    answer = push(client, filed())
    assert answer.status_code == 200 and answer.json["error_code"] == "0"
    dossier = db.session.scalar(db.select(Dossier))
    assert dossier.code == CODE and dossier.status == "submitted" and dossier.channel == "online"
    assert dossier.applicant_name == "Trần Thị Bình" and dossier.submitted_at.hour == 1  # 08:30 at UTC+7
    owner = db.session.get(User, dossier.owner_id)
    assert owner.personal_id == "089123456789" and owner.email is None
    assert db.session.scalar(db.select(DossierFile)).original_name == "don.pdf"
    assert db.session.scalar(db.select(NationalSync)).filed_on_portal

    again = push(client, filed())
    assert again.json == {"error_code": "0", "message": "Hồ sơ đã tồn tại.", "MaHoSo": CODE}
    assert db.session.scalar(db.select(db.func.count()).select_from(Dossier)) == 1


def test_a_known_citizen_gets_the_dossier_in_their_account(client, inbound):
    citizen = create_citizen(personal_id="089123456789")
    push(client, filed())
    assert db.session.scalar(db.select(Dossier)).owner_id == citizen.id


@pytest.mark.parametrize(
    "body, message",
    [
        (filed(SoGiayToChuHoSo="12345"), "SoGiayToChuHoSo phải là số định danh cá nhân 12 chữ số"),
        (filed(NgayNopHoSo="2026-11-29"), "NgayNopHoSo không đúng định dạng"),
        (filed(MaTTHC="9.999999"), "không thuộc thẩm quyền tiếp nhận"),
        (
            filed(TaiLieuNop=[{"TenTepDinhKem": "x.exe", "Base64": "TVqQAAMAAAAEAAAA"}]),
            "không đúng định dạng",
        ),
        ("không phải JSON", "Dữ liệu phải là một hồ sơ"),
    ],
)
def test_a_push_we_cannot_take_in_is_answered_with_the_reason(client, inbound, body, message):
    answer = push(client, body)
    assert answer.status_code == 400 and message in answer.json["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Dossier)) == 0


def test_without_the_key_nothing_is_taken_in(client, inbound, app):
    assert push(client, filed(), key="sai").status_code == 401
    app.config["NATIONAL_PORTAL_INBOUND_KEY"] = ""
    assert push(client, filed(), key="").status_code == 401
    assert db.session.scalar(db.select(db.func.count()).select_from(Dossier)) == 0


def test_a_portal_dossier_is_synchronised_back_as_an_update(client, inbound, app):
    app.config["NATIONAL_PORTAL_BASE_URL"] = settings.SIMULATOR
    simulator.reset()
    simulator.DOSSIERS[CODE] = {"MaHoSo": CODE}  # the portal holds what was filed on it
    try:
        push(client, filed())
        [job] = db.session.scalars(db.select(NationalPortalJob)).all()
        assert job.status == "done" and job.answer.startswith("capnhat:")
        assert simulator.DOSSIERS[CODE]["TrangThaiHoSo"] == 1 and simulator.CALLS[0] == "capnhat"
    finally:
        app.config["NATIONAL_PORTAL_BASE_URL"] = ""
        simulator.reset()


def test_a_fee_due_at_filing_is_owed_by_the_portal_dossier_too(client, inbound):
    with write():
        procedure = db.session.scalar(db.select(Procedure).where(Procedure.code == PERSON_PROCEDURE))
        procedure.current_version.fee = 100_000
    push(client, filed())
    dossier = db.session.scalar(db.select(Dossier))
    order = db.session.scalar(db.select(PaymentOrder).where(PaymentOrder.dossier_id == dossier.id))
    assert order.amount == 100_000 and order.status == "unpaid" and order.payer_id == dossier.owner_id


def test_a_national_code_in_the_circular_04_form_is_kept_as_issued_through_reception(client, inbound):
    """Circular 04/2025's centralised form MX1X2.Y1Y2Y3.Z1Z2-YYMMDD-AAXXXX is issued by the portal: reception
    neither re-numbers the dossier nor re-dates its code, and form 01 prints it as issued."""
    national = "G22.999.01-261129-KG0042"
    assert push(client, filed(MaHoSo=national)).json["error_code"] == "0"
    dossier = db.session.scalar(db.select(Dossier).where(Dossier.code == national))
    processing.act(dossier.id, create_official("reception"), "receive", {}, None)
    run_pending()
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.status == "received" and dossier.code == national
    [receipt] = documents_of(dossier, "form_01")
    assert national in text_of(issuing.pdf_bytes(receipt)).replace("\n", "")
