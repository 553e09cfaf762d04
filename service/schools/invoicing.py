"""Bulk invoicing of a term: one invoice per student of the school, made by a resumable run.

The accountant starts a run (an `InvoiceRun` row, handed to the job engine once it commits). The run
goes through the school's students in (class, code) order, CHUNK at a time; each chunk is one
transaction with the run's progress and its cursor (the last student done), so a run killed half-way
continues after its last chunk (service.schools.runs). Each invoice carries `run_key` "term:student",
unique, and goes in with insert_once(): a student invoiced before (by an earlier run, or by a chunk
whose commit the dying runner never reported) is counted as existing and never invoiced twice. An
invoice number is taken only for an invoice inserted, so the numbers stay gapless.

Exemptions are judged under the rule set in force on the term's first day (exemption_rules): the
single highest rate applies to each tuition line; a student with an exemption the rule set does not
know is held back (counted, not invoiced) until the staff determine it again, and a later run
invoices them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from service.database import for_update, write
from service.extensions import db
from service.money import format_money
from service.schools import exemption_rules, runs
from service.schools.fees import (
    FeeError,
    classes_in_scope,
    invoice_counter,
    invoice_number,
    reduction,
)
from service.schools.models import Exemption, FeeSchedule, Invoice, InvoiceLine, InvoiceRun, Student, Term
from service.timeutil import local_today

CHUNK = 500
UNFINISHED = (InvoiceRun.QUEUED, InvoiceRun.RUNNING)


@dataclass
class RunResult:
    created: int
    existing: int
    without_fees: int
    held: int = 0  # exemption to be determined again


def start(school_id: int, term_id: int, user_id: int | None) -> InvoiceRun:
    """A run of the term waiting for a runner (the caller hands it over after this commits); the
    unfinished run of the term, if there is one, instead of a second."""
    term = db.session.get(Term, term_id)
    if term is None or term.school_id != school_id:
        raise FeeError("Học kỳ không thuộc trường.")
    if db.session.scalar(db.select(FeeSchedule.id).where(FeeSchedule.term_id == term.id).limit(1)) is None:
        raise FeeError("Học kỳ này chưa có mức thu nào.")
    with write():
        db.session.scalar(for_update(db.select(Term).where(Term.id == term.id)))
        unfinished = db.session.scalar(
            db.select(InvoiceRun).where(InvoiceRun.term_id == term.id, InvoiceRun.status.in_(UNFINISHED))
        )
        if unfinished is not None:
            return unfinished
        students = db.session.scalar(
            db.select(db.func.count()).select_from(Student).where(Student.school_id == school_id)
        )
        record = InvoiceRun(
            school_id=school_id, term_id=term.id, requested_by_id=user_id, total_students=students
        )
        db.session.add(record)
    return record


def run(run_id: int) -> InvoiceRun:
    """Claim the run and invoice the students after its cursor, a chunk per transaction."""
    return runs.drive(InvoiceRun, run_id, lambda attempt: _write(run_id, attempt))


def invoice_term(school_id: int, term_id: int, user_id: int | None) -> RunResult:
    """Start a run and carry it out here and now (commands, the demo, tests); running it again
    creates nothing twice."""
    record = run(start(school_id, term_id, user_id).id)
    return RunResult(
        record.created_count, record.existing_count, record.without_fees_count, record.held_count
    )


def resume_due() -> int:
    """Runs nobody took, and runs whose runner died: carry them out here (the sweep)."""
    return runs.resume_due(InvoiceRun, run)


def latest_runs(term_id: int, limit: int = 5) -> list[InvoiceRun]:
    return db.session.scalars(
        db.select(InvoiceRun).where(InvoiceRun.term_id == term_id).order_by(InvoiceRun.id.desc()).limit(limit)
    ).all()


def _write(run_id: int, attempt: int) -> None:
    while _write_chunk(run_id, attempt):
        pass


def _write_chunk(run_id: int, attempt: int) -> bool:
    """Invoice the next CHUNK students after the run's cursor; False when none is left."""
    with write():
        record = runs.hold(InvoiceRun, run_id, attempt)
        # One run of a term at a time: the invoiced students read below stay true until commit.
        term = db.session.scalar(for_update(db.select(Term).where(Term.id == record.term_id)))
        students = _next_students(record)
        if not students:
            return False
        created, existing, without, held = _invoice_chunk(record, term, students)
        record.after_class_id, record.after_code = students[-1].class_id, students[-1].code
        record.students_done += len(students)
        record.total_students = max(record.total_students, record.students_done)  # students added since
        record.created_count += created
        record.existing_count += existing
        record.without_fees_count += without
        record.held_count += held
    return True


def _next_students(record: InvoiceRun) -> list[Student]:
    statement = db.select(Student).where(Student.school_id == record.school_id)
    if record.after_class_id is not None:
        after = tuple_(record.after_class_id, record.after_code)
        statement = statement.where(tuple_(Student.class_id, Student.code) > after)
    return db.session.scalars(statement.order_by(Student.class_id, Student.code).limit(CHUNK)).all()


def _invoice_chunk(record: InvoiceRun, term: Term, students: list[Student]) -> tuple[int, int, int, int]:
    """(created, existing, without fees, held) for these students, in the caller's transaction."""
    by_class, due = _schedules_by_class(record.school_id, term)
    rules = exemption_rules.rule_set_on(term.starts_on)
    exemptions = _exemptions_of([s.id for s in students])
    invoiced = _invoiced(term.id, [s.id for s in students])
    year = local_today().year
    counter = invoice_counter(record.school_id, year)
    for _ in range(2):
        number, created, existing, without, held = counter.last_number, 0, 0, 0, 0
        new: list[dict] = []
        lines_of: dict[str, list[dict]] = {}
        for student in students:
            schedules = by_class.get(student.class_id, [])
            decision = exemption_rules.decide(rules, exemptions[student.id], term.starts_on)
            if student.id in invoiced:
                existing += 1
            elif not schedules:
                without += 1
            elif decision.held and any(s.fee_item.is_tuition for s in schedules):
                held += 1
            else:
                key, lines = f"{term.id}:{student.id}", lines_for(schedules, decision, rules)
                new.append(
                    {
                        "school_id": record.school_id,
                        "student_id": student.id,
                        "term_id": term.id,
                        "run_key": key,
                        "number": invoice_number(year, number + 1),
                        "total": max(sum(line["amount"] for line in lines), 0),
                        "due_on": due[student.class_id],
                        "issued_by_id": record.requested_by_id,
                    }
                )
                lines_of[key] = lines
                number, created = number + 1, created + 1
        if _insert_all(new, lines_of):
            break
        # A run key was taken although the reading above said otherwise: the unique key, not that
        # reading, decides. Read again and number the chunk anew, so the numbers stay gapless.
        invoiced = _invoiced(term.id, [s.id for s in students])
    else:
        raise RuntimeError("The chunk's invoices were refused twice")
    counter.last_number = number  # once, with the chunk
    return created, existing, without, held


def _insert_all(invoices: list[dict], lines_of: dict[str, list[dict]]) -> bool:
    """The chunk's invoices, then their lines, as two batches of INSERTs under one savepoint (not an
    ORM object and a savepoint per invoice: that made 10,000 students take a quarter of a minute).
    False, with nothing kept, when a student's run key was taken already. A number taken although the
    counter is past it fails the whole chunk, which is retried later rather than leaving a student
    without an invoice."""
    if not invoices:
        return True
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Invoice)
        .on_conflict_do_nothing(index_elements=["run_key"])
        .returning(Invoice.id, Invoice.run_key)
    )
    try:
        with db.session.begin_nested() as savepoint:
            made = db.session.execute(statement, invoices).all()
            if len(made) < len(invoices):
                savepoint.rollback()
                return False
            lines = [{**line, "invoice_id": invoice_id} for invoice_id, key in made for line in lines_of[key]]
            if lines:
                db.session.execute(db.insert(InvoiceLine), lines)
    except IntegrityError as error:
        raise RuntimeError(f"An invoice number of this chunk ({len(invoices)} invoices) is taken") from error
    return True


def _invoiced(term_id: int, student_ids: list[int]) -> set[int]:
    """The students a bulk run invoiced for the term already (a cancelled invoice counts: not re-issued)."""
    return set(
        db.session.scalars(
            db.select(Invoice.student_id).where(
                Invoice.term_id == term_id, Invoice.run_key.is_not(None), Invoice.student_id.in_(student_ids)
            )
        )
    )


def _schedules_by_class(school_id: int, term: Term) -> tuple[dict[int, list[FeeSchedule]], dict[int, date]]:
    """Each class's schedules of the term, and the class's due date (its latest schedule's)."""
    by_class: dict[int, list[FeeSchedule]] = defaultdict(list)
    for schedule in db.session.scalars(
        db.select(FeeSchedule)
        .where(FeeSchedule.term_id == term.id)
        .options(db.joinedload(FeeSchedule.fee_item))
    ):
        for class_id in classes_in_scope(school_id, schedule.scope, schedule.scope_value):
            by_class[class_id].append(schedule)
    return by_class, {class_id: max(s.due_on for s in items) for class_id, items in by_class.items()}


def _exemptions_of(student_ids: list[int]) -> dict[int, list[Exemption]]:
    found: dict[int, list[Exemption]] = defaultdict(list)
    for exemption in db.session.scalars(db.select(Exemption).where(Exemption.student_id.in_(student_ids))):
        found[exemption.student_id].append(exemption)
    return found


def lines_for(
    schedules: list[FeeSchedule], decision: exemption_rules.Decision, rules: exemption_rules.RuleSet | None
) -> list[dict]:
    """The invoice's lines: each schedule of the student's class, and for each tuition item the reduction
    at the single highest rate of the student's exemptions (never a sum of two)."""
    lines = []
    for schedule in schedules:
        item = schedule.fee_item
        text = (
            item.name
            if not schedule.credits
            else f"{item.name} ({schedule.credits} tín chỉ × {format_money(schedule.unit_amount)})"
        )
        lines.append({"fee_item_id": item.id, "description": text, "amount": schedule.amount})
        if item.is_tuition and decision.applied is not None:
            exemption, judgement = decision.applied
            cut = reduction(schedule.amount, judgement.rate)
            if cut:
                lines.append(
                    {
                        "fee_item_id": item.id,
                        "exemption_id": exemption.id,
                        "amount": -cut,
                        "description": reduction_text(item.name, exemption, judgement, rules),
                    }
                )
    return lines


def reduction_text(
    item_name: str, exemption: Exemption, judgement: exemption_rules.Judgement, rules: exemption_rules.RuleSet
) -> str:
    """ "Giảm 70% học phí – Điều 16 khoản 1 điểm b Nghị định 238/2025/NĐ-CP; Quyết định số 12/QĐ-CĐ"."""
    verb = "Miễn" if judgement.rate == 100 else f"Giảm {judgement.rate}%"
    basis = "; ".join(part for part in (rules.cite(judgement.category), exemption.basis) if part)
    return f"{verb} {item_name.lower()} – {basis}"[:300]
