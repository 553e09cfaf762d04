"""The school's overview, its classes and students, and a student's exemptions."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from service import uploads
from service.access import allow
from service.audit import operations as audit
from service.downloads import send_upload
from service.requests import database_int
from service.schools import exemption_rules, fees, operations, queries
from service.schools.access import current_school, owned
from service.schools.forms import ClassForm, ExemptionForm, ReasonForm
from service.schools.models import Exemption, Student
from service.schools.reports import classes_of
from service.schools.views.base import STAFF, bp

EVIDENCE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


@bp.route("/")
@allow(*STAFF)
def home():
    school = current_school()
    return render_template(
        "schools/home.html",
        school=school,
        counts=queries.counts(school.id),
        today=queries.today(school.id),
        due_soon_days=queries.DUE_SOON_DAYS,
    )


@bp.route("/classes", methods=["GET", "POST"])
@allow(*STAFF)
def classes():
    school = current_school()
    form = ClassForm()
    if form.validate_on_submit():
        if operations.add_class(
            school.id, form.code.data, form.name.data, form.programme.data, form.level.data
        ):
            flash(f"Đã thêm lớp {form.code.data}.", "success")
            return redirect(url_for("schools.classes"))
        form.code.errors.append("Trường đã có lớp mang mã này.")
    rows = queries.classes_with_sizes(school.id)
    return render_template("schools/classes.html", form=form, rows=rows, school=school)


@bp.route("/students")
@allow(*STAFF)
def students():
    school = current_school()
    query = (request.args.get("q") or "").strip()[:100]
    class_id = request.args.get("class_id", type=database_int)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 10_000)
    found, more = queries.find_students(school.id, query, class_id, page)
    return render_template(
        "schools/students.html",
        students=found,
        more=more,
        page=page,
        q=query,
        class_id=class_id,
        classes=classes_of(school.id),
        school=school,
    )


@bp.route("/students/<int:student_id>")
@allow(*STAFF)
def student(student_id: int):
    return _student_page(owned(Student, student_id), ExemptionForm(rules=exemption_rules.current()))


@bp.route("/students/<int:student_id>/exemptions", methods=["POST"])
@allow(*STAFF)
def add_exemption(student_id: int):
    school, record = current_school(), owned(Student, student_id)
    form = ExemptionForm(rules=exemption_rules.current())
    if form.validate_on_submit():
        upload = form.evidence.data
        data = upload.stream.read(current_app.config["MAX_FILE_BYTES"] + 1) if upload else b""
        if len(data) > current_app.config["MAX_FILE_BYTES"]:
            form.evidence.errors.append("Tệp minh chứng quá lớn.")
        else:
            try:
                fees.add_exemption(
                    school.id,
                    record,
                    current_user.id,
                    (upload.filename, data) if upload else None,
                    category=form.category.data,
                    percent=form.percent.data,
                    basis=form.basis.data,
                    valid_from=form.valid_from.data,
                    valid_to=form.valid_to.data,
                )
            except fees.FeeError as error:
                form.evidence.errors.append(str(error))
            else:
                flash("Đã thêm miễn, giảm học phí.", "success")
                return redirect(url_for("schools.student", student_id=record.id))
    return _student_page(record, form), 400


@bp.route("/exemptions/<int:exemption_id>/revoke", methods=["POST"])
@allow(*STAFF)
def revoke_exemption(exemption_id: int):
    record = owned(Exemption, exemption_id)
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            fees.revoke_exemption(record.id, current_user.id, form.reason.data)
        except fees.FeeError as error:
            form.reason.errors.append(str(error))
        else:
            flash("Đã thu hồi miễn, giảm học phí.", "success")
            return redirect(url_for("schools.student", student_id=record.student_id))
    return _student_page(
        record.student, ExemptionForm(rules=exemption_rules.current()), (record.id, form)
    ), 400


def _student_page(record: Student, exemption_form, revoking=None):
    found = queries.student_records(record.id)
    page = render_template(
        "schools/student.html",
        student=record,
        exemptions=found.exemptions,
        invoices=found.invoices,
        school=current_school(),
        paid=found.paid,
        exemption_form=exemption_form,
        revoking=revoking,
        judged=queries.exemption_rulings(found.exemptions),
        rules=exemption_form.rules,
    )
    audit.record_view(record, "school.student_viewed", details={"code": record.code})
    return page


@bp.route("/exemptions/<int:exemption_id>/evidence")
@allow(*STAFF)
def exemption_evidence(exemption_id: int):
    record = owned(Exemption, exemption_id)
    audit.record_view(record, "school.evidence_viewed", details={"file": record.evidence_name})
    extension = record.evidence_stored.rsplit(".", 1)[-1]
    mimetype = EVIDENCE_TYPES.get(extension, "application/octet-stream")
    return send_upload(uploads.read(record.evidence_stored), mimetype, record.evidence_name, f".{extension}")
