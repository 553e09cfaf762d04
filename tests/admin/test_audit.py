"""The audit log: one entry per step, in the step's transaction; a hash chain that `flask audit verify`
checks and that names the first entry someone changed or removed; appends that never fork the chain;
an administrator's search page."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from service import audit
from service.audit import queries
from service.audit.chain import HASHED_FIELDS, digest
from service.audit.models import AuditEntry
from service.database import write
from service.dossiers import processing
from service.dossiers.operations import DossierError
from service.extensions import db
from service.timeutil import local_today
from tests.factories import (
    create_citizen,
    create_dossier,
    create_official,
    create_payment_order,
    login,
    refused,
)
from tests.support.payments import pay, refund
from tests.support.threads import run_together


def logged(event: str | None = None) -> list[AuditEntry]:
    db.session.rollback()  # see what other sessions (requests, threads) committed
    statement = db.select(AuditEntry).order_by(AuditEntry.id)
    if event:
        statement = statement.where(AuditEntry.event == event)
    return db.session.scalars(statement).all()


def verify(app):
    db.session.rollback()
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def tamper(statement: str) -> None:
    """What someone with direct access to the database would do. On PostgreSQL the trigger refuses it,
    so this is the table owner, who first lifts the trigger."""
    db.session.rollback()  # the test's own read must not hold a lock on the table
    with db.engine.begin() as connection:
        if is_postgres():
            connection.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
        connection.execute(text(statement))
        if is_postgres():
            connection.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"))


def assert_refused(statement: str) -> None:
    """PostgreSQL's trigger refuses the change, even to the app's own connection."""
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement))


def record_some(count: int, event: str = "config.catalogue_imported") -> None:
    for n in range(count):
        with write():
            audit.record(event, details={"n": n})


def test_a_step_writes_exactly_one_entry_in_its_own_transaction():
    reception = create_official("reception")
    dossier = create_dossier(create_citizen(), submitted=True)
    before = len(logged())

    processing.act(dossier.id, reception, "receive", {}, None)
    [entry] = logged()[before:]
    assert (entry.event, entry.object_type, entry.object_id) == ("dossier.step", "dossiers", str(dossier.id))
    assert (entry.actor_id, entry.actor_label, entry.role) == (reception.id, reception.email, "reception")
    assert entry.details["event"] == "receive" and entry.details["to"] == "received"
    assert entry.details["code"] == dossier.code

    with pytest.raises(DossierError):  # refused (no reason given): the step and its entry roll back
        processing.act(dossier.id, reception, "request_supplement", {"reason": ""}, None)
    with pytest.raises(RuntimeError), write():  # recorded, then the step fails before its commit
        audit.record("config.catalogue_imported")
        raise RuntimeError("the step failed")
    assert len(logged()) == before + 1
    record_some(1)  # the next step's commit appends its own entry, not the rolled-back one
    assert len(logged()) == before + 2


def test_recording_outside_a_write_transaction_is_refused():
    with pytest.raises(RuntimeError, match="write"):
        audit.record("config.catalogue_imported")


def test_an_intact_chain_verifies(app):
    record_some(3)
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert f"Audit log intact: {len(logged())} entries" in result.output


def test_an_edited_entry_is_named_by_audit_verify(app):
    record_some(4)
    victim_id = logged()[1].id
    if is_postgres():
        assert_refused(f"UPDATE audit_entries SET details = '{{}}' WHERE id = {victim_id}")
    tamper(f"""UPDATE audit_entries SET details = '{{"n": 99}}' WHERE id = {victim_id}""")
    result = verify(app)
    assert result.exit_code == 1
    assert f"broken at entry {victim_id} (" in result.output and "content was changed" in result.output
    assert f"The {victim_id - 1} entries before it are intact" in result.output


@pytest.mark.parametrize("which", ["middle", "newest"])
def test_a_deleted_entry_is_named_by_audit_verify(app, which):
    record_some(4)
    entries = logged()
    victim_id = (entries[1] if which == "middle" else entries[-1]).id
    if is_postgres():
        assert_refused(f"DELETE FROM audit_entries WHERE id = {victim_id}")
        assert_refused("TRUNCATE audit_entries")
    tamper(f"DELETE FROM audit_entries WHERE id = {victim_id}")
    result = verify(app)
    assert result.exit_code == 1
    assert f"broken at entry {victim_id}" in result.output and "deleted" in result.output


def test_an_entry_rewritten_and_rehashed_breaks_the_link_of_the_next(app):
    """Someone who knows the algorithm edits an entry and computes its new hash: the next entry's link
    still names the old hash."""
    record_some(3)
    forged = SimpleNamespace(**{name: getattr(logged()[-3], name) for name in HASHED_FIELDS})
    forged.details = {"n": 42}
    changed = f"""details = '{{"n": 42}}', hash = '{digest(forged)}'"""
    tamper(f"UPDATE audit_entries SET {changed} WHERE id = {forged.id}")
    result = verify(app)
    assert result.exit_code == 1
    assert f"broken at entry {forged.id + 1} (" in result.output
    assert f"does not follow entry {forged.id}" in result.output


def test_concurrent_appends_keep_one_unbroken_chain(app):
    threads, each = 8, 3
    start = len(logged())

    def append(i):
        for n in range(each):
            with write():
                audit.record("config.catalogue_imported", details={"thread": i, "n": n})

    run_together(app, threads, append)
    entries = logged()
    assert [e.id for e in entries] == list(range(1, start + threads * each + 1))
    result = verify(app)
    assert result.exit_code == 0 and f"intact: {start + threads * each} entries" in result.output


def test_a_login_failure_is_recorded_with_the_address_and_the_email_tried(client):
    official = create_official("specialist")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    client.submit("/account/login", {"email": official.email, "password": "sai-mat-khau-1"})
    client.submit("/account/login", {"email": "khongco@example.vn", "password": "sai-mat-khau-1"})
    login(client, official)
    known, unknown = logged("login.failure")
    assert (known.address, known.actor_id, known.actor_label) == ("203.0.113.7", None, official.email)
    assert (known.object_type, known.object_id) == ("users", str(official.id))
    assert known.details["reason"] == "Email hoặc mật khẩu không đúng."
    assert (unknown.actor_label, unknown.object_id) == ("khongco@example.vn", None)
    [success] = logged("login.success")
    assert (success.actor_id, success.address) == (official.id, "203.0.113.7")


def test_account_changes_payments_refunds_and_views_are_recorded(client, other_client):
    admin = create_official("admin")
    login(other_client, admin)
    official = create_official("specialist")
    other_client.submit(
        f"/admin/users/{official.id}/edit",
        {"role": "leader", "department_id": "0", "position": "", "school_id": "0"},
    )
    other_client.submit(f"/admin/users/{official.id}/active/0")
    [changed] = logged("account.role_changed")
    assert (changed.actor_id, changed.details["from_role"], changed.details["role"]) == (
        admin.id,
        "specialist",
        "leader",
    )
    assert logged("account.deactivated")[0].object_id == str(official.id)

    order = create_payment_order(500_000)
    attempt = pay(client, order, "vnpay")
    [settled] = logged("payment.settled")
    assert (settled.object_id, settled.details["attempt"], settled.actor_id) == (
        str(order.id),
        attempt.reference,
        None,
    )
    accountant = create_official("accountant")
    login(other_client, accountant)
    refund(other_client, attempt, 100_000, "Nộp thừa")
    [requested] = logged("refund.requested")
    assert (requested.actor_id, requested.details["amount"], requested.details["reason"]) == (
        accountant.id,
        100_000,
        "Nộp thừa",
    )
    assert logged("refund.succeeded")

    citizen = create_citizen()
    dossier = create_dossier(citizen, submitted=True)
    login(client, citizen)
    client.get(f"/dossiers/{dossier.id}")
    assert logged("dossier.viewed") == []  # the applicant's own data
    reception = create_official("reception")
    login(other_client, reception)
    assert other_client.get(f"/dossiers/{dossier.id}").status_code == 200
    [viewed] = logged("dossier.viewed")
    assert (viewed.actor_id, viewed.object_id, viewed.details["code"]) == (
        reception.id,
        str(dossier.id),
        dossier.code,
    )


def test_staff_reading_a_student_or_a_payers_order_is_recorded(client, other_client):
    from tests.factories import create_class, create_school, create_school_user, create_student

    school = create_school()
    student = create_student(school, create_class(school))
    staff = create_school_user(school)
    login(client, staff)
    assert client.get(f"/school/students/{student.id}").status_code == 200
    [viewed] = logged("school.student_viewed")
    assert (viewed.actor_id, viewed.object_type, viewed.object_id, viewed.details["code"]) == (
        staff.id,
        "students",
        str(student.id),
        student.code,
    )

    order = create_payment_order()
    accountant = create_official("accountant")
    login(other_client, accountant)
    assert other_client.get(f"/payments/officials/orders/{order.id}").status_code == 200
    [seen] = logged("payment.order_viewed")
    assert (seen.actor_id, seen.object_id, seen.details["order"]) == (
        accountant.id,
        str(order.id),
        order.reference,
    )


def test_exports_of_personal_data_are_recorded(client, other_client):
    from service.timeutil import local_today
    from tests.factories import create_school, create_school_user

    school = create_school()
    login(client, create_school_user(school))
    assert client.get("/school/collection", query_string={"format": "payments"}).status_code == 200
    [school_export] = logged("school.exported")
    assert (school_export.object_type, school_export.object_id, school_export.details["export"]) == (
        "schools",
        str(school.id),
        "payments",
    )
    desk = create_official("reception")
    login(other_client, desk)
    today = local_today().isoformat()
    query = {"start": today, "end": today, "format": "xlsx"}
    assert other_client.get("/officials/register", query_string=query).status_code == 200
    [register_export] = logged("dossier.register_exported")
    assert (register_export.actor_id, register_export.details["period_start"]) == (desk.id, today)


def listed(client, **filters) -> str:
    """The rows of the audit page (not its search form, which names every event)."""
    page = client.get("/admin/audit", query_string=filters).get_data(as_text=True)
    return page.split("<tbody>", 1)[1]


def test_the_administrator_searches_the_log_and_pages_through_it(client, monkeypatch):
    admin = create_official("admin")
    first, second = create_official("reception"), create_official("specialist")
    login(client, admin)
    rows = listed(client)
    assert "Tạo tài khoản cán bộ" in rows and "Đăng nhập thành công" in rows and second.email in rows
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}<", rows)  # Vietnam time, dd/mm/yyyy HH:MM

    by_event = listed(client, event="login")
    assert "Đăng nhập thành công" in by_event and "Tạo tài khoản cán bộ" not in by_event
    by_actor = listed(client, actor=admin.email.upper())
    assert "Đăng nhập thành công" in by_actor and "Tạo tài khoản cán bộ" not in by_actor
    by_object = listed(client, object_type="users", object_id=first.id)
    assert first.email in by_object and second.email not in by_object
    assert "Không có mục nào phù hợp." in listed(client, date_from="2020-01-01", date_to="2020-12-31")
    assert "Không có mục nào phù hợp." not in listed(client, date_from=local_today().isoformat())

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    ids = [e.id for e in logged()][::-1]  # newest first
    seen, url = [], "/admin/audit"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r'id="entry-(\d+)"', page)]
        older = re.search(r'href="([^"]+)">Cũ hơn', page)
        url = older.group(1).replace("&amp;", "&") if older else None
    assert seen == ids


@pytest.mark.parametrize("role", ["reception", "leader", "accountant", "citizen"])
def test_only_administrators_see_the_audit_log(client, role):
    login(client, create_citizen() if role == "citizen" else create_official(role))
    page = refused(client.get("/admin/audit"), 403)
    assert "Nhật ký" not in page.split("<main", 1)[-1]  # no entry of the log shown


def test_a_worklist_search_for_a_persons_number_is_recorded_without_the_number(client):
    """ASVS 8.3.5: who looked for a person by identity number or phone; a code or name search is not."""
    desk = create_official("reception")
    login(client, desk)
    for typed in ("089096000123", "0912 345 678", "H01.48-261128-0001", "Nguyễn Văn An"):
        assert client.get("/officials/dossiers", query_string={"q": typed}).status_code == 200
    searches = logged("dossier.searched")
    assert [(e.actor_id, e.details["search"]) for e in searches] == [
        (desk.id, "identity_number"),
        (desk.id, "phone"),
    ]
    assert "089096000123" not in str([e.details for e in searches]) and "345" not in str(
        [e.details for e in searches]
    )
