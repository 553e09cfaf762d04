"""What the national portal sync adds to the dossier page: for officials, whether and when the portal
acknowledged the dossier, with the status it holds. Connected by the app factory."""

from __future__ import annotations

from typing import Any

from service.dossiers.models import Dossier
from service.dossiers.page import Viewer, add_section
from service.nationalportal import queries
from service.nationalportal.codes import PORTAL_STATUS_LABELS


def portal_section(dossier: Dossier, viewer: Viewer) -> dict[str, Any]:
    if not viewer.official or not dossier.code:
        return {}
    sync = queries.sync_of(dossier.id)
    if sync is None:
        return {}
    return {"national_sync": sync, "portal_status_labels": PORTAL_STATUS_LABELS}


def connect() -> None:
    add_section(portal_section)
