"""What the dossiers feature tells the payments service: a dossier's fee is paid back on the dossier's
page, and the national payment platform's bill code is the dossier's code. Connected by the app factory."""

from __future__ import annotations

from flask import url_for

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


def connect() -> None:
    registry.register_back_link("dossier_fee", back_to_dossier)
    registry.register_bill_finder(fee_bill)
