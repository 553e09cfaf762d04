"""Flask-Login wiring: the user of a request comes from a session that has not ended (sessions.py)."""

from flask import flash, redirect, request, url_for

from service.accounts import sessions
from service.accounts.models import User
from service.extensions import login_manager


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    return sessions.resume(session_id)


@login_manager.unauthorized_handler
def unauthorized():
    from service.dossiers.drafts import stash_posted_draft

    if request.path.startswith("/api/"):
        from service.errors import error_response

        return error_response(401)
    stash_posted_draft()
    if sessions.pending_user() is not None:  # half signed in: the second factor comes first
        flash("Vui lòng hoàn tất bước xác thực thứ hai để tiếp tục.", "info")
        return redirect(url_for("second_factor.verify"))
    if not sessions.has_expired():  # which said so already
        flash("Vui lòng đăng nhập để tiếp tục. Dữ liệu bạn đã lưu vẫn được giữ nguyên.", "info")
    target = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("accounts.login", next=target.rstrip("?")))
