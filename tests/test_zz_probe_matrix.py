import io, json, pathlib, tomllib
import pypdf
import pytest
from service.documents import issuing
from service.documents.jobs import run_pending
from service.documents.models import DocumentJob, IssuedDocument
from service.dossiers import processing
from service.extensions import db
from tests.factories import create_citizen, create_dossier, create_official, create_organisation, login
from tests.test_documents import documents_of

OUT = pathlib.Path("/tmp/probe/matrix"); OUT.mkdir(parents=True, exist_ok=True)
PROCS = sorted(pathlib.Path("catalogue/procedures").glob("*.toml"))

def text_of(pdf):
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)

def step(d, actor, event, data):
    try:
        processing.act(d.id, actor, event, data, None)
    except Exception as e:
        print(f"PROBE STEPFAIL {d.code} {event}: {e!r}"[:300])
        raise
    run_pending()

def dump(d, label):
    jobs = db.session.scalars(db.select(DocumentJob).where(DocumentJob.dossier_id == d.id)).all()
    for j in jobs:
        if j.status != "done":
            print(f"PROBE JOB {label} {j.kind} {j.status}: {(j.error or '')[:400]}")
    for doc in documents_of(d):
        t = text_of(issuing.pdf_bytes(doc))
        (OUT / f"{label}-{doc.id}-{doc.kind}.txt").write_text(t)
        (OUT / f"{label}-{doc.id}-{doc.kind}.json").write_text(json.dumps(doc.data, ensure_ascii=False, indent=1))
        if "None" in t:
            print(f"PROBE NONE {label} {doc.kind}")

@pytest.mark.parametrize("path", PROCS, ids=lambda p: p.stem)
def test_matrix(path):
    spec = tomllib.loads(path.read_text())
    code = spec["code"]
    owner = create_citizen() if "person" in spec["applicants"] else create_organisation()
    desk, spec_, leader = (create_official(r) for r in ("reception", "specialist", "leader"))
    leader2 = create_official("leader")
    provincial = "Ủy ban nhân dân tỉnh" in spec.get("deciding_authority", "")
    for path_kind in ("approve", "deny"):
        d = create_dossier(owner, code=code, submitted=True)
        step(d, desk, "receive", {})
        step(d, desk, "assign", {"assignee_id": spec_.id})
        step(d, spec_, "start_appraisal", {})
        step(d, spec_, "propose", {"decision": path_kind, "draft": "Nội dung dự thảo thứ nhất.\nNội dung thứ hai"})
        if path_kind == "approve":
            if provincial:
                step(d, leader, "forward", {})
                step(d, desk, "approve", {})
            else:
                step(d, leader, "approve", {})
        else:
            step(d, leader, "deny", {"reason": "Không đủ điều kiện"})
        db.session.refresh(d)
        if d.status == "awaiting_payment" or (d.procedure_version.fee > 0):
            print("PROBE fee", code)
        step(d, desk, "return_result", {"method": "electronic"})
        dump(d, f"{path.stem}-{path_kind}")
