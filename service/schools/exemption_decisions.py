"""A school's decision on a learner's application for a tuition exemption or reduction (1.005144 at a
public institution, Decree 238/2025; LAW-2026 §2: the institution decides and applies it) turned into
what the school bills: an exemption record of the rule sets' category, whose evidence is the proof the
learner filed, and the learner's unpaid fee bills ("Thông báo thu học phí") of the period replaced by
ones carrying the reduction. Bills made later carry it through the bulk invoicing, which reads the same
record (service/schools/invoicing.py). Everything here runs in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from service import audit
from service.extensions import db
from service.schools import exemption_rules
from service.schools.fees import FeeError, granted_rate, paid_amount, reduction, replace_invoice
from service.schools.invoicing import reduction_text
from service.schools.models import Exemption, FeeItem, Invoice, Student


@dataclass(frozen=True)
class Grant:
    category: str  # a code of the rule sets (catalogue/exemptions)
    valid_from: date
    valid_to: date
    basis: str  # the decision, as the bills name it
    evidence_name: str
    evidence_stored: str  # the learner's filed proof, in the uploads store


@dataclass
class Applied:
    exemption: Exemption
    replaced: list[tuple[Invoice, Invoice]] = field(default_factory=list)  # (old, new)
    left: list[tuple[Invoice, str]] = field(default_factory=list)  # bills not changed, and why


def grant(student: Student, user_id: int, decided: Grant) -> Applied:
    """Record the exemption the school decided and apply it to the learner's unpaid bills."""
    percent = granted_rate(student, decided.category, None, decided.valid_from, decided.valid_to)
    exemption = Exemption(
        school_id=student.school_id,
        student_id=student.id,
        category=decided.category,
        percent=percent,
        basis=decided.basis[:255],
        evidence_name=decided.evidence_name[:255],
        evidence_stored=decided.evidence_stored,
        valid_from=decided.valid_from,
        valid_to=decided.valid_to,
        created_by_id=user_id,
    )
    db.session.add(exemption)
    db.session.flush()
    audit.record(
        "school.exemption_decided",
        exemption,
        details={"code": exemption.category, "percent": percent, "basis": exemption.basis},
    )
    applied = Applied(exemption)
    for invoice in _issued_bills(student.id):
        _apply(invoice, user_id, decided.basis, applied)
    return applied


def _issued_bills(student_id: int) -> list[Invoice]:
    return db.session.scalars(
        db.select(Invoice)
        .where(Invoice.student_id == student_id, Invoice.status == "issued")
        .order_by(Invoice.id)
    ).all()


def _apply(invoice: Invoice, user_id: int, basis: str, applied: Applied) -> None:
    """Replace the bill by one at the single highest rate of the learner's exemptions on its term's first
    day, if that changes what is due and nothing paid stands in the way."""
    term = invoice.term
    rules = exemption_rules.rule_set_on(term.starts_on)
    exemptions = db.session.scalars(
        db.select(Exemption).where(Exemption.student_id == invoice.student_id)
    ).all()
    decision = exemption_rules.decide(rules, list(exemptions), term.starts_on)
    if decision.applied is None or decision.applied[0].id != applied.exemption.id:
        return  # outside the period, or another exemption of a higher rate applies already
    lines = relined(invoice, decision, rules)
    total = max(sum(line["amount"] for line in lines), 0)
    paid = paid_amount(invoice.id)
    if total == invoice.total or paid >= invoice.total:
        return  # already at this rate, or paid in full (a refund is the accountant's decision)
    if total < paid:
        applied.left.append((invoice, "số đã nộp lớn hơn số phải nộp sau miễn, giảm: cần hoàn tiền"))
        return
    try:
        new = replace_invoice(invoice.id, user_id, f"Áp dụng {basis}"[:500], lines)
    except FeeError as error:
        applied.left.append((invoice, str(error)))
        return
    applied.replaced.append((invoice, new))


def relined(invoice: Invoice, decision: exemption_rules.Decision, rules) -> list[dict]:
    """The bill's own charges as they are, each tuition charge followed by its reduction at the applied
    rate (earlier reduction lines are dropped: never a sum of two rates)."""
    items = {
        item.id: item
        for item in db.session.scalars(db.select(FeeItem).where(FeeItem.school_id == invoice.school_id))
    }
    exemption, judgement = decision.applied
    lines = []
    for line in invoice.lines:
        if line.exemption_id is not None:
            continue
        lines.append(
            {"fee_item_id": line.fee_item_id, "description": line.description, "amount": line.amount}
        )
        item = items.get(line.fee_item_id)
        cut = reduction(line.amount, judgement.rate) if item is not None and item.is_tuition else 0
        if cut > 0:
            lines.append(
                {
                    "fee_item_id": item.id,
                    "exemption_id": exemption.id,
                    "amount": -cut,
                    "description": reduction_text(item.name, exemption, judgement, rules),
                }
            )
    return lines
