"""Home page, the signed-in dashboard, the public status lookup and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from service import readiness
from service.access import ANYONE, SIGNED_IN, allow
from service.accounts.roles import APPLICANT_ROLES, DOSSIER_ROLES, Role
from service.cache import public_page
from service.dossiers import queries as dossier_queries
from service.dossiers.lookup_form import LookupForm
from service.extensions import csrf, db, limiter, lookup_limit
from service.postal import queries as postal_queries
from service.procedures import queries as procedure_queries

bp = Blueprint("home", __name__)


@bp.route("/")
@allow(ANYONE)
@public_page
def index():
    return render_template("home/index.html", procedures=procedure_queries.search()[:6])


@bp.route("/dashboard")
@allow(SIGNED_IN)
def dashboard():
    if current_user.role in APPLICANT_ROLES:
        return redirect(url_for("dossiers.mine"))
    if current_user.role in DOSSIER_ROLES:
        return redirect(url_for("backoffice.worklist"))
    if current_user.role == Role.ADMIN:
        return redirect(url_for("admin.users"))
    if current_user.school_id is not None:  # a school's accountant or administrator: its day's work
        return redirect(url_for("schools.home"))
    if current_user.role == Role.ACCOUNTANT:  # the agency's: payments to review first
        return redirect(url_for("payments.review_queue"))
    return render_template("home/dashboard.html")


@bp.route("/lookup", methods=["GET", "POST"])
@allow(ANYONE)
@limiter.limit(lookup_limit, methods=["POST"])
def lookup():
    form = LookupForm()
    dossier = None
    if form.validate_on_submit():
        dossier = dossier_queries.lookup(form.code.data, form.secret.data)
        if dossier is None:
            form.secret.errors.append(
                "Không tìm thấy hồ sơ với mã và mã tra cứu (hoặc số điện thoại) đã nhập."
            )
    return render_template(
        "lookup/lookup.html",
        form=form,
        dossier=dossier,
        timeline=dossier_queries.public_timeline(dossier) if dossier else [],
        tracking=postal_queries.tracking_number(dossier.id) if dossier else None,
    )


@bp.route("/healthz")
@allow(ANYONE)
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))  # the request's end closes this read-only transaction
    except Exception as error:  # noqa: BLE001  the health check reports any database failure
        current_app.logger.error("Health check failed: %s", error)
        return jsonify({"status": "error", "database": "unavailable"}), 503
    return jsonify({"status": "ok", "database": db.engine.dialect.name})


@bp.route("/readyz")
@allow(ANYONE)
@csrf.exempt
@limiter.limit("120 per minute")  # a load balancer asks every few seconds; each answer writes a probe
def readyz():
    """For the load balancer: 200 when every part this host needs answers, 503 naming those that do not.
    The reasons stay in the log; the answer says only which part failed."""
    ready, parts = readiness.report()
    shown = {name: ("ok" if state == "ok" else "unavailable") for name, state in parts.items()}
    return jsonify({"status": "ready" if ready else "unavailable", "checks": shown}), (200 if ready else 503)
