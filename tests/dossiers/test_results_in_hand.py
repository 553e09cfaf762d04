"""Results in hand: a returned dossier shows its result to the applicant, and only to the applicant,
including the provincial chairman's decision uploaded when the step was recorded."""

from __future__ import annotations

import pytest

from service.database import write
from service.documents.jobs import run_pending
from service.dossiers.models import Dossier
from service.extensions import db
from tests.factories import create_citizen, create_dossier, create_organisation, login, pdf_upload
from tests.support.documents import granted, through

CHAIRMAN_DECIDES = "1.000530.000.00.00.H01"  # decided by the chairman of the provincial People's Committee
DECISION = b"%PDF-1.4\n% Quyet dinh cua Chu tich UBND tinh\n%%EOF\n"


def forwarded(owner, staff):
    desk, specialist, leader = staff["reception"], staff["specialist"], staff["leader"]
    dossier = create_dossier(owner, CHAIRMAN_DECIDES, submitted=True)
    through(
        dossier,
        [
            (desk, "receive", {}),
            (desk, "assign", {"assignee_id": specialist.id}),
            (specialist, "start_appraisal", {}),
            (specialist, "propose", {"decision": "approve", "draft": "Cho phép đổi tên trường."}),
            (leader, "forward", {}),
        ],
    )
    return dossier


def act(client, dossier_id: int, event: str, data: dict):
    return client.submit(f"/officials/dossiers/{dossier_id}/act/{event}", data)


def test_the_chairmans_decision_reaches_the_applicant_and_nobody_else(app, staff):
    owner = create_organisation()
    dossier = forwarded(owner, staff)
    official = app.test_client()
    login(official, staff["leader"])
    refused = act(official, dossier.id, "approve", {})
    assert refused.status_code == 400 and "Chủ tịch" in refused.get_data(as_text=True)
    decision = pdf_upload("quyet-dinh-ubnd.pdf", DECISION)
    assert act(official, dossier.id, "approve", {"attachment": decision}).status_code == 302
    run_pending()
    desk = app.test_client()
    login(desk, staff["reception"])
    assert act(desk, dossier.id, "return_result", {"method": "electronic"}).status_code == 302
    assert db.session.get(Dossier, dossier.id).status == "returned"

    applicant = app.test_client()
    login(applicant, owner)
    page = applicant.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    result = page.split('data-testid="result">')[1].split("</section>")[0]
    assert "Quyết định của Chủ tịch Ủy ban nhân dân tỉnh" in result and "bản điện tử" in result
    link = result.split('href="')[1].split('"')[0]
    download = applicant.get(link)
    assert download.status_code == 200 and download.data == DECISION

    stranger = app.test_client()
    login(stranger, create_citizen())
    assert stranger.get(link).status_code == 404
    assert stranger.get(f"/dossiers/{dossier.id}").status_code == 404


def test_electronic_delivery_is_refused_without_a_result_file(app, staff):
    """A chairman's answer recorded on paper only cannot be 'returned electronically'."""
    owner = create_organisation()
    dossier = forwarded(owner, staff)
    official = app.test_client()
    login(official, staff["leader"])
    decision = pdf_upload("quyet-dinh-ubnd.pdf", DECISION)
    assert act(official, dossier.id, "approve", {"attachment": decision}).status_code == 302
    # The uploaded decision is gone (say, the record was cleaned): no file, no electronic delivery.
    approve = next(e for e in db.session.get(Dossier, dossier.id).events if e.event == "approve")
    with write():
        for f in approve.files:
            f.event_id = None
    desk = app.test_client()
    login(desk, staff["reception"])
    refused = act(desk, dossier.id, "return_result", {"method": "electronic"})
    assert refused.status_code == 400 and "không thể trả kết quả điện tử" in refused.get_data(as_text=True)
    assert act(desk, dossier.id, "return_result", {"method": "desk"}).status_code == 302
    applicant = app.test_client()
    login(applicant, owner)
    page = applicant.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    assert "tại Bộ phận Một cửa" in page and "không có bản điện tử" in page


def test_an_ordinary_result_is_listed_with_its_download(app, staff):
    owner = create_organisation()
    dossier = granted(owner, staff)
    through(dossier, [(staff["reception"], "return_result", {"method": "electronic"})])
    applicant = app.test_client()
    login(applicant, owner)
    page = applicant.get(f"/dossiers/{dossier.id}").get_data(as_text=True)
    result = page.split('data-testid="result">')[1].split("</section>")[0]
    link = result.split('href="')[1].split('"')[0]
    assert "/documents/" in link and applicant.get(link).status_code == 200


@pytest.fixture(autouse=True)
def _documents_drawn():
    yield
    run_pending()
