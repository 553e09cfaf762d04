"""The VNeID login's pages: the start (to VNeID), the callback, and the consent a new citizen gives
before an account is made for them. Every refusal is a 4xx page in Vietnamese, and in the audit log."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from service.access import ANYONE, allow
from service.accounts import sessions, vneid, vneid_accounts
from service.accounts.forms import VneidConsentForm
from service.accounts.roles import Role
from service.accounts.views import login_limit, safe_next
from service.accounts.vneid import Citizen, VneidRefused
from service.extensions import limiter

bp = Blueprint("vneid", __name__, url_prefix="/account/vneid")
INTENT = "vneid_intent"  # what the round trip to VNeID is for: a login (and where to) or a link
PENDING = "vneid_pending"  # a verified person no account holds, waiting for their consent
PENDING_SECONDS = 600


@bp.route("/login")
@allow(ANYONE)
@limiter.limit(login_limit)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.dashboard"))
    return _to_vneid({"purpose": "login", "next": safe_next(url_for("home.dashboard"))})


@bp.route("/link", methods=["POST"])
@allow(Role.CITIZEN)
@limiter.limit(login_limit)
def link():
    return _to_vneid({"purpose": "link", "user": current_user.id})


@bp.route("/callback")
@allow(ANYONE)
@limiter.limit(login_limit)
def callback():
    intent = session.pop(INTENT, None) or {}
    citizen = None
    try:
        citizen = vneid.finish()
        if intent.get("purpose") == "link":
            return _linked(intent, citizen)
        user = vneid_accounts.sign_in(citizen)
    except VneidRefused as refusal:
        return _refused(refusal, citizen)
    if user is None:
        session[PENDING] = {
            "citizen": _stored(citizen),
            "since": int(time.time()),
            "next": intent.get("next"),
        }
        return redirect(url_for("vneid.consent"))
    return _signed_in(user, intent.get("next"))


@bp.route("/consent", methods=["GET", "POST"])
@allow(ANYONE)
def consent():
    pending = _pending()
    if pending is None:
        return _refused(VneidRefused(vneid.MESSAGE_EXPIRED, "no pending VNeID person"), None)
    citizen = _restored(pending["citizen"])
    form = VneidConsentForm()
    if form.validate_on_submit():
        try:
            user = vneid_accounts.create_account(citizen, request.remote_addr)
        except VneidRefused as refusal:
            session.pop(PENDING, None)
            return _refused(refusal, citizen)
        return _signed_in(user, pending.get("next"))
    return render_template("accounts/vneid_consent.html", form=form, citizen=citizen)


def _to_vneid(intent: dict):
    if not vneid.configured():
        abort(404)
    try:
        response = vneid.authorize_redirect()
    except VneidRefused as refusal:
        return _refused(refusal, None)
    session[INTENT] = intent
    return response


def _linked(intent: dict, citizen: Citizen):
    if not current_user.is_authenticated or current_user.id != intent.get("user"):
        raise VneidRefused(vneid.MESSAGE_STATE, "link started by another session")
    vneid_accounts.link(current_user.id, citizen)
    flash("Đã liên kết tài khoản với VNeID: số định danh của bạn đã được xác thực.", "success")
    return redirect(url_for("accounts.profile"))


def _signed_in(user, next_url: str | None):
    sessions.begin(user)
    flash(f"Xin chào {user.display_name}. Bạn đã đăng nhập bằng VNeID.", "success")
    return redirect(next_url or url_for("home.dashboard"))


def _refused(refusal: VneidRefused, citizen: Citizen | None):
    vneid_accounts.refused(refusal, citizen)
    current_app.logger.info("VNeID login refused: %s", refusal.reason)
    page = render_template(
        "errors/error.html",
        code=refusal.status,
        title="Không đăng nhập được bằng VNeID",
        message=refusal.message,
    )
    return page, refusal.status


def _pending() -> dict | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    return pending


def _stored(citizen: Citizen) -> dict:
    """The verified person, in the signed session cookie for the few minutes the consent takes (their
    own data, in their own browser; the raw claims are not kept)."""
    data = asdict(citizen)
    data.pop("raw")
    data["birth_date"] = citizen.birth_date.isoformat() if citizen.birth_date else None
    return data


def _restored(data: dict) -> Citizen:
    born = data.get("birth_date")
    return Citizen(**{**data, "birth_date": date.fromisoformat(born) if born else None})
