"""Long work of a school survives its runner dying: a student import or an invoicing run killed
half-way is resumed after its last chunk once its lease runs out, with exactly the right students and
invoices (none twice, numbers without gaps), its progress on the page; the periodic sweep runs work
whose hand-off to the job engine was lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.database import write
from service.extensions import db
from service.schools import imports, invoicing, tasks
from service.schools.models import Invoice, InvoiceRun, Student, StudentImport
from service.timeutil import local_today, utcnow
from tests.factories import (
    create_class,
    create_fee_item,
    create_schedule,
    create_school,
    create_school_user,
    create_student,
    create_term,
    login,
)
from tests.support.school_imports import csv_file, students_of, upload

ROWS = [f"SV00{n},Người Học {n},01/01/2007,,CD-CNTT-K26,,,," for n in range(1, 6)]


class Killed(BaseException):
    """The process dies: no `except Exception` runs, the open transaction is lost, the lease stays."""


def fail_on_call(monkeypatch, module, name: str, call: int, error: BaseException) -> list:
    """Make module.name raise `error` on its `call`-th call; the list records every call's arguments."""
    real, calls = getattr(module, name), []

    def patched(*args):
        calls.append(args)
        if len(calls) == call:
            raise error
        return real(*args)

    monkeypatch.setattr(module, name, patched)
    return calls


def expire_lease(model, row_id: int) -> None:
    with write():
        db.session.get(model, row_id).locked_until = utcnow() - timedelta(seconds=1)


@pytest.fixture
def school_and_batch(client, monkeypatch):
    """Five rows to import two at a time; SV002 is a student already (to be updated, not duplicated)."""
    monkeypatch.setattr(imports, "CHUNK", 2)
    school = create_school()
    school_class = create_class(school, "CD-CNTT-K26")
    create_student(school, school_class, "SV002", full_name="Tên Cũ")
    user = create_school_user(school)
    login(client, user)
    batch = imports.stage(csv_file(*ROWS), "ds.csv", school.id, user.id)
    imports.confirm(batch.id, accept_valid=False)
    return school, batch.id


def batch(batch_id: int) -> StudentImport:
    db.session.rollback()  # a fresh snapshot: the sweep commits from its own session
    return db.session.get(StudentImport, batch_id)


def test_an_import_killed_after_a_chunk_resumes_once_its_lease_runs_out(
    client, monkeypatch, school_and_batch
):
    school, batch_id = school_and_batch
    fail_on_call(monkeypatch, imports, "_upsert", 2, Killed())
    with pytest.raises(Killed):
        imports.run(batch_id)
    monkeypatch.undo()
    monkeypatch.setattr(imports, "CHUNK", 2)
    assert set(students_of(school)) == {"SV001", "SV002"}
    page = client.get(f"/school/imports/{batch_id}").get_data(as_text=True)
    assert "Đang nhập danh sách" in page and "2/5" in page  # the runner might still be alive

    imports.run(batch_id)  # its lease still runs: nobody else may take it
    assert batch(batch_id).processed_rows == 2
    expire_lease(StudentImport, batch_id)
    page = client.get(f"/school/imports/{batch_id}").get_data(as_text=True)
    assert "Việc nhập danh sách bị gián đoạn sau 2 dòng" in page and "tự động làm tiếp" in page

    done = imports.run(batch_id)
    assert (done.status, done.processed_rows, done.created_count, done.updated_count) == ("done", 5, 4, 1)
    found = students_of(school)
    assert sorted(found) == ["SV001", "SV002", "SV003", "SV004", "SV005"]
    assert found["SV002"].full_name == "Người Học 2"  # updated by the first runner's chunk, not duplicated
    page = client.get(f"/school/imports/{batch_id}").get_data(as_text=True)
    assert "Đã nhập xong: 4 người học mới, 1 người học được cập nhật" in page


def test_an_import_that_fails_mid_way_goes_on_from_its_last_chunk(client, monkeypatch, school_and_batch):
    school, batch_id = school_and_batch
    calls = fail_on_call(monkeypatch, imports, "_upsert", 2, RuntimeError("mất kết nối"))
    with pytest.raises(RuntimeError):
        imports.run(batch_id)
    interrupted = batch(batch_id)
    assert interrupted.status == "importing" and "mất kết nối" in interrupted.error
    assert interrupted.locked_until > utcnow()  # it waits its backoff before the sweep resumes it
    assert "bị gián đoạn sau 2 dòng" in client.get(f"/school/imports/{batch_id}").get_data(as_text=True)

    expire_lease(StudentImport, batch_id)
    tasks.resume_school_work.call_local()
    written = [[row["code"] for row in chunk] for _school_id, chunk in calls]
    assert written == [
        ["SV001", "SV002"],
        ["SV003", "SV004"],
        ["SV003", "SV004"],
        ["SV005"],
    ]  # not chunk 1 again
    assert (batch(batch_id).status, batch(batch_id).created_count) == ("done", 4)
    assert db.session.scalar(db.select(db.func.count()).select_from(Student)) == 5


def test_a_failed_import_says_so_and_the_accountant_resumes_it(client, app, monkeypatch, school_and_batch):
    school, batch_id = school_and_batch
    monkeypatch.setitem(app.config, "JOB_MAX_ATTEMPTS", 1)
    fail_on_call(monkeypatch, imports, "_upsert", 2, RuntimeError("đĩa đầy"))
    with pytest.raises(RuntimeError):
        imports.run(batch_id)
    monkeypatch.undo()
    page = client.get(f"/school/imports/{batch_id}").get_data(as_text=True)
    assert "Nhập không thành công" in page and "Đã nhập 2/5 dòng" in page and "Nhập tiếp" in page
    assert client.get(f"/school/imports/{batch_id}?format=json").json["status"] == "failed"  # the bar stops

    page = client.submit(f"/school/imports/{batch_id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "Đã nhập xong: 4 người học mới, 1 người học được cập nhật" in page
    assert len(students_of(school)) == 5


def test_the_sweep_runs_a_confirmed_import_whose_hand_off_was_lost(client, monkeypatch):
    school = create_school()
    create_class(school, "CD-CNTT-K26")
    login(client, create_school_user(school))
    monkeypatch.setattr(tasks, "import_students", lambda batch_id: None)  # the process died after the commit
    upload(client, csv_file(*ROWS))
    staged = db.session.scalars(db.select(StudentImport)).one()
    page = client.submit(f"/school/imports/{staged.id}/confirm", follow_redirects=True).get_data(as_text=True)
    assert "đang chờ hệ thống xử lý" in page and "0/5" in page
    assert client.get(f"/school/imports/{staged.id}?format=json").json == {
        "status": "importing",
        "processed": 0,
        "total": 5,
    }

    tasks.resume_school_work.call_local()
    assert batch(staged.id).status == "done" and len(students_of(school)) == 5
    tasks.resume_school_work.call_local()  # nothing left to do: nothing written twice
    assert batch(staged.id).created_count == 5 and len(students_of(school)) == 5


# ---------------------------------------------------------------- invoicing


@pytest.fixture
def term_to_invoice(client, monkeypatch):
    """Five students (two classes) to invoice two at a time."""
    monkeypatch.setattr(invoicing, "CHUNK", 2)
    school = create_school()
    classes = [create_class(school, "CD-CNTT-K26"), create_class(school, "TC-DCN-K26", "Điện", "trung_cap")]
    students = [create_student(school, classes[n % 2], f"SV00{n}") for n in range(1, 6)]
    term = create_term(school)
    create_schedule(school, term, create_fee_item(school), 3_000_000)
    login(client, create_school_user(school))
    return school, term, students


def invoices_by_student(term) -> dict[int, list[str]]:
    db.session.rollback()  # a fresh snapshot: the sweep commits from its own session
    found: dict[int, list[str]] = {}
    for invoice in db.session.scalars(db.select(Invoice).where(Invoice.term_id == term.id)):
        found.setdefault(invoice.student_id, []).append(invoice.number)
    return found


def test_an_invoicing_run_killed_half_way_completes_with_one_invoice_each_and_no_gap(
    client, monkeypatch, term_to_invoice
):
    school, term, students = term_to_invoice
    started = invoicing.start(school.id, term.id, None)
    fail_on_call(monkeypatch, invoicing, "_invoice_chunk", 2, Killed())
    with pytest.raises(Killed):
        invoicing.run(started.id)
    monkeypatch.undo()
    monkeypatch.setattr(invoicing, "CHUNK", 2)
    assert len(invoices_by_student(term)) == 2
    page = client.get(f"/school/invoice-runs/{started.id}").get_data(as_text=True)
    assert "Đang lập thông báo thu" in page and "2/5" in page
    assert invoicing.start(school.id, term.id, None).id == started.id  # a second click joins the run

    expire_lease(InvoiceRun, started.id)
    assert "bị gián đoạn sau 2 người học" in client.get(f"/school/invoice-runs/{started.id}").get_data(
        as_text=True
    )
    tasks.resume_school_work.call_local()
    found = invoices_by_student(term)
    assert sorted(found) == sorted(s.id for s in students) and all(len(n) == 1 for n in found.values())
    year = local_today().year
    assert sorted(n for [n] in found.values()) == [f"HD{year}-{k:06d}" for k in range(1, 6)]
    page = client.get(f"/school/invoice-runs/{started.id}").get_data(as_text=True)
    assert "Đã lập 5 thông báo thu; 0 người học đã có thông báo thu từ trước" in page


def test_the_accountant_starts_invoicing_and_a_run_again_invoices_only_new_students(client, term_to_invoice):
    school, term, students = term_to_invoice
    done = client.submit(f"/school/terms/{term.id}/invoices", follow_redirects=True).get_data(as_text=True)
    assert "Đã lập 5 thông báo thu; 0 người học đã có thông báo thu từ trước" in done

    create_student(school, students[0].school_class, "SV006")
    again = client.submit(f"/school/terms/{term.id}/invoices", follow_redirects=True).get_data(as_text=True)
    assert "Đã lập 1 thông báo thu; 5 người học đã có thông báo thu từ trước" in again
    assert len(invoices_by_student(term)) == 6
    term_page = client.get(f"/school/terms/{term.id}").get_data(as_text=True)
    assert term_page.count("Đã xong") == 2 and "6/6 người học" in term_page


def test_the_sweep_runs_an_invoicing_run_whose_hand_off_was_lost(client, monkeypatch, term_to_invoice):
    school, term, students = term_to_invoice
    monkeypatch.setattr(tasks, "run_invoices", lambda run_id: None)
    page = client.submit(f"/school/terms/{term.id}/invoices", follow_redirects=True).get_data(as_text=True)
    assert "việc lập thông báo thu đang chờ hệ thống xử lý" in page and invoices_by_student(term) == {}

    tasks.resume_school_work.call_local()
    assert len(invoices_by_student(term)) == 5
    assert db.session.scalars(db.select(InvoiceRun)).one().status == "done"


def test_an_invoice_the_run_did_not_see_is_not_issued_twice(client, monkeypatch, term_to_invoice):
    """The unique run key, not the run's own reading, is what keeps a student from a second invoice."""
    school, term, students = term_to_invoice
    invoicing.invoice_term(school.id, term.id, None)
    real, readings = invoicing._invoiced, []

    def first_reading_blind(
        *args,
    ):  # the first chunk misses the invoices; the check after a refusal sees them
        readings.append(args)
        return set() if len(readings) == 1 else real(*args)

    monkeypatch.setattr(invoicing, "_invoiced", first_reading_blind)
    again = invoicing.invoice_term(school.id, term.id, None)
    assert (again.created, again.existing) == (0, 5)
    assert len(readings) == 3 + 1  # 3 chunks, and the refused chunk read again once
    assert all(len(numbers) == 1 for numbers in invoices_by_student(term).values())
    counter = invoicing.invoice_counter(school.id, local_today().year)
    assert counter.last_number == 5  # no number taken by a refused insert


def test_administrators_see_a_failed_import_and_resume_it_from_the_failing_jobs_page(
    client, other_client, app, monkeypatch, school_and_batch
):
    from tests.factories import create_official

    school, batch_id = school_and_batch
    monkeypatch.setitem(app.config, "JOB_MAX_ATTEMPTS", 1)
    fail_on_call(monkeypatch, imports, "_upsert", 2, RuntimeError("đĩa đầy"))
    with pytest.raises(RuntimeError):
        imports.run(batch_id)
    monkeypatch.undo()
    login(other_client, create_official("admin"))
    page = other_client.get("/admin/jobs").get_data(as_text=True)
    assert "Nhập danh sách người học" in page and school.name in page and "đĩa đầy" in page
    assert other_client.submit(f"/admin/jobs/long/nonsense/{batch_id}/retry").status_code == 404
    page = other_client.submit(f"/admin/jobs/long/import/{batch_id}/retry", follow_redirects=True)
    assert "Đã cho chạy tiếp" in page.get_data(as_text=True)
    assert batch(batch_id).status == "done" and len(students_of(school)) == 5
    assert client.submit(f"/admin/jobs/long/import/{batch_id}/retry").status_code == 403  # a school's staff
