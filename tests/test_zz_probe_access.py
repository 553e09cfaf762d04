import io
import pypdf
import pytest
from service.documents import issuing
from service.documents.jobs import run_pending
from service.documents.models import DocumentJob, IssuedDocument
from service.dossiers import processing
from service.extensions import db
from tests.factories import create_citizen, create_dossier, create_official, create_organisation, login
from tests.test_documents import documents_of, through

def text_of(pdf):
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)

def show(label, r):
    print(f"PROBE {label}: {r.status_code} {r.content_type} {r.get_data()[:120]!r}" if r.status_code >= 500 else f"PROBE {label}: {r.status_code} {r.content_type} loc={r.headers.get('Location')}")

@pytest.fixture
def staff():
    return {r: create_official(r) for r in ("reception", "specialist", "leader")}

def test_access(app, client, other_client, staff):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    desk, sp, leader = staff["reception"], staff["specialist"], staff["leader"]
    a, b = create_citizen(), create_citizen()
    da = create_dossier(a, submitted=True); db_ = create_dossier(b, submitted=True)
    for d in (da, db_):
        through(d, [(desk, "receive", {}), (desk, "assign", {"assignee_id": sp.id}), (sp, "start_appraisal", {})])
    docs_b = documents_of(db_)
    login(client, a)
    for doc in docs_b:
        show(f"citizen A gets B's {doc.kind} via own dossier", client.get(f"/dossiers/{da.id}/documents/{doc.id}"))
    slip = documents_of(da, "form_06")[0]
    show("citizen gets own form_06", client.get(f"/dossiers/{da.id}/documents/{slip.id}"))
    show("citizen draft preview", client.get(f"/officials/dossiers/{da.id}/draft-result.pdf"))
    show("citizen correct", client.submit(f"/officials/dossiers/{da.id}/documents/{slip.id}/revoke", {"reason": "x"}))
    # verify page exposure of form_06 to anyone
    r = other_client.get(f"/verify/{slip.verification_code}")
    print("PROBE verify form_06 anon:", r.status_code, "title shown" if "kiểm soát" in r.get_data(as_text=True) else "")
    r = other_client.get(f"/verify/{slip.verification_code}")
    body = r.get_data(as_text=True)
    import re
    print("PROBE verify page links:", re.findall(r'href="([^"]*)"', body)[:20])
    # draft preview: no draft, then approve & deny proposals; official of no right
    login(other_client, sp)
    show("draft no draft", other_client.get(f"/officials/dossiers/{da.id}/draft-result.pdf"))
    processing.act(da.id, sp, "propose", {"decision": "deny", "draft": "Trả lời: không đủ điều kiện"}, None); run_pending()
    r = other_client.get(f"/officials/dossiers/{da.id}/draft-result.pdf"); show("draft deny", r)
    if r.status_code == 200:
        print("PROBE draft deny text:", text_of(r.data).replace("\n", " | ")[:1500])
    processing.act(db_.id, sp, "propose", {"decision": "approve", "draft": "Điều một"}, None); run_pending()
    r = other_client.get(f"/officials/dossiers/{db_.id}/draft-result.pdf"); show("draft approve", r)
    if r.status_code == 200:
        print("PROBE draft approve tail:", text_of(r.data).replace("\n", " | ")[-300:])
    # correct route
    client2 = app.test_client()
    login(client2, leader)
    processing.act(db_.id, leader, "approve", {}, None); run_pending()
    dec = documents_of(db_, "decision")[0]
    for action in ("reissue", "revoke", "REVOKE", "delete", "%2e%2e"):
        show(f"leader correct {action}", client2.submit(f"/officials/dossiers/{db_.id}/documents/{dec.id}/{action}", {"reason": "Sai"}))
    show("leader correct other dossier's doc", client2.submit(f"/officials/dossiers/{da.id}/documents/{dec.id}/revoke", {"reason": "x"}))
    show("leader reissue revoked", client2.submit(f"/officials/dossiers/{db_.id}/documents/{dec.id}/reissue", {"reason": "x"}))
    for st in db.session.scalars(db.select(IssuedDocument).where(IssuedDocument.dossier_id == db_.id)).all():
        print("PROBE doc", st.id, st.kind, st.status, st.replaces_id)
    # reissue a form_01 and a form_06 (replaceable) and a replaced doc
    f1 = documents_of(db_, "form_01")[0]
    show("reissue form_01", client2.submit(f"/officials/dossiers/{db_.id}/documents/{f1.id}/reissue", {"reason": "Sửa"}))
    show("reissue form_01 again (now replaced)", client2.submit(f"/officials/dossiers/{db_.id}/documents/{f1.id}/reissue", {"reason": "Sửa"}))
    for j in db.session.scalars(db.select(DocumentJob).where(DocumentJob.dossier_id == db_.id)).all():
        if j.status != "done": print("PROBE JOB", j.kind, j.status, j.error)
    show("huge doc id", client2.submit(f"/officials/dossiers/{db_.id}/documents/99999999999999999999/revoke", {"reason": "x"}))
    show("huge dossier id download", client2.get(f"/dossiers/99999999999999999999/documents/1"))
    show("huge dossier id draft", client2.get(f"/officials/dossiers/99999999999999999999/draft-result.pdf"))
