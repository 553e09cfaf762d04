"""The public JSON API, version 1."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from service.access import ANYONE, allow
from service.cache import public_page
from service.divisions import ward_choices
from service.dossiers import queries as dossier_queries
from service.extensions import csrf, limiter, lookup_limit
from service.procedures import queries as procedure_queries
from service.procedures.models import Procedure
from service.timeutil import to_local
from workflows.states import EVENT_LABELS, STATUS_LABELS

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def procedure_json(procedure: Procedure, full: bool) -> dict:
    version = procedure.current_version
    content = version.content
    summary = {
        "code": procedure.code,
        "name": version.name,
        "field": version.field,
        "agency": content["agency"],
        "level": content.get("level", "province"),  # province or commune (LAW-2026 §3)
        "processing_days": version.processing_days,
        "fee": version.fee,
        "applicants": content["applicants"],
        "online_level": content.get("online_level", "full"),
        "version": version.number,
    }
    if not full:
        return summary
    documents = [
        {k: d.get(k) for k in ("key", "name", "kind", "required", "file_types", "max_files")}
        for d in content["documents"]
    ]
    return {
        **summary,
        "result_type": content["result_type"],
        "result_name": content["result_name"],
        "legal_bases": content["legal_bases"],
        "documents": documents,
        "form_fields": content["fields"],
        "workflow": content["workflow"],
    }


@bp.route("/procedures")
@allow(ANYONE)
@public_page
def procedures():
    found = procedure_queries.search(request.args.get("q", "")[:200])
    return jsonify({"procedures": [procedure_json(p, full=True) for p in found]})


@bp.route("/procedures/<code>")
@allow(ANYONE)
@public_page
def procedure(code: str):
    return jsonify(procedure_json(procedure_queries.get_published(code), full=True))


def _iso(value) -> str | None:
    return to_local(value).isoformat() if value else None


SECRET_HEADER = "X-Lookup-Secret"


@bp.route("/dossiers/<code>/status")
@allow(ANYONE)
@limiter.limit(lookup_limit)
def dossier_status(code: str):
    code = dossier_queries.normalise_code(code)
    if not dossier_queries.is_well_formed_code(code):
        abort(400)
    # The secret travels in a header (proxies log query strings: ASVS 8.3.1); `?secret=` still works
    # for clients written before it, and the response tells them it is deprecated.
    secret = request.headers.get(SECRET_HEADER) or request.args.get("secret", "")
    dossier = dossier_queries.lookup(code, secret[:20])
    if dossier is None:
        abort(404)
    version = dossier.procedure_version
    response = jsonify(
        {
            "code": dossier.code,
            "procedure": {"code": version.code, "name": version.name},
            "status": dossier.status,
            "status_label": STATUS_LABELS.get(dossier.status, dossier.status),
            "submitted_at": _iso(dossier.submitted_at),
            "processing_days": version.processing_days,
            "due_date": dossier.due_date.isoformat() if dossier.due_date else None,
            "timeline": [
                {
                    "at": _iso(e.at),
                    "event": e.event,
                    "label": EVENT_LABELS.get(e.event, e.event),
                    "status": e.to_status,
                }
                for e in dossier_queries.public_timeline(dossier)
            ],
        }
    )
    if not request.headers.get(SECRET_HEADER):  # RFC 9745: the query-string form is on its way out
        response.headers["Deprecation"] = "true"
        response.headers["Link"] = f'<{request.base_url}>; rel="alternate"; title="{SECRET_HEADER}"'
    return response


@bp.route("/divisions/<int:province_code>/wards")
@allow(ANYONE)
def wards(province_code: int):
    choices = ward_choices(province_code)
    if not choices:
        abort(404)
    return jsonify({"province": province_code, "wards": [{"code": c, "name": n} for c, n in choices]})
