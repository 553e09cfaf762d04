"""The applicant's printable copy of what was filed ("Tờ khai đã nộp"): the e-form as submitted.

Drawn on demand by the documents service's renderer from plain data (templates/documents/
filed_form.html); it is the applicant's own copy, not a document the agency issues, so it is neither
numbered nor stored. It lists the procedure, the dossier's code, when it was submitted and where, every
field of the e-form with its label and value, the attached files, the chosen way of receiving the
result and the declaration with its time.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from service.documents.renderer import renderer
from service.dossiers.display import describe, format_address
from service.dossiers.documents import RETURN_METHODS
from service.dossiers.forms import DECLARATION
from service.dossiers.models import Dossier
from service.text import printable
from service.timeutil import format_datetime

TEMPLATE = "filed_form.html"


def data(dossier: Dossier) -> dict[str, Any]:
    version = dossier.procedure_version
    return printable(
        {
            "procedure": {"name": version.name, "code": version.code, "version": version.number},
            "code": dossier.code or "",
            "submitted": format_datetime(dossier.submitted_at),
            "agency": dossier.agency.name if dossier.agency else "",
            "applicant": dossier.applicant_name or dossier.owner.display_name,
            "entries": [_entry(e) for e in describe(version.fields, dossier.form_pairs)],
            "documents": _documents(dossier),
            "delivery": _delivery(dossier),
            "declaration": {
                "text": DECLARATION,
                "at": format_datetime(dossier.declared_at),
            },
        }
    )


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A field as the template draws it: a value, or a table's columns and rows (never both)."""
    return {
        "label": entry["label"],
        "value": entry.get("value", ""),
        "columns": entry.get("columns", []),
        "rows": entry.get("rows", []),
    }


def _documents(dossier: Dossier) -> list[dict[str, Any]]:
    """Each component of the dossier with the names of the files filed for it (supplements included)."""
    listed = []
    for document in dossier.procedure_version.documents:
        names = [f.original_name for f in dossier.files_for(document["key"])]
        if names:
            listed.append({"name": document["name"], "files": names})
    return listed


def _delivery(dossier: Dossier) -> str:
    if not dossier.delivery_method:
        return ""
    address = format_address(dossier.delivery_address)
    method = RETURN_METHODS[dossier.delivery_method]
    return f"{method}: {address}" if address else method


def pdf(dossier: Dossier) -> bytes:
    return renderer(current_app.config["DOCUMENT_FONT_DIR"]).render(TEMPLATE, data(dossier))
