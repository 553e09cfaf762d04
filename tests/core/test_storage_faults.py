"""The upload folder full or read-only: the user is told why in Vietnamese (never a server error), no
partial file is left, nothing is half-recorded, and a document that cannot be stored waits for a retry.

Tests run as root, for whom a read-only folder mode stops nothing, so the disk's refusal is injected at
the system calls that meet it: fsync finding no room for bytes already written (ENOSPC: a half-written
temporary file exists), or the folder refusing to create anything (EROFS).
"""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import pytest

from service.database import write
from service.documents.models import DocumentCounter, DocumentJob, IssuedDocument
from service.dossiers import processing
from service.dossiers.models import Dossier, DossierEvent, DossierFile
from service.dossiers.samples import pdf_bytes
from service.extensions import db
from service.jobs import outbox
from service.notifications.models import OutboundEmail
from tests.factories import create_citizen, create_dossier, create_official, login, pdf_upload
from tests.support.faults import make_due, page_version

REFUSED = "Không lưu được tệp do hệ thống lưu trữ đang gặp sự cố (đầy hoặc không ghi được)"


class Disk:
    """The upload folder's disk: `fail()` makes it refuse as a full or read-only disk does, `repair()`
    ends the fault."""

    def __init__(self, monkeypatch, root: str, kind: str):
        self.monkeypatch, self.root, self.kind = monkeypatch, root, kind
        self.half_written: list[str] = []  # temporary files that existed when the disk refused

    def fail(self) -> None:
        if self.kind == "full":
            self.monkeypatch.setattr(os, "fsync", self._fsync)
        else:
            self.monkeypatch.setattr(os, "mkdir", self._mkdir)
            self.monkeypatch.setattr(os, "open", self._os_open)
            self.monkeypatch.setattr(builtins, "open", self._open)

    def _ours(self, path) -> bool:
        return os.fspath(path).startswith(self.root)

    def _fsync(self, fd, real=os.fsync):
        path = os.readlink(f"/proc/self/fd/{fd}")
        if not self._ours(path):
            return real(fd)
        self.half_written.append(path)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)

    def _mkdir(self, path, *args, real=os.mkdir, **kwargs):
        if self._ours(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
        return real(path, *args, **kwargs)

    def _os_open(self, path, flags, *args, real=os.open, **kwargs):
        # A read-only disk refuses to create or write a file even in a folder that exists already (the
        # folder's mkdir is then not even tried: pathlib swallows its error when the folder is there).
        if self._ours(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))
        return real(path, flags, *args, **kwargs)

    def _open(self, file, mode="r", *args, real=builtins.open, **kwargs):
        if isinstance(file, (str, Path)) and self._ours(file) and set(mode) & set("wxa+"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(file))
        return real(file, mode, *args, **kwargs)

    def repair(self) -> None:
        self.monkeypatch.undo()


@pytest.fixture(params=["full", "read_only"])
def disk(request, app, monkeypatch):
    disk = Disk(monkeypatch, app.config["UPLOAD_FOLDER"], request.param)
    yield disk
    disk.repair()


def files_in(app) -> set[Path]:
    return {path for path in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if path.is_file()}


def count(model, *conditions) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*conditions))


def test_a_citizens_upload_to_a_failing_disk_is_refused_with_the_reason_and_leaves_nothing(app, client, disk):
    citizen = create_citizen()
    dossier = create_dossier(citizen, files=False)
    form, version, key = dossier.form_data, dossier.version, dossier.procedure_version.documents[0]["key"]
    login(client, citizen)
    before = files_in(app)
    disk.fail()

    response = client.submit(f"/dossiers/{dossier.id}/attachments/{key}", {"file": pdf_upload("don.pdf")})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Không nhận tệp “don.pdf”" in page and REFUSED in page
    assert files_in(app) == before  # no partial file, no temporary file
    assert disk.kind == "read_only" or disk.half_written  # the clean-up really ran
    saved = db.session.get(Dossier, dossier.id)
    assert count(DossierFile) == 0 and saved.version == version and saved.form_data == form

    disk.repair()  # "Vui lòng thử lại sau": later, the same upload is taken
    again = client.submit(f"/dossiers/{dossier.id}/attachments/{key}", {"file": pdf_upload("don.pdf")})
    assert "Đã đính kèm tệp “don.pdf”" in client.get(again.location).get_data(as_text=True)
    assert count(DossierFile) == 1 and len(files_in(app)) == len(before) + 1


def test_an_officials_step_with_an_attachment_the_disk_refuses_is_not_half_done(app, client, disk):
    dossier = create_dossier(create_citizen(), submitted=True)
    login(client, create_official("reception"))
    version, before, emails = page_version(client, dossier.id), files_in(app), count(OutboundEmail)
    data = {"version": version, "attachment": (io.BytesIO(pdf_bytes("Bien ban")), "bien-ban.pdf")}
    disk.fail()

    response = client.submit(f"/officials/dossiers/{dossier.id}/act/receive", data)
    page = response.get_data(as_text=True)  # the page again, with the reason and the file to choose again
    assert response.status_code == 503 and REFUSED in page and "vui lòng chọn lại tệp" in page
    assert db.session.get(Dossier, dossier.id).status == "submitted"
    assert count(DossierEvent, DossierEvent.event == "receive") == 0
    assert count(DossierFile, DossierFile.document_key == processing.OFFICIAL_FILE_KEY) == 0
    assert count(DocumentJob) == 0 and count(OutboundEmail) == emails  # nothing announced
    assert files_in(app) == before


def test_a_document_the_disk_refuses_waits_for_a_retry_and_the_official_sees_no_error(app, client, disk):
    dossier = create_dossier(create_citizen(), submitted=True)
    login(client, create_official("reception"))
    version = page_version(client, dossier.id)
    disk.fail()
    response = client.submit(  # form 01 is produced right after the step commits, in this request
        f"/officials/dossiers/{dossier.id}/act/receive", {"version": version}
    )
    assert response.status_code == 302 and db.session.get(Dossier, dossier.id).status == "received"
    [job] = db.session.scalars(db.select(DocumentJob)).all()
    assert not list(Path(app.config["UPLOAD_FOLDER"]).rglob("*.part"))  # no half-written PDF left
    assert job.status == "failed" and job.next_attempt_at is not None and count(IssuedDocument) == 0
    assert os.strerror(errno.ENOSPC if disk.kind == "full" else errno.EROFS) in job.error

    disk.repair()
    make_due(job)
    assert outbox.run_due() == 1
    db.session.refresh(job)
    assert job.status == "done" and count(IssuedDocument, IssuedDocument.kind == "form_01") == 1


def test_a_decision_the_disk_refuses_keeps_its_number_for_the_retry(disk, held_jobs):
    dossier = create_dossier(create_citizen(), submitted=True)
    disk.fail()
    with write():
        job = DocumentJob(dossier_id=dossier.id, kind="decision")
        db.session.add(job)
    assert outbox.run_due() == 0
    failed = db.session.get(DocumentJob, job.id)
    assert failed.status == "failed" and failed.number == "01/QĐ-SGDĐT"  # reserved for the retry
    assert db.session.scalar(db.select(DocumentCounter.last_number)) == 1

    disk.repair()
    make_due(job)
    assert outbox.run_due() == 1
    [decision] = db.session.scalars(db.select(IssuedDocument)).all()
    assert decision.number == "01/QĐ-SGDĐT"  # the same number: none skipped, none used twice
    assert db.session.scalar(db.select(DocumentCounter.last_number)) == 1


def test_a_school_upload_the_disk_refuses_goes_back_to_its_page_with_the_reason(app, client, disk):
    """Features that do not catch the failure themselves get the same message (service.errors)."""
    from service.schools.models import Exemption
    from tests.factories import create_class, create_school, create_school_user, create_student

    school = create_school()
    student = create_student(school, create_class(school))
    login(client, create_school_user(school))
    page = f"http://localhost/school/students/{student.id}"
    form = {
        "category": "giam_70_dtts_vung_kk",
        "percent": "70",
        "basis": "QĐ 1/QĐ",
        "valid_from": "2026-09-01",
        "valid_to": "2027-06-30",
    }
    before = files_in(app)
    disk.fail()

    def post(**headers):
        evidence = {"evidence": (io.BytesIO(pdf_bytes()), "qd.pdf")}
        return client.submit(
            f"/school/students/{student.id}/exemptions", {**form, **evidence}, headers=headers
        )

    sent_back = post(Referer=page)
    assert sent_back.status_code == 303 and sent_back.location == page
    assert REFUSED in client.get(page).get_data(as_text=True)
    no_page_to_return_to = post()
    assert no_page_to_return_to.status_code == 503 and no_page_to_return_to.headers["Retry-After"]
    assert REFUSED in no_page_to_return_to.get_data(as_text=True)
    assert count(Exemption) == 0 and files_in(app) == before
