"""The outbox: what a step announces exists if and only if the step committed, is carried out after
the commit at least once and never twice, is retried with backoff, and ends, if it keeps failing, on
the administrators' page, from which it can be sent round again."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from service import tasks
from service.database import write
from service.documents.models import DocumentJob, IssuedDocument
from service.dossiers import processing
from service.extensions import db
from service.jobs import engine, outbox
from service.notifications.email import queue_email
from service.notifications.models import OutboundEmail
from service.timeutil import utcnow
from tests.factories import create_citizen, create_dossier, create_official, login, refused


def jobs_of(dossier) -> list[DocumentJob]:
    return list(db.session.scalars(db.select(DocumentJob).where(DocumentJob.dossier_id == dossier.id)))


def emails_to(address: str) -> list[OutboundEmail]:
    return list(
        db.session.scalars(
            db.select(OutboundEmail).where(OutboundEmail.recipient == address).order_by(OutboundEmail.id)
        )
    )


def test_a_step_that_did_not_happen_announces_nothing(held_jobs):
    owner, desk = create_citizen(), create_official("reception")
    dossier = create_dossier(owner, submitted=True)
    emails_before, handed_before = len(emails_to(owner.email)), len(held_jobs)
    with pytest.raises(processing.StaleAction):
        processing.act(dossier.id, desk, "receive", {}, seen_version=dossier.version + 7)
    assert jobs_of(dossier) == [] and len(emails_to(owner.email)) == emails_before
    assert len(held_jobs) == handed_before


def test_a_step_records_its_email_and_document_and_hands_them_over_after_commit(held_jobs):
    owner, desk = create_citizen(), create_official("reception")
    dossier = create_dossier(owner, submitted=True)
    processing.act(dossier.id, desk, "receive", {}, None)
    [job] = jobs_of(dossier)
    assert job.status == "pending" and ("document", job.id, 0) in held_jobs
    assert "đã được tiếp nhận" in emails_to(owner.email)[-1].body_text
    assert outbox.run_due() == 1
    db.session.refresh(job)
    assert job.status == "done" and db.session.get(IssuedDocument, job.document_id).kind == "form_01"


def test_a_committed_step_answers_normally_when_the_job_engine_is_unreachable(client):
    owner, desk = create_citizen(), create_official("reception")
    dossier = create_dossier(owner, submitted=True)

    def unreachable(name, row_id, delay):
        raise ConnectionError("Redis is down")

    outbox.set_scheduler(unreachable)
    try:
        login(client, desk)
        response = client.submit(
            f"/officials/dossiers/{dossier.id}/act/receive", {"version": dossier.version}
        )
    finally:
        outbox.set_scheduler(engine._hand_over)
    assert response.status_code == 302  # the step committed: no 5xx, no "try again"
    [job] = jobs_of(dossier)
    assert job.status == "pending"
    engine.sweep()  # the periodic sweep finds what was never handed over
    db.session.rollback()  # it ran in a session of its own: read afresh
    db.session.refresh(job)
    assert job.status == "done"


def claim(name: str, row_id: int) -> int:
    return outbox._claim(outbox.CHANNELS[name], row_id)


def expire_lease(model, row_id: int) -> None:
    with write():
        db.session.get(model, row_id).locked_until = utcnow() - timedelta(seconds=1)


def test_work_claimed_by_a_runner_that_died_is_taken_again_once_its_lease_ends(held_jobs):
    dossier = create_dossier(create_citizen(), submitted=True)
    processing.act(dossier.id, create_official("reception"), "receive", {}, None)
    [job] = jobs_of(dossier)
    assert claim("document", job.id) == 1  # a runner took it, then was killed
    assert outbox.run_due() == 0  # its lease still holds: nobody else starts it
    expire_lease(DocumentJob, job.id)
    assert outbox.run_due() == 1
    db.session.refresh(job)
    assert job.status == "done" and job.attempts == 2


def test_a_runner_whose_lease_ran_out_cannot_record_a_second_document(held_jobs):
    dossier = create_dossier(create_citizen(), submitted=True)
    processing.act(dossier.id, create_official("reception"), "receive", {}, None)
    [job] = jobs_of(dossier)
    slow = claim("document", job.id)
    expire_lease(DocumentJob, job.id)
    assert outbox.run_one("document", job.id)  # another runner took over and finished
    with pytest.raises(outbox.Superseded):
        outbox.CHANNELS["document"].perform(job.id, slow)  # the slow one wakes up
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(IssuedDocument)) == 1


@pytest.fixture
def unreachable_smtp(app):
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_TIMEOUT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=2)  # nothing listens on port 1
    yield
    app.config.update(saved)


def make_due(message: OutboundEmail) -> None:
    with write():
        db.session.get(OutboundEmail, message.id).next_attempt_at = utcnow() - timedelta(seconds=1)


def test_failures_are_retried_with_growing_delays_then_kept_for_an_administrator(
    app, unreachable_smtp, held_jobs
):
    with write():
        message = queue_email("nguoinhan@example.vn", "reset_password", user=None, link="http://x", hours=1)
    delays = []
    for _ in range(app.config["JOB_MAX_ATTEMPTS"]):
        make_due(message)
        before = utcnow()
        outbox.run_due()
        db.session.refresh(message)
        if message.status == "failed":
            delays.append(round((message.next_attempt_at - before).total_seconds()))
    assert message.status == "dead" and message.attempts == app.config["JOB_MAX_ATTEMPTS"]
    base = app.config["JOB_RETRY_SECONDS"]
    assert delays[:3] == [
        pytest.approx(base, abs=1),
        pytest.approx(2 * base, abs=1),
        pytest.approx(4 * base, abs=1),
    ]
    assert "ConnectionRefusedError" in message.error or "OSError" in message.error
    make_due(message)
    assert outbox.run_due() == 0  # a dead message waits for a person
    assert outbox.retry("email", message.id)
    db.session.refresh(message)
    assert message.status == "pending" and message.attempts == 0 and ("email", message.id, 0) in held_jobs


def test_administrators_see_failing_work_and_send_it_round_again(app, client, unreachable_smtp):
    with write():
        message = queue_email("nguoinhan@example.vn", "reset_password", user=None, link="http://x", hours=1)
    with write():
        db.session.get(OutboundEmail, message.id).status = "dead"
    login(client, create_official("admin"))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Đặt lại mật khẩu" in page and "Lỗi, cần xử lý" in page and "nguoinhan@example.vn" in page
    assert client.post(f"/admin/jobs/email/{message.id}/retry").status_code == 400  # no CSRF token
    response = client.submit(f"/admin/jobs/email/{message.id}/retry", follow_redirects=True)
    assert "Đã đưa công việc vào hàng đợi" in response.get_data(as_text=True)
    db.session.refresh(message)
    assert message.status == "failed" and message.attempts == 1  # tried again at once; SMTP still down
    assert client.submit("/admin/jobs/fax/1/retry").status_code == 404


@pytest.mark.parametrize("role", ["citizen", "reception", "leader", "accountant"])
def test_only_administrators_reach_the_failing_jobs(client, role):
    user = create_citizen() if role == "citizen" else create_official(role)
    login(client, user)
    refused(client.get("/admin/jobs"), 403)
    refused(client.submit("/admin/jobs/email/1/retry"), 403)


def test_the_daily_work_runs_as_periodic_jobs_at_vietnamese_office_hours():
    # huey reads crontabs in UTC; Viet Nam is UTC+7.
    at = datetime(2026, 12, 1, 0, 0)  # 07:00 in An Giang

    def fires(task, when: datetime) -> bool:
        return task.task_class().validate_datetime(when)

    assert fires(tasks.notify_deadlines, at) and not fires(tasks.notify_deadlines, at.replace(hour=7))
    assert fires(tasks.remind_fees, at.replace(hour=1)) and not fires(tasks.remind_fees, at)
    assert fires(tasks.remind_reports, at.replace(hour=1, minute=10))
    assert fires(tasks.reconcile_payments, at.replace(minute=45)) and not fires(
        tasks.reconcile_payments, at.replace(minute=44)
    )
    assert fires(engine.sweep, at.replace(minute=17))


def test_the_deadline_digest_job_emails_officials_once_a_day():
    from service.deadlines.calendar import current_calendar
    from service.timeutil import local_today

    owner, desk = create_citizen(), create_official("reception")
    dossier = create_dossier(owner, submitted=True)
    processing.act(dossier.id, desk, "receive", {}, None)
    with write():
        db.session.get(type(dossier), dossier.id).due_date = current_calendar().add_working_days(
            local_today(), 1
        )
    tasks.notify_deadlines()
    tasks.notify_deadlines()  # a repeated run (a worker restarted) sends nothing more
    digests = [m for m in emails_to(desk.email) if "hạn" in m.subject.lower()]
    assert len(digests) == 1


def test_a_failure_after_the_step_committed_says_it_was_done_not_try_again(client, monkeypatch):
    from service.backoffice import views as backoffice_views

    owner, desk = create_citizen(), create_official("reception")
    dossier = create_dossier(owner, submitted=True)
    login(client, desk)

    def broken_flash(*args, **kwargs):
        raise RuntimeError("the page could not be drawn")

    monkeypatch.setattr(backoffice_views, "flash", broken_flash)
    page_url = f"/dossiers/{dossier.id}"
    response = client.submit(
        f"/officials/dossiers/{dossier.id}/act/receive",
        {"version": dossier.version},
        headers={"Referer": f"http://localhost{page_url}"},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(page_url)
    assert "đã được ghi nhận" in client.get(page_url).get_data(as_text=True)
    db.session.refresh(dossier)
    assert dossier.status == "received"


def test_a_failure_before_anything_committed_still_says_so(client, monkeypatch):
    from service.backoffice import views as backoffice_views

    dossier = create_dossier(create_citizen(), submitted=True)
    login(client, create_official("reception"))

    def broken(*args, **kwargs):
        raise RuntimeError("before the step")

    monkeypatch.setattr(backoffice_views.processing, "act", broken)
    response = client.submit(f"/officials/dossiers/{dossier.id}/act/receive", {"version": dossier.version})
    assert response.status_code == 500 and "thử lại" in response.get_data(as_text=True)


def test_every_process_that_runs_jobs_knows_every_kind_of_work():
    # A worker imports service.tasks; an SMS handed to a worker that did not know SMS would fail.
    import os
    import subprocess
    import sys

    code = "import service.tasks as t; from service.jobs.outbox import CHANNELS; print(sorted(CHANNELS))"
    environment = {**os.environ, "JOBS_URL": "immediate"}  # no queue file for this look
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    ).stdout
    assert shown.strip() == "['document', 'email', 'national_portal', 'postal', 'sms', 'tax_authority']"


def test_no_transaction_is_open_while_a_document_is_drawn(held_jobs, monkeypatch):
    # Drawing and signing take long (fonts, a signature service): no official's step may wait on them.
    from service.documents import issuing

    real_draw, seen = issuing.draw, []

    def watching_draw(*args):
        seen.append(db.session().in_transaction())
        return real_draw(*args)

    monkeypatch.setattr(issuing, "draw", watching_draw)
    dossier = create_dossier(create_citizen(), submitted=True)
    processing.act(dossier.id, create_official("reception"), "receive", {}, None)
    assert outbox.run_due() == 1 and seen == [False]
