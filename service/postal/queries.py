"""What the dossier page, the status lookup and the desk read of shipments."""

from __future__ import annotations

from service.extensions import db
from service.postal.models import Shipment, ShipmentStatus


def shipments_of(dossier_id: int) -> list[Shipment]:
    """The dossier's shipments, the latest first."""
    return list(
        db.session.scalars(
            db.select(Shipment).where(Shipment.dossier_id == dossier_id).order_by(Shipment.id.desc())
        )
    )


def sendable(shipments: list[Shipment]) -> bool:
    """No shipment on its way or delivered: the result may be sent (again, after a failed delivery)."""
    return all(s.status == ShipmentStatus.FAILED for s in shipments)


def tracking_number(dossier_id: int) -> str | None:
    """The latest tracking number, for the public status lookup."""
    return next((s.item_code for s in shipments_of(dossier_id) if s.item_code), None)


def order_numbers(shipment_ids: set[int]) -> dict[int, str]:
    """Each shipment's order number (the dossier's code), for the administrators' failing jobs."""
    if not shipment_ids:
        return {}
    found = db.session.execute(
        db.select(Shipment.id, Shipment.order_number).where(Shipment.id.in_(shipment_ids))
    )
    return dict(found.all())
