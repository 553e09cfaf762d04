"""The procedure catalogue as data files (catalogue/procedures/*.toml): validation and import.

Each import stores a new ProcedureVersion only for a file whose content changed, so a dossier in
progress keeps the version it was filed under. The schema is described in docs/catalogue.md.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from config import BASE_DIR
from service import audit
from service import cache as public_cache
from service.database import write
from service.extensions import db
from service.procedures.models import Procedure, ProcedureVersion
from service.text import fold

CATALOGUE_DIR = BASE_DIR / "catalogue" / "procedures"

FIELD_TYPES = {"text", "textarea", "number", "date", "choice", "address", "cccd", "phone", "email", "table"}
COLUMN_TYPES = {"text", "number", "choice"}
FILE_TYPES = {"pdf", "jpeg", "png", "docx"}
DOCUMENT_KINDS = {"original", "copy", "certified_copy"}
RESULT_TYPES = {"decision", "certificate", "licence", "written_answer"}
WORKFLOWS = {"one_stop", "single_desk"}
RESULT_TEMPLATES = {"decision", "certificate", "written_answer"}  # templates/documents/<name>.html
APPLICANTS = {"person", "organisation"}
# Decree 42/2022: full-process (toàn trình) or partial (một phần) online service; "none" for a procedure
# only filed on paper (Decision 766 counts the procedures offered online over all procedures).
ONLINE_LEVELS = {"full", "partial", "none"}
# The level of government that receives and decides a procedure (LAW-2026 §3): the province (the Sở,
# received at the provincial service centre) or the commune (its People's Committee and service centre).
LEVELS = {"province", "commune"}
# The account details a field may start with when a draft is started (service/dossiers/prefill.py).
PREFILL_SOURCES = {"full_name", "organisation_name", "personal_id", "birth_date", "phone", "email"}
RESERVED_FIELD_KEYS = {"data", "errors", "meta", "csrf_token", "validate", "populate_obj", "process"}
REQUIRED_KEYS = {
    "code": str,
    "name": str,
    "field": str,
    "agency": str,
    "processing_days": int,
    "fee": int,
    "applicants": list,
    "result_type": str,
    "result_name": str,
    "workflow": str,
    "legal_bases": list,
    "documents": list,
    "fields": list,
}


class CatalogueError(ValueError):
    pass


@dataclass
class ImportReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


def load_file(path: Path) -> dict[str, Any]:
    try:
        content = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path.name}: {error}") from error
    validate(content, path.name)
    if "effective_from" in content:  # stored as JSON with the version: the ISO date
        content["effective_from"] = content["effective_from"].isoformat()
    return content


def validate(content: dict[str, Any], source: str) -> None:
    def fail(message: str) -> None:
        raise CatalogueError(f"{source}: {message}")

    for key, kind in REQUIRED_KEYS.items():
        if not isinstance(content.get(key), kind):
            fail(f"'{key}' is missing or not a {kind.__name__}")
    if content["processing_days"] < 0 or content["fee"] < 0:
        fail("processing_days and fee must not be negative")
    if content["fee"] > 0 and not (isinstance(content.get("fee_name"), str) and content["fee_name"].strip()):
        # The receipt names the specific fee or charge collected (Decree 254/2026 Art. 23(2)).
        fail("a procedure with a fee names it: 'fee_name' (e.g. \"Lệ phí cấp giấy chứng nhận ...\")")
    _check_choice(content["result_type"], RESULT_TYPES, "result_type", fail)
    _check_choice(content["workflow"], WORKFLOWS, "workflow", fail)
    _check_choice(content.get("online_level", "none"), ONLINE_LEVELS, "online_level", fail)
    _check_choice(content.get("level", "province"), LEVELS, "level", fail)
    _validate_commune_variant(content, fail)
    _validate_school_variant(content, fail)
    _validate_days_variant(content, fail)
    _validate_effective_from(content, fail)
    _validate_local_code(content, fail)
    if "result_template" in content:
        _check_choice(content["result_template"], RESULT_TEMPLATES, "result_template", fail)
    if not content["applicants"] or not set(content["applicants"]) <= APPLICANTS:
        fail(f"applicants must be a non-empty subset of {sorted(APPLICANTS)}")
    _check_unique_keys(content["documents"], "documents", fail)
    _check_unique_keys(content["fields"], "fields", fail)
    for document in content["documents"]:
        _validate_document(document, fail)
    for field in content["fields"]:
        _validate_field(field, fail)
    _validate_forms(content, fail)


def _check_choice(value: str, allowed: set[str], name: str, fail) -> None:
    if value not in allowed:
        fail(f"{name} {value!r} is not one of {sorted(allowed)}")


def _validate_commune_variant(content: dict[str, Any], fail) -> None:
    """`[commune_level_when]`: a provincial procedure whose variant named by an e-form choice (a private
    institution's students) is received and decided at the commune."""
    rule = content.get("commune_level_when")
    if rule is None:
        return
    field = next((f for f in content["fields"] if f.get("key") == rule.get("field")), None)
    if field is None or field.get("type") != "choice":
        fail("commune_level_when.field must name a choice field of the e-form")
    known = {value for value, _label in field["choices"]}
    if not rule.get("values") or not set(rule["values"]) <= known:
        fail("commune_level_when.values must be a non-empty subset of the field's choices")
    if not isinstance(rule.get("deciding_authority"), str):
        fail("commune_level_when.deciding_authority is missing")


def _validate_school_variant(content: dict[str, Any], fail) -> None:
    """`[school_decides_when]`: the variant named by an e-form choice (a public institution's learners)
    that the learner's own school decides (1.005144: Decree 238/2025, LAW-2026 §2), with its legal basis."""
    rule = content.get("school_decides_when")
    if rule is None:
        return
    field = next((f for f in content["fields"] if f.get("key") == rule.get("field")), None)
    if field is None or field.get("type") != "choice":
        fail("school_decides_when.field must name a choice field of the e-form")
    known = {value for value, _label in field["choices"]}
    if not rule.get("values") or not set(rule["values"]) <= known:
        fail("school_decides_when.values must be a non-empty subset of the field's choices")
    overlap = set(rule["values"]) & set((content.get("commune_level_when") or {}).get("values", []))
    if overlap:
        fail("school_decides_when.values and commune_level_when.values must not overlap")
    for key in ("deciding_authority", "legal_basis"):
        if not isinstance(rule.get(key), str) or not rule[key].strip():
            fail(f"school_decides_when.{key} is missing")


def _validate_days_variant(content: dict[str, Any], fail) -> None:
    """`[processing_days_when]`: a variant named by an e-form choice has its own legal processing time
    (Decree 95/2026 Art. 9: a branch is dissolved in 10 working days), with its legal basis."""
    rule = content.get("processing_days_when")
    if rule is None:
        return
    field = next((f for f in content["fields"] if f.get("key") == rule.get("field")), None)
    if field is None or field.get("type") != "choice":
        fail("processing_days_when.field must name a choice field of the e-form")
    known = {value for value, _label in field["choices"]}
    if not rule.get("values") or not set(rule["values"]) <= known:
        fail("processing_days_when.values must be a non-empty subset of the field's choices")
    if not isinstance(rule.get("days"), int) or rule["days"] < 0:
        fail("processing_days_when.days must be a number of working days")
    for key in ("legal_basis", "label"):
        if not isinstance(rule.get(key), str) or not rule[key]:
            fail(f"processing_days_when.{key} is missing")


LOCAL_CODE_PREFIX = "DP-"  # địa phương: a procedure whose national code was not found


def _validate_local_code(content: dict[str, Any], fail) -> None:
    """A procedure without a national code (Decree 66/2026's conversion, LAW-2026 §3) has a local one,
    marked `local_code = true`, prefixed "DP-" and listed as unconfirmed; no other code takes the prefix,
    so a made-up code is never mistaken for the national database's."""
    local = content.get("local_code", False)
    if local not in (True, False):
        fail("local_code must be true or false")
    if local != content["code"].startswith(LOCAL_CODE_PREFIX):
        fail(f"a local code starts with {LOCAL_CODE_PREFIX!r} and only a local code does (local_code = true)")
    if local and "code" not in content.get("unconfirmed", []):
        fail("a local code is listed in 'unconfirmed'")


def _validate_effective_from(content: dict[str, Any], fail) -> None:
    """`effective_from`: the day the rules this version describes took effect (a TOML date)."""
    if "effective_from" in content and not isinstance(content["effective_from"], date):
        fail("effective_from must be a date, e.g. effective_from = 2026-03-31")


def _check_unique_keys(items: list[dict], name: str, fail) -> None:
    keys = [item.get("key") for item in items]
    if any(not isinstance(k, str) or not k.isidentifier() for k in keys) or len(set(keys)) != len(keys):
        fail(f"every entry of {name} needs a unique snake_case 'key'")


def _validate_document(document: dict, fail) -> None:
    if not document.get("name"):
        fail(f"document {document['key']} has no name")
    _check_choice(document.get("kind", ""), DOCUMENT_KINDS, f"document {document['key']} kind", fail)
    types = document.get("file_types", [])
    if not types or not set(types) <= FILE_TYPES:
        fail(f"document {document['key']}: file_types must be a non-empty subset of {sorted(FILE_TYPES)}")
    if not 1 <= int(document.get("max_files", 1)) <= 10:
        fail(f"document {document['key']}: max_files must be between 1 and 10")


def _validate_forms(content: dict[str, Any], fail) -> None:
    """`[[forms]]`: the prescribed form (mẫu) of a document, with its number and the legal basis that
    issues it, one of the procedure's legal bases; its blank template is drawn from the e-form's fields."""
    documents = {d["key"] for d in content["documents"]}
    named = [form.get("document") for form in content.get("forms", [])]
    if len(set(named)) != len(named):
        fail("two forms name the same document")
    for form in content.get("forms", []):
        if form.get("document") not in documents:
            fail(f"form {form.get('document')!r} must name one of the documents")
        if not isinstance(form.get("title"), str) or not form["title"].strip():
            fail(f"form {form['document']} has no title")
        if form.get("legal_basis") not in content["legal_bases"]:
            fail(f"form {form['document']}: legal_basis must be one of the procedure's legal_bases")
        if not isinstance(form.get("number", ""), str):
            fail(f'form {form["document"]}: number must be a string, e.g. "Mẫu số 01 Phụ lục I"')


def _validate_field(field: dict, fail) -> None:
    if not field.get("label"):
        fail(f"field {field['key']} has no label")
    _check_choice(field.get("type", ""), FIELD_TYPES, f"field {field['key']} type", fail)
    if field["key"] in RESERVED_FIELD_KEYS:
        fail(f"field key {field['key']!r} is reserved")
    if field["type"] == "choice" and not field.get("choices"):
        fail(f"field {field['key']} is a choice without choices")
    if "prefill" in field:
        _check_choice(field["prefill"], PREFILL_SOURCES, f"field {field['key']} prefill", fail)
        if field["type"] in ("table", "address", "choice"):
            fail(f"field {field['key']}: only a single-value field can be prefilled")
    if field["type"] == "table":
        columns = field.get("columns") or []
        if not columns:
            fail(f"table {field['key']} has no columns")
        _check_unique_keys(columns, f"table {field['key']} columns", fail)
        for column in columns:
            _check_choice(column.get("type", ""), COLUMN_TYPES, f"column {column['key']} type", fail)
            if column["type"] == "choice" and not column.get("choices"):
                fail(f"column {column['key']} is a choice without choices")


def content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def import_catalogue(directory: Path = CATALOGUE_DIR) -> ImportReport:
    """Validate every file first, then import them in one transaction: all or nothing."""
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise CatalogueError(f"no *.toml files in {directory}")
    loaded = [(path, load_file(path)) for path in files]
    codes = [content["code"] for _, content in loaded]
    if len(set(codes)) != len(codes):
        raise CatalogueError("two files declare the same procedure code")
    report = ImportReport([], [], [])
    with write():
        for path, content in loaded:
            _import_one(path.name, content, report)
        if report.created or report.updated:
            audit.record(
                "config.catalogue_imported", details={"created": report.created, "updated": report.updated}
            )
    if report.created or report.updated:
        public_cache.clear()  # the catalogue pages and the API show the new versions from now on
    return report


def _import_one(source: str, content: dict[str, Any], report: ImportReport) -> None:
    digest = content_hash(content)
    procedure = db.session.scalar(db.select(Procedure).where(Procedure.code == content["code"]))
    if procedure is None:
        procedure = Procedure(code=content["code"])
        db.session.add(procedure)
        db.session.flush()
        report.created.append(content["code"])
    elif procedure.current_version and procedure.current_version.content_hash == digest:
        report.unchanged.append(content["code"])
        return
    else:
        report.updated.append(content["code"])
    version = ProcedureVersion(
        procedure_id=procedure.id,
        number=len(procedure.versions) + 1,
        content=content,
        content_hash=digest,
        name=content["name"],
        field=content["field"],
        processing_days=content["processing_days"],
        fee=content["fee"],
        applicants=",".join(sorted(content["applicants"])),
        search_text=fold(" ".join([content["code"], content["name"], content["field"], content["agency"]]))[
            :2000
        ],
        source_file=source,
    )
    db.session.add(version)
    db.session.flush()
    procedure.current_version_id = version.id


DOCUMENT_KINDS_VI = {"original": "Bản chính", "copy": "Bản sao", "certified_copy": "Bản sao chứng thực"}
RESULT_TYPES_VI = {
    "decision": "Quyết định",
    "certificate": "Giấy chứng nhận",
    "licence": "Giấy phép",
    "written_answer": "Văn bản trả lời",
}
APPLICANTS_VI = {"person": "Cá nhân", "organisation": "Tổ chức"}
