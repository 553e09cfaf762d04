"""Periodic reporting: institutions see their pending reports, fill the form or upload the Excel file,
save drafts and submit (`/school/reports`); the agency opens rounds, sees who submitted, accepts or
returns with comments, and exports the consolidated table (`/officials/reports`)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from service.access import allow
from service.accounts.roles import Role
from service.extensions import db
from service.reporting import operations, queries, templates
from service.reporting.models import SUBMISSION_LABELS, ReportRound
from service.requests import database_int
from service.schools.access import current_school
from service.schools.queries import all_schools
from service.timeutil import local_today

bp = Blueprint("reporting", __name__)
SCHOOL_STAFF = (Role.SCHOOL_ADMIN, Role.ACCOUNTANT)
AGENCY = (Role.LEADER, Role.SPECIALIST, Role.ADMIN)


@bp.app_context_processor
def reporting_labels():
    return {"submission_labels": SUBMISSION_LABELS, "report_templates": templates.templates()}


# ---------------------------------------------------------------- institutions


@bp.route("/school/reports")
@allow(*SCHOOL_STAFF)
def school_reports():
    school = current_school()
    return render_template(
        "reporting/school_list.html",
        school=school,
        rounds=queries.rounds(),
        submissions=queries.submissions_of_school(school.id),
        today=local_today(),
    )


def _round(round_id: int) -> ReportRound:
    report_round = db.session.get(ReportRound, round_id)
    if report_round is None:
        abort(404)
    return report_round


@bp.route("/school/reports/<int:round_id>", methods=["GET", "POST"])
@allow(*SCHOOL_STAFF)
def school_report(round_id: int):
    school, report_round = current_school(), _round(round_id)
    template = templates.templates()[report_round.template_code]
    problems: list[templates.Problem] = []
    entered = None
    if request.method == "POST":
        final = request.form.get("action") == "submit"
        fields, rows, problems = _entered(template, report_round, school)
        entered = {"fields": fields, "rows": rows}
        if not problems:
            try:
                saved, problems = operations.save(
                    report_round.id,
                    school.id,
                    current_user,
                    fields,
                    rows,
                    final,
                    request.form.get("version", type=database_int),
                )
            except operations.ReportError as error:
                flash(str(error), "error")
                return redirect(url_for("reporting.school_report", round_id=report_round.id))
            if saved is not None and not problems:
                flash("Đã nộp báo cáo; cơ quan sẽ xem xét." if final else "Đã lưu bản nháp.", "success")
                return redirect(url_for("reporting.school_report", round_id=report_round.id))
            if saved is not None:
                flash("Đã lưu bản nháp các nội dung hợp lệ; còn lỗi cần sửa trước khi nộp.", "error")
    submission = operations.submission_for(report_round.id, school.id)
    values = entered or (submission.data if submission else {"fields": {}, "rows": []})
    return render_template(
        "reporting/school_form.html",
        school=school,
        report_round=report_round,
        template=template,
        submission=submission,
        problems=problems,
        values=values,
        rows=list(values.get("rows") or []) + [{}] * 3,
    ), (400 if problems else 200)


def _entered(template, report_round: ReportRound, school) -> tuple[dict, list[dict], list[templates.Problem]]:
    """What the institution sent: the uploaded Excel file, or the form's fields and table rows."""
    upload = request.files.get("file")
    if not (upload and upload.filename):
        fields = {c.key: request.form.get(f"field-{c.key}") for c in template.fields}
        count = min(request.form.get("row_count", 0, type=int) or 0, templates.MAX_TABLE_ROWS)
        rows = [{c.key: request.form.get(f"row-{n}-{c.key}") for c in template.columns} for n in range(count)]
        return fields, rows, []
    limit = current_app.config["STUDENT_IMPORT_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        return {}, [], [templates.Problem("Tệp", f"tệp quá lớn (tối đa {max(limit // (1024 * 1024), 1)} MB)")]
    return templates.read_excel(template, data, report_round.code, school.code)


@bp.route("/school/reports/<int:round_id>/template.xlsx")
@allow(*SCHOOL_STAFF)
def school_report_excel(round_id: int):
    school, report_round = current_school(), _round(round_id)
    template = templates.templates()[report_round.template_code]
    submission = operations.submission_for(report_round.id, school.id)
    data = templates.excel_template(
        template, report_round.code, school.code, submission.data if submission else None
    )
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f"attachment; filename=bao-cao-{report_round.code}-{school.code}.xlsx"
        },
    )


# ---------------------------------------------------------------- the agency


@bp.route("/officials/reports", methods=["GET", "POST"])
@allow(*AGENCY)
def rounds():
    if request.method == "POST":
        if current_user.role not in (Role.LEADER, Role.ADMIN):
            abort(403)
        try:
            operations.open_round(
                request.form.get("template_code", ""),
                (request.form.get("period") or "").strip()[:10],
                current_user.id,
            )
        except (operations.ReportError, templates.TemplateError) as error:
            flash(str(error), "error")
        else:
            flash("Đã mở đợt báo cáo.", "success")
        return redirect(url_for("reporting.rounds"))
    return render_template(
        "reporting/rounds.html",
        rounds=queries.rounds(),
        counts=queries.submitted_counts(),
        schools=queries.school_count(),
    )


@bp.route("/officials/reports/<int:round_id>")
@allow(*AGENCY)
def round_detail(round_id: int):
    report_round = _round(round_id)
    template = templates.templates()[report_round.template_code]
    schools = all_schools()
    submissions = queries.submissions_of_round(report_round.id)
    accepted = [s.data for s in submissions.values() if s.status == "accepted"]
    totals, table = templates.aggregate(template, accepted)
    if request.args.get("format") == "xlsx":
        return _consolidated_xlsx(report_round, template, totals, table, len(accepted))
    return render_template(
        "reporting/round.html",
        report_round=report_round,
        template=template,
        schools=schools,
        submissions=submissions,
        totals=totals,
        table=table,
        accepted=len(accepted),
        today=local_today(),
    )


@bp.route("/officials/reports/submissions/<int:submission_id>", methods=["GET", "POST"])
@allow(*AGENCY)
def submission(submission_id: int):
    record = queries.submission(submission_id)
    if record is None or record.status == "draft":
        abort(404)  # a draft is the institution's own until submitted
    if request.method == "POST":
        try:
            operations.review(
                record.id,
                current_user,
                request.form.get("decision") == "accept",
                request.form.get("comment", ""),
            )
        except operations.ReportError as error:
            flash(str(error), "error")
        else:
            flash("Đã ghi nhận kết quả duyệt.", "success")
        return redirect(url_for("reporting.submission", submission_id=record.id))
    template = templates.templates()[record.round.template_code]
    return render_template("reporting/submission.html", submission=record, template=template)


def _consolidated_xlsx(report_round, template, totals, table, accepted: int):
    from service.schools.reports import xlsx_response

    header = ["Nội dung", "Tổng hợp"]
    rows = [[c.label, totals.get(c.key)] for c in template.fields if c.type == "integer"]
    rows.append([f"Số cơ sở có báo cáo được chấp nhận: {accepted}", None])
    if template.columns:
        rows.append([None, None])
        rows.append([c.label for c in template.columns])
        rows.extend([[r.get(c.key) for c in template.columns] for r in table])
    return xlsx_response(f"tong-hop-{report_round.code}", "Tổng hợp", header, rows)
