"""The school's pages for the applications it decides (1.005144 at a public institution, LAW-2026 §2):
its list and one application with the decision form. For the school's own staff only (school_admin,
accountant); the school comes from the signed-in user, so another school's application is a 404."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.exceptions import NotFound
from wtforms.fields.choices import SelectChoice

from service.access import allow
from service.accounts.roles import Role
from service.dossiers import school_decisions
from service.dossiers.display import describe
from service.dossiers.forms import SchoolDecisionForm
from service.dossiers.operations import DossierError
from service.dossiers.queries import get_viewable
from service.money import format_money
from service.requests import database_int
from service.schools import exemption_rules
from workflows.states import DossierStatus

bp = Blueprint("school_applications", __name__, url_prefix="/school/applications")
STAFF = (Role.ACCOUNTANT, Role.SCHOOL_ADMIN)


@bp.route("")
@allow(*STAFF)
def index():
    return render_template(
        "schools/applications.html", applications=school_decisions.applications(current_user.school_id)
    )


@bp.route("/<int:dossier_id>", methods=["GET", "POST"])
@allow(*STAFF)
def detail(dossier_id: int):
    dossier = _held(dossier_id)
    form = _form(dossier)
    if form.validate_on_submit() and dossier.status == DossierStatus.SUBMITTED:
        try:
            applied = school_decisions.decide(
                dossier_id, current_user, _decision(form), _number(form.seen.data)
            )
        except DossierError as error:
            flash(error.message, "error")
            return _page(get_viewable(dossier_id, current_user), form, 422)
        flash(_outcome(applied), "success")
        return redirect(url_for("school_applications.detail", dossier_id=dossier_id))
    return _page(dossier, form, 422 if form.errors else 200)


def _held(dossier_id: int):
    dossier = get_viewable(dossier_id, current_user)  # 404 unless the user's school holds it
    if dossier.school_id is None:
        raise NotFound()
    return dossier


def _form(dossier) -> SchoolDecisionForm:
    form = SchoolDecisionForm()
    students = school_decisions.matching_students(dossier)
    form.student_id.choices = [
        SelectChoice(str(s.id), f"{s.code} – {s.full_name} ({s.date_of_birth:%d/%m/%Y})") for s in students
    ]
    rules = exemption_rules.current()
    categories = sorted(rules.categories.values(), key=lambda c: -(c.rate or 0))
    form.category.choices = [SelectChoice(c.code, f"{c.rate}% – {c.short} ({c.article})") for c in categories]
    return form


def _decision(form: SchoolDecisionForm) -> school_decisions.SchoolDecision:
    return school_decisions.SchoolDecision(
        decision=form.decision.data,
        student_id=_number(form.student_id.data),
        category=form.category.data,
        valid_from=form.valid_from.data,
        valid_to=form.valid_to.data,
        reason=form.reason.data or "",
    )


def _number(raw: str | None) -> int | None:
    try:
        return database_int(raw or "")
    except ValueError:
        return None


def _outcome(applied) -> str:
    if applied is None:
        return "Đã ghi quyết định không đồng ý; văn bản trả lời được gửi cho người nộp đơn."
    changed = "; ".join(
        f"{old.number} → {new.number}: còn phải nộp {format_money(new.total)}"
        for old, new in applied.replaced
    )
    left = "; ".join(f"{invoice.number}: {why}" for invoice, why in applied.left)
    message = f"Đã quyết định miễn, giảm {applied.exemption.percent}% học phí."
    message += (
        f" Thông báo thu được điều chỉnh: {changed}."
        if changed
        else " Chưa có thông báo thu nào cần điều chỉnh."
    )
    return message + (f" Chưa điều chỉnh: {left}." if left else "")


def _page(dossier, form: SchoolDecisionForm, status: int = 200):
    return render_template(
        "schools/application.html",
        dossier=dossier,
        form=form,
        entries=describe(dossier.procedure_version.fields, dossier.form_pairs),
    ), status
