"""What the dossiers feature tells the services it uses. Payments: a dossier's fee is paid back on the
dossier's page, the national payment platform's bill code is the dossier's code, and a fee's receipt
names the applicant and the procedure. Documents: the data of the dossier's documents, and the history
line a correction or revocation leaves (`issued_documents.connect`). Connected by the app factory."""

from __future__ import annotations

from flask import url_for

from service.dossiers import issued_documents
from service.dossiers.models import Dossier
from service.extensions import db
from service.payments import registry, settlement
from service.payments.models import PaymentOrder
from service.payments.paygov import Bill


def back_to_dossier(order: PaymentOrder) -> tuple[str, str] | None:
    if not order.dossier_id:
        return None
    return url_for("dossiers.detail", dossier_id=order.dossier_id), "Về hồ sơ"


def fee_bill(code: str) -> Bill | None:
    """The fee of the dossier with this code, as the national payment platform presents it."""
    dossier = db.session.scalar(db.select(Dossier).where(Dossier.code == code))
    order = settlement.fee_order(dossier.id) if dossier else None
    if order is None:
        return None
    return Bill(
        order.reference,
        dossier.code,
        order.description,
        order.amount,
        dossier.applicant_name or dossier.owner.display_name,
        order.status,
    )


def receipt_subject(order: PaymentOrder) -> registry.ReceiptSubject | None:
    """What a dossier's fee receipt says the money was for, and who paid it (the applicant)."""
    dossier = db.session.get(Dossier, order.dossier_id) if order.dossier_id else None
    if dossier is None:
        return None
    version = dossier.procedure_version
    return registry.ReceiptSubject(
        payer=dossier.applicant_name or dossier.owner.display_name,
        # The specific fee collected (Decree 254/2026 Art. 23(2)); the catalogue requires its name with a fee.
        line=version.content.get("fee_name") or f"Phí giải quyết thủ tục {version.name}",
        dossier_code=dossier.code,
        procedure=dossier.procedure_version.name,
    )


def connect() -> None:
    registry.register_back_link("dossier_fee", back_to_dossier)
    registry.register_bill_finder(fee_bill)
    registry.register_receipt_subject(receipt_subject)
    issued_documents.connect()
