"""What the dossiers feature tells the services it uses. Payments: a dossier's fee is paid back on the
dossier's page, and a fee's receipt (ours, and the data the national payment platform's receipt is
drawn from) names the applicant, the dossier and the procedure. Documents: the data of the dossier's documents, and the history
line a correction or revocation leaves (`issued_documents.connect`). Connected by the app factory."""

from __future__ import annotations

from flask import url_for

from service.dossiers import issued_documents
from service.dossiers.models import Dossier
from service.extensions import db
from service.payments import registry
from service.payments.models import PaymentOrder


def back_to_dossier(order: PaymentOrder) -> tuple[str, str] | None:
    if not order.dossier_id:
        return None
    return url_for("dossiers.detail", dossier_id=order.dossier_id), "Về hồ sơ"


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
        procedure_code=dossier.procedure_version.code,
    )


def connect() -> None:
    registry.register_back_link("dossier_fee", back_to_dossier)
    registry.register_receipt_subject(receipt_subject)
    issued_documents.connect()
