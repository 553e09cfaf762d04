"""Shared test helpers: the one-stop desk's paper filing, as its page posts it."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

from service.accounts import walk_in
from service.dossiers.models import Dossier
from service.dossiers.samples import sample_file, sample_pairs
from service.extensions import db
from tests.factories import PERSON_PROCEDURE


def paper_filing(version, outcome: str = "receive", delivery: str = "desk", **extra) -> dict:
    """The e-form as the sample fills it, every required component received with its scan, the outcome."""
    data = dict(sample_pairs(version.fields))
    for document in version.documents:
        if document.get("required"):
            content, name = sample_file(document["file_types"], document["key"])
            data[f"check-{document['key']}"] = "received"
            data[f"check-reason-{document['key']}"] = ""
            data[f"scan-{document['key']}"] = (io.BytesIO(content), name)
    data.update({"desk-outcome": outcome, "desk-delivery_method": delivery, "action": "file", **extra})
    return data


def file_url(applicant, channel: str = "desk", code: str = PERSON_PROCEDURE) -> str:
    return f"/officials/desk/file/{walk_in.reference(applicant)}/{code}/{channel}"


def applicant_named(location: str):
    """The applicant a desk page's address names (by its signed reference, never the row id)."""
    [ref] = parse_qs(urlsplit(location).query)["applicant"]
    return walk_in.from_reference(ref)


def filed_for(applicant) -> Dossier:
    return db.session.scalar(
        db.select(Dossier).where(Dossier.owner_id == applicant.id).order_by(Dossier.id.desc())
    )
