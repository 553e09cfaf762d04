"""What the accountant watches: collection by term with its exports, and reconciliation against the
gateways' and the bank's statements."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from service.access import allow
from service.audit import operations as audit
from service.schools import reports, statements
from service.schools.access import current_school
from service.schools.views.base import STAFF, bp


@bp.route("/collection")
@allow(*STAFF)
def collection():
    school = current_school()
    term_id = request.args.get("term_id", type=int)
    terms = reports.terms_of(school.id)
    chosen = next((t for t in terms if t.id == term_id), terms[0] if terms else None)
    period = reports.Period.from_args(request.args)
    summary = reports.collection(school.id, chosen.id) if chosen else None
    export = request.args.get("format")
    if export == "arrears" and chosen:
        response = reports.xlsx_response("no-hoc-phi", *reports.arrears_sheet(summary.arrears))
        audit.record_view(
            None,
            "school.exported",
            {"export": "arrears", "term": chosen.code},
            object_type="schools",
            object_id=school.id,
        )
        return response
    if export == "payments":
        response = reports.xlsx_response(
            "thanh-toan", *reports.payments_sheet(reports.payments(school.id, period))
        )
        audit.record_view(
            None, "school.exported", {"export": "payments"}, object_type="schools", object_id=school.id
        )
        return response
    return render_template(
        "schools/collection.html",
        school=school,
        terms=terms,
        term=chosen,
        summary=summary,
        by_day=reports.payments_by_day(school.id, period),
        period=period,
    )


@bp.route("/reconciliation", methods=["GET", "POST"])
@allow(*STAFF)
def reconciliation():
    school = current_school()
    period = reports.Period.from_args(request.values)
    if request.method == "POST":
        imported = _import_statement(school.id)
        if imported is not None:
            flash(imported.message(), "success")
            return redirect(url_for("schools.reconciliation", **period.args()))
    return render_template(
        "schools/reconciliation.html",
        school=school,
        period=period,
        result=statements.reconcile(school.id, period),
        sources=statements.SOURCES,
        source_labels=statements.SOURCE_LABELS,
        shown_rows=statements.SHOWN_ROWS,
    ), (400 if request.method == "POST" else 200)


def _import_statement(school_id: int) -> statements.Imported | None:
    """What was imported, or None with the reason flashed."""
    upload = request.files.get("statement")
    source = request.form.get("source", "")
    if upload is None or not upload.filename:
        flash("Vui lòng chọn tệp sao kê (CSV).", "error")
    elif source not in statements.SOURCES:
        flash("Vui lòng chọn nguồn sao kê.", "error")
    else:
        data = upload.stream.read(current_app.config["STATEMENT_MAX_BYTES"] + 1)
        try:
            return statements.import_csv(school_id, source, data, current_user.id)
        except statements.StatementError as error:
            flash(str(error), "error")
    return None
