"""Terms, fee items and schedules, and the bulk invoicing of a term with its progress."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.base import options
from service.access import allow
from service.schools import exemption_rules, fees, invoicing, operations, queries, runs, tasks
from service.schools.access import current_school, owned
from service.schools.forms import FeeItemForm, ScheduleForm, TermForm
from service.schools.models import InvoiceRun, Term
from service.schools.reports import terms_of
from service.schools.views.base import STAFF, bp, progress_json


@bp.route("/fees", methods=["GET", "POST"])
@allow(*STAFF)
def fee_setup():
    school = current_school()
    term_form, item_form = TermForm(prefix="term"), FeeItemForm(prefix="item")
    what = request.form.get("what") if request.method == "POST" else None
    if what == "term" and term_form.validate_on_submit():
        if operations.add_term(
            school.id,
            term_form.code.data,
            term_form.name.data,
            term_form.starts_on.data,
            term_form.ends_on.data,
        ):
            flash("Đã thêm học kỳ.", "success")
            return redirect(url_for("schools.fee_setup"))
        term_form.code.errors.append("Trường đã có học kỳ mang mã này.")
    if what == "item" and item_form.validate_on_submit():
        if operations.add_fee_item(school.id, item_form.code.data, item_form.name.data, item_form.kind.data):
            flash("Đã thêm khoản thu.", "success")
            return redirect(url_for("schools.fee_setup"))
        item_form.code.errors.append("Trường đã có khoản thu mang mã này.")
    return render_template(
        "schools/fees.html",
        term_form=term_form,
        item_form=item_form,
        terms=terms_of(school.id),
        items=queries.fee_items_of(school.id),
        school=school,
    ), (400 if request.method == "POST" else 200)


@bp.route("/terms/<int:term_id>", methods=["GET", "POST"])
@allow(*STAFF)
def term(term_id: int):
    school, record = current_school(), owned(Term, term_id)
    form = ScheduleForm()
    form.term_id.choices = options([(record.id, record.name)])
    form.fee_item_id.choices = options(
        (i.id, f"{i.code} – {i.name}") for i in queries.fee_items_of(school.id)
    )
    if request.method == "GET":
        form.term_id.data = record.id
    if form.validate_on_submit():
        try:
            fees.add_schedule(
                school.id,
                current_user.id,
                term_id=record.id,
                fee_item_id=form.fee_item_id.data,
                scope=form.scope.data,
                scope_value=form.scope_value.data,
                unit_amount=form.unit_amount.data,
                credits=form.credits.data,
                due_on=form.due_on.data,
            )
        except fees.FeeError as error:
            form.scope_value.errors.append(str(error))
        else:
            flash("Đã thêm mức thu.", "success")
            return redirect(url_for("schools.term", term_id=record.id))
    return render_template(
        "schools/term.html",
        term=record,
        form=form,
        schedules=queries.schedules_of(record.id),
        invoice_runs=invoicing.latest_runs(record.id),
        school=school,
        rules=exemption_rules.rule_set_on(record.starts_on),
        to_review=queries.exemptions_to_review(school.id, record),
    ), (400 if form.errors else 200)


@bp.route("/terms/<int:term_id>/invoices", methods=["POST"])
@allow(*STAFF)
def run_invoices(term_id: int):
    school, record = current_school(), owned(Term, term_id)
    try:
        started = invoicing.start(school.id, record.id, current_user.id)
    except fees.FeeError as error:
        flash(str(error), "error")
        return redirect(url_for("schools.term", term_id=record.id))
    tasks.run_invoices(started.id)  # on the job engine; the sweep finds the run if this is lost
    return redirect(url_for("schools.invoice_run", run_id=started.id))


@bp.route("/invoice-runs/<int:run_id>")
@allow(*STAFF)
def invoice_run(run_id: int):
    record = owned(InvoiceRun, run_id)
    phase = runs.phase(record)
    if request.args.get("format") == "json":  # the progress the page polls
        return progress_json(record.status, phase, record.students_done, record.total_students)
    return render_template(
        "schools/invoice_run.html",
        run=record,
        phase=phase,
        school=current_school(),
        to_review=queries.exemptions_to_review(record.school_id, record.term),
    )
