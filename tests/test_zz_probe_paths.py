import io, json, pathlib
import pypdf
import pytest
from service.documents import issuing
from service.documents.jobs import run_pending
from service.documents.models import DocumentJob, IssuedDocument
from service.dossiers import processing
from service.deadlines.calendar import current_calendar
from service.extensions import db
from tests.factories import create_citizen, create_dossier, create_official, create_organisation, login
from tests.test_documents import documents_of

OUT = pathlib.Path("/tmp/probe/paths"); OUT.mkdir(parents=True, exist_ok=True)

def text_of(pdf):
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)

def step(d, actor, event, data):
    processing.act(d.id, actor, event, data, None); run_pending()

def dump(d, label):
    for j in db.session.scalars(db.select(DocumentJob).where(DocumentJob.dossier_id == d.id)).all():
        if j.status != "done":
            print(f"PROBE JOB {label} {j.kind} {j.status}: {(j.error or '')[:600]}")
    for doc in documents_of(d):
        t = text_of(issuing.pdf_bytes(doc))
        (OUT / f"{label}-{doc.id}-{doc.kind}.txt").write_text(t)

@pytest.fixture
def staff():
    return {r: create_official(r) for r in ("reception", "specialist", "leader")}

def test_paths(staff):
    desk, sp, leader = staff["reception"], staff["specialist"], staff["leader"]
    owner = create_citizen(full_name="Phạm Thị Đường")
    # supplement at reception
    d = create_dossier(owner, submitted=True)
    step(d, desk, "request_supplement", {"reason": "- Bản sao giấy khai sinh\n- Đơn đề nghị có chữ ký"})
    dump(d, "supp-reception")
    # supplement at processing, with a bare dash line
    d = create_dossier(owner, submitted=True)
    step(d, desk, "receive", {}); step(d, desk, "assign", {"assignee_id": sp.id}); step(d, sp, "start_appraisal", {})
    step(d, sp, "request_supplement", {"reason": "Thiếu giấy tờ:\n-\n• Bản sao bằng tốt nghiệp"})
    dump(d, "supp-processing")
    # refuse
    d = create_dossier(owner, submitted=True)
    step(d, desk, "refuse", {"reason": "Không thuộc thẩm quyền"})
    dump(d, "refuse")
    # extend
    d = create_dossier(owner, submitted=True)
    step(d, desk, "receive", {})
    db.session.refresh(d)
    new = current_calendar().add_working_days(d.due_date, 2)
    try:
        processing.extend(d.id, desk, new, "Cần xác minh thêm", None); run_pending()
    except Exception as e:
        print("PROBE extend", repr(e))
    dump(d, "extend")
    # stop
    d = create_dossier(owner, submitted=True)
    step(d, desk, "receive", {})
    processing.request_stop(d.id, owner, "Tôi không có nhu cầu nữa")
    step(d, desk, "stop", {})
    dump(d, "stop")
    # stop without reason
    d = create_dossier(owner, submitted=True)
    step(d, desk, "receive", {})
    processing.request_stop(d.id, owner, "")
    step(d, leader, "stop", {})
    dump(d, "stop-noreason")
    # deny with whitespace / trailing punctuation
    d = create_dossier(owner, submitted=True)
    for a, e, x in [(desk, "receive", {}), (desk, "assign", {"assignee_id": sp.id}), (sp, "start_appraisal", {}),
                    (sp, "propose", {"decision": "deny", "draft": "-\nĐoạn một"}), (leader, "deny", {"reason": "Lý do 1\n-\nLý do 2"})]:
        step(d, a, e, x)
    dump(d, "deny-lines")
