import io, traceback
import pytest
from service.documents.jobs import run_pending
from service.documents.models import DocumentJob, IssuedDocument
from service.dossiers import processing
from service.extensions import db
from tests.factories import create_citizen, create_dossier, create_official, create_organisation, login
from tests.test_documents import through, documents_of

def show(label, r):
    body = r.get_data(as_text=True)
    print(f"PROBE {label}: {r.status_code} {body[:150]!r}" if r.status_code >= 500 else f"PROBE {label}: {r.status_code}")

def test_verify(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    staff = {r: create_official(r) for r in ("reception", "specialist", "leader")}
    d = create_dossier(create_citizen(), submitted=True)
    through(d, [(staff["reception"], "receive", {})])
    [doc] = documents_of(d, "form_01")
    code = doc.verification_code
    for c in [code.lower(), " "+code, code+"%0A", "A"*100000, "%C3%9F"*10, "\u0130BCD-EFGH-JKLM", "ǅ", "%00", "..", "%2F", "ABCD-EFGH-JKLM%0A", code.replace("-", "%E2%80%91")]:
        try:
            show(f"GET /verify/{c[:40]}", client.get(f"/verify/{c}"))
        except Exception as e:
            print("PROBE EXC", c[:40], repr(e)[:200])
    for q in [code.lower(), "", "x"*10000, "\x00", code + "\n"]:
        show(f"GET /verify?code={q[:30]!r}", client.get("/verify", query_string={"code": q}))
    url = f"/verify/{code}"
    pdf = open(__import__("service.documents.issuing", fromlist=["x"]).uploads.path_for(doc.stored_name), "rb").read()
    cases = {
        "nofile": {},
        "empty": {"file": (io.BytesIO(b""), "a.pdf")},
        "noname": {"file": (io.BytesIO(pdf), "")},
        "notpdf": {"file": (io.BytesIO(b"GIF89a"), "a.pdf")},
        "huge": {"file": (io.BytesIO(b"%PDF-" + b"0" * (app.config["MAX_CONTENT_LENGTH"] + 10)), "a.pdf")},
        "justunder": {"file": (io.BytesIO(pdf + b"0" * (app.config["MAX_FILE_BYTES"] - len(pdf) + 5)), "a.pdf")},
        "match": {"file": (io.BytesIO(pdf), "a.pdf")},
        "filestring": {"file": "notafile"},
    }
    for k, v in cases.items():
        show(f"POST {k}", client.submit(url, v))
    from werkzeug.datastructures import MultiDict
    show("POST two files", client.submit(url, [("file", (io.BytesIO(b"x"), "a.pdf")), ("file", (io.BytesIO(pdf), "b.pdf"))]))
    show("POST unknown code", client.submit("/verify/ABCD-EFGH-JKLM", {}))
    show("POST no csrf", client.post(url, data={}))
    show("POST /verify?code", client.post("/verify", query_string={"code": code}))

def test_register(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    desk = create_official("reception")
    d = create_dossier(create_citizen(), submitted=True)
    through(d, [(desk, "receive", {})])
    login(client, desk)
    for qs in [
        {"format": "pdf"}, {"start": "x", "end": "y", "format": "pdf"}, {"start": "2026-02-30", "end": "2026-03-01", "format": "xlsx"},
        {"start": "0001-01-01", "end": "0001-12-31", "format": "pdf"}, {"start": "9999-12-31", "end": "9999-12-31", "format": "pdf"},
        {"start": "2025-01-01", "end": "2025-12-31", "format": "other"}, {"start": "2024-01-01", "end": "2030-01-01", "format": "pdf"},
        {"start": "2026-01-01", "format": "pdf"}, {"start": "2025-01-01", "end": "2026-01-02", "format": "xlsx"},
        {"start": "2025-01-01", "end": "2025-12-31"}, {"start": ["2025-01-01", "2025-02-01"], "end": "2025-12-31", "format": "xlsx"},
        {"start": "1900-01-01", "end": "1900-01-02", "format": "pdf"},
    ]:
        try:
            r = client.get("/officials/register", query_string=qs)
            show(f"register {qs} ct={r.content_type}", r)
        except Exception as e:
            print("PROBE EXC", qs, repr(e)[:300])
