"""Friendly Vietnamese error pages (JSON under /api/), never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, flash, g, jsonify, make_response, redirect, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from service.accounts import sessions
from service.dossiers.drafts import stash_posted_draft
from service.error_pages import error_response
from service.extensions import login_manager
from service.requests import is_our_origin
from service.uploads import StorageUnavailable

log = logging.getLogger(__name__)

CSRF_MESSAGE = (
    "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thực hiện lại thao tác."
)


def _back_to_attachments():
    """An oversized upload: say so on the attachments page, where nothing already attached is lost."""
    from flask import current_app, flash, redirect, url_for

    from service.text import format_megabytes

    limit = format_megabytes(current_app.config["MAX_FILE_BYTES"])
    flash(f"Tệp vượt quá dung lượng cho phép ({limit} cho mỗi tệp).", "error")
    return redirect(url_for("dossiers.attachments", dossier_id=request.view_args["dossier_id"]))


COMMITTED_MESSAGE = (
    "Thao tác của bạn đã được ghi nhận. Trang kết quả chưa hiển thị được do sự cố kỹ thuật; "
    "vui lòng xem lại thông tin, không cần thực hiện lại."
)


def _committed_anyway():
    """The step committed, then something failed while answering: say it was done, never "try again"."""
    if request.path.startswith("/api/"):
        return jsonify({"status": "accepted", "message": COMMITTED_MESSAGE}), 200
    flash(COMMITTED_MESSAGE, "warning")
    referrer = request.referrer or ""
    return redirect(referrer if _same_site(referrer) else url_for("home.index"), code=303)


def _storage_unavailable(error: StorageUnavailable):
    """A file could not be stored (disk full, read-only) and the feature did not say so itself: the
    step was not done. A form post goes back to its page with the reason; anything else gets a page
    asking to retry later (503, as the fault is ours and passes), never the generic 500."""
    from service.extensions import db

    log.error("File storage failed on %s %r: %s", request.method, request.path, error)
    db.session.rollback()
    back = request.referrer or ""
    if request.method == "POST" and not request.path.startswith("/api/") and _same_site(back):
        flash(StorageUnavailable.message, "error")
        return redirect(back, 303)
    response = make_response(error_response(503, StorageUnavailable.message))
    response.headers["Retry-After"] = "300"
    return response


def _same_site(url: str) -> bool:
    """Only our own pages are sent back to (the Referer header is the client's to write)."""
    return is_our_origin(url)


def _log_refusal(status: int, reason: str) -> None:
    """Refused access, a missing record (also someone else's, answered 404), a wrong method, a forged
    or expired form, throttling: one warning line with who and what (ASVS 4.0.3 7.1.3, 7.2.2, 14.5.1),
    never the body. %r keeps a line break in the path from forging a line."""
    from flask_login import current_user

    account = current_user.id if current_user and current_user.is_authenticated else "-"
    log.warning(
        "Refused %s %s %r: %s (account %s, address %s)",
        status,
        request.method,
        request.path,
        reason,
        account,
        request.remote_addr,
    )


def register_errorhandlers(app: Flask) -> None:
    login_manager.unauthorized_handler(unauthorized)
    app.register_error_handler(StorageUnavailable, _storage_unavailable)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        from service.dossiers.drafts import rescue_draft_after_csrf_failure

        rescued = rescue_draft_after_csrf_failure()
        if rescued is not None:
            return rescued
        _log_refusal(400, f"CSRF: {error.description}")
        return error_response(400, CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in (301, 302, 303, 307, 308):
            return error
        if error.code == 413 and request.endpoint == "dossiers.upload":
            return _back_to_attachments()
        message = getattr(error, "user_message", None)
        if error.code in (401, 403, 404, 405, 429):
            _log_refusal(error.code, error.name)
        return error_response(error.code or 500, message)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        # %r: a path may hold a decoded line break (%0A), which would start a forged log line.
        log.exception("Unhandled error on %s %r", request.method, request.path)
        from service.extensions import db

        db.session.rollback()
        if g.get("step_committed"):
            return _committed_anyway()
        return error_response(InternalServerError.code)


def unauthorized():
    """A page that needs a signed-in user: what was being posted is kept (a draft), then the login or
    the second step, and back."""
    if request.path.startswith("/api/"):
        return error_response(401)
    stash_posted_draft()
    if sessions.pending_user() is not None:  # half signed in: the second factor comes first
        flash("Vui lòng hoàn tất bước xác thực thứ hai để tiếp tục.", "info")
        return redirect(url_for("second_factor.verify"))
    if not sessions.has_expired():  # which said so already
        flash("Vui lòng đăng nhập để tiếp tục. Dữ liệu bạn đã lưu vẫn được giữ nguyên.", "info")
    target = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("accounts.login", next=target.rstrip("?")))
