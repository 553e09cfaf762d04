"""The national portal's ways in: the stable address it downloads a result from (the token alone, no
login), and the intake of dossiers filed on it (authenticated by the configured key)."""

from __future__ import annotations

import hmac

from flask import Blueprint, abort, current_app, jsonify, request

from service import uploads
from service.access import ANYONE, allow
from service.downloads import send_attachment
from service.extensions import csrf
from service.nationalportal import intake, queries

bp = Blueprint("nationalportal", __name__)


@bp.route("/national-portal/results/<token>")
@allow(ANYONE)
def result_file(token: str):
    """DuongDanTepTinKetQua: the signed PDF as issued; a revoked result is gone (410)."""
    document = queries.result_by_token(token)
    if document is None:
        abort(404)
    if document.status == "revoked":
        abort(410)
    return send_attachment(uploads.read(document.stored_name), "application/pdf", f"{document.kind}.pdf")


@bp.route("/api/national-portal/dossiers", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def receive_dossier():
    """A dossier filed on the national portal, pushed to us (OCPS createdossierfromdvcqg's shape):
    answered `{"error_code": "0"|"-1", "message"}` as the portal's own API answers."""
    key = current_app.config["NATIONAL_PORTAL_INBOUND_KEY"]
    given = request.headers.get("X-Api-Key", "")
    if not key or not hmac.compare_digest(given.encode(), key.encode()):
        return jsonify(error_code="-1", message="Khóa xác thực không hợp lệ."), 401
    body = request.get_json(silent=True)
    try:
        dossier, created = intake.take_in(body)
    except intake.Refused as refusal:
        return jsonify(error_code="-1", message=str(refusal)), 400
    message = "Đã tiếp nhận hồ sơ." if created else "Hồ sơ đã tồn tại."
    return jsonify(error_code="0", message=message, MaHoSo=dossier.code)
