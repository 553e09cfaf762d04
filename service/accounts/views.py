"""Registration, email confirmation, login, password reset and profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from service.access import ANYONE, SIGNED_IN, allow
from service.accounts import operations, sessions, tokens, twofactor, vneid
from service.accounts.emails import send_account_link
from service.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResendConfirmationForm,
    ResetPasswordForm,
)
from service.accounts.roles import Role
from service.error_pages import error_response
from service.extensions import limiter

bp = Blueprint("accounts", __name__, url_prefix="/account")


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def safe_next(default: str) -> str:
    """Only a path on this site: browsers drop tabs and newlines, so "/\t/evil.example" would leave it."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
        and all(ch.isprintable() and not ch.isspace() and ch != "\\" for ch in target)
    ):
        return target
    return default


@bp.route("/register", methods=["GET", "POST"])
@allow(ANYONE)
def register():
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            operations.register(form.data, request.remote_addr)
        except operations.TooManyRegistrations as refusal:
            response = make_response(error_response(429, refusal.message))
            response.headers["Retry-After"] = str(refusal.minutes * 60)
            return response
        except operations.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            # The same page whether the email had an account or not (operations.register).
            return render_template("accounts/registered.html", email=form.email.data)
    return render_template("accounts/register.html", form=form)


@bp.route("/privacy")
@allow(ANYONE)
def privacy():
    return render_template("accounts/privacy.html", version=current_app.config["PRIVACY_NOTICE_VERSION"])


@bp.route("/confirm/<token>")
@allow(ANYONE)
def confirm(token: str):
    user = operations.confirm_email(token)
    if user is None:
        flash("Liên kết xác nhận không hợp lệ hoặc đã hết hạn. Vui lòng yêu cầu gửi lại.", "error")
        return redirect(url_for("accounts.resend_confirmation"))
    flash("Email đã được xác nhận. Bạn có thể đăng nhập.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/resend-confirmation", methods=["GET", "POST"])
@allow(ANYONE)
@limiter.limit(login_limit, methods=["POST"])
def resend_confirmation():
    form = ResendConfirmationForm()
    if form.validate_on_submit():
        user = operations.find_by_email(form.email.data)
        if user is not None and user.email_confirmed_at is None:
            send_account_link(user, "activate_account")  # sets the password: see LINKS
        # The same answer whether or not the address has an account: no account enumeration.
        flash("Nếu email đã đăng ký và chưa xác nhận, thư xác nhận mới đã được gửi.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/email_form.html", form=form, title="Gửi lại thư xác nhận email")


@bp.route("/login", methods=["GET", "POST"])
@allow(ANYONE)
@limiter.limit(login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user, problem = operations.authenticate(form.email.data, form.password.data, request.remote_addr)
        if user is not None and twofactor.required(user):
            # Not signed in yet: the second factor is asked for (or enrolled) first.
            sessions.begin_pending(user, safe_next(url_for("home.dashboard")))
            return redirect(url_for("second_factor.verify"))
        if user is not None:
            sessions.begin(user)
            flash(f"Xin chào {user.display_name}.", "success")
            return redirect(safe_next(url_for("home.dashboard")))
        form.password.errors.append(problem)
    return render_template("accounts/login.html", form=form, vneid=vneid.configured())


@bp.route("/logout", methods=["POST"])
@allow(SIGNED_IN)
def logout():
    operations.end_sessions(current_user.id)
    sessions.end()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("home.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@allow(ANYONE)
@limiter.limit(login_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = operations.find_by_email(form.email.data)
        if user is not None and user.is_active_account:
            send_account_link(user, "reset_password")
        flash("Nếu email đã đăng ký, hướng dẫn đặt lại mật khẩu đã được gửi đến hộp thư của bạn.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/email_form.html", form=form, title="Quên mật khẩu")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@allow(ANYONE)
def reset_password(token: str):
    if tokens.peek_token(token, tokens.RESET_PASSWORD) is None:
        flash("Liên kết đặt lại mật khẩu không hợp lệ, đã được dùng hoặc đã hết hạn.", "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = operations.reset_password(token, form.password.data)
        except operations.AccountError as error:
            form.password.errors.append(error.message)  # the policy, with the account's own details
        else:
            if user is None:
                flash("Liên kết đặt lại mật khẩu không hợp lệ, đã được dùng hoặc đã hết hạn.", "error")
                return redirect(url_for("accounts.forgot_password"))
            flash("Mật khẩu đã được đặt lại. Vui lòng đăng nhập.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@allow(SIGNED_IN)
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        operations.update_profile(current_user, form.data)
        flash("Đã cập nhật thông tin tài khoản.", "success")
        return redirect(url_for("accounts.profile"))
    return render_template(
        "accounts/profile.html",
        form=form,
        is_organisation=current_user.role == Role.ORGANISATION,
        second_factor=twofactor.status(current_user.id) if twofactor.required(current_user) else None,
        vneid=vneid.configured() and current_user.role == Role.CITIZEN,
    )


@bp.route("/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = operations.change_password(current_user, form.current_password.data, form.password.data)
        except operations.AccountError as error:
            getattr(form, error.field).errors.append(error.message)
        else:
            sessions.begin(user)  # every other browser is signed out; this one goes on, afresh
            flash("Đã đổi mật khẩu. Các phiên đăng nhập trên thiết bị khác đã kết thúc.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form)
