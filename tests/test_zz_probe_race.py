import io
import pypdf
import pytest
from service.documents import issuing, jobs
from service.documents.jobs import run_pending
from service.documents.models import DocumentJob, IssuedDocument
from service.dossiers import processing
from service.extensions import db
from service.database import begin_write
from tests.factories import create_citizen, create_dossier, create_official, create_organisation, login, procedure_version
from tests.test_documents import documents_of, through

def text_of(pdf):
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)

@pytest.fixture
def staff():
    return {r: create_official(r) for r in ("reception", "specialist", "leader")}

def granted(staff):
    desk, sp, leader = staff["reception"], staff["specialist"], staff["leader"]
    d = create_dossier(create_citizen(), submitted=True)
    through(d, [(desk, "receive", {}), (desk, "assign", {"assignee_id": sp.id}), (sp, "start_appraisal", {}),
                (sp, "propose", {"decision": "approve", "draft": "Điều một"}), (leader, "approve", {})])
    return d

def test_revoke_then_pending_reissue(staff):
    d = granted(staff)
    [dec] = documents_of(d, "decision")
    jobs.request_correction(dec, staff["leader"].id, "Đính chính")   # pending (worker/thread mode)
    jobs.revoke(dec, staff["leader"].id, "Cấp sai đối tượng")
    run_pending()
    print("PROBE revoke+reissue:", [(x.id, x.status, x.replaces_id) for x in documents_of(d, "decision")])

def test_two_valid_slips(staff):
    d = granted(staff)
    [slip] = [s for s in documents_of(d, "form_06") if s.status == "valid"]
    processing.act(d.id, staff["reception"], "return_result", {"method": "electronic"}, None)  # form_06 job pending
    jobs.request_correction(slip, staff["leader"].id, "Sửa ghi chú")
    run_pending()
    print("PROBE slips:", [(x.id, x.status, x.replaces_id) for x in documents_of(d, "form_06")])

def test_single_desk(client, staff):
    version = procedure_version()
    begin_write()
    version.content = {**version.content, "workflow": "single_desk"}
    db.session.commit()
    desk = staff["reception"]
    d = create_dossier(create_citizen(), submitted=True)
    through(d, [(desk, "receive", {}), (desk, "approve", {})])
    for j in db.session.scalars(db.select(DocumentJob).where(DocumentJob.dossier_id == d.id)).all():
        print("PROBE sd job", j.kind, j.status, j.error)
    dec = documents_of(d, "decision")
    if dec:
        print("PROBE single_desk decision:", text_of(issuing.pdf_bytes(dec[0])).replace("\n", " | ")[-500:])
    login(client, desk)
    print("PROBE single_desk draft preview:", client.get(f"/officials/dossiers/{d.id}/draft-result.pdf").status_code)
    d2 = create_dossier(create_citizen(), submitted=True)
    through(d2, [(desk, "receive", {}), (desk, "deny", {"reason": "Không đủ điều kiện"})])
    wa = documents_of(d2, "written_answer")
    print("PROBE single_desk deny:", text_of(issuing.pdf_bytes(wa[0])).replace("\n", " | ")[-400:] if wa else "none")
