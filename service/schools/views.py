"""A school's own pages (`/school/...`), for its accountants and administrators only, each confined to
the signed-in user's school (`service.schools.access`)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.base import options
from forms.schools import ClassForm, FeeItemForm, ImportForm, ScheduleForm, TermForm
from service.access import allow
from service.accounts.roles import Role
from service.database import begin_write
from service.extensions import db
from service.jobs import tasks
from service.schools import fees, imports
from service.schools.access import current_school, owned
from service.schools.models import (
    EXEMPTION_CATEGORIES,
    FEE_KINDS,
    LEVELS,
    SCOPES,
    FeeItem,
    FeeSchedule,
    Invoice,
    SchoolClass,
    Student,
    StudentImport,
    Term,
)

bp = Blueprint("schools", __name__, url_prefix="/school")
STAFF = (Role.ACCOUNTANT, Role.SCHOOL_ADMIN)
PAGE_SIZE = 50
INVOICE_LABELS = {"issued": "Đã phát hành", "cancelled": "Đã hủy", "replaced": "Đã được thay thế"}


@bp.app_context_processor
def school_labels():
    return {
        "level_labels": LEVELS, "fee_kind_labels": FEE_KINDS, "scope_labels": SCOPES, "invoice_labels": INVOICE_LABELS,
        "exemption_labels": {k: v[0] for k, v in EXEMPTION_CATEGORIES.items()},
    }  # fmt: skip


@bp.route("/")
@allow(*STAFF)
def home():
    school = current_school()
    counts = {
        "classes": _count(SchoolClass, school.id),
        "students": _count(Student, school.id),
        "terms": _count(Term, school.id),
    }
    return render_template("schools/home.html", school=school, counts=counts)


def _count(model, school_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(model).where(model.school_id == school_id)
    )


# ---------------------------------------------------------------- classes and students


@bp.route("/classes", methods=["GET", "POST"])
@allow(*STAFF)
def classes():
    school = current_school()
    form = ClassForm()
    if form.validate_on_submit():
        taken = db.session.scalar(
            db.select(SchoolClass.id).where(
                SchoolClass.school_id == school.id, SchoolClass.code == form.code.data
            )
        )
        if taken:
            form.code.errors.append("Trường đã có lớp mang mã này.")
        else:
            begin_write()
            db.session.add(SchoolClass(
                school_id=school.id, code=form.code.data, name=form.name.data, programme=form.programme.data,
                level=form.level.data,
            ))  # fmt: skip
            db.session.commit()
            flash(f"Đã thêm lớp {form.code.data}.", "success")
            return redirect(url_for("schools.classes"))
    rows = db.session.execute(
        db.select(SchoolClass, db.func.count(Student.id))
        .outerjoin(Student, Student.class_id == SchoolClass.id)
        .where(SchoolClass.school_id == school.id)
        .group_by(SchoolClass.id)
        .order_by(SchoolClass.code)
    ).all()
    return render_template("schools/classes.html", form=form, rows=rows, school=school)


@bp.route("/students")
@allow(*STAFF)
def students():
    school = current_school()
    query = (request.args.get("q") or "").strip()[:100]
    class_id = request.args.get("class_id", type=int)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 10_000)
    statement = db.select(Student).where(Student.school_id == school.id).order_by(Student.code)
    if class_id:
        statement = statement.where(Student.class_id == class_id)
    if query:
        statement = statement.where(Student.code.ilike(f"%{query}%") | Student.full_name.ilike(f"%{query}%"))
    found = db.session.scalars(
        statement.options(db.joinedload(Student.school_class))
        .limit(PAGE_SIZE + 1)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    class_list = db.session.scalars(
        db.select(SchoolClass).where(SchoolClass.school_id == school.id).order_by(SchoolClass.code)
    ).all()
    return render_template(
        "schools/students.html", students=found[:PAGE_SIZE], more=len(found) > PAGE_SIZE, page=page, q=query,
        class_id=class_id, classes=class_list, school=school,
    )  # fmt: skip


@bp.route("/students/<int:student_id>")
@allow(*STAFF)
def student(student_id: int):
    from forms.schools import ExemptionForm

    return _student_page(owned(Student, student_id), ExemptionForm())


# ---------------------------------------------------------------- imports


@bp.route("/students/import", methods=["GET", "POST"])
@allow(*STAFF)
def import_students():
    school = current_school()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors.append("Vui lòng chọn tệp danh sách.")
        else:
            data = upload.stream.read(current_app.config["STUDENT_IMPORT_MAX_BYTES"] + 1)
            try:
                batch = imports.stage(data, upload.filename, school.id, current_user.id)
            except imports.ImportFileError as error:
                form.file.errors.append(str(error))
            else:
                return redirect(url_for("schools.import_report", batch_id=batch.id))
    recent = db.session.scalars(
        db.select(StudentImport)
        .where(StudentImport.school_id == school.id)
        .order_by(StudentImport.id.desc())
        .limit(10)
    ).all()
    return render_template("schools/import.html", form=form, recent=recent, school=school), (
        400 if form.errors else 200
    )


@bp.route("/students/import/template.csv")
@allow(*STAFF)
def import_template():
    current_school()
    return Response(
        imports.template_csv(), mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=mau-danh-sach-sinh-vien.csv"},
    )  # fmt: skip


@bp.route("/imports/<int:batch_id>")
@allow(*STAFF)
def import_report(batch_id: int):
    batch = owned(StudentImport, batch_id)
    if request.args.get("format") == "json":  # the progress the page polls
        return {"status": batch.status, "processed": batch.processed_rows, "total": batch.valid_rows}
    return render_template("schools/import_report.html", batch=batch, school=current_school())


@bp.route("/imports/<int:batch_id>/confirm", methods=["POST"])
@allow(*STAFF)
def import_confirm(batch_id: int):
    batch = owned(StudentImport, batch_id)
    if batch.status != "validated":
        flash("Tệp này đã được nhập.", "error")
        return redirect(url_for("schools.import_report", batch_id=batch.id))
    if batch.valid_rows == 0:
        flash("Không có dòng hợp lệ nào để nhập.", "error")
        return redirect(url_for("schools.import_report", batch_id=batch.id))
    if batch.error_count and request.form.get("accept_valid") != "yes":
        flash("Tệp còn dòng lỗi: sửa tệp rồi tải lên lại, hoặc xác nhận chỉ nhập các dòng hợp lệ.", "error")
        return redirect(url_for("schools.import_report", batch_id=batch.id))
    tasks.import_students(batch.id)  # on the job engine; the report page shows its progress
    return redirect(url_for("schools.import_report", batch_id=batch.id))


# ---------------------------------------------------------------- terms, fee items, schedules


@bp.route("/fees", methods=["GET", "POST"])
@allow(*STAFF)
def fee_setup():
    school = current_school()
    term_form, item_form = TermForm(prefix="term"), FeeItemForm(prefix="item")
    if request.method == "POST" and request.form.get("what") == "term" and term_form.validate_on_submit():
        if _exists(Term, school.id, term_form.code.data):
            term_form.code.errors.append("Trường đã có học kỳ mang mã này.")
        else:
            _add(Term(school_id=school.id, code=term_form.code.data, name=term_form.name.data,
                      starts_on=term_form.starts_on.data, ends_on=term_form.ends_on.data))  # fmt: skip
            flash("Đã thêm học kỳ.", "success")
            return redirect(url_for("schools.fee_setup"))
    if request.method == "POST" and request.form.get("what") == "item" and item_form.validate_on_submit():
        if _exists(FeeItem, school.id, item_form.code.data):
            item_form.code.errors.append("Trường đã có khoản thu mang mã này.")
        else:
            _add(
                FeeItem(
                    school_id=school.id,
                    code=item_form.code.data,
                    name=item_form.name.data,
                    kind=item_form.kind.data,
                )
            )
            flash("Đã thêm khoản thu.", "success")
            return redirect(url_for("schools.fee_setup"))
    terms = db.session.scalars(
        db.select(Term).where(Term.school_id == school.id).order_by(Term.starts_on.desc())
    ).all()
    items = db.session.scalars(
        db.select(FeeItem).where(FeeItem.school_id == school.id).order_by(FeeItem.code)
    ).all()
    status = 400 if request.method == "POST" else 200
    return render_template(
        "schools/fees.html", term_form=term_form, item_form=item_form, terms=terms, items=items, school=school
    ), status


def _exists(model, school_id: int, code: str) -> bool:
    return (
        db.session.scalar(db.select(model.id).where(model.school_id == school_id, model.code == code))
        is not None
    )


def _add(record) -> None:
    begin_write()
    db.session.add(record)
    db.session.commit()


@bp.route("/terms/<int:term_id>", methods=["GET", "POST"])
@allow(*STAFF)
def term(term_id: int):
    school = current_school()
    record = owned(Term, term_id)
    form = ScheduleForm()
    form.term_id.choices = options([(record.id, record.name)])
    form.fee_item_id.choices = options(
        (i.id, f"{i.code} – {i.name}")
        for i in db.session.scalars(
            db.select(FeeItem).where(FeeItem.school_id == school.id).order_by(FeeItem.code)
        )
    )
    if request.method == "GET":
        form.term_id.data = record.id
    if form.validate_on_submit():
        try:
            fees.add_schedule(
                school.id, current_user.id, term_id=record.id, fee_item_id=form.fee_item_id.data, scope=form.scope.data,
                scope_value=form.scope_value.data, unit_amount=form.unit_amount.data, credits=form.credits.data,
                due_on=form.due_on.data,
            )  # fmt: skip
        except fees.FeeError as error:
            form.scope_value.errors.append(str(error))
        else:
            flash("Đã thêm mức thu.", "success")
            return redirect(url_for("schools.term", term_id=record.id))
    schedules = db.session.scalars(
        db.select(FeeSchedule).where(FeeSchedule.term_id == record.id).order_by(FeeSchedule.id)
    ).all()
    return render_template("schools/term.html", term=record, form=form, schedules=schedules, school=school), (
        400 if form.errors else 200
    )


# ---------------------------------------------------------------- exemptions


@bp.route("/students/<int:student_id>/exemptions", methods=["POST"])
@allow(*STAFF)
def add_exemption(student_id: int):
    from forms.schools import ExemptionForm

    school, record = current_school(), owned(Student, student_id)
    form = ExemptionForm()
    if form.validate_on_submit():
        upload = form.evidence.data
        data = upload.stream.read(current_app.config["MAX_FILE_BYTES"] + 1) if upload else b""
        if len(data) > current_app.config["MAX_FILE_BYTES"]:
            form.evidence.errors.append("Tệp minh chứng quá lớn.")
        else:
            try:
                fees.add_exemption(
                    school.id, record, current_user.id, (upload.filename, data) if upload else None,
                    category=form.category.data, percent=form.percent.data, basis=form.basis.data,
                    valid_from=form.valid_from.data, valid_to=form.valid_to.data,
                )  # fmt: skip
            except fees.FeeError as error:
                form.evidence.errors.append(str(error))
            else:
                flash("Đã thêm miễn, giảm học phí.", "success")
                return redirect(url_for("schools.student", student_id=record.id))
    return _student_page(record, form), 400


def _student_page(record: Student, exemption_form):
    from service.schools.models import Exemption, Invoice

    exemptions = db.session.scalars(
        db.select(Exemption).where(Exemption.student_id == record.id).order_by(Exemption.valid_from)
    ).all()
    invoices = db.session.scalars(
        db.select(Invoice)
        .where(Invoice.student_id == record.id)
        .options(db.selectinload(Invoice.term))
        .order_by(Invoice.id.desc())
    ).all()
    return render_template(
        "schools/student.html", student=record, exemptions=exemptions, invoices=invoices, school=current_school(),
        paid=_paid_on(invoices), exemption_form=exemption_form,
    )  # fmt: skip


def _paid_on(invoices) -> dict[int, int]:
    """What was paid on each invoice, in one query (not one per invoice)."""
    from service.schools.reports import paid_by_invoice

    paid = paid_by_invoice()
    found = dict(
        db.session.execute(
            db.select(paid.c.invoice_id, paid.c.paid).where(paid.c.invoice_id.in_([i.id for i in invoices]))
        ).all()
    )
    return {i.id: found.get(i.id, 0) for i in invoices}


@bp.route("/exemptions/<int:exemption_id>/evidence")
@allow(*STAFF)
def exemption_evidence(exemption_id: int):
    from flask import send_file

    from service.dossiers import uploads
    from service.schools.models import Exemption

    record = owned(Exemption, exemption_id)
    path = uploads.path_for(record.evidence_stored)
    kind = record.evidence_stored.rsplit(".", 1)[-1]
    mimetype = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}.get(
        kind, "application/octet-stream"
    )
    return send_file(path, mimetype=mimetype, download_name=record.evidence_name, as_attachment=True)


# ---------------------------------------------------------------- invoices


@bp.route("/terms/<int:term_id>/invoices", methods=["POST"])
@allow(*STAFF)
def run_invoices(term_id: int):
    school, record = current_school(), owned(Term, term_id)
    try:
        result = fees.invoice_term(school.id, record.id, current_user.id)
    except fees.FeeError as error:
        flash(str(error), "error")
        return redirect(url_for("schools.term", term_id=record.id))
    flash(
        f"Đã lập {result.created} hóa đơn; {result.existing} người học đã có hóa đơn từ trước; "
        f"{result.without_fees} người học không có khoản thu nào.",
        "success",
    )
    return redirect(url_for("schools.invoices", term_id=record.id))


@bp.route("/invoices")
@allow(*STAFF)
def invoices():
    from service.schools import reports

    school = current_school()
    filters = reports.InvoiceFilters.from_args(request.args)
    rows, more = reports.invoice_rows(school.id, filters, PAGE_SIZE)
    if request.args.get("format") == "xlsx":
        return reports.xlsx_response(
            "hoa-don", *reports.invoices_sheet(reports.invoice_rows(school.id, filters, None)[0])
        )
    return render_template(
        "schools/invoices.html", rows=rows, more=more, filters=filters, school=school,
        terms=reports.terms_of(school.id), classes=reports.classes_of(school.id),
    )  # fmt: skip


@bp.route("/invoices/<int:invoice_id>")
@allow(*STAFF)
def invoice(invoice_id: int):
    from forms.schools import ManualPaymentForm, ReasonForm

    return _invoice_page(
        owned(Invoice, invoice_id), ReasonForm(prefix="cancel"), ManualPaymentForm(prefix="manual")
    )


def _invoice_page(record, cancel_form, manual_form, status: int = 200):
    from service.payments.models import PaymentOrder
    from service.schools.models import ManualPayment

    orders = db.session.scalars(
        db.select(PaymentOrder).where(PaymentOrder.invoice_id == record.id).order_by(PaymentOrder.id)
    ).all()
    manual = db.session.scalars(db.select(ManualPayment).where(ManualPayment.invoice_id == record.id)).all()
    replacement = db.session.scalar(db.select(Invoice).where(Invoice.replaces_id == record.id))
    return render_template(
        "schools/invoice.html", invoice=record, orders=orders, manual=manual, paid=fees.paid_amount(record.id),
        outstanding=fees.outstanding(record), cancel_form=cancel_form, manual_form=manual_form,
        replacement=replacement, school=current_school(),
        link=current_app.config["APP_BASE_URL"] + url_for("paylink.invoice", token=record.access_token),
    ), status  # fmt: skip


@bp.route("/invoices/<int:invoice_id>/cancel", methods=["POST"])
@allow(*STAFF)
def cancel_invoice(invoice_id: int):
    from forms.schools import ManualPaymentForm, ReasonForm

    record = owned(Invoice, invoice_id)
    form = ReasonForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            fees.cancel_invoice(record.id, current_user.id, form.reason.data)
        except fees.FeeError as error:
            form.reason.errors.append(str(error))
        else:
            flash(f"Đã hủy hóa đơn {record.number}.", "success")
            return redirect(url_for("schools.invoice", invoice_id=record.id))
    return _invoice_page(record, form, ManualPaymentForm(prefix="manual"), 400)


@bp.route("/invoices/<int:invoice_id>/adjust", methods=["POST"])
@allow(*STAFF)
def adjust_invoice(invoice_id: int):
    """A correction: the accountant lists the new lines; a new invoice replaces this one."""
    from forms.schools import ManualPaymentForm, ReasonForm

    record = owned(Invoice, invoice_id)
    form = ReasonForm(prefix="adjust")
    lines, problem = parse_lines(request.form.get("lines", ""))
    if form.validate_on_submit() and problem is None:
        try:
            new = fees.replace_invoice(record.id, current_user.id, form.reason.data, lines)
        except fees.FeeError as error:
            problem = str(error)
        else:
            flash(f"Đã lập hóa đơn {new.number} thay thế hóa đơn {record.number}.", "success")
            return redirect(url_for("schools.invoice", invoice_id=new.id))
    flash(problem or "Vui lòng ghi lý do điều chỉnh.", "error")
    return _invoice_page(record, ReasonForm(prefix="cancel"), ManualPaymentForm(prefix="manual"), 400)


def parse_lines(text: str) -> tuple[list[dict], str | None]:
    """One line per item: `Nội dung | số tiền` (a reduction with a minus sign)."""
    import re

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
        return [], "Vui lòng ghi các khoản của hóa đơn điều chỉnh."
    return lines, None


@bp.route("/invoices/<int:invoice_id>/manual-payment", methods=["POST"])
@allow(*STAFF)
def manual_payment(invoice_id: int):
    from forms.schools import ManualPaymentForm, ReasonForm
    from service.schools import counter

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
    record = owned(Invoice, invoice_id)
    return link_qr(record.access_token)


def link_qr(token: str):
    import io

    import segno
    from flask import send_file

    url = current_app.config["APP_BASE_URL"] + url_for("paylink.invoice", token=token)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=4)
    return send_file(io.BytesIO(buffer.getvalue()), mimetype="image/png", max_age=0)


# ---------------------------------------------------------------- the accountant's view


@bp.route("/collection")
@allow(*STAFF)
def collection():
    from service.schools import reports

    school = current_school()
    term_id = request.args.get("term_id", type=int)
    terms = reports.terms_of(school.id)
    chosen = next((t for t in terms if t.id == term_id), terms[0] if terms else None)
    period = reports.Period.from_args(request.args)
    summary = reports.collection(school.id, chosen.id) if chosen else None
    by_day = reports.payments_by_day(school.id, period)
    export = request.args.get("format")
    if export == "arrears" and chosen:
        return reports.xlsx_response("no-hoc-phi", *reports.arrears_sheet(summary.arrears))
    if export == "payments":
        return reports.xlsx_response(
            "thanh-toan", *reports.payments_sheet(reports.payments(school.id, period))
        )
    return render_template(
        "schools/collection.html", school=school, terms=terms, term=chosen, summary=summary, by_day=by_day,
        period=period,
    )  # fmt: skip


@bp.route("/reconciliation", methods=["GET", "POST"])
@allow(*STAFF)
def reconciliation():
    from service.schools import reports, statements

    school = current_school()
    period = reports.Period.from_args(request.values)
    if request.method == "POST":
        upload = request.files.get("statement")
        source = request.form.get("source", "")
        if upload is None or not upload.filename:
            flash("Vui lòng chọn tệp sao kê (CSV).", "error")
        elif source not in statements.SOURCES:
            flash("Vui lòng chọn nguồn sao kê.", "error")
        else:
            data = upload.stream.read(current_app.config["STUDENT_IMPORT_MAX_BYTES"] + 1)
            try:
                added, skipped = statements.import_csv(school.id, source, data, current_user.id)
            except statements.StatementError as error:
                flash(str(error), "error")
            else:
                flash(f"Đã nhập {added} dòng sao kê ({skipped} dòng đã có từ trước).", "success")
                return redirect(url_for("schools.reconciliation", **period.args()))
    result = statements.reconcile(school.id, period)
    return render_template(
        "schools/reconciliation.html", school=school, period=period, result=result, sources=statements.SOURCES
    ), (400 if request.method == "POST" else 200)
