"""What the national portal's pages and the operators read."""

from __future__ import annotations

from service.documents.models import IssuedDocument
from service.extensions import db
from service.nationalportal.models import NationalResultLink, NationalSync


def result_by_token(token: str) -> IssuedDocument | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        db.select(IssuedDocument)
        .join(NationalResultLink, NationalResultLink.document_id == IssuedDocument.id)
        .where(NationalResultLink.token == token)
    )


def sync_of(dossier_id: int) -> NationalSync | None:
    return db.session.scalar(db.select(NationalSync).where(NationalSync.dossier_id == dossier_id))


def filed_on_portal(dossier_ids: list[int]) -> set[int]:
    """Which of these dossiers were filed on the national portal (one query for a page of them)."""
    if not dossier_ids:
        return set()
    return set(
        db.session.scalars(
            db.select(NationalSync.dossier_id).where(
                NationalSync.dossier_id.in_(dossier_ids), NationalSync.filed_on_portal.is_(True)
            )
        )
    )
