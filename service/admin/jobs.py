"""Administrators see the work that keeps failing after a step (dead and retrying jobs) and send it
round again once the cause is fixed (an SMTP password, a full disk, a provider that was down)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from service.access import allow
from service.accounts.roles import Role
from service.documents.issuing import KINDS
from service.documents.models import IssuedDocument
from service.dossiers.models import Dossier
from service.extensions import db
from service.jobs import outbox
from service.postal import queries as postal_queries
from service.schools import runs, tasks
from service.schools.models import InvoiceRun, School, StudentImport
from workflows.states import EVENT_LABELS

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

CHANNEL_LABELS = {
    "email": "Thư điện tử",
    "sms": "Tin nhắn SMS",
    "document": "Văn bản, giấy tờ",
    "national_portal": "Đồng bộ Cổng Dịch vụ công quốc gia",
    "tax_authority": "Gửi dữ liệu biên lai cho cơ quan thuế",
    "postal": "Gửi kết quả qua bưu chính",
}
DOSSIER_CHANNELS = ("document", "national_portal")
# Long work of the schools that failed JOB_MAX_ATTEMPTS times: (model, label, the task that runs it).
LONG_RUNS = {
    "import": (StudentImport, "Nhập danh sách người học", tasks.import_students),
    "invoices": (InvoiceRun, "Lập thông báo thu học phí", tasks.run_invoices),
}


@bp.route("")
@allow(Role.ADMIN)
def failing():
    rows = outbox.stuck()
    return render_template(
        "jobs/failing.html",
        rows=rows,
        subjects=_subjects(rows),
        counts=outbox.counts(),
        channel_labels=CHANNEL_LABELS,
        status_labels=outbox.STATUS_LABELS,
        long_runs=_failed_long_runs(),
    )


@bp.route("/<channel>/<int:row_id>/retry", methods=["POST"])
@allow(Role.ADMIN)
def retry(channel: str, row_id: int):
    if channel not in outbox.CHANNELS:
        abort(404)
    if outbox.retry(channel, row_id):
        flash("Đã đưa công việc vào hàng đợi để thực hiện lại.", "success")
    else:
        flash("Công việc này không còn ở trạng thái lỗi (có thể đã được thực hiện).", "warning")
    return redirect(url_for("jobs.failing"))


@bp.route("/long/<kind>/<int:row_id>/retry", methods=["POST"])
@allow(Role.ADMIN)
def retry_long_run(kind: str, row_id: int):
    if kind not in LONG_RUNS:
        abort(404)
    model, _label, task = LONG_RUNS[kind]
    if runs.retry(model, row_id):
        task(row_id)  # continues after the last chunk written; the sweep takes it if this is lost
        flash("Đã cho chạy tiếp công việc từ chỗ đã dừng.", "success")
    else:
        flash("Công việc này không còn ở trạng thái không thành công.", "warning")
    return redirect(url_for("jobs.failing"))


def _failed_long_runs() -> list[tuple[str, str, object, str]]:
    """(kind, label, row, school name) of every failed import and invoicing run, newest first."""
    found = []
    for kind, (model, label, _task) in LONG_RUNS.items():
        failed = db.session.scalars(
            db.select(model).where(model.status == "failed").order_by(model.id.desc()).limit(100)
        )
        found.extend((kind, label, row) for row in failed)
    names = dict(
        db.session.execute(
            db.select(School.id, School.name).where(School.id.in_({r.school_id for _, _, r in found}))
        ).all()
    )
    return [(kind, label, row, names.get(row.school_id, "")) for kind, label, row in found]


def _subjects(rows) -> dict[tuple[str, int], str]:
    """What each row is about, in words; the dossiers of documents are read in one query."""
    dossier_ids = {row.dossier_id for channel, row in rows if channel in DOSSIER_CHANNELS and row.dossier_id}
    codes = dict(
        db.session.execute(db.select(Dossier.id, Dossier.code).where(Dossier.id.in_(dossier_ids))).all()
    )
    receipt_ids = {row.document_id for channel, row in rows if channel == "tax_authority"}
    numbers = dict(
        db.session.execute(
            db.select(IssuedDocument.id, IssuedDocument.number).where(IssuedDocument.id.in_(receipt_ids))
        ).all()
    )
    orders = postal_queries.order_numbers({row.shipment_id for channel, row in rows if channel == "postal"})
    subjects = {}
    for channel, row in rows:
        if channel == "email":
            text = f"{row.recipient}: {row.subject}"
        elif channel == "sms":
            text = f"{row.recipient}: {row.body[:80]}"
        elif channel == "tax_authority":
            text = f"Biên lai số {numbers.get(row.document_id) or '(không rõ)'}"
        elif channel == "postal":
            text = f"Đơn gửi kết quả qua bưu chính – {orders.get(row.shipment_id) or '(không rõ)'}"
        elif channel == "national_portal":
            step = EVENT_LABELS.get(row.event) or "Công bố kết quả giải quyết"
            text = f"{step} – hồ sơ {codes.get(row.dossier_id) or '(không có)'}"
        else:
            title = KINDS[row.kind].title if row.kind in KINDS else row.kind
            text = f"{title} – hồ sơ {codes.get(row.dossier_id) or '(không có)'}"
        subjects[(channel, row.id)] = text
    return subjects
