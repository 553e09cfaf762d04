"""What the school's pages read, each confined to one school by the caller (`service.schools.access`):
counts, classes, students, imports, terms and fee items, a student's and an invoice's records, and the
exemptions the staff must determine again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from service.extensions import db
from service.payments.models import PaymentOrder
from service.schools import exemption_rules
from service.schools.exemption_rules import Judgement, RuleSet
from service.schools.models import (
    Exemption,
    FeeItem,
    FeeSchedule,
    Invoice,
    ManualPayment,
    School,
    SchoolClass,
    Student,
    StudentImport,
    Term,
)
from service.schools.reports import paid_by_invoice

PAGE_SIZE = 50


def all_schools() -> list[School]:
    """Every institution, by name (the administration's and the report rounds' lists)."""
    return list(db.session.scalars(db.select(School).order_by(School.name)))


def counts(school_id: int) -> dict[str, int]:
    return {
        "classes": _count(SchoolClass, school_id),
        "students": _count(Student, school_id),
        "terms": _count(Term, school_id),
    }


def _count(model, school_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(model).where(model.school_id == school_id)
    )


def classes_with_sizes(school_id: int) -> list[tuple[SchoolClass, int]]:
    return db.session.execute(
        db.select(SchoolClass, db.func.count(Student.id))
        .outerjoin(Student, Student.class_id == SchoolClass.id)
        .where(SchoolClass.school_id == school_id)
        .group_by(SchoolClass.id)
        .order_by(SchoolClass.code)
    ).all()


def find_students(school_id: int, query: str, class_id: int | None, page: int) -> tuple[list[Student], bool]:
    """A page of the school's students by code or name (and class): (students, whether more follow)."""
    statement = db.select(Student).where(Student.school_id == school_id).order_by(Student.code)
    if class_id:
        statement = statement.where(Student.class_id == class_id)
    if query:
        statement = statement.where(Student.code.ilike(f"%{query}%") | Student.full_name.ilike(f"%{query}%"))
    found = db.session.scalars(
        statement.options(db.joinedload(Student.school_class))
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


def recent_imports(school_id: int, limit: int = 10) -> list[StudentImport]:
    return db.session.scalars(
        db.select(StudentImport)
        .where(StudentImport.school_id == school_id)
        .order_by(StudentImport.id.desc())
        .limit(limit)
    ).all()


def fee_items_of(school_id: int) -> list[FeeItem]:
    return db.session.scalars(
        db.select(FeeItem).where(FeeItem.school_id == school_id).order_by(FeeItem.code)
    ).all()


def schedules_of(term_id: int) -> list[FeeSchedule]:
    return db.session.scalars(
        db.select(FeeSchedule).where(FeeSchedule.term_id == term_id).order_by(FeeSchedule.id)
    ).all()


@dataclass
class StudentRecords:
    exemptions: list[Exemption]
    invoices: list[Invoice]
    paid: dict[int, int]  # invoice id -> paid


def student_records(student_id: int) -> StudentRecords:
    exemptions = db.session.scalars(
        db.select(Exemption).where(Exemption.student_id == student_id).order_by(Exemption.valid_from)
    ).all()
    invoices = db.session.scalars(
        db.select(Invoice)
        .where(Invoice.student_id == student_id)
        .options(db.selectinload(Invoice.term))
        .order_by(Invoice.id.desc())
    ).all()
    return StudentRecords(exemptions, invoices, _paid_on(invoices))


def _paid_on(invoices: list[Invoice]) -> dict[int, int]:
    """What was paid on each invoice, in one query (not one per invoice)."""
    paid = paid_by_invoice()
    found = dict(
        db.session.execute(
            db.select(paid.c.invoice_id, paid.c.paid).where(paid.c.invoice_id.in_([i.id for i in invoices]))
        ).all()
    )
    return {i.id: found.get(i.id, 0) for i in invoices}


@dataclass
class InvoiceRecords:
    orders: list[PaymentOrder]
    manual: list[ManualPayment]
    replacement: Invoice | None


def invoice_records(invoice_id: int) -> InvoiceRecords:
    orders = db.session.scalars(
        db.select(PaymentOrder).where(PaymentOrder.invoice_id == invoice_id).order_by(PaymentOrder.id)
    ).all()
    manual = db.session.scalars(db.select(ManualPayment).where(ManualPayment.invoice_id == invoice_id)).all()
    replacement = db.session.scalar(db.select(Invoice).where(Invoice.replaces_id == invoice_id))
    return InvoiceRecords(orders, manual, replacement)


def exemption_rulings(exemptions: list[Exemption]) -> dict[int, list[tuple[RuleSet, Judgement]]]:
    """Each exemption judged under every rule set in force during its validity (the student's page)."""
    return {
        e.id: [
            (rules, exemption_rules.judge(rules, e.category, e.percent))
            for rules in exemption_rules.rule_sets_between(e.valid_from, e.valid_to)
        ]
        for e in exemptions
    }


def exemptions_to_review(school_id: int, term: Term) -> list[tuple[Exemption, Judgement]]:
    """The school's exemptions valid on the term's first day that its rule set flags: held back from
    invoicing (unknown category) or applied at a rate to be confirmed (a replaced category)."""
    rules = exemption_rules.rule_set_on(term.starts_on)
    found = db.session.scalars(
        db.select(Exemption)
        .where(
            Exemption.school_id == school_id,
            Exemption.revoked_at.is_(None),
            Exemption.valid_from <= term.starts_on,
            Exemption.valid_to >= term.starts_on,
        )
        .options(db.joinedload(Exemption.student))
        .order_by(Exemption.student_id, Exemption.id)
    )
    judged = ((e, exemption_rules.judge(rules, e.category, e.percent)) for e in found)
    return [(e, j) for e, j in judged if j.flag]


@dataclass(frozen=True)
class Today:
    """A school's work waiting for its staff, each a count the landing page links to its list."""

    outstanding: int  # issued bills not paid in full
    overdue: int  # of which past their due date
    due_soon: int  # of which due within DUE_SOON_DAYS
    unresolved: int  # payment incidents to review (money that matched nothing, paid twice, ...)
    refunds: int  # refunds asked of a gateway or the accountant and not finished
    imports: int  # student lists checked and waiting to be confirmed, or stopped by a failure
    reports: int  # periodic-report rounds whose report this school has not submitted (a draft, or nothing)


DUE_SOON_DAYS = 7


def today(school_id: int) -> Today:
    """One query per count, whatever the school's size."""
    from datetime import timedelta

    from service.payments.models import PaymentIncident, PaymentRefund
    from service.timeutil import local_today

    day = local_today()
    paid = paid_by_invoice()
    left = (
        db.select(Invoice.due_on)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(Invoice.school_id == school_id, Invoice.status == "issued")
        .where(db.func.coalesce(paid.c.paid, 0) < Invoice.total)
        .subquery()
    )
    outstanding, overdue, due_soon = db.session.execute(
        db.select(
            db.func.count(),
            db.func.count().filter(left.c.due_on < day),
            db.func.count().filter(
                left.c.due_on >= day, left.c.due_on <= day + timedelta(days=DUE_SOON_DAYS)
            ),
        ).select_from(left)
    ).one()
    unresolved = db.session.scalar(
        db.select(db.func.count())
        .select_from(PaymentIncident)
        .where(PaymentIncident.school_id == school_id, PaymentIncident.resolved_at.is_(None))
    )
    refunds = db.session.scalar(
        db.select(db.func.count())
        .select_from(PaymentRefund)
        .join(PaymentOrder, PaymentOrder.id == PaymentRefund.order_id)
        .where(PaymentOrder.school_id == school_id, PaymentRefund.status.in_(("requested", "pending")))
    )
    imports = db.session.scalar(
        db.select(db.func.count())
        .select_from(StudentImport)
        .where(StudentImport.school_id == school_id, StudentImport.status.in_(("validated", "failed")))
    )
    reports = sum(count(school_id) for count in _reports_due)
    return Today(outstanding, overdue, due_soon, unresolved, refunds, imports, reports)


# The periodic reports a school has yet to submit are the reporting feature's to count: it registers
# the count (`register_reports_due`, in its subscribers.py), so that schools imports nothing of it.
_reports_due: list[Callable[[int], int]] = []


def register_reports_due(count: Callable[[int], int]) -> None:
    _reports_due[:] = [count]


def class_bills(school_id: int, class_id: int, term_id: int | None) -> list[tuple[Invoice, Student, int]]:
    """A class's issued bills still owing (of one term, when given): (bill, student, owed), by student."""
    paid = paid_by_invoice()
    owed = Invoice.total - db.func.coalesce(paid.c.paid, 0)
    statement = (
        db.select(Invoice, Student, owed)
        .join(Student, Student.id == Invoice.student_id)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(Invoice.school_id == school_id, Student.class_id == class_id, Invoice.status == "issued")
        .where(owed > 0)
        .order_by(Student.code, Invoice.id)
    )
    if term_id:
        statement = statement.where(Invoice.term_id == term_id)
    return [(invoice, student, int(amount)) for invoice, student, amount in db.session.execute(statement)]
