"""The official's second step after the password: enrolment at the first login, the code at every login,
and new recovery codes from the profile. The half-login between the password and the code lives in the
session (sessions.begin_pending); these pages are the only ones it opens."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from config import DEMO_TOTP_SECRET
from service.access import ANYONE, allow
from service.accounts import sessions, totp, twofactor
from service.accounts.forms import EnrolmentForm, RegenerateRecoveryCodesForm, SecondStepForm
from service.accounts.models import User
from service.accounts.roles import OFFICIAL_ROLES
from service.accounts.views import login_limit
from service.extensions import limiter

bp = Blueprint("second_factor", __name__, url_prefix="/account/two-factor")
FEW_RECOVERY_CODES = 3


@bp.route("", methods=["GET", "POST"])
@allow(ANYONE)
@limiter.limit(login_limit, methods=["POST"])
def verify():
    user = sessions.pending_user()
    if user is None:
        return _start_again()
    if not twofactor.has_factor(user.id):
        return redirect(url_for(".enrol"))
    form, status = SecondStepForm(), 200
    if form.validate_on_submit():
        try:
            passed = twofactor.pass_second_step(user.id, form.code.data)
        except twofactor.TwoFactorError as error:
            form.code.errors.append(error.message)
            status = error.status
        else:
            return _signed_in(passed.user, passed.recovery_codes_left)
    page = render_template("accounts/second_step.html", form=form, email=user.email, demo=_demo_hint(user))
    return page, 400 if form.errors and status == 200 else status


@bp.route("/enrol", methods=["GET", "POST"])
@allow(ANYONE)
@limiter.limit(login_limit, methods=["POST"])
def enrol():
    user = sessions.pending_user()
    if user is None:
        return _start_again()
    if twofactor.has_factor(user.id):
        return redirect(url_for(".verify"))
    secret = twofactor.enrolment_secret(user.id)
    form, status = EnrolmentForm(), 200
    if form.validate_on_submit():
        try:
            user, codes = twofactor.confirm_enrolment(user.id, form.code.data)
        except twofactor.TwoFactorError as error:
            form.code.errors.append(error.message)
            status = error.status
        else:
            target = sessions.pending_next()
            sessions.begin(user, second_factor=True)
            flash(f"Xin chào {user.display_name}. Đã bật xác thực hai bước cho tài khoản.", "success")
            return render_template("accounts/recovery_codes.html", codes=codes, continue_url=target)
    page = render_template(
        "accounts/enrol.html",
        form=form,
        email=user.email,
        issuer=current_app.config["TWO_FACTOR_ISSUER"],
        secret=totp.grouped(secret),
        qr=totp.qr_svg(totp.provisioning_uri(secret, user.email)),
    )
    return page, 400 if form.errors and status == 200 else status


@bp.route("/cancel", methods=["POST"])
@allow(ANYONE)
def cancel():
    sessions.drop_pending()
    return redirect(url_for("accounts.login"))


@bp.route("/recovery-codes", methods=["GET", "POST"])
@allow(*OFFICIAL_ROLES)
@limiter.limit(login_limit, methods=["POST"])
def recovery_codes():
    form, status = RegenerateRecoveryCodesForm(), 200
    if form.validate_on_submit():
        try:
            codes = twofactor.regenerate_recovery_codes(current_user.id, form.code.data)
        except twofactor.TwoFactorError as error:
            form.code.errors.append(error.message)
            status = error.status
        else:
            flash("Đã tạo mã khôi phục mới; các mã cũ không còn dùng được.", "success")
            return render_template(
                "accounts/recovery_codes.html", codes=codes, continue_url=url_for("accounts.profile")
            )
    page = render_template(
        "accounts/regenerate_codes.html", form=form, status=twofactor.status(current_user.id)
    )
    return page, 400 if form.errors and status == 200 else status


def _signed_in(user: User, recovery_codes_left: int | None):
    target = sessions.pending_next()
    sessions.begin(user, second_factor=True)
    flash(f"Xin chào {user.display_name}.", "success")
    if recovery_codes_left is not None:
        advice = (
            " Hãy tạo mã mới ở trang Thông tin tài khoản." if recovery_codes_left < FEW_RECOVERY_CODES else ""
        )
        flash(f"Bạn vừa dùng một mã khôi phục; còn {recovery_codes_left} mã chưa dùng.{advice}", "warning")
    return redirect(target)


def _start_again():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    flash("Phiên đăng nhập chưa hoàn tất đã hết hạn. Vui lòng nhập lại email và mật khẩu.", "info")
    return redirect(url_for("accounts.login"))


def _demo_hint(user: User) -> dict | None:
    """In development only, for the demo's accounts: their published secret and a code the login will
    accept, so that a person trying the demo needs no authenticator app."""
    code = twofactor.demo_code(user.id)
    if code is None:
        return None
    return {
        "secret": totp.grouped(DEMO_TOTP_SECRET),
        "code": code,
        "qr": totp.qr_svg(totp.provisioning_uri(DEMO_TOTP_SECRET, user.email)),
    }
