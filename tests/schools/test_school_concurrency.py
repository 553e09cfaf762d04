"""Two invoice runs or two imports of one school at the same moment: numbers stay unique and gapless,
no import is left half done (the suite runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from service.extensions import db
from service.schools import imports, invoicing
from service.schools.models import Invoice, Student, StudentImport
from tests.factories import (
    create_class,
    create_fee_item,
    create_schedule,
    create_school,
    create_school_user,
    create_student,
    create_term,
)
from tests.support.threads import run_together


def test_two_terms_invoiced_at_once_number_without_error(app):
    """The year's invoice counter does not exist yet: both runs try to insert it."""
    school = create_school()
    school_class = create_class(school)
    item = create_fee_item(school)
    terms = [create_term(school, "HK1"), create_term(school, "HK2")]
    for term in terms:
        create_schedule(school, term, item, 1_000_000)
    for _ in range(3):
        create_student(school, school_class)
    school_id, term_ids = school.id, [t.id for t in terms]

    def run(i):
        try:
            return invoicing.invoice_term(school_id, term_ids[i], None).created
        except Exception as error:  # noqa: BLE001
            return repr(error)[:120]

    results = run_together(app, 2, run)
    assert results == [3, 3], results
    numbers = db.session.scalars(db.select(Invoice.number)).all()
    assert len(set(numbers)) == 6


def test_two_imports_with_the_same_new_codes_at_once(app):
    school = create_school()
    create_class(school, "CD-CNTT-K26")
    user = create_school_user(school)
    data = (
        "Mã sinh viên,Họ và tên,Ngày sinh,Mã lớp\n"
        + "\n".join(f"SV{n:04d},Người Học,15/03/2007,CD-CNTT-K26" for n in range(50))
        + "\n"
    ).encode()
    batches = [imports.stage(data, "a.csv", school.id, user.id).id for _ in range(2)]

    def run(i):
        try:
            return imports.run(batches[i]).status
        except Exception as error:  # noqa: BLE001
            return repr(error)[:120]

    results = run_together(app, 2, run)
    db.session.expire_all()
    statuses = [db.session.get(StudentImport, b).status for b in batches]
    assert results == ["done", "done"] and statuses == ["done", "done"], (results, statuses)
    assert db.session.scalar(db.select(db.func.count()).select_from(Student)) == 50
