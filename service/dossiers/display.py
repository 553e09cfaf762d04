"""What an e-form says, for the review page, the dossier page and emails: labels and readable values."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from forms.dossier import form_class
from service.divisions import province_name, ward_name
from service.timeutil import format_date


def describe(fields: list[dict[str, Any]], pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    form = form_class(fields, strict=False)(formdata=MultiDict(pairs), meta={"csrf": False})
    return [_describe_field(spec, form[spec["key"]]) for spec in fields]


def _describe_field(spec: dict[str, Any], field) -> dict[str, Any]:
    if spec["type"] == "table":
        columns = spec["columns"]
        rows = [[_value(column, entry.form[column["key"]]) for column in columns] for entry in field.entries]
        rows = [row for row in rows if any(row)]
        return {"label": spec["label"], "columns": [c["label"] for c in columns], "rows": rows}
    return {"label": spec["label"], "value": _value(spec, field)}


def _value(spec: dict[str, Any], field) -> str:
    kind = spec["type"]
    if kind == "address":
        parts = [
            field.form.street.data,
            ward_name(field.form.ward.data),
            province_name(field.form.province.data),
        ]
        return ", ".join(p for p in parts if p)
    if kind == "choice":
        labels = {str(value): label for value, label in spec["choices"]}
        return labels.get(field.data or "", field.data or "")
    if kind == "date":
        return format_date(field.data) if field.data else (field.raw_data or [""])[0]
    if kind == "number":
        return (
            (field.raw_data or [""])[0] if field.raw_data else ("" if field.data is None else str(field.data))
        )
    return field.data or ""


def format_address(address: dict[str, Any] | None) -> str:
    """A stored postal address as one line: "12 Trần Hưng Đạo, Phường Long Xuyên, Tỉnh An Giang"."""
    if not address:
        return ""
    parts = [address.get("street"), ward_name(address.get("ward")), province_name(address.get("province"))]
    return ", ".join(p for p in parts if p)
