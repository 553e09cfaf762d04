"""Invoices: the list with its export, one invoice with its payments, cancellation, correction, money
taken at the counter, and the payment link's QR code."""

from __future__ import annotations

import re

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from service.access import allow
from service.audit import operations as audit
from service.requests import database_int
from service.schools import counter, fees, queries, reminders, reports
from service.schools.access import current_school, owned
from service.schools.forms import ManualPaymentForm, ReasonForm
from service.schools.models import Invoice, SchoolClass
from service.schools.paylink import link_qr
from service.schools.views.base import STAFF, bp


@bp.route("/invoices")
@allow(*STAFF)
def invoices():
    school = current_school()
    filters = reports.InvoiceFilters.from_args(request.args)
    if request.args.get("format") == "xlsx":
        response = reports.xlsx_response(
            "thong-bao-thu", *reports.invoices_sheet(reports.invoice_rows(school.id, filters, None)[0])
        )
        audit.record_view(
            None, "school.exported", {"export": "invoices"}, object_type="schools", object_id=school.id
        )
        return response
    rows, more = reports.invoice_rows(school.id, filters, queries.PAGE_SIZE)
    return render_template(
        "schools/invoices.html",
        rows=rows,
        more=more,
        filters=filters,
        school=school,
        terms=reports.terms_of(school.id),
        classes=reports.classes_of(school.id),
    )


@bp.route("/invoices/<int:invoice_id>")
@allow(*STAFF)
def invoice(invoice_id: int):
    return _invoice_page(
        owned(Invoice, invoice_id), ReasonForm(prefix="cancel"), ManualPaymentForm(prefix="manual")
    )


def _invoice_page(record: Invoice, cancel_form, manual_form, status: int = 200):
    found = queries.invoice_records(record.id)
    audit.record_view(record, "school.invoice_viewed", details={"number": record.number})
    return render_template(
        "schools/invoice.html",
        invoice=record,
        orders=found.orders,
        manual=found.manual,
        paid=fees.paid_amount(record.id),
        outstanding=fees.outstanding(record),
        cancel_form=cancel_form,
        manual_form=manual_form,
        replacement=found.replacement,
        school=current_school(),
        sent=reminders.sent_links(record.id),
        reminder_kinds=reminders.KIND_LABELS,
        reminder_channels=reminders.CHANNEL_LABELS,
        link=current_app.config["APP_BASE_URL"] + url_for("paylink.invoice", token=record.access_token),
    ), status


@bp.route("/invoices/<int:invoice_id>/cancel", methods=["POST"])
@allow(*STAFF)
def cancel_invoice(invoice_id: int):
    record = owned(Invoice, invoice_id)
    form = ReasonForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            fees.cancel_invoice(record.id, current_user.id, form.reason.data)
        except fees.FeeError as error:
            form.reason.errors.append(str(error))
        else:
            flash(f"Đã hủy thông báo thu {record.number}.", "success")
            return redirect(url_for("schools.invoice", invoice_id=record.id))
    return _invoice_page(record, form, ManualPaymentForm(prefix="manual"), 400)


@bp.route("/invoices/<int:invoice_id>/adjust", methods=["POST"])
@allow(*STAFF)
def adjust_invoice(invoice_id: int):
    """A correction: the accountant lists the new lines; a new invoice replaces this one."""
    record = owned(Invoice, invoice_id)
    form = ReasonForm(prefix="adjust")
    lines, problem = parse_lines(request.form.get("lines", ""))
    if form.validate_on_submit() and problem is None:
        try:
            new = fees.replace_invoice(record.id, current_user.id, form.reason.data, lines)
        except fees.FeeError as error:
            problem = str(error)
        else:
            flash(f"Đã lập thông báo thu {new.number} thay thế thông báo thu {record.number}.", "success")
            return redirect(url_for("schools.invoice", invoice_id=new.id))
    flash(problem or "Vui lòng ghi lý do điều chỉnh.", "error")
    return _invoice_page(record, ReasonForm(prefix="cancel"), ManualPaymentForm(prefix="manual"), 400)


def parse_lines(text: str) -> tuple[list[dict], str | None]:
    """One line per item: `Nội dung | số tiền` (a reduction with a minus sign)."""
    lines = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        description, _, amount = raw.rpartition("|")
        amount = re.sub(r"[.\s]", "", amount)
        if not description.strip() or not re.fullmatch(r"-?[0-9]{1,12}", amount):
            return [], f"Dòng {number}: ghi theo mẫu “Nội dung | số tiền”, số tiền là số nguyên đồng."
        lines.append({"description": description.strip()[:300], "amount": int(amount)})
    if not lines:
        return [], "Vui lòng ghi các khoản của thông báo thu điều chỉnh."
    return lines, None


@bp.route("/invoices/<int:invoice_id>/manual-payment", methods=["POST"])
@allow(*STAFF)
def manual_payment(invoice_id: int):
    record = owned(Invoice, invoice_id)
    form = ManualPaymentForm(prefix="manual")
    if form.validate_on_submit():
        try:
            counter.record(record.id, current_user, form.amount.data, form.reference.data, form.reason.data)
        except fees.FeeError as error:
            form.amount.errors.append(str(error))
        else:
            flash("Đã ghi nhận khoản thu trực tiếp.", "success")
            return redirect(url_for("schools.invoice", invoice_id=record.id))
    return _invoice_page(record, ReasonForm(prefix="cancel"), form, 400)


@bp.route("/invoices/<int:invoice_id>/qr.png")
@allow(*STAFF)
def invoice_qr(invoice_id: int):
    return link_qr(owned(Invoice, invoice_id).access_token)


@bp.route("/invoices/<int:invoice_id>/send", methods=["POST"])
@allow(*STAFF)
def send_invoice_link(invoice_id: int):
    """The bill's payment link to the student now, by email and SMS (once a day per channel)."""
    record = owned(Invoice, invoice_id)
    sent = reminders.send_links(record.school_id, [record.id])
    flash(sent.message(), "success" if sent.emails or sent.sms else "warning")
    return redirect(url_for("schools.invoice", invoice_id=record.id))


@bp.route("/classes/<int:class_id>/send-links", methods=["POST"])
@allow(*STAFF)
def send_class_links(class_id: int):
    """Every bill of a class still owing (of one term, when chosen) gets its link, as above."""
    school_class = owned(SchoolClass, class_id)
    term_id = request.form.get("term_id", type=database_int)
    bills = queries.class_bills(school_class.school_id, school_class.id, term_id)
    sent = reminders.send_links(school_class.school_id, [invoice.id for invoice, _, _ in bills])
    flash(f"Lớp {school_class.code}: {sent.message()}", "success" if sent.emails or sent.sms else "warning")
    return redirect(
        url_for("schools.invoices", class_id=school_class.id, term_id=term_id, state="outstanding")
    )


@bp.route("/classes/<int:class_id>/slips")
@allow(*STAFF)
def class_slips(class_id: int):
    """A printable A4 sheet for a class: one slip per student still owing, with the bill, the amount and
    the QR code of its payment link (for a class meeting, or parents without email)."""
    school_class = owned(SchoolClass, class_id)
    term_id = request.args.get("term_id", type=database_int)
    bills = queries.class_bills(school_class.school_id, school_class.id, term_id)
    base = current_app.config["APP_BASE_URL"]
    slips = [
        (invoice, student, owed, base + url_for("paylink.invoice", token=invoice.access_token))
        for invoice, student, owed in bills
    ]
    return render_template(
        "schools/slips.html", school=current_school(), school_class=school_class, slips=slips
    )
