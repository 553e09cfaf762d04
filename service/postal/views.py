"""Results by post: the desk's request to send a dossier's result by post, and the carrier's status
callback (a machine caller: CSRF-exempt, checked by its signature, its age and its novelty)."""

from __future__ import annotations

import json
import logging
import time

from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user

from service.access import ANYONE, allow
from service.accounts.roles import Role
from service.dossiers import queries as dossier_queries
from service.dossiers.page import dossier_page
from service.extensions import csrf
from service.postal import operations, protocol, settings

bp = Blueprint("postal", __name__)
log = logging.getLogger(__name__)


@bp.route("/officials/dossiers/<int:dossier_id>/shipments", methods=["POST"])
@allow(Role.RECEPTION)
def request_shipment(dossier_id: int):
    dossier = dossier_queries.get_viewable(dossier_id, current_user)
    try:
        operations.request_shipment(dossier.id, current_user, request.form.get("version", type=int))
    except operations.PostalError as error:
        flash(error.message, "error")
        return dossier_page(dossier_queries.get_viewable(dossier_id, current_user)), error.status
    flash(
        "Đã gửi yêu cầu cho bưu điện; số hiệu bưu gửi hiện trên trang hồ sơ khi bưu điện nhận đơn.", "success"
    )
    return redirect(url_for("dossiers.detail", dossier_id=dossier_id, _anchor="post"))


@bp.route("/api/postal/status", methods=["POST"])
@allow(ANYONE)
@csrf.exempt
def status_callback():
    """The carrier's status: 401 unsigned or badly signed, 400 malformed or too old, 404 an unknown
    tracking number, 409 the same message again (a replay); a repeated status in a new message: 200."""
    config = current_app.config
    secret, body = settings.callback_secret(config), request.get_data()
    if not secret:
        return _refused(404, "Chưa bật nhận thông báo trạng thái bưu gửi.")
    signature = request.headers.get(config["POSTAL_CALLBACK_SIGNATURE_HEADER"], "")
    if not protocol.signature_valid(secret, body, signature):
        return _refused(401, "Chữ ký không hợp lệ.")
    try:
        data = json.loads(body)
        report = protocol.parse_status(data)
        _fresh(data, config["POSTAL_CALLBACK_MAX_AGE"])
        outcome = operations.record_callback(report, signature.strip().lower(), body.decode())
    except (ValueError, protocol.ProtocolError) as error:
        return _refused(400, str(error))
    except operations.PostalError as error:
        return _refused(error.status, error.message)
    return jsonify(Status="100", Message="Đã nhận.", Result=outcome.result)


def _fresh(data: dict, max_age: int) -> None:
    """A signed message is good for `max_age` seconds: an old one resent is a replay."""
    try:
        sent = int(data.get("Timestamp"))
    except (TypeError, ValueError) as error:
        raise protocol.ProtocolError("Thiếu Timestamp.") from error
    if abs(time.time() - sent) > max_age:
        raise protocol.ProtocolError("Thông báo đã quá hạn (Timestamp).")


def _refused(status: int, message: str):
    log.warning("Postal callback refused (%s): %s from %s", status, message, request.remote_addr)
    return jsonify(Status=str(status), Message=message), status
