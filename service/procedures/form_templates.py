"""Blank templates of a procedure's prescribed forms (mẫu đơn, tờ khai), downloadable as PDF.

The catalogue names, per version, which documents the law prescribes as forms (`[[forms]]`: the
document, the form's title, its number and the act that issues it); the template is drawn from the
same version's e-form fields (`[[fields]]`), so the paper form and the online one ask for the same
things. Rendered by the documents service from plain data (templates/documents/form_template.html);
a version never changes, so a template once drawn is kept in the cache until the next catalogue import.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from service import cache
from service.documents.renderer import renderer
from service.procedures.models import ProcedureVersion
from service.text import printable, without_diacritics

TEMPLATE = "form_template.html"
# How the blank is filled in by hand, per field type (a table and a choice are drawn from their spec).
HINTS = {
    "date": "ngày ...... tháng ...... năm ........",
    "address": "Số nhà, đường/thôn: ........................ Xã/phường: .................. Tỉnh/thành phố: ..................",
    "cccd": "(12 chữ số)",
}


def data(version: ProcedureVersion, form: dict[str, Any]) -> dict[str, Any]:
    return printable(
        {
            "procedure": {"name": version.name, "code": version.code, "version": version.number},
            "title": form["title"],
            "number": form.get("number", ""),
            "legal_basis": form["legal_basis"],
            "document": (version.document(form["document"]) or {}).get("name", ""),
            "agency": version.content.get("agency", ""),
            "fields": [_blank(field) for field in version.fields],
        }
    )


def _blank(field: dict[str, Any]) -> dict[str, Any]:
    """A field as the template draws it: its label, whether it is required, and either the choices to
    tick, a table's columns with empty rows, or a line to write on (with a hint of the expected form)."""
    columns = [column["label"] for column in field.get("columns", [])]
    return {
        "label": field["label"],
        "required": bool(field.get("required")),
        "choices": [label for _value, label in field.get("choices", [])],
        "columns": columns,
        "rows": max(3, int(field.get("min_rows", 0))) if columns else 0,
        "hint": HINTS.get(field["type"], ""),
        "long": field["type"] == "textarea",
    }


def file_name(version: ProcedureVersion, form: dict[str, Any]) -> str:
    stem = without_diacritics(f"mau-{form['title']}").lower()
    return "-".join(word for word in "".join(c if c.isalnum() else " " for c in stem).split())[:80] + ".pdf"


def pdf(version: ProcedureVersion, form: dict[str, Any]) -> bytes:
    key = f"form-template:{version.id}:{version.content_hash}:{form['document']}"
    return cache.remembered(key, lambda: _render(version, form))


def _render(version: ProcedureVersion, form: dict[str, Any]) -> bytes:
    return renderer(current_app.config["DOCUMENT_FONT_DIR"]).render(TEMPLATE, data(version, form))
