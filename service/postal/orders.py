"""The carrier's order for a shipment, read from the shipment and its dossier (no writes)."""

from __future__ import annotations

from flask import current_app

from service.agencies.issuer import for_agency
from service.dossiers.models import Dossier
from service.postal import protocol
from service.postal.models import Shipment


def build_order(shipment: Shipment, dossier: Dossier) -> protocol.Order:
    """The order as VNPost reads it: the receiving agency sends, the applicant (as at the request)
    receives; no cash on delivery."""
    config = current_app.config
    sender = sender_of(dossier)
    to = shipment.receiver
    receiver = protocol.Party(to["name"], to["address"], to["tel"], to["province"], to["ward"], to["email"])
    return protocol.Order(
        customer_code=config["POSTAL_CUSTOMER_CODE"],
        order_number=shipment.order_number,
        sender=sender,
        receiver=receiver,
        description=f"Kết quả giải quyết thủ tục hành chính, hồ sơ {dossier.code}",
        flag_config=config.get("POSTAL_FLAG_CONFIG") or "",
    )


def sender_of(dossier: Dossier) -> protocol.Party:
    """The receiving agency sends: its name, address and telephone (POSTAL_SENDER_TEL when the agency
    has none: the carrier needs one)."""
    config = current_app.config
    issuer = for_agency(dossier.agency)
    ward = getattr(dossier.agency, "ward_code", None)
    return protocol.Party(
        name=issuer["name"],
        address=issuer["address"] or config.get("POSTAL_SENDER_ADDRESS") or issuer["name"],
        tel=issuer["phone"] or config.get("POSTAL_SENDER_TEL") or "",
        province=str(config.get("PROVINCE_CODE") or ""),
        district=str(ward or ""),
    )
