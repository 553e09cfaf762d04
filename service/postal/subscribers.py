"""What results by post add to the dossier page: the shipments with their tracking numbers and
statuses (the applicant and the agency's officials), and, for the desk, the button that sends the result
by post when the applicant chose it and the result is ready. Connected by the app factory."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user

from service.accounts.roles import Role
from service.dossiers import processing
from service.dossiers.models import Dossier
from service.dossiers.page import Viewer, add_section
from service.postal import queries, settings


def postal_section(dossier: Dossier, viewer: Viewer) -> dict[str, Any]:
    if not (viewer.is_owner or viewer.official) or not dossier.code:
        return {}
    shipments = queries.shipments_of(dossier.id)
    can_send = viewer.official and _desk_may_send(dossier, shipments)
    if not shipments and not can_send:
        return {}
    return {"postal": {"shipments": shipments, "can_send": can_send}}


def _desk_may_send(dossier: Dossier, shipments) -> bool:
    return (
        current_user.role == Role.RECEPTION
        and dossier.delivery_method == "post"
        and settings.enabled(current_app.config)
        and queries.sendable(shipments)
        and "return_result" in processing.enabled_actions(dossier, current_user)
    )


def connect() -> None:
    add_section(postal_section)
