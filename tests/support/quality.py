"""Shared test helpers: quality."""

from __future__ import annotations

from service.documents.models import IssuedDocument


def result_issued(dossier) -> IssuedDocument:
    """The decision this system issued for the dossier (only the columns the indicators read matter)."""
    return IssuedDocument(
        dossier_id=dossier.id,
        kind="decision",
        title="Quyết định",
        template="decision.html",
        template_version="x",
        data={},
        sha256="0" * 64,
        stored_name=f"result-{dossier.id}.pdf",
        size=1,
        verification_code=f"VC{dossier.id}",
        holder_masked="N***",
    )
