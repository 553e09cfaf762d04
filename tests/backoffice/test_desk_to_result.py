"""Issue 17, done when: a walk-in dossier from the desk to the result. An applicant with no account
(no email, no password) hands in a paper application; the desk records them, files and receives the
dossier (form 01 for both signatures), the leader's specialist appraises it, the leader approves, the
result is drawn, and the desk hands it over at the counter; all through the pages' own routes. A posted
application whose applicant asked for the result by post gets it through the carrier."""

from __future__ import annotations

import pytest
from flask import current_app

from service.accounts.models import User
from service.documents import issuing
from service.documents.jobs import run_pending
from service.dossiers.models import Dossier
from service.extensions import db
from service.notifications.models import OutboundEmail
from service.postal import simulator
from service.postal.models import Shipment
from service.timeutil import local_today
from tests.factories import create_official, login, procedure_version
from tests.support.desk import file_url, filed_for, paper_filing
from tests.support.documents import documents_of, text_of
from tests.support.faults import page_version
from tests.support.processing import act, as_, fresh

NUMBER, NAME = "079234567890", "Trần Thị Đến Quầy"
LONG_XUYEN = "30307"  # phường Long Xuyên (vietnam-provinces)


@pytest.fixture
def staff():
    return {role: create_official(role) for role in ("reception", "specialist", "leader")}


def walk_in(client, desk) -> User:
    """The desk records a walk-in applicant by their number: a name and a phone, nothing to sign in with."""
    login(client, desk)
    assert client.submit("/officials/desk/", {"number": NUMBER}).status_code == 200
    created = client.submit(
        "/officials/desk/applicants", {"number": NUMBER, "full_name": NAME, "phone": "0907000111"}
    )
    assert created.status_code == 302
    return db.session.scalar(db.select(User).where(User.personal_id == NUMBER))


def decided(client, dossier, staff) -> None:
    """Assigned by the desk, appraised and proposed by the specialist, approved by the leader."""
    act(client, dossier, "assign", assignee_id=str(staff["specialist"].id))
    as_(client, staff["specialist"])
    act(client, dossier, "start_appraisal")
    act(
        client,
        dossier,
        "propose",
        decision="approve",
        draft="Cho hưởng chính sách nội trú.",
        reason="Đủ điều kiện",
    )
    assert fresh(dossier).status == "proposed"
    as_(client, staff["leader"])
    act(client, dossier, "approve")
    assert fresh(dossier).status == "approved"
    run_pending()


def test_a_walk_in_dossier_goes_from_the_desk_to_the_result_handed_over_at_the_counter(client, staff):
    applicant = walk_in(client, staff["reception"])
    assert applicant.email is None  # no address to sign in with or to be told at
    version = procedure_version()
    filed = client.submit(file_url(applicant), paper_filing(version), content_type="multipart/form-data")
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    dossier = filed_for(applicant)
    assert (
        dossier.status == "received"
        and dossier.channel == "desk"
        and f"-{local_today():%y%m%d}-" in dossier.code
    )
    run_pending()
    [receipt] = documents_of(dossier, "form_01")
    slip = " ".join(text_of(issuing.pdf_bytes(receipt)).split())
    assert (
        NAME in slip
        and dossier.code in slip
        and NUMBER in slip
        and dossier.due_date.strftime("%d/%m/%Y") in slip
    )
    assert "NGƯỜI NỘP HỒ SƠ" in slip and "NGƯỜI TIẾP NHẬN HỒ SƠ" in slip

    decided(client, dossier, staff)
    [result] = [d for d in documents_of(dossier) if d.kind in ("decision", "certificate", "written_answer")]
    text = " ".join(text_of(issuing.pdf_bytes(result)).split())
    assert result.status == "valid" and NAME in text and dossier.code in text

    as_(client, staff["reception"])
    page = client.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert f"/dossiers/{dossier.id}/documents/{result.id}" in page  # the desk prints it for the counter
    printed = client.get(f"/dossiers/{dossier.id}/documents/{result.id}")
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF-")
    act(client, dossier, "return_result", method="desk", reason="Người nộp nhận trực tiếp, đã ký sổ")
    done = fresh(dossier)
    assert done.status == "returned" and done.return_method == "desk" and done.returned_at is not None
    assert [e.event for e in done.events] == [
        "file_on_paper", "receive", "assign", "start_appraisal", "propose", "approve", "return_result",
    ]  # fmt: skip
    assert all(e.actor_id != applicant.id for e in done.events)  # the applicant never signed in
    assert db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.recipient.is_(None))) is None


def test_a_posted_application_gets_its_result_back_by_post(client, staff):
    simulator.reset()
    applicant = walk_in(client, staff["reception"])
    version = procedure_version()
    address = {
        "desk-delivery_address-province": str(current_app.config["PROVINCE_CODE"]),
        "desk-delivery_address-ward": LONG_XUYEN,
        "desk-delivery_address-street": "5 Lê Lợi",
        "desk-received_on": local_today().isoformat(),
        "desk-postmarked_on": local_today().isoformat(),
    }
    data = paper_filing(version, delivery="post", **address)
    filed = client.submit(file_url(applicant, "post"), data, content_type="multipart/form-data")
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    dossier = filed_for(applicant)
    assert dossier.channel == "post" and dossier.delivery_method == "post" and dossier.status == "received"

    decided(client, dossier, staff)
    as_(client, staff["reception"])
    sent = client.submit(
        f"/officials/dossiers/{dossier.id}/shipments", {"version": page_version(client, dossier.id)}
    )
    assert sent.status_code == 302
    shipment = db.session.scalar(db.select(Shipment).where(Shipment.dossier_id == dossier.id))
    order = simulator.ORDERS[shipment.item_code]["order"]
    assert order["ReceiverName"] == NAME and "5 Lê Lợi" in order["ReceiverAddress"]
    for status in ("delivering", "delivered"):  # the carrier's steps, each calling us back
        advanced = client.post(
            f"/simulators/postal/orders/{shipment.item_code}/advance", json={"status": status}
        )
        assert advanced.get_json()["Callback"] == 200
    done = db.session.get(Dossier, dossier.id)
    assert done.status == "returned" and done.return_method == "post"
    assert shipment.item_code in done.events[-1].note
    simulator.reset()
