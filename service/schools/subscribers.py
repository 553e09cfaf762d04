"""What the schools feature tells the payments service, and what it does when money arrives.

Connected by the app factory (`service/__init__.py`): a school's bills are paid into the school's own
account; the receipt for one is the school's (its name, tax code and series), or none when the school
sends its own e-invoice; a payer goes back to the bill; a bill paid twice over is flagged for a refund.
"""

from __future__ import annotations

from flask import url_for

from service.database import for_update
from service.extensions import db
from service.money import format_money
from service.payments import events, registry, settlement
from service.payments.models import PaymentAttempt, PaymentOrder
from service.schools.fees import paid_amount
from service.schools.models import Invoice, School


def school_account(school_id: int) -> registry.Account | None:
    school = db.session.get(School, school_id)
    if school is None or not (school.bank_account_no and school.bank_bin):
        return None
    return registry.Account(
        school.bank_bin,
        school.bank_account_no,
        school.bank_account_name or school.name,
        school.bank_name or "",
    )


def school_account_numbers() -> set[str]:
    return set(
        db.session.scalars(db.select(School.bank_account_no).where(School.bank_account_no.is_not(None)))
    )


def owner_of_account(number: str) -> int | None:
    if not number:
        return None
    return db.session.scalar(db.select(School.id).where(School.bank_account_no == number).limit(1))


def school_receipt_issuer(order: PaymentOrder) -> registry.ReceiptIssuer | None:
    """Tuition is collected by the school: the receipt is issued in its name (LAW-2026 §1)."""
    school = db.session.get(School, order.school_id) if order.school_id else None
    if school is None:
        return None
    return registry.ReceiptIssuer(
        register=f"school-{school.id}",
        name=school.name,
        tax_code=school.tax_code or "",
        form_symbol=school.receipt_form_symbol or "",
        series_letters=school.receipt_series_letters or "",
        title="Biên lai thu học phí",
        issues_receipts=school.tuition_document != "e_invoice",
    )


def back_to_bill(order: PaymentOrder) -> tuple[str, str] | None:
    invoice = db.session.get(Invoice, order.invoice_id) if order.invoice_id else None
    if invoice is None:
        return None
    return url_for("paylink.invoice", token=invoice.access_token), "Về thông báo thu"


def check_overpaid(order: PaymentOrder, attempt: PaymentAttempt, **_) -> None:
    """Two payments of one bill (two orders, or a counter payment while a gateway was still deciding):
    the money counts, and the excess is flagged for a refund."""
    if not order.invoice_id:
        return
    invoice = db.session.scalar(for_update(db.select(Invoice).where(Invoice.id == order.invoice_id)))
    excess = paid_amount(invoice.id) - invoice.total
    if excess > 0:
        settlement.record_incident(
            order,
            attempt,
            "overpaid",
            amount=excess,
            detail=f"Thông báo thu {invoice.number} đã được nộp thừa {format_money(excess)}; cần hoàn tiền cho người nộp.",
        )


def connect() -> None:
    registry.register_collector_accounts(ACCOUNTS)
    registry.register_back_link("invoice", back_to_bill)
    registry.register_receipt_issuer(school_receipt_issuer)
    events.order_paid.connect(check_overpaid)


ACCOUNTS = registry.CollectorAccounts(
    of=school_account, numbers=school_account_numbers, owner=owner_of_account
)
