"""The applicant's document store: earlier uploads and issued results reused in a new dossier."""

from __future__ import annotations

import re

from service.dossiers.models import Dossier
from service.extensions import db
from tests.factories import PERSON_PROCEDURE, create_citizen, create_dossier, login
from tests.support.documents import granted, staff  # noqa: F401  (fixture)
from tests.support.filing import start


def _first_required(dossier) -> str:
    return next(d["key"] for d in dossier.procedure_version.documents if d["required"])


def test_an_earlier_upload_is_reused_in_a_new_dossier_with_one_click(client):
    citizen = create_citizen()
    earlier = create_dossier(citizen, submitted=True)
    old_file = earlier.files[0]
    login(client, citizen)
    store = client.get("/dossiers/documents").get_data(as_text=True)
    assert "Giấy tờ của tôi" in store and old_file.original_name in store
    new_id = start(client, PERSON_PROCEDURE)
    page = client.get(f"/dossiers/{new_id}/attachments").get_data(as_text=True)
    assert "Dùng lại giấy tờ đã có" in page and f'value="file:{old_file.id}"' in page
    key = old_file.document_key
    response = client.submit(f"/dossiers/{new_id}/attachments/{key}/reuse", {"source": f"file:{old_file.id}"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert f"Đã đính kèm tệp “{old_file.original_name}” từ giấy tờ của bạn." in page
    [copy] = db.session.get(Dossier, new_id).files_for(key)
    assert copy.sha256 == old_file.sha256 and copy.stored_name != old_file.stored_name
    assert copy.original_name == old_file.original_name


def test_an_issued_result_is_in_the_store_and_can_be_attached(client, staff):  # noqa: F811
    citizen = create_citizen()
    decided = granted(citizen, staff)
    login(client, citizen)
    store = client.get("/dossiers/documents").get_data(as_text=True)
    assert "Kết quả giải quyết đã nhận" in store and decided.code in store
    result = re.search(rf'href="(/dossiers/{decided.id}/documents/(\d+))"', store)
    assert result and client.get(result.group(1)).status_code == 200
    new_id = start(client, PERSON_PROCEDURE)
    key = _first_required(db.session.get(Dossier, new_id))
    source = f"result:{result.group(2)}"
    client.submit(f"/dossiers/{new_id}/attachments/{key}/reuse", {"source": source})
    [copy] = db.session.get(Dossier, new_id).files_for(key)
    assert copy.file_type == "pdf" and copy.original_name.endswith(".pdf")


def test_someone_elses_document_cannot_be_reused(client):
    owner, other = create_citizen(), create_citizen()
    theirs = create_dossier(owner, submitted=True).files[0]
    login(client, other)
    assert theirs.original_name not in client.get("/dossiers/documents").get_data(as_text=True)
    new_id = start(client, PERSON_PROCEDURE)
    response = client.submit(
        f"/dossiers/{new_id}/attachments/{theirs.document_key}/reuse", {"source": f"file:{theirs.id}"}
    )
    assert response.status_code == 404
    assert db.session.get(Dossier, new_id).files == []
